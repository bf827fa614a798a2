// Moves the clock of every test file when DASHBOARD_CI_TEST_CLOCK is set (`npm run test:future`):
// an ISO date, or `+Nd` days from today. No test may depend on today's date; this is how that is
// proven for the whole suite. Only Date is faked, and it keeps running (timers and elapsed-time
// measurements are untouched); child processes (engine workers, the CLI run as a process) keep the
// real clock, as they only ever get `now` passed in.
import { vi } from 'vitest';

export function shiftedNow(spec: string, real: number = Date.now()): Date {
  const days = /^\+(\d+)d$/.exec(spec);
  const at = days ? new Date(real + Number(days[1]) * 86_400_000) : new Date(spec);
  if (Number.isNaN(at.getTime())) throw new Error(`DASHBOARD_CI_TEST_CLOCK: not a date or +Nd: ${spec}`);
  return at;
}

const spec = process.env.DASHBOARD_CI_TEST_CLOCK;
if (spec) vi.useFakeTimers({ toFake: ['Date'], shouldAdvanceTime: true, now: shiftedNow(spec) });
