// Grafana's duration strings (refresh `30s`, `1m`, min_refresh_interval): an integer and one unit.
// `M` is a month and `m` a minute, as in Grafana's own interval parser.

const UNIT_MS: Readonly<Record<string, number>> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
  M: 2_592_000_000,
  y: 31_536_000_000,
};

const DURATION_RE = /^(\d+)(ms|s|m|h|d|w|M|y)$/;

/** Milliseconds, or undefined when `text` is not a Grafana duration. */
export function parseDuration(text: string): number | undefined {
  const m = DURATION_RE.exec(text.trim());
  if (!m) return undefined;
  return Number(m[1]) * UNIT_MS[m[2]!]!;
}

export const DURATION_PATTERN = '^\\s*\\d+(ms|s|m|h|d|w|M|y)\\s*$';
