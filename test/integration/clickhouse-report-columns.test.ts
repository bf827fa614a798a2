// Issue 12 item 1: each checked query's output columns with their ClickHouse types, in the JSON report
// as queries[].columns: [{ name, type }] (from the EXPLAIN that costs it: header = 1).
import { cp, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { runCli } from '../../src/cli/run.js';
import type { Report } from '../../src/core/types.js';

const FIXTURE = fileURLToPath(new URL('../fixtures/cli', import.meta.url));
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'dci-columns-'));
  await cp(FIXTURE, dir, { recursive: true });
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

it('reports the columns of each query EXPLAIN costed, and none for one it could not', async () => {
  let stdout = '';
  await runCli(['check', '--format', 'json'], {
    cwd: dir,
    env: {},
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: () => undefined },
  });
  const report = JSON.parse(stdout) as Report;
  const good = report.queries.find((q) => q.dashboardUid === 'cli-good');
  expect(good?.columns).toEqual([
    { name: 'time', type: 'DateTime' },
    { name: 'events', type: 'UInt64' },
  ]);
  const broken = report.queries.find((q) => q.dashboardUid === 'cli-broken');
  expect(broken?.status).toBe('invalid');
  expect(broken?.columns).toBeUndefined();
  // The JSON renderer keeps the field as the model has it.
  expect(stdout).toContain('"columns": [');
}, 60_000);
