// Runs dashboard-ci's check over a corpus folder (groups.json: dashboards with their own provisioning
// and schema files), the way a user would run `dashboard-ci check`, and returns one report per group.
// Used by the corpus test and by `npx tsx test/corpus/run-corpus.ts <folder>` to measure.

import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defaultConfig } from '../../src/config/defaults.js';
import { runCheck } from '../../src/check/run.js';
import type { Finding, Report } from '../../src/core/types.js';

export interface CorpusGroup {
  name: string;
  dashboards: string[];
  datasources: string[];
  schema: string[];
}

export interface CorpusManifest {
  now: string;
  groups: CorpusGroup[];
}

export interface GroupReport {
  group: CorpusGroup;
  report: Report;
  usageErrors: string[];
}

export async function readManifest(dir: string): Promise<CorpusManifest> {
  return JSON.parse(await readFile(path.join(dir, 'groups.json'), 'utf8')) as CorpusManifest;
}

export async function runGroup(
  dir: string,
  manifest: CorpusManifest,
  group: CorpusGroup,
): Promise<GroupReport> {
  const config = defaultConfig();
  config.clickhouse.cache = false;
  const { report, usageErrors } = await runCheck({
    cwd: dir,
    paths: group.dashboards,
    alertPaths: [],
    config,
    explain: true,
    schema: group.schema,
    seed: [],
    datasources: group.datasources,
    engineCacheDir: false,
    now: new Date(manifest.now),
  });
  return { group, report, usageErrors };
}

export async function runCorpus(dir: string): Promise<GroupReport[]> {
  const manifest = await readManifest(dir);
  const out: GroupReport[] = [];
  for (const group of manifest.groups) out.push(await runGroup(dir, manifest, group));
  return out;
}

/** A finding's cause for the tally: its rule, and for ClickHouse rejections the error name. */
export function causeOf(f: Finding): string {
  if (f.rule === 'sql-invalid') {
    const m = /ClickHouse rejected the query: \d+ ([A-Z_]+)/.exec(f.message);
    return `sql-invalid ${m?.[1] ?? '?'}`;
  }
  return f.rule;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const dir = path.resolve(
    process.argv[2] ?? path.join(path.dirname(fileURLToPath(import.meta.url)), 'real-dashboards'),
  );
  const results = await runCorpus(dir);
  const tally = new Map<string, number>();
  let queries = 0;
  const status = new Map<string, number>();
  for (const r of results) {
    for (const e of r.usageErrors) console.log(`usage: ${r.group.name}: ${e}`);
    for (const q of r.report.queries) {
      queries++;
      status.set(q.status, (status.get(q.status) ?? 0) + 1);
    }
    for (const f of r.report.findings) {
      const k = `${f.severity} ${causeOf(f)}`;
      tally.set(k, (tally.get(k) ?? 0) + 1);
      if (process.env.VERBOSE)
        console.log(`${f.severity} ${f.file}:${f.line} ${f.rule} ${f.message.slice(0, 300)}`);
    }
  }
  console.log(`queries ${queries}`, Object.fromEntries(status));
  for (const [k, n] of [...tally].sort((a, b) => b[1] - a[1])) console.log(String(n).padStart(5), k);
}
