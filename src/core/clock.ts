// The one place the product reads the time of day. Everything date-sensitive (the dashboards' default
// time range, `now-24h`...) takes a `now` from here or from the caller (dashboard-ci.yml `now:`,
// CheckOptions.now), so tests and reproducible runs pin it, and a test can move it (vi.setSystemTime).

export interface Clock {
  now(): Date;
}

/** The machine's clock. */
export const systemClock: Clock = { now: () => new Date() };

/** A clock that always says `at`. */
export function fixedClock(at: Date | string): Clock {
  const t = new Date(at).getTime();
  if (Number.isNaN(t)) throw new RangeError(`not a date: ${String(at)}`);
  return { now: () => new Date(t) };
}

/**
 * The `now` of a run: the caller's (options.now), else the configuration's (dashboard-ci.yml `now:`,
 * ISO 8601 with a zone), else the clock's.
 */
export function resolveNow(opts: {
  now?: Date | undefined;
  configNow?: string | undefined;
  clock?: Clock;
}): Date {
  if (opts.now) return opts.now;
  if (opts.configNow) return fixedClock(opts.configNow).now();
  return (opts.clock ?? systemClock).now();
}
