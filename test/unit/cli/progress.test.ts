import { afterEach, describe, expect, it, vi } from 'vitest';
import { createProgress } from '../../../src/cli/progress.js';

function sink(isTTY: boolean) {
  const out: string[] = [];
  return { stream: { isTTY, write: (s: string) => out.push(s) }, out };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('progress', () => {
  it('off a terminal: one line per stage, EXPLAIN counts rate-limited, first and last always', () => {
    const { stream, out } = sink(false);
    let t = 0;
    const p = createProgress({ stream, delayMs: 0, intervalMs: 5000, now: () => t });
    p.stage('loading');
    p.stage('loading');
    p.stage('linting');
    p.stage('engine');
    p.stage('explain');
    p.explained(0, 10_000);
    for (let done = 1; done <= 10_000; done++) {
      t += 2; // 2 ms a query: 20 s in all
      p.explained(done, 10_000);
    }
    p.stage('reporting');
    p.end();
    expect(out[0]).toBe('dashboard-ci: loading files\n');
    expect(out.slice(1, 3)).toEqual([
      'dashboard-ci: linting\n',
      'dashboard-ci: starting the ClickHouse engine (schema and seed)\n',
    ]);
    expect(out[3]).toBe('dashboard-ci: EXPLAIN 0/10000\n');
    const counts = out.filter((l) => l.includes('EXPLAIN'));
    // 20 s at one line per 5 s, plus the first and the last.
    expect(counts.length).toBeGreaterThanOrEqual(5);
    expect(counts.length).toBeLessThanOrEqual(6);
    expect(counts.at(-1)).toBe('dashboard-ci: EXPLAIN 10000/10000\n');
    expect(out.at(-1)).toBe('dashboard-ci: reporting\n');
    expect(out.every((l) => l.endsWith('\n') && !l.includes('\r'))).toBe(true);
  });

  it('on a terminal: one line rewritten in place and erased at the end', () => {
    const { stream, out } = sink(true);
    const p = createProgress({ stream, delayMs: 0, now: () => 0 });
    p.stage('loading');
    p.stage('explain');
    p.explained(0, 2);
    p.explained(2, 2);
    p.end();
    expect(out).toEqual(['\r\x1b[Kloading files', '\r\x1b[KEXPLAIN 0/2', '\r\x1b[KEXPLAIN 2/2', '\r\x1b[K']);
  });

  it('is delayed: a run shorter than the delay writes nothing', () => {
    vi.useFakeTimers();
    const { stream, out } = sink(false);
    const p = createProgress({ stream, delayMs: 2000 });
    p.stage('loading');
    p.stage('linting');
    vi.advanceTimersByTime(1999);
    p.end();
    vi.advanceTimersByTime(10_000);
    expect(out).toEqual([]);
  });

  it('after the delay, shows the stage in progress (even one without callbacks) and every later one', () => {
    vi.useFakeTimers();
    const { stream, out } = sink(false);
    const p = createProgress({ stream, delayMs: 2000 });
    p.stage('loading');
    p.stage('engine');
    vi.advanceTimersByTime(2000);
    expect(out).toEqual(['dashboard-ci: starting the ClickHouse engine (schema and seed)\n']);
    p.stage('explain');
    p.explained(0, 3);
    p.stage('reporting');
    p.end();
    expect(out.slice(1)).toEqual(['dashboard-ci: EXPLAIN 0/3\n', 'dashboard-ci: reporting\n']);
  });
});
