// Moves the clock of every test file when DASHBOARD_CI_TEST_CLOCK is set (`npm run test:future`):
// an ISO date, or `+Nd` days from today. No test may depend on today's date; this is how that is
// proven for the whole suite. Date is shifted by a fixed offset and keeps running: elapsed times,
// timers and retry budgets behave as on the real clock (vitest's fake Date, used by the clock tests
// themselves, stands still or steps, which such code does not expect). Child processes (engine
// workers, the CLI run as a process) keep the real clock, as they only ever get `now` passed in.

export function shiftedNow(spec: string, real: number = Date.now()): Date {
  const days = /^\+(\d+)d$/.exec(spec);
  const at = days ? new Date(real + Number(days[1]) * 86_400_000) : new Date(spec);
  if (Number.isNaN(at.getTime())) throw new Error(`DASHBOARD_CI_TEST_CLOCK: not a date or +Nd: ${spec}`);
  return at;
}

/** Replaces the global Date with one `offsetMs` ahead of the real clock. */
export function shiftDate(offsetMs: number): void {
  const RealDate = Date;
  class ShiftedDate extends RealDate {
    constructor(...args: unknown[]) {
      if (args.length === 0) super(RealDate.now() + offsetMs);
      else super(...(args as [string]));
    }
    static override now(): number {
      return RealDate.now() + offsetMs;
    }
  }
  globalThis.Date = ShiftedDate as DateConstructor;
}

const spec = process.env.DASHBOARD_CI_TEST_CLOCK;
if (spec) shiftDate(shiftedNow(spec).getTime() - Date.now());
