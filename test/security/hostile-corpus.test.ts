// A corpus of hostile panel SQL through the real check: the CLI as its own process, a canary secret in
// its environment (as GITHUB_TOKEN and the Grafana token are in an Action step), a canary file outside
// the work directory, and a listener on 127.0.0.1 that every URL, S3, remote() or MySQL statement
// points at. In every output format: nothing of the canaries appears, no file is written, no socket
// is opened. (Issue 8, items 1 and 3; on the old code the first statement alone leaked the variable.)
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../../src/core/types.js';
import {
  ROOT,
  hostileDashboard,
  leaks,
  makeCanary,
  runCliProcess,
  startListener,
  tree,
  type Canary,
  type Listener,
} from './support.js';
import { HOSTILE_PANEL_SQL } from './hostile-sql.js';

let canary: Canary;
let listener: Listener;
let work: string;

function fill(sql: string): string {
  return sql
    .replaceAll('{F}', canary.path)
    .replaceAll('{D}', canary.dir)
    .replaceAll('{O}', canary.out)
    .replaceAll('{P}', String(listener.port));
}

beforeAll(async () => {
  canary = makeCanary();
  listener = await startListener();
  work = await mkdtemp(path.join(os.tmpdir(), 'dci-hostile-'));
  await cp(path.join(ROOT, 'test/fixtures/cli'), work, { recursive: true });
  await rm(path.join(work, 'dashboards'), { recursive: true });
  await cp(
    path.join(ROOT, 'test/fixtures/cli/dashboards/good.json'),
    path.join(work, 'dashboards/good.json'),
  );
  await writeFile(path.join(work, 'dashboards/hostile.json'), hostileDashboard(HOSTILE_PANEL_SQL.map(fill)));
});

afterAll(async () => {
  await listener?.close();
  canary?.close();
  if (work) await rm(work, { recursive: true, force: true });
});

describe('hostile panel SQL through the real check', () => {
  it('has at least 60 statements', () => {
    expect(HOSTILE_PANEL_SQL.length).toBeGreaterThanOrEqual(60);
  });

  it.each(['json', 'text', 'markdown', 'sarif'])(
    'leaks nothing, writes nothing, connects nowhere: --format %s',
    async (format) => {
      const before = tree(work);
      const canaryBefore = tree(canary.dir);
      const run = await runCliProcess(work, ['check', '--format', format], {
        DCI_CANARY: canary.env,
        'INPUT_GITHUB-TOKEN': canary.env,
        GRAFANA_TOKEN: canary.env,
        CLICKHOUSE_PASSWORD: canary.env,
      });
      expect(run.code, run.stderr).toBe(1);
      expect(leaks(run.stdout, canary)).toEqual([]);
      expect(leaks(run.stderr, canary)).toEqual([]);
      expect(listener.connections()).toBe(0);
      expect(existsSync(canary.out)).toBe(false);
      expect(tree(canary.dir)).toEqual(canaryBefore);
      expect(tree(work)).toEqual(before);
      if (format === 'json') {
        const report = JSON.parse(run.stdout) as Report;
        const hostile = report.queries.filter((q) => q.dashboardUid === 'hostile');
        expect(hostile).toHaveLength(HOSTILE_PANEL_SQL.length);
        // The good dashboard is still checked beside them.
        expect(report.queries.find((q) => q.dashboardUid === 'cli-good')).toMatchObject({ status: 'ok' });
        for (const q of hostile) {
          // Nothing ran: no throwIf fired, no file content was parsed, no bound was lifted.
          expect(q.error?.code, q.sql).not.toBe(395);
          expect(q.status, q.sql).not.toBe('ok');
        }
      }
    },
    180_000,
  );
});
