import { fork, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { cacheKey, chdbPackageVersion, readManifest, removeDir, type CacheReport } from './cache.js';
import { localTimeZone } from './sandbox.js';
import {
  ENGINE_WORKER_ARG,
  deserializeError,
  type WorkerRequest,
  type WorkerResponse,
} from './engine-worker.js';
import { EngineCrashedError, EngineError } from './errors.js';
import type { Engine, ExecuteOptions, ExecuteOutcome, ExplainLimits, ExplainOutcome } from './port.js';

/** How to start a worker process: `node [execArgv] modulePath [args]`. */
export interface WorkerEntry {
  modulePath: string;
  args?: string[];
  execArgv?: string[];
}

export interface EnginePoolOptions {
  /** How many queries will be explained: decides whether processes pay. */
  queryCount: number;
  /** config.clickhouse.workers: a fixed number of processes, or 0 to decide from the query count. */
  workers: number;
  limits: ExplainLimits;
  /** Folder of the chdb package (the Action's tool cache), loaded by the workers. */
  chdbPath?: string;
  /** clickhouse.clusters: read as the local node (clusters.ts). */
  clusters?: readonly string[];
  /** Default os.availableParallelism(). */
  cores?: number;
  /** Default: see defaultWorkerEntry(). */
  worker?: WorkerEntry;
  /**
   * Root of the prepared-data cache (cache.ts), or false for none. Workers share prepared data either
   * way: without a cache root, the first worker saves into a temporary one the others copy, removed
   * when the pool closes.
   */
  cacheDir?: string | false;
}

/**
 * Queries per extra process before one pays for its own schema + seed load. Measured with
 * bench/engine-floor.ts on this 2-core machine (see the report in the pool's tests / README).
 */
export const QUERIES_PER_WORKER = 500;

/**
 * Processes for `queryCount` queries: the configured number, or min(cores, ceil(n / QUERIES_PER_WORKER)).
 * Auto never uses more than `cores` processes.
 */
export function chooseWorkerCount(queryCount: number, workers: number, cores: number): number {
  if (workers > 0) return Math.max(1, Math.floor(workers));
  if (queryCount <= 0) return 1;
  return Math.max(1, Math.min(Math.max(1, cores), Math.ceil(queryCount / QUERIES_PER_WORKER)));
}

/**
 * Where the worker entry is. From src (vitest, tsx): engine-worker-main.ts under tsx. From a bundle:
 * engine-worker.js beside it when the build emitted that entry, else the bundle itself with
 * ENGINE_WORKER_ARG (its main must then call runEngineWorker() first thing).
 */
export function defaultWorkerEntry(moduleUrl: string = import.meta.url): WorkerEntry {
  const here = fileURLToPath(moduleUrl);
  const dir = path.dirname(here);
  if (here.endsWith('.ts')) {
    // Resolved here, not by the child: its working directory is an empty private folder.
    return { modulePath: path.join(dir, 'engine-worker-main.ts'), execArgv: ['--import', tsxLoader()] };
  }
  const sibling = path.join(dir, 'engine-worker.js');
  if (existsSync(sibling) && sibling !== here) return { modulePath: sibling, execArgv: [] };
  return { modulePath: here, args: [ENGINE_WORKER_ARG], execArgv: [] };
}

/** tsx's loader as a file URL (the child resolves `--import tsx` from its own, empty, working directory). */
function tsxLoader(): string {
  try {
    return pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
  } catch {
    return 'tsx';
  }
}

/**
 * The environment of an engine process: nothing. The runner's variables (GITHUB_TOKEN, INPUT_*,
 * GRAFANA_TOKEN, the ClickHouse password...) are readable by anything that runs in a process
 * (/proc/self/environ), so the engine gets none; measured, node and chdb need none (node adds its
 * IPC channel variables itself; the engine's time zone comes from its configuration, sandbox.ts).
 */
export const WORKER_ENV: Readonly<Record<string, string>> = Object.freeze({});

interface Pending {
  sql: string;
  /** explain(), or execute() with its options. */
  execute?: ExecuteOptions;
  resolve: (o: ExplainOutcome | ExecuteOutcome) => void;
  reject: (e: Error) => void;
}

interface Worker {
  child: ChildProcess;
  alive: boolean;
  ready: boolean;
  inFlight: Map<number, Pending>;
  exited: Promise<void>;
  /** The worker's private data directory (from its ready message), removed here if it dies. */
  dataDir?: string;
  /** Its engine's configuration directory (from its ready message), removed here if it dies. */
  configDir?: string;
  /** Its working directory: empty, private, removed when it ends. */
  cwd: string;
}

// Two requests in flight per worker hide the IPC round trip behind the running EXPLAIN.
const MAX_IN_FLIGHT = 2;

/**
 * The embedded engine for `queryCount` queries: child processes (one or more, never this process: the
 * engine must not see this process's environment or files) each holding its own chdb prepared with
 * the same schema and seed (the same verdicts and costs: merges are stopped, so parts are the seed's).
 * explain() may be called concurrently; each call gets its own answer.
 */
export interface EnginePool {
  engine: Engine;
  /** Processes explaining queries. */
  size: number;
  /** Process ids of the workers, for diagnostics and tests. */
  pids(): number[];
  /** What the prepared-data cache did, per process (after prepare). */
  cache(): CacheReport[];
}

export async function createEnginePool(opts: EnginePoolOptions): Promise<EnginePool> {
  const cores = opts.cores ?? os.availableParallelism();
  const size = chooseWorkerCount(opts.queryCount, opts.workers, cores);
  const pool = new ProcessPool(size, opts);
  return { engine: memoizeExplain(pool), size, pids: () => pool.pids(), cache: () => pool.cacheReports() };
}

/**
 * One EXPLAIN per distinct SQL text in a run: dashboards repeat queries (a copied panel, the base
 * version of a cost diff), and the verdict is a function of the text on a read-only engine. Each
 * caller gets its own copy of the outcome (callers add fields to the cost). Engine failures (a dead
 * worker) are not remembered: the next caller asks again.
 */
export function memoizeExplain(engine: Engine): Engine {
  const seen = new Map<string, Promise<ExplainOutcome>>();
  return {
    get description() {
      return engine.description;
    },
    prepare: (schema, seed) => engine.prepare(schema, seed),
    // A run is read-only, but an execution is the query's own moment (now()...): never remembered.
    execute: (sql, opts) => engine.execute(sql, opts),
    async explain(sql: string): Promise<ExplainOutcome> {
      let p = seen.get(sql);
      if (!p) {
        p = engine.explain(sql);
        seen.set(sql, p);
        p.catch(() => seen.delete(sql));
      }
      return structuredClone(await p);
    },
    close: () => engine.close(),
  };
}

class ProcessPool implements Engine {
  private readonly workers: Worker[] = [];
  private readonly queue: Pending[] = [];
  private nextId = 1;
  private childDescription = 'embedded ClickHouse (chdb)';
  private preparing: Promise<void> | undefined;
  private closed = false;
  private readonly reports: CacheReport[] = [];
  /** A temporary cache root the workers share when the caller gave none; removed on close. */
  private ownCacheRoot: string | undefined;
  private readonly timezone = localTimeZone();

  constructor(
    private readonly size: number,
    private readonly opts: EnginePoolOptions,
  ) {
    const entry = opts.worker ?? defaultWorkerEntry();
    // The workers have no environment: where their private directories go is said in their init.
    for (let i = 0; i < size; i++) this.workers.push(this.spawn(entry));
  }

  pids(): number[] {
    return this.workers.filter((w) => w.alive && w.child.pid !== undefined).map((w) => w.child.pid!);
  }

  get description(): string {
    return `${this.childDescription}, ${this.size} processes`;
  }

  private spawn(entry: WorkerEntry): Worker {
    const cwd = mkdtempSync(path.join(os.tmpdir(), 'dashboard-ci-worker-'));
    const child = fork(entry.modulePath, entry.args ?? [], {
      execArgv: entry.execArgv ?? [],
      env: { ...WORKER_ENV },
      cwd,
      // stdout belongs to the report; a worker's crash text goes to stderr.
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    });
    const worker: Worker = {
      child,
      alive: true,
      ready: false,
      inFlight: new Map(),
      exited: new Promise<void>((resolve) => child.once('exit', () => resolve())),
      cwd,
    };
    child.on('message', (m: WorkerResponse) => this.onMessage(worker, m));
    child.once('exit', (code, signal) => this.onExit(worker, code, signal));
    // A send to a worker that just died fails asynchronously; onExit deals with its requests.
    child.on('error', () => undefined);
    return worker;
  }

  private onMessage(worker: Worker, m: WorkerResponse): void {
    if (m.t === 'result' || m.t === 'fail') {
      const p = worker.inFlight.get(m.id);
      if (!p) return;
      worker.inFlight.delete(m.id);
      if (m.t === 'result') p.resolve(m.outcome);
      else p.reject(deserializeError(m.error));
      this.pump();
    }
  }

  private onExit(worker: Worker, code: number | null, signal: NodeJS.Signals | null): void {
    worker.alive = false;
    // A worker removes its data directory when it closes; one that was killed cannot.
    if (worker.dataDir) removeDir(worker.dataDir);
    if (worker.configDir) removeDir(worker.configDir);
    removeDir(worker.cwd);
    if (this.closed) return;
    const how = signal ? `signal ${signal}` : `code ${code}`;
    for (const p of worker.inFlight.values()) {
      p.reject(
        new EngineCrashedError(`an engine worker process died (${how}) while explaining: ${head(p.sql)}`),
      );
    }
    worker.inFlight.clear();
    if (!this.workers.some((w) => w.alive)) {
      for (const p of this.queue.splice(0)) {
        p.reject(new EngineCrashedError(`every engine worker process died (last: ${how})`));
      }
    }
    this.pump();
  }

  cacheReports(): CacheReport[] {
    return [...this.reports];
  }

  prepare(schema: readonly string[], seed: readonly string[]): Promise<void> {
    if (this.preparing) return Promise.reject(new EngineError('the engine pool was already prepared'));
    this.preparing = this.prepareWorkers(schema, seed).then(
      () => undefined,
      async (e: unknown) => {
        await this.close();
        throw e;
      },
    );
    return this.preparing;
  }

  /**
   * With the schema and seed in the cache, every worker opens its own copy at once. Otherwise the first
   * worker prepares and saves them, and the others then copy: one seed load instead of one per worker
   * (half the CPU on two cores, and one process at the load's memory peak instead of all).
   */
  private async prepareWorkers(schema: readonly string[], seed: readonly string[]): Promise<void> {
    const root = this.cacheRoot();
    const anything = [...schema, ...seed].some((st) => st.trim());
    const chdbVersion = chdbPackageVersion(this.opts.chdbPath);
    const clusters = this.opts.clusters ? [...this.opts.clusters] : [];
    const warm = !root || !anything || readManifest(root, cacheKey({ schema, seed, chdbVersion, clusters }));
    const [first, ...rest] = this.workers;
    if (!warm && first) await this.init(first, schema, seed, root);
    await Promise.all((warm ? this.workers : rest).map((w) => this.init(w, schema, seed, root)));
  }

  private cacheRoot(): string | undefined {
    if (this.opts.cacheDir) return this.opts.cacheDir;
    try {
      this.ownCacheRoot ??= mkdtempSync(path.join(os.tmpdir(), 'dashboard-ci-pool-'));
      return this.ownCacheRoot;
    } catch {
      return undefined;
    }
  }

  private init(
    worker: Worker,
    schema: readonly string[],
    seed: readonly string[],
    cacheDir: string | undefined,
  ): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const onMessage = (m: WorkerResponse): void => {
        if (m.t === 'ready') {
          cleanup();
          worker.ready = true;
          this.childDescription = m.description;
          if (m.cache) this.reports.push(m.cache);
          if (m.dataDir) worker.dataDir = m.dataDir;
          if (m.configDir) worker.configDir = m.configDir;
          resolve();
          this.pump();
        } else if (m.t === 'init-error') {
          cleanup();
          reject(deserializeError(m.error));
        }
      };
      const onExit = (code: number | null, signal: NodeJS.Signals | null): void => {
        cleanup();
        reject(
          new EngineCrashedError(
            `an engine worker process ended while loading the schema and seed (${signal ? `signal ${signal}` : `code ${code}`})`,
          ),
        );
      };
      const cleanup = (): void => {
        worker.child.off('message', onMessage);
        worker.child.off('exit', onExit);
      };
      worker.child.on('message', onMessage);
      worker.child.once('exit', onExit);
      const request: WorkerRequest = {
        t: 'init',
        limits: this.opts.limits,
        schema,
        seed,
        ...(this.opts.chdbPath ? { chdbPath: this.opts.chdbPath } : {}),
        ...(cacheDir ? { cacheDir } : {}),
        timezone: this.timezone,
        tmpDir: os.tmpdir(),
        ...(this.opts.clusters?.length ? { clusters: this.opts.clusters } : {}),
      };
      worker.child.send(request);
    });
  }

  explain(sql: string): Promise<ExplainOutcome> {
    return this.submit(sql, undefined) as Promise<ExplainOutcome>;
  }

  execute(sql: string, opts: ExecuteOptions = {}): Promise<ExecuteOutcome> {
    return this.submit(sql, opts) as Promise<ExecuteOutcome>;
  }

  private async submit(
    sql: string,
    execute: ExecuteOptions | undefined,
  ): Promise<ExplainOutcome | ExecuteOutcome> {
    if (this.closed) throw new EngineError('the engine pool is closed');
    if (!this.preparing) await this.prepare([], []);
    else await this.preparing;
    if (!this.workers.some((w) => w.alive)) throw new EngineCrashedError('every engine worker process died');
    return new Promise<ExplainOutcome | ExecuteOutcome>((resolve, reject) => {
      this.queue.push({ sql, ...(execute ? { execute } : {}), resolve, reject });
      this.pump();
    });
  }

  private pump(): void {
    while (this.queue.length > 0) {
      let best: Worker | undefined;
      for (const w of this.workers) {
        if (!w.alive || !w.ready || w.inFlight.size >= MAX_IN_FLIGHT) continue;
        if (!best || w.inFlight.size < best.inFlight.size) best = w;
      }
      if (!best) return;
      const p = this.queue.shift()!;
      const id = this.nextId++;
      best.inFlight.set(id, p);
      best.child.send(
        (p.execute
          ? { t: 'execute', id, sql: p.sql, opts: p.execute }
          : { t: 'explain', id, sql: p.sql }) satisfies WorkerRequest,
      );
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const closedError = new EngineError('the engine pool was closed');
    for (const p of this.queue.splice(0)) p.reject(closedError);
    for (const w of this.workers) {
      for (const p of w.inFlight.values()) p.reject(closedError);
      w.inFlight.clear();
    }
    await Promise.all(
      this.workers.map(async (w) => {
        if (!w.alive) return;
        if (w.child.connected) w.child.send({ t: 'close' } satisfies WorkerRequest);
        const timer = setTimeout(() => w.child.kill('SIGKILL'), 5_000);
        await w.exited;
        clearTimeout(timer);
      }),
    );
    if (this.ownCacheRoot) removeDir(this.ownCacheRoot);
  }
}

function head(sql: string): string {
  const one = sql.replace(/\s+/g, ' ').trim();
  return one.length > 80 ? `${one.slice(0, 77)}...` : one;
}
