import { describe, expect, it } from 'vitest';
import {
  applyDateMath,
  calculateIntervalMs,
  formatIntervalBackend,
  formatMoment,
  intervalToMs,
  parseGoDuration,
  parseTimeExpression,
  roundInterval,
  secondsToHms,
} from '../../../src/sql/time.js';

// Friday 2024-03-15T12:34:56.789Z
const NOW = Date.UTC(2024, 2, 15, 12, 34, 56, 789);
const iso = (ms: number | undefined): string | undefined =>
  ms === undefined ? undefined : new Date(ms).toISOString();

describe('dashboard time range expressions', () => {
  it.each([
    ['now', false, '2024-03-15T12:34:56.789Z'],
    ['now-7d', false, '2024-03-08T12:34:56.789Z'],
    ['now-24h', false, '2024-03-14T12:34:56.789Z'],
    ['now-6h', false, '2024-03-15T06:34:56.789Z'],
    ['now-30m', false, '2024-03-15T12:04:56.789Z'],
    ['now-90s', false, '2024-03-15T12:33:26.789Z'],
    ['now-2w', false, '2024-03-01T12:34:56.789Z'],
    ['now/d', false, '2024-03-15T00:00:00.000Z'],
    ['now/d', true, '2024-03-15T23:59:59.999Z'],
    ['now-1d/d', false, '2024-03-14T00:00:00.000Z'],
    ['now-1d/d', true, '2024-03-14T23:59:59.999Z'],
    ['now/h', false, '2024-03-15T12:00:00.000Z'],
    ['now/w', false, '2024-03-10T00:00:00.000Z'],
    ['now/w', true, '2024-03-16T23:59:59.999Z'],
    ['now-1M', false, '2024-02-15T12:34:56.789Z'],
    ['now-1M/M', false, '2024-02-01T00:00:00.000Z'],
    ['now-1M/M', true, '2024-02-29T23:59:59.999Z'],
    ['now/Q', false, '2024-01-01T00:00:00.000Z'],
    ['now/Q', true, '2024-03-31T23:59:59.999Z'],
    ['now-1y/y', false, '2023-01-01T00:00:00.000Z'],
    ['now-1y/y', true, '2023-12-31T23:59:59.999Z'],
    ['now+1h', false, '2024-03-15T13:34:56.789Z'],
    ['now - 1d', false, '2024-03-14T12:34:56.789Z'],
    ['2024-01-01T00:00:00.000Z', false, '2024-01-01T00:00:00.000Z'],
    ['2024-01-01T02:00:00+02:00', false, '2024-01-01T00:00:00.000Z'],
    ['2024-01-01 10:00:00', false, '2024-01-01T10:00:00.000Z'],
    ['2024-01-01', false, '2024-01-01T00:00:00.000Z'],
    ['1704067200000', false, '2024-01-01T00:00:00.000Z'],
    [1704067200000, false, '2024-01-01T00:00:00.000Z'],
    ['20240101', false, '2024-01-01T00:00:00.000Z'],
    ['2024-01-01T00:00:00Z||+1d', false, '2024-01-02T00:00:00.000Z'],
    ['2024-01-01T12:00:00Z||/d', true, '2024-01-01T23:59:59.999Z'],
  ] as [string | number, boolean, string][])('%s (roundUp %s) → %s', (expr, roundUp, want) => {
    expect(iso(parseTimeExpression(expr, NOW, roundUp))).toBe(want);
  });

  it.each([
    'yesterday',
    'now-1x',
    'now/2d',
    'now-',
    '',
    'now-12345678901d',
    '2024-13-45T99:00:00Z junk',
    '2024-13-01T00:00:00Z',
    '2024-01-01T25:00:00Z',
  ])('%j is not a time', (expr) => {
    expect(parseTimeExpression(expr, NOW, false)).toBeUndefined();
  });

  it('rounds to fiscal years and quarters from the fiscal start month', () => {
    // Fiscal year starting in April (month 3).
    expect(iso(parseTimeExpression('now/fy', NOW, false, 3))).toBe('2023-04-01T00:00:00.000Z');
    expect(iso(parseTimeExpression('now/fy', NOW, true, 3))).toBe('2024-03-31T23:59:59.999Z');
    expect(iso(parseTimeExpression('now/fQ', NOW, false, 1))).toBe('2024-02-01T00:00:00.000Z');
  });

  it('clamps month arithmetic to the end of the month like moment', () => {
    expect(iso(applyDateMath('-1M', Date.UTC(2024, 2, 31), false))).toBe('2024-02-29T00:00:00.000Z');
    expect(iso(applyDateMath('+1y', Date.UTC(2024, 1, 29), false))).toBe('2025-02-28T00:00:00.000Z');
  });
});

describe('intervals', () => {
  it.each([
    [5, 1],
    [12, 10],
    [3600, 5000],
    [21600, 20000],
    [100000, 120000],
    [604800, 600000],
    [3 * 86400000, 86400000],
    [4e9, 31536000000],
  ])('roundInterval(%d) = %d', (ms, want) => {
    expect(roundInterval(ms)).toBe(want);
  });

  it('divides the range by the data points and honours the low limit', () => {
    expect(calculateIntervalMs(6 * 3600000, 1000)).toBe(20000);
    expect(calculateIntervalMs(6 * 3600000, 1000, 60000)).toBe(60000);
    expect(calculateIntervalMs(7 * 86400000, 1000)).toBe(600000);
  });

  it.each([
    [20, '20s'],
    [90, '1m'],
    [120, '2m'],
    [3600, '1h'],
    [86400, '1d'],
    [31536000, '1y'],
    [0.5, '500ms'],
  ])('secondsToHms(%d) = %s', (s, want) => {
    expect(secondsToHms(s)).toBe(want);
  });

  it.each([
    [30000, '30s'],
    [90000, '1m'],
    [86400000, '1d'],
    [500, '500ms'],
    [0.5, '1ms'],
    [0, '1ms'],
    [31536000000 * 2, '2y'],
  ])('formatIntervalBackend(%d) = %s', (ms, want) => {
    expect(formatIntervalBackend(ms)).toBe(want);
  });

  it.each([
    ['10s', 10000],
    ['1m', 60000],
    ['>30s', 30000],
    ['30', 30000],
    ['500ms', 500],
    ['1h', 3600000],
    ['1d', 86400000],
    ['xx', undefined],
  ])('intervalToMs(%s) = %s', (text, want) => {
    expect(intervalToMs(text)).toBe(want);
  });

  it.each([
    ['5m', 300000],
    ['1h30m', 5400000],
    ['1.5s', 1500],
    ['500ms', 500],
    ['0', 0],
    ['-2s', -2000],
    ['1d', undefined],
    ['', undefined],
    ['abc', undefined],
    ['5', undefined],
  ])('parseGoDuration(%j) = %s', (text, want) => {
    expect(parseGoDuration(text)).toBe(want);
  });
});

describe('moment format subset (UTC)', () => {
  const T = 1700000000000; // Tuesday 2023-11-14T22:13:20Z
  it.each([
    ['YYYY-MM-DD HH:mm:ss', '2023-11-14 22:13:20'],
    ['ddd, MMM Do YYYY h:mm A', 'Tue, Nov 14th 2023 10:13 PM'],
    ['dddd D MMMM YY', 'Tuesday 14 November 23'],
    ['[Q]Q DDDD', 'Q4 318'],
    ['X', '1700000000'],
    ['x', '1700000000000'],
    ['HH:mm:ss.SSS Z', '22:13:20.000 +00:00'],
    ['[at] HH', 'at 22'],
  ])('%s → %s', (fmt, want) => {
    expect(formatMoment(T, fmt)).toBe(want);
  });
});
