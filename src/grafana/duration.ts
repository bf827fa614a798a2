// Prometheus-style durations, as Grafana's alerting parses and prints them (model.ParseDuration):
// units y w d h m s ms, largest first, each at most once, e.g. `1h30m`, `90s`, `0s`.

const UNITS: [string, number][] = [
  ['y', 365 * 24 * 3600_000],
  ['w', 7 * 24 * 3600_000],
  ['d', 24 * 3600_000],
  ['h', 3600_000],
  ['m', 60_000],
  ['s', 1000],
  ['ms', 1],
];

const PATTERN = /^(?:(\d+)y)?(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?(?:(\d+)ms)?$/;

/** Milliseconds, or undefined when the text is not a duration. A bare number counts as seconds. */
export function parseDuration(text: string | number): number | undefined {
  if (typeof text === 'number') return Number.isFinite(text) && text >= 0 ? text * 1000 : undefined;
  const t = text.trim();
  if (t === '') return undefined;
  if (/^\d+$/.test(t)) return Number(t) * 1000;
  if (t === '0') return 0;
  const m = PATTERN.exec(t);
  if (!m || m.slice(1).every((g) => g === undefined)) return undefined;
  let ms = 0;
  UNITS.forEach(([, factor], i) => {
    const g = m[i + 1];
    if (g !== undefined) ms += Number(g) * factor;
  });
  return ms;
}

/** The canonical form Grafana prints (`5m`, `1h30m`, `0s`). */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0s';
  let rest = ms;
  let out = '';
  for (const [unit, factor] of UNITS) {
    const n = Math.floor(rest / factor);
    if (n > 0) {
      out += `${n}${unit}`;
      rest -= n * factor;
    }
  }
  return out;
}
