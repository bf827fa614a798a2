// npm run bench:action [-- --runs 3 --cold 1]
//
// The Action end to end (dist/index.js run as the runner runs it, against the GitHub REST double and
// the Actions cache double, v2 protocol) on a pull request whose change needs the engine, from process
// start to exit:
//
//   cold    a fresh runner: empty tool cache, nothing in the Actions cache, an empty npm cache: chdb is
//           installed from the npm registry (network), copied into the tool cache, then saved to the
//           Actions cache (tar + zstd + upload, part of the run as it is on a runner);
//   cached  a fresh runner whose Actions cache holds the engine and its prepared data: restored
//           (download, unzstd, untar) instead of installed;
//   warm    the same runner again: the engine and the prepared data already in its tool cache;
//   no SQL  a pull request that changes no query (a panel renamed): no engine at all, on a fresh runner.
//
// The doubles answer on loopback, so `cold` and `cached` leave out the network time of a real cache
// service; `cold` includes the registry download. Prints each run and the median of each kind.

import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { CacheDouble } from '../test/support/cache-double.js';
import { panel, pullRequestRepo, SQL, type PullRequestRepo } from '../test/support/change-repo.js';
import { GitHubDouble } from '../test/support/github-double.js';
import { buildIfMissing, filesUnder, runDist, type RunResult } from '../test/e2e/harness.js';

const { values } = parseArgs({
  options: { runs: { type: 'string', default: '3' }, cold: { type: 'string', default: '1' } },
});
const runs = Number(values.runs);
const coldRuns = Number(values.cold);

await buildIfMissing();
const tmp = mkdtempSync(join(tmpdir(), 'dci-bench-action-'));
const github = new GitHubDouble({ ghs: { kind: 'installation' } });
const cache = new CacheDouble({ rt: { ref: 'refs/pull/1/merge' } });
await github.start();
await cache.start();

const base = [panel(1, 'Events', SQL.events, 0), panel(2, 'Error rate', SQL.errorRate, 8)];
const scenario = (name: string, head: object[]) => pullRequestRepo(join(tmp, name), base, head);

const costlier = scenario('costlier', [
  panel(1, 'Events', SQL.unfiltered, 0),
  panel(2, 'Error rate', SQL.errorRate, 8),
]);
const renamed = scenario('renamed', [
  panel(1, 'Events per hour', SQL.events, 0),
  panel(2, 'Error rate', SQL.errorRate, 8),
]);
// The same tool-cache path for every run, as a hosted runner has (/opt/hostedtoolcache): the Actions
// cache keys its entries by the paths saved.
const toolCache = join(tmp, 'hostedtoolcache');
const runnerTemp = join(tmp, 'runner-temp');
let n = 0;

async function run(repo: PullRequestRepo, env: Record<string, string> = {}): Promise<RunResult> {
  mkdirSync(runnerTemp, { recursive: true });
  const r = await runDist({
    dir: join(tmp, `run-${n++}`),
    githubUrl: github.url,
    token: 'ghs',
    workspace: repo.workspace,
    toolCache,
    runnerTemp,
    pr: { number: 1, base: repo.base, head: repo.head },
    inputs: { 'review-comments': 'false' },
    env: { ...cache.env('rt', 'v2'), ...env },
  });
  if (r.code === null || r.code > 1 || r.stderr)
    throw new Error(`run failed (${r.code}): ${r.stderr}\n${r.stdout}`);
  return r;
}

function expectIn(r: RunResult, text: string): void {
  if (!r.stdout.includes(text)) throw new Error(`expected "${text}" in the run's log:\n${r.stdout}`);
}

const times: Record<string, number[]> = { cold: [], cached: [], warm: [], 'no SQL': [] };
for (let i = 0; i < coldRuns; i++) {
  rmSync(toolCache, { recursive: true, force: true });
  cache.clear();
  const npmCache = mkdtempSync(join(tmp, 'npm-cache-'));
  // The machine's own CA and proxy settings reach npm, as a runner's image provides them.
  const network = Object.fromEntries(
    ['NODE_EXTRA_CA_CERTS', 'HTTPS_PROXY', 'HTTP_PROXY', 'NO_PROXY', 'https_proxy', 'http_proxy', 'no_proxy']
      .filter((k) => process.env[k])
      .map((k) => [k, process.env[k]!]),
  );
  const r = await run(costlier, { npm_config_cache: npmCache, ...network });
  expectIn(r, 'installing it with npm');
  expectIn(r, 'saved to the Actions cache');
  times.cold!.push(r.ms);
  console.log(`cold    ${(r.ms / 1000).toFixed(2)} s  (npm install from the registry, then saved)`);
  rmSync(npmCache, { recursive: true, force: true });
}
if (coldRuns === 0) throw new Error('--cold 0: the cached runs need the entry a cold run saves');
const archive = cache.list().find((e) => e.key.startsWith('dashboard-ci-chdb-'));
console.log(`        engine archive in the Actions cache: ${((archive?.size ?? 0) / 1048576).toFixed(0)} MB`);
for (let i = 0; i < runs; i++) {
  rmSync(toolCache, { recursive: true, force: true });
  const r = await run(costlier);
  expectIn(r, 'restored from the Actions cache');
  times.cached!.push(r.ms);
  console.log(`cached  ${(r.ms / 1000).toFixed(2)} s`);
}
for (let i = 0; i < runs; i++) {
  const r = await run(costlier);
  expectIn(r, 'from the tool cache');
  times.warm!.push(r.ms);
  console.log(`warm    ${(r.ms / 1000).toFixed(2)} s`);
}
for (let i = 0; i < runs; i++) {
  rmSync(toolCache, { recursive: true, force: true });
  const r = await run(renamed);
  expectIn(r, 'the engine was not needed');
  if (filesUnder(toolCache).length > 0) throw new Error('a run without SQL changes filled the tool cache');
  times['no SQL']!.push(r.ms);
  console.log(`no SQL  ${(r.ms / 1000).toFixed(2)} s  (nothing installed)`);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
console.log('\nmedian (s):');
for (const [k, xs] of Object.entries(times))
  if (xs.length)
    console.log(
      `  ${k.padEnd(7)} ${(median(xs) / 1000).toFixed(2)}  (${xs.length} runs, ${xs.map((x) => (x / 1000).toFixed(2)).join(' ')})`,
    );

await github.stop();
await cache.stop();
rmSync(tmp, { recursive: true, force: true });
