import { afterEach, describe, expect, it, vi } from 'vitest';
import { fixedClock, resolveNow, systemClock } from '../../../src/core/clock.js';
import { shiftDate, shiftedNow } from '../../support/clock-setup.js';

afterEach(() => {
  vi.useRealTimers();
});

describe('resolveNow', () => {
  it('takes the caller’s now first, then the configuration’s, then the clock’s', () => {
    const mine = new Date('2030-01-02T03:04:05Z');
    expect(resolveNow({ now: mine, configNow: '2026-11-27T12:00:00Z' })).toBe(mine);
    expect(resolveNow({ configNow: '2026-11-27T12:00:00+01:00' }).toISOString()).toBe(
      '2026-11-27T11:00:00.000Z',
    );
    expect(resolveNow({ clock: fixedClock('2031-05-06T00:00:00Z') }).toISOString()).toBe(
      '2031-05-06T00:00:00.000Z',
    );
  });

  it('reads the system clock only through systemClock, which a test can move', () => {
    vi.useFakeTimers({ toFake: ['Date'], now: new Date('2040-02-29T00:00:00Z') });
    expect(systemClock.now().toISOString()).toBe('2040-02-29T00:00:00.000Z');
    expect(resolveNow({}).toISOString()).toBe('2040-02-29T00:00:00.000Z');
  });

  it('refuses a clock that is not a date', () => {
    expect(() => fixedClock('tomorrow')).toThrow(RangeError);
  });
});

describe('the test clock of npm run test:future', () => {
  it('reads an ISO date or +N days', () => {
    expect(shiftedNow('2027-01-01T00:00:00Z').toISOString()).toBe('2027-01-01T00:00:00.000Z');
    expect(shiftedNow('+366d', Date.UTC(2026, 0, 1)).toISOString()).toBe('2027-01-02T00:00:00.000Z');
    expect(() => shiftedNow('soon')).toThrow(/not a date/);
  });

  it('shifts Date by an offset that keeps running, and leaves dates given explicitly alone', async () => {
    const RealDate = Date;
    try {
      shiftDate(366 * 86_400_000);
      const a = Date.now();
      expect(a - RealDate.now()).toBeGreaterThanOrEqual(366 * 86_400_000 - 1000);
      expect(new Date().getTime()).toBeGreaterThanOrEqual(a);
      expect(new Date('2026-11-27T12:00:00Z').toISOString()).toBe('2026-11-27T12:00:00.000Z');
      const now = Date.now;
      expect(now()).toBeGreaterThanOrEqual(a);
      await new Promise((r) => setTimeout(r, 20));
      expect(Date.now() - a).toBeGreaterThanOrEqual(15);
    } finally {
      globalThis.Date = RealDate;
    }
  });
});
