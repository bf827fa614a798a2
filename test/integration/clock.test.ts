// Issue 8 item 8: the date-sensitive checks pass on any date. The CLI fixture's seed holds fixed dates
// (2026-11-18..27) read through `now-24h`; its dashboard-ci.yml pins `now:`, so moving the machine's
// clock a year past the seed changes nothing. (`npm run test:future` runs the whole suite so.)
import { cp, mkdtemp, rm, writeFile, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { runCli } from '../../src/cli/run.js';
import type { Report } from '../../src/core/types.js';

const FIXTURE = fileURLToPath(new URL('../fixtures/cli', import.meta.url));
let dir: string;

async function check(): Promise<{ code: number; report: Report }> {
  let stdout = '';
  const code = await runCli(['check', '--format', 'json'], {
    cwd: dir,
    env: {},
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: () => undefined },
  });
  return { code, report: JSON.parse(stdout) as Report };
}

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'dci-clock-'));
  await cp(FIXTURE, dir, { recursive: true });
});
afterEach(async () => {
  vi.useRealTimers();
  await rm(dir, { recursive: true, force: true });
});

describe('the clock moved a year ahead', () => {
  it('gives the same report when the configuration pins now', async () => {
    const today = await check();
    vi.useFakeTimers({ toFake: ['Date'], shouldAdvanceTime: true, now: new Date('2027-12-01T00:00:00Z') });
    const later = await check();
    expect(later.code).toBe(today.code);
    expect(later.report.findings).toEqual(today.report.findings);
    expect(later.report.queries.map((q) => [q.sql, q.status, q.cost?.rows])).toEqual(
      today.report.queries.map((q) => [q.sql, q.status, q.cost?.rows]),
    );
    // The seed's rows are found: the time filter ends at the fixture's now:, not at the clock's.
    const good = later.report.queries.find((q) => q.dashboardUid === 'cli-good');
    expect(good?.sql).toContain(`<= toDateTime(${Date.parse('2026-11-27T12:00:00Z') / 1000})`);
    expect(good?.cost?.rows).toBeGreaterThan(0);
  }, 120_000);

  it('follows the clock when nothing pins now (the range moves with it)', async () => {
    const config = path.join(dir, 'dashboard-ci.yml');
    await writeFile(config, (await readFile(config, 'utf8')).replace(/^now:.*$/m, ''));
    vi.useFakeTimers({ toFake: ['Date'], shouldAdvanceTime: true, now: new Date('2027-12-01T00:00:00Z') });
    const { report } = await check();
    const end = /<= toDateTime\((\d+)\)/.exec(
      report.queries.find((q) => q.dashboardUid === 'cli-good')?.sql ?? '',
    );
    // The moved clock's now (it keeps running while the check runs).
    const at = Date.parse('2027-12-01T00:00:00Z') / 1000;
    expect(Number(end?.[1])).toBeGreaterThanOrEqual(at);
    expect(Number(end?.[1])).toBeLessThan(at + 600);
  }, 120_000);
});
