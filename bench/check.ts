// npm run bench [-- --dashboards 1000 --panels 10 --workers 0]
//
// The full check (load, lint, interpolate, EXPLAIN, budgets, report) of N generated dashboards on the
// product's schema and seed, against the floor: the same engine's raw EXPLAIN calls on the same SQL,
// with nothing else. Prints ms per query, queries per second, the ratio to the floor, peak RSS of the
// process tree (the engine pool's children included), and the time to the first result. Then the three
// product dashboards end to end: `node dist/cli.js check` from process start to report, warm cache.

import { execFileSync, spawnSync } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { runCheck } from '../src/check/run.js';
import { loadConfig } from '../src/config/load.js';
import { splitStatements } from '../src/sql/statements.js';
import { measureExplainFloor } from './engine-floor.js';
import { generateDashboards } from './generate.js';

const ROOT = path.resolve(import.meta.dirname, '..');

const { values } = parseArgs({
  options: {
    dashboards: { type: 'string', default: '1000' },
    panels: { type: 'string', default: '10' },
    workers: { type: 'string', default: '0' },
    'e2e-runs': { type: 'string', default: '5' },
  },
});
const dashboards = Number(values.dashboards);
const panels = Number(values.panels);

/** Sum of VmRSS over this process and its descendants, from /proc (Linux). */
async function treeRss(): Promise<number> {
  const parent = new Map<number, number>();
  for (const name of await readdir('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = await readFile(`/proc/${name}/stat`, 'utf8');
      parent.set(Number(name), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      /* gone */
    }
  }
  const tree = new Set([process.pid]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const [pid, ppid] of parent) {
      if (!tree.has(pid) && tree.has(ppid)) {
        tree.add(pid);
        grew = true;
      }
    }
  }
  let kb = 0;
  for (const pid of tree) {
    try {
      const m = /VmRSS:\s+(\d+)/.exec(await readFile(`/proc/${pid}/status`, 'utf8'));
      kb += Number(m?.[1] ?? 0);
    } catch {
      /* gone */
    }
  }
  return kb * 1024;
}

async function statements(files: string[]): Promise<string[]> {
  const out: string[] = [];
  for (const f of files)
    out.push(...splitStatements(await readFile(path.join(ROOT, f), 'utf8')).map((s) => s.sql));
  return out;
}

const mb = (b: number) => `${(b / 1024 / 1024).toFixed(0)} MB`;

async function main() {
  const dir = await mkdtemp(path.join(tmpdir(), 'dci-bench-'));
  try {
    await generateDashboards(path.join(dir, 'dashboards'), dashboards, panels);
    await mkdir(path.join(dir, 'clickhouse'));
    await copyFile(path.join(ROOT, 'clickhouse/schema.sql'), path.join(dir, 'clickhouse/schema.sql'));
    await copyFile(path.join(ROOT, 'clickhouse/seed.sql'), path.join(dir, 'clickhouse/seed.sql'));
    await copyFile(path.join(ROOT, 'dashboard-ci.yml'), path.join(dir, 'dashboard-ci.yml'));
    await mkdir(path.join(dir, 'datasources'));
    await copyFile(
      path.join(ROOT, 'datasources/datasources.yaml'),
      path.join(dir, 'datasources/datasources.yaml'),
    );
    const config = await loadConfig({ cwd: dir });
    config.clickhouse.workers = Number(values.workers);
    config.alerts = [];

    let peak = 0;
    const sampler = setInterval(() => void treeRss().then((r) => (peak = Math.max(peak, r))), 50);
    const t0 = performance.now();
    let first: number | undefined;
    const { report } = await runCheck({
      cwd: dir,
      paths: [],
      config,
      explain: true,
      onProgress: () => (first ??= performance.now() - t0),
    });
    const total = performance.now() - t0;
    clearInterval(sampler);
    peak = Math.max(peak, await treeRss());

    const checked = report.queries.filter((q) => q.status !== 'skipped');
    const sqls = checked.map((q) => q.sql);
    const floor = await measureExplainFloor(
      sqls,
      await statements(config.clickhouse.schema),
      await statements(config.clickhouse.seed),
    );
    const statuses = new Map<string, number>();
    for (const q of report.queries) statuses.set(q.status, (statuses.get(q.status) ?? 0) + 1);

    // The three product dashboards, end to end: process start to report, warm page cache.
    const runs = Number(values['e2e-runs']);
    const cli = path.join(ROOT, 'dist/cli.js');
    spawnSync(process.execPath, [cli, 'check', '--format', 'json'], { cwd: ROOT }); // warm
    const e2e: number[] = [];
    for (let i = 0; i < runs; i++) {
      const s = performance.now();
      spawnSync(process.execPath, [cli, 'check', '--format', 'json'], { cwd: ROOT, stdio: 'ignore' });
      e2e.push(performance.now() - s);
    }
    e2e.sort((a, b) => a - b);

    const cpu = cpus()[0]?.model ?? 'unknown CPU';
    const lines = [
      `machine: ${cpus().length} cores, ${cpu}, node ${process.version}`,
      `full check: ${dashboards} dashboards x ${panels} panels = ${report.queries.length} queries (${[...statuses].map(([k, v]) => `${v} ${k}`).join(', ')})`,
      `  wall ${(total / 1000).toFixed(2)} s (schema + seed load included), ${(total / report.queries.length).toFixed(2)} ms/query, ${Math.round((report.queries.length / total) * 1000)} queries/s`,
      `  time to first result ${(first ?? total).toFixed(0)} ms`,
      `  peak RSS (process tree) ${mb(peak)}`,
      `raw EXPLAIN floor (same SQL, one session, no other work): ${(floor / 1000).toFixed(2)} s, ${(floor / sqls.length).toFixed(2)} ms/query`,
      `  ratio full check / floor: ${(total / floor).toFixed(2)}x`,
      `product dashboards end to end (node dist/cli.js check, median of ${runs}): ${e2e[Math.floor(runs / 2)]!.toFixed(0)} ms (min ${e2e[0]!.toFixed(0)}, max ${e2e.at(-1)!.toFixed(0)})`,
    ];
    console.log(lines.join('\n'));
    const git = (() => {
      try {
        return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT }).toString().trim();
      } catch {
        return 'unknown';
      }
    })();
    await writeFile(path.join(ROOT, 'bench', 'last-check.txt'), `commit ${git}\n${lines.join('\n')}\n`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
