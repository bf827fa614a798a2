// The real-dashboards corpus: public dashboards over ClickHouse that work in Grafana, each checked with
// its own repository's provisioning and schema files (groups.json, SOURCES.md). Every error finding
// must be a listed true finding (with why) or a listed pending one (waiting for work elsewhere, with
// the reason); anything else is a false error. The true findings must still be found.

import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Finding } from '../../src/core/types.js';
import { readManifest, runGroup, type GroupReport } from './run-corpus.js';

interface Expected {
  file?: string;
  rule: string;
  match: string;
  count?: number;
  why?: string;
  waitsFor?: string;
  reason?: string;
}

interface Expectations {
  true: Expected[];
  pending: Expected[];
}

const DIR = fileURLToPath(new URL('./real-dashboards', import.meta.url));

function matches(e: Expected, f: Finding): boolean {
  return (
    (e.file === undefined || e.file === f.file) && e.rule === f.rule && new RegExp(e.match).test(f.message)
  );
}

let results: GroupReport[];
let expectations: Expectations;

beforeAll(async () => {
  expectations = JSON.parse(await readFile(path.join(DIR, 'expect.json'), 'utf8')) as Expectations;
  const manifest = await readManifest(DIR);
  results = [];
  for (const group of manifest.groups) results.push(await runGroup(DIR, manifest, group));
}, 240_000);

describe('real dashboards corpus', () => {
  it('reads every file of every group', () => {
    for (const r of results) expect(r.usageErrors, r.group.name).toEqual([]);
    expect(results.reduce((n, r) => n + r.report.summary.dashboards, 0)).toBeGreaterThanOrEqual(84);
  });

  it('reports no false error: each error is a listed true finding or a listed pending one', () => {
    const unexplained: string[] = [];
    for (const r of results) {
      for (const f of r.report.findings) {
        if (f.severity !== 'error') continue;
        if ([...expectations.true, ...expectations.pending].some((e) => matches(e, f))) continue;
        unexplained.push(`${f.file}:${f.line} ${f.rule}: ${f.message.slice(0, 240)}`);
      }
    }
    expect(unexplained).toEqual([]);
  });

  it('still finds every true problem, as often as listed', () => {
    const all = results.flatMap((r) => r.report.findings);
    for (const e of expectations.true) {
      const hits = all.filter((f) => matches(e, f));
      expect(hits.length, `${e.rule} /${e.match}/ in ${e.file}: ${e.why}`).toBe(
        (e.count ?? hits.length) || 1,
      );
    }
  });

  it('lists no pending finding that no longer occurs (flip it once the work it waits for has landed)', () => {
    const all = results.flatMap((r) => r.report.findings);
    for (const e of expectations.pending) {
      expect(
        all.some((f) => matches(e, f)),
        `pending ${e.rule} /${e.match}/ (${e.waitsFor}) no longer occurs`,
      ).toBe(true);
    }
  });

  it('gives every query a verdict: judged by EXPLAIN, or skipped with a reason', () => {
    for (const r of results) {
      for (const q of r.report.queries) {
        if (q.status === 'skipped') expect(q.reason, `${q.file} ${q.panelTitle ?? ''}`).toBeTruthy();
      }
    }
  });
});
