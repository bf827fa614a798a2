import { describe, expect, it } from 'vitest';
import { parseDuration } from '../../../src/lint/durations.js';
import { didYouMean } from '../../../src/lint/suggest.js';

describe('parseDuration', () => {
  it('parses Grafana durations to milliseconds', () => {
    expect(parseDuration('500ms')).toBe(500);
    expect(parseDuration('5s')).toBe(5000);
    expect(parseDuration('1m')).toBe(60_000);
    expect(parseDuration('2h')).toBe(7_200_000);
    expect(parseDuration('1d')).toBe(86_400_000);
    expect(parseDuration('1M')).toBeGreaterThan(parseDuration('4w')!);
    expect(parseDuration('1.5m')).toBeUndefined();
    expect(parseDuration('m')).toBeUndefined();
    expect(parseDuration('10')).toBeUndefined();
  });
});

describe('didYouMean', () => {
  it('suggests a close candidate only', () => {
    expect(didYouMean('budget', ['budgets', 'paths'])).toBe('budgets');
    expect(didYouMean('usr', ['user', 'model'])).toBe('user');
    expect(didYouMean('xyz', ['user', 'model'])).toBeUndefined();
  });
});
