// npm run bench [-- --dashboards 1000 --panels 10 --workers 0 --cache warm|cold|off --execute both|on|off]
//
// The full check (load, lint, interpolate, EXPLAIN, budgets, report) of N generated dashboards on the
// product's schema and seed, against the floor: the same engine's raw EXPLAIN calls on the same SQL,
// with nothing else. Prints ms per query, queries per second, the ratio to the floor, the peak memory of
// the process tree (the engine pool's children included) and the time to the first result. Then the
// three product dashboards end to end: `node dist/cli.js check` from process start to report, warm cache.
//
// Memory is sampled every 100 ms as two sums over the tree: RSS (VmRSS; libchdb's ~200 MB of shared
// code pages counted once per process) and PSS (/proc/<pid>/smaps_rollup; shared pages divided among
// the processes that map them, so counted once in all). PSS is the honest total of a multi-process run.
// The memory figure is the product's: the same check run again as `node dist/cli.js check` in a child
// process, its tree sampled (the in-process run also holds tsx, the generator and this benchmark).
// Other processes mapping the same libchdb.so (another check running) lower every PSS: measure alone.
//
// Each query's text is made unique (a trailing comment naming its dashboard and panel): the check
// EXPLAINs each distinct text once per run, and the generator's shapes repeat (1,246 distinct texts in
// 10,000), so without it the run would skip most of the engine work the floor does. --repeats keeps the
// generator's texts, to show what that saves.
//
// --cache: warm (default) runs with the prepared-data cache already holding the product schema + seed
// (the repository's node_modules/.cache, as `npm run check` leaves it; filled first if needed, untimed);
// cold starts from an empty cache folder (the first worker loads the seed, the others copy it); off
// turns the cache off (config clickhouse.cache: false; pool workers still share one load).
//
// --execute: both (default) times the full check with clickhouse.execute off, then on (each panel query
// also run on the seed for no-data-on-seed), and prints the ratio (issue 12: at most 2x); on or off
// times one of them. The floor is always EXPLAIN alone.

import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readFile, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { cacheKey, chdbPackageVersion, defaultCacheRoot, readManifest } from '../src/clickhouse/cache.js';
import { statementKey } from '../src/check/no-data.js';
import { runCheck } from '../src/check/run.js';
import { loadConfig } from '../src/config/load.js';
import { splitStatements } from '../src/sql/statements.js';
import { measureExplainFloor } from './engine-floor.js';
import { benchDashboard } from './generate.js';

const ROOT = path.resolve(import.meta.dirname, '..');

const { values } = parseArgs({
  options: {
    dashboards: { type: 'string', default: '1000' },
    panels: { type: 'string', default: '10' },
    workers: { type: 'string', default: '0' },
    'e2e-runs': { type: 'string', default: '5' },
    cache: { type: 'string', default: 'warm' },
    repeats: { type: 'boolean', default: false },
    execute: { type: 'string', default: 'both' },
  },
});
const cacheMode = values.cache;
if (cacheMode !== 'warm' && cacheMode !== 'cold' && cacheMode !== 'off') {
  throw new Error(`--cache must be warm, cold or off; got ${cacheMode}`);
}
const executeMode = values.execute;
if (executeMode !== 'on' && executeMode !== 'off' && executeMode !== 'both') {
  throw new Error(`--execute must be on, off or both; got ${executeMode}`);
}
const dashboards = Number(values.dashboards);
const panels = Number(values.panels);

/** Sums of VmRSS and of PSS over this process and its descendants, from /proc (Linux). */
async function treeMemory(
  root: number = process.pid,
): Promise<{ rss: number; pss: number; mainPss: number; workerPss: number }> {
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
  const tree = new Set([root]);
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
  let rss = 0;
  let pss = 0;
  let mainPss = 0;
  let workerPss = 0;
  for (const pid of tree) {
    try {
      const m = /VmRSS:\s+(\d+)/.exec(await readFile(`/proc/${pid}/status`, 'utf8'));
      const p = /^Pss:\s+(\d+)/m.exec(await readFile(`/proc/${pid}/smaps_rollup`, 'utf8'));
      const kb = Number(p?.[1] ?? 0);
      rss += Number(m?.[1] ?? 0);
      pss += kb;
      if (pid === root) mainPss = kb;
      else if ((await readFile(`/proc/${pid}/cmdline`, 'utf8')).includes('engine-worker')) workerPss += kb;
    } catch {
      /* gone */
    }
  }
  return { rss: rss * 1024, pss: pss * 1024, mainPss: mainPss * 1024, workerPss: workerPss * 1024 };
}

async function statements(files: string[]): Promise<string[]> {
  const out: string[] = [];
  for (const f of files)
    out.push(...splitStatements(await readFile(path.join(ROOT, f), 'utf8')).map((s) => s.sql));
  return out;
}

const mb = (b: number) => `${(b / 1024 / 1024).toFixed(0)} MB`;

/** The generator's dashboards; with `unique`, each target's SQL ends with a comment naming it. */
async function writeDashboards(into: string, unique: boolean): Promise<void> {
  await mkdir(into, { recursive: true });
  for (let n = 0; n < dashboards; n++) {
    const d = benchDashboard(n, panels) as { panels: { id: number; targets: { rawSql: string }[] }[] };
    if (unique) for (const p of d.panels) for (const t of p.targets) t.rawSql += ` /* bench ${n}.${p.id} */`;
    await writeFile(path.join(into, `bench-${String(n).padStart(5, '0')}.json`), JSON.stringify(d));
  }
}

/**
 * The same check as the product runs it: `node dist/cli.js check` in the generated folder, its process
 * tree sampled every 100 ms. This is the memory figure: the in-process run above also holds tsx, the
 * generator's garbage and the benchmark itself. The prepared-data cache is the same one (XDG_CACHE_HOME
 * points the CLI's default cache root at it: the generated folder has no node_modules).
 */
async function productRun(
  dir: string,
  cacheDir: string | false,
  workers: number,
  execute: boolean,
): Promise<{ wall: number; peak: Awaited<ReturnType<typeof treeMemory>> }> {
  const configFile = path.join(dir, 'dashboard-ci.yml');
  const config = parseYaml(await readFile(configFile, 'utf8')) as {
    alerts?: unknown;
    clickhouse?: Record<string, unknown>;
  };
  config.alerts = [];
  config.clickhouse = { ...config.clickhouse, workers, execute, cache: cacheDir !== false };
  await writeFile(configFile, stringifyYaml(config));
  const env: Record<string, string> = { PATH: process.env.PATH ?? '' };
  if (cacheDir !== false) {
    // defaultCacheRoot: $XDG_CACHE_HOME/dashboard-ci/chdb when no node_modules is above the folder.
    const xdg = path.join(dir, 'xdg');
    await mkdir(path.join(xdg, 'dashboard-ci'), { recursive: true });
    await symlink(cacheDir, path.join(xdg, 'dashboard-ci', 'chdb'));
    env.XDG_CACHE_HOME = xdg;
  }
  const peak = { rss: 0, pss: 0, mainPss: 0, workerPss: 0 };
  const t0 = performance.now();
  const child = spawn(
    process.execPath,
    [
      path.join(ROOT, 'dist/cli.js'),
      'check',
      '--format',
      'json',
      '--output',
      path.join(dir, 'report.json'),
      '--quiet',
    ],
    { cwd: dir, env, stdio: 'ignore' },
  );
  const sampler = setInterval(
    () =>
      void treeMemory(child.pid!).then((m) => {
        if (m.pss > peak.pss) Object.assign(peak, { ...m, rss: Math.max(peak.rss, m.rss) });
      }),
    100,
  );
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  clearInterval(sampler);
  const wall = performance.now() - t0;
  // 0 clean, 1 findings: either is a finished run; 2 is not.
  if (code !== 0 && code !== 1) throw new Error(`node dist/cli.js check exited ${code}`);
  return { wall, peak };
}

async function main() {
  const dir = await mkdtemp(path.join(tmpdir(), 'dci-bench-'));
  try {
    await writeDashboards(path.join(dir, 'dashboards'), !values.repeats);
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
    const schema = await statements(config.clickhouse.schema);
    const seed = await statements(config.clickhouse.seed);

    let cacheDir: string | false = false;
    let cacheNote = 'off';
    const cli = path.join(ROOT, 'dist/cli.js');
    if (cacheMode === 'warm') {
      // The repository's own check fills the same entry (same schema and seed), in its own process:
      // chdb loaded here would count in this tree's memory.
      cacheDir = defaultCacheRoot({ cwd: ROOT });
      const key = cacheKey({ schema, seed, chdbVersion: chdbPackageVersion() });
      const was = readManifest(cacheDir, key) !== undefined;
      if (!was)
        spawnSync(process.execPath, [cli, 'check', '--format', 'json'], { cwd: ROOT, stdio: 'ignore' });
      if (!readManifest(cacheDir, key)) throw new Error(`the cache entry ${key} was not filled`);
      cacheNote = `warm (${cacheDir}${was ? '' : '; filled first by node dist/cli.js check, untimed'})`;
    } else if (cacheMode === 'cold') {
      cacheDir = path.join(dir, 'empty-cache');
      cacheNote = 'cold (an empty cache folder)';
    }

    /** One full check, timed, with clickhouse.execute on or off. */
    const timedCheck = async (execute: boolean) => {
      config.clickhouse.execute = execute;
      const peak = { rss: 0, pss: 0, mainPss: 0, workerPss: 0 };
      const sample = (m: typeof peak): void => {
        peak.rss = Math.max(peak.rss, m.rss);
        if (m.pss > peak.pss) Object.assign(peak, { ...m, rss: peak.rss });
      };
      const sampler = setInterval(() => void treeMemory().then(sample), 100);
      const t0 = performance.now();
      let first: number | undefined;
      const { report } = await runCheck({
        cwd: dir,
        paths: [],
        config,
        explain: true,
        engineCacheDir: cacheDir,
        onProgress: () => (first ??= performance.now() - t0),
      });
      const total = performance.now() - t0;
      clearInterval(sampler);
      sample(await treeMemory());
      return { report, total, first, peak };
    };
    const modes = executeMode === 'both' ? [false, true] : [executeMode === 'on'];
    const results = [];
    for (const m of modes) results.push({ execute: m, ...(await timedCheck(m)) });
    const { report } = results[0]!;

    const checked = report.queries.filter((q) => q.status !== 'skipped');
    const sqls = checked.map((q) => q.sql);
    const floor = await measureExplainFloor(sqls, schema, seed);
    const product = await productRun(dir, cacheDir, Number(values.workers), modes.at(-1)!);
    const statuses = new Map<string, number>();
    for (const q of report.queries) statuses.set(q.status, (statuses.get(q.status) ?? 0) + 1);

    // The three product dashboards, end to end: process start to report, warm page cache.
    const runs = Number(values['e2e-runs']);
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
      ...results.flatMap(({ execute, report: r, total, first, peak }) => {
        const executed = r.queries.filter((q) => q.executed);
        // Queries that are one statement share one run (and its record): count and sum each run once.
        const runs = new Map(executed.map((q) => [statementKey(q.sql), q.executed!]));
        const noData = r.findings.filter((f) => f.rule === 'no-data-on-seed').length;
        return [
          `full check, clickhouse.execute ${execute ? 'on' : 'off'}: ${dashboards} dashboards x ${panels} panels = ${r.queries.length} queries, ${new Set(sqls).size} distinct texts (${[...statuses].map(([k, v]) => `${v} ${k}`).join(', ')})`,
          ...(execute
            ? [
                `  executed on the seed: ${executed.length} queries in ${runs.size} runs, ${[...runs.values()].reduce((n, e) => n + e.readRows, 0)} rows read, engine time ${([...runs.values()].reduce((n, e) => n + e.elapsedMs, 0) / 1000).toFixed(2)} s; ${noData} no-data-on-seed`,
              ]
            : []),
          `  ${r.engine}; prepared-data cache ${cacheNote}`,
          `  wall ${(total / 1000).toFixed(2)} s (engine start and schema + seed included), ${(total / r.queries.length).toFixed(2)} ms/query, ${Math.round((r.queries.length / total) * 1000)} queries/s`,
          `  time to first result ${(first ?? total).toFixed(0)} ms`,
          `  peak memory of this benchmark's process tree (tsx, the generator and runCheck in one process): PSS ${mb(peak.pss)} (shared pages counted once; this process ${mb(peak.mainPss)}, engine workers ${mb(peak.workerPss)}, other ${mb(peak.pss - peak.mainPss - peak.workerPss)}), RSS ${mb(peak.rss)} (shared pages counted per process)`,
        ];
      }),
      `peak memory of the product's process tree (node dist/cli.js check --format json --output FILE, execute ${modes.at(-1) ? 'on' : 'off'}, same dashboards and cache, ${(product.wall / 1000).toFixed(1)} s): PSS ${mb(product.peak.pss)} (the CLI ${mb(product.peak.mainPss)}, engine workers ${mb(product.peak.workerPss)}, other ${mb(product.peak.pss - product.peak.mainPss - product.peak.workerPss)}), RSS ${mb(product.peak.rss)}`,
      ...(results.length === 2
        ? [
            `  execute on / off: ${(results[1]!.total / results[0]!.total).toFixed(2)}x (issue 12: at most 2x)`,
          ]
        : []),
      `raw EXPLAIN floor (same SQL, one session, no other work): ${(floor / 1000).toFixed(2)} s, ${(floor / sqls.length).toFixed(2)} ms/query`,
      `  ratio full check (execute ${modes[0] ? 'on' : 'off'}) / floor: ${(results[0]!.total / floor).toFixed(2)}x`,
      `product dashboards end to end (node dist/cli.js check, clickhouse.execute on, median of ${runs}): ${runs ? `${e2e[Math.floor(runs / 2)]!.toFixed(0)} ms (min ${e2e[0]!.toFixed(0)}, max ${e2e.at(-1)!.toFixed(0)})` : 'not run (--e2e-runs 0)'}`,
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
