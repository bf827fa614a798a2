// Runs dist/index.js as the runner runs it: a node process with the GITHUB_*, RUNNER_* and INPUT_*
// environment of an event, its outputs and job summary in files, stdout parsed for workflow commands.

import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { delimiter, join, resolve, sep } from 'node:path';

export const ROOT = resolve(import.meta.dirname, '../..');
export const DIST = join(ROOT, 'dist/index.js');
// Node 24 (the runtime of `runs.using: node24`) comes from the npm package `node@24`, installed by
// .ci/run outside node_modules: as a devDependency its bin would shadow the machine's node in every
// npm script. CI must have it; a developer without it skips only this one case.
export const NODE24 = process.env.DASHBOARD_CI_NODE24 ?? join(ROOT, '.ci/node24/node_modules/node/bin/node');
if (process.env.CI && !existsSync(NODE24)) {
  throw new Error(
    `Node 24 not found at ${NODE24}: .ci/run installs it (npm install --prefix .ci/node24 node@24)`,
  );
}
/** In every run's environment, as a careless workflow would set it: a pull request must never read it. */
export const GRAFANA_TOKEN = 'glsa_must_never_be_read_on_a_pr';

/**
 * The machine's own node for the main runs. Under `npm test` / `npx`, node_modules/.bin comes first
 * in PATH and the node@24 devDependency's `node` shadows it; the Node 24 run is explicit.
 */
export function machineNode(): string {
  if (!process.execPath.includes(`${sep}node_modules${sep}`)) return process.execPath;
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir.includes(`${sep}node_modules${sep}`)) continue;
    const candidate = join(dir, 'node');
    if (existsSync(candidate)) return candidate;
  }
  return process.execPath;
}

export async function buildIfMissing(): Promise<void> {
  if (existsSync(DIST)) return;
  await new Promise<void>((ok, fail) => {
    const p = spawn(process.execPath, ['scripts/build.mjs'], { cwd: ROOT, stdio: 'inherit' });
    p.on('exit', (code) => (code === 0 ? ok() : fail(new Error(`build failed: ${code}`))));
  });
}

/** A tool cache holding chdb the way ensureChdb() finds it: <cache>/dashboard-ci-chdb/<version>/<arch>{,.complete}. */
export function toolCacheWithChdb(dir: string): string {
  const at = join(dir, 'dashboard-ci-chdb', '3.4.0', process.arch);
  mkdirSync(join(at, 'node_modules'), { recursive: true });
  symlinkSync(join(ROOT, 'node_modules/chdb'), join(at, 'node_modules/chdb'), 'dir');
  symlinkSync(join(ROOT, 'node_modules/@chdb'), join(at, 'node_modules/@chdb'), 'dir');
  writeFileSync(`${at}.complete`, '');
  return dir;
}

/** Every file under `dir`, relative (what a run left in a tool cache). */
export function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => !e.isDirectory())
    .map((e) => join(e.parentPath, e.name).slice(dir.length + 1))
    .sort();
}

/** The `name<<delimiter` blocks @actions/core writes to $GITHUB_OUTPUT. */
export function parseOutputs(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const re = /^([^<\n]+)<<(\S+)\n([\s\S]*?)\n\2$/gm;
  for (const m of text.matchAll(re)) out[m[1]!] = m[3]!;
  return out;
}

/** Every stdout line that starts with `::` outside a stop-commands window (what the runner executes). */
export function commandsOutsideWindows(stdout: string): string[] {
  const commands: string[] = [];
  let open: string | undefined;
  for (const line of stdout.split(/\r?\n/)) {
    if (open) {
      if (line === `::${open}::`) open = undefined;
      continue;
    }
    const m = /^::stop-commands::(.+)$/.exec(line);
    if (m) open = m[1];
    else if (line.startsWith('::')) commands.push(line);
  }
  if (open !== undefined) throw new Error(`a stop-commands window (${open}) is never closed`);
  return commands;
}

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
  outputs: Record<string, string>;
  summary: string;
  /** Wall time of the process, for the benchmark. */
  ms: number;
  runnerTemp: string;
}

export interface RunOptions {
  /** Folder for this run's event, outputs and summary. */
  dir: string;
  githubUrl: string;
  token: string;
  workspace: string;
  toolCache: string;
  /** RUNNER_TEMP; default a folder of `dir`. Runs that share the Actions cache share it (cache paths are absolute). */
  runnerTemp?: string;
  /** A pull request (default), a push to main, or a dispatch. */
  event?: 'pull_request' | 'push' | 'workflow_dispatch';
  pr?: { number: number; base: string; head: string; headRepo?: string; headRef?: string };
  /** push: the commit pushed and the one before it. */
  push?: { after: string; before: string; message?: string };
  node?: string;
  inputs?: Record<string, string>;
  env?: Record<string, string>;
}

export async function runDist(opts: RunOptions): Promise<RunResult> {
  mkdirSync(opts.dir, { recursive: true });
  const runnerTemp = opts.runnerTemp ?? join(opts.dir, 'temp');
  mkdirSync(runnerTemp, { recursive: true });
  const eventPath = join(opts.dir, 'event.json');
  const event = opts.event ?? 'pull_request';
  const repository = { full_name: 'acme/dash', default_branch: 'main' };
  const pr = opts.pr;
  const payload =
    event === 'pull_request'
      ? {
          action: 'synchronize',
          number: pr!.number,
          pull_request: {
            number: pr!.number,
            base: { sha: pr!.base, ref: 'main', repo: { full_name: 'acme/dash' } },
            head: {
              sha: pr!.head,
              ref: pr!.headRef ?? 'topic',
              repo: { full_name: pr!.headRepo ?? 'acme/dash' },
            },
          },
          repository,
        }
      : event === 'push'
        ? {
            ref: 'refs/heads/main',
            before: opts.push!.before,
            after: opts.push!.after,
            head_commit: { id: opts.push!.after, message: opts.push!.message ?? 'Base dashboards' },
            repository,
          }
        : { ref: 'refs/heads/main', inputs: {}, repository };
  writeFileSync(eventPath, JSON.stringify(payload));
  const outputFile = join(opts.dir, 'output');
  const summaryFile = join(opts.dir, 'summary.md');
  writeFileSync(outputFile, '');
  writeFileSync(summaryFile, '');
  const env: Record<string, string> = {
    // Without node_modules/.bin: the runner's PATH has no project binaries.
    PATH: (process.env.PATH ?? '/usr/bin:/bin')
      .split(delimiter)
      .filter((d) => !d.includes(`${sep}node_modules${sep}`))
      .join(delimiter),
    HOME: process.env.HOME ?? opts.dir,
    GITHUB_ACTIONS: 'true',
    CI: 'true',
    GITHUB_EVENT_NAME: event,
    GITHUB_EVENT_PATH: eventPath,
    GITHUB_REPOSITORY: 'acme/dash',
    GITHUB_REPOSITORY_OWNER: 'acme',
    GITHUB_API_URL: opts.githubUrl,
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_OUTPUT: outputFile,
    GITHUB_STEP_SUMMARY: summaryFile,
    GITHUB_WORKSPACE: opts.workspace,
    GITHUB_SHA: event === 'pull_request' ? pr!.head : (opts.push?.after ?? ''),
    GITHUB_REF: event === 'pull_request' ? `refs/pull/${pr!.number}/merge` : 'refs/heads/main',
    GITHUB_RUN_ID: '4242',
    RUNNER_TEMP: runnerTemp,
    RUNNER_TOOL_CACHE: opts.toolCache,
    RUNNER_OS: 'Linux',
    RUNNER_ARCH: 'X64',
    'INPUT_GITHUB-TOKEN': opts.token,
    INPUT_MODE: 'auto',
    INPUT_COMMENT: 'true',
    'INPUT_FAIL-ON': 'error',
    'INPUT_CHDB-VERSION': '3.4.0',
    'INPUT_GRAFANA-TOKEN': GRAFANA_TOKEN,
    'INPUT_GRAFANA-URL': 'http://127.0.0.1:9/grafana',
    GRAFANA_TOKEN,
    ...opts.env,
  };
  for (const [k, v] of Object.entries(opts.inputs ?? {})) env[`INPUT_${k.toUpperCase()}`] = v;
  const started = performance.now();
  const child = spawn(opts.node ?? machineNode(), [DIST], { cwd: opts.workspace, env });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const code = await new Promise<number | null>((ok) => child.on('close', ok));
  return {
    code,
    stdout,
    stderr,
    outputs: parseOutputs(readFileSync(outputFile, 'utf8')),
    summary: readFileSync(summaryFile, 'utf8'),
    ms: performance.now() - started,
    runnerTemp,
  };
}
