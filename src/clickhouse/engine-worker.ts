// One embedded engine in a child process of the pool (pool.ts), driven over the IPC channel that
// child_process.fork opens. Child processes, not worker_threads: chdb segfaults the process at exit
// inside worker_threads.
import type { EngineErrorInfo } from '../core/types.js';
import { chdbPackageVersion, type CacheReport } from './cache.js';
import { chdbLoaderFromPath, createEmbeddedEngine, type EmbeddedEngine } from './embedded.js';
import {
  EngineConnectionError,
  EngineCrashedError,
  EngineError,
  EnginePrepareError,
  EngineUnavailableError,
  type StatementRefusal,
} from './errors.js';
import type { ExecuteOptions, ExecuteOutcome, ExplainLimits, ExplainOutcome } from './port.js';

/** The hidden first argument that turns a bundle (dist/cli.js, dist/index.js) into a pool worker. */
export const ENGINE_WORKER_ARG = '__engine-worker';

export type WorkerRequest =
  | {
      t: 'init';
      limits: ExplainLimits;
      /** Folder of the chdb package to load; default `import('chdb')` as resolved from the worker. */
      chdbPath?: string;
      /** Root of the prepared-data cache (the pool's choice; see cache.ts); absent: none. */
      cacheDir?: string;
      /** The parent's time zone: the worker has no TZ variable (its environment is empty). */
      timezone: string;
      /** The parent's temporary folder, for the engine's private directories (no TMPDIR here either). */
      tmpDir: string;
      clusters?: readonly string[];
      schema: readonly string[];
      seed: readonly string[];
    }
  | { t: 'explain'; id: number; sql: string }
  | { t: 'execute'; id: number; sql: string; opts?: ExecuteOptions }
  | { t: 'close' };

export interface SerializedError {
  name: string;
  message: string;
  info?: EngineErrorInfo;
  list?: 'schema' | 'seed';
  index?: number;
  refusal?: StatementRefusal;
}

export type WorkerResponse =
  | { t: 'ready'; description: string; cache?: CacheReport; dataDir?: string; configDir?: string }
  | { t: 'init-error'; error: SerializedError }
  | { t: 'result'; id: number; outcome: ExplainOutcome | ExecuteOutcome }
  | { t: 'fail'; id: number; error: SerializedError };

export function serializeError(e: unknown): SerializedError {
  if (!(e instanceof Error)) return { name: 'Error', message: String(e) };
  const out: SerializedError = { name: e.name, message: e.message };
  if (e instanceof EngineError && e.info) out.info = e.info;
  if (e instanceof EnginePrepareError) {
    out.list = e.list;
    out.index = e.index;
    if (e.refusal) out.refusal = e.refusal;
  }
  return out;
}

/** The typed error a worker reported, rebuilt in the parent. */
export function deserializeError(s: SerializedError): Error {
  switch (s.name) {
    case 'EngineUnavailableError':
      return new EngineUnavailableError(s.message);
    case 'EnginePrepareError':
      return new EnginePrepareError(s.message, s.list ?? 'schema', s.index ?? 0, s.info, s.refusal);
    case 'EngineConnectionError':
      return new EngineConnectionError(s.message, s.info);
    case 'EngineCrashedError':
      return new EngineCrashedError(s.message, s.info);
    default:
      return new EngineError(s.message, s.info);
  }
}

/**
 * Serves one embedded engine to the parent until it says close or goes away. Requests are handled in
 * arrival order (the engine runs one statement at a time anyway). Resolves when the worker is done;
 * with no handle left the process then ends on its own.
 */
export function runEngineWorker(): Promise<void> {
  const send = process.send?.bind(process);
  if (!send)
    return Promise.reject(
      new Error('the engine worker needs an IPC channel (start it with child_process.fork)'),
    );
  let engine: EmbeddedEngine | undefined;
  let chain: Promise<void> = Promise.resolve();
  let finished = false;
  return new Promise<void>((resolve) => {
    const finish = (): void => {
      if (finished) return;
      finished = true;
      process.off('message', onMessage);
      chain = chain.then(async () => {
        await engine?.close();
        engine = undefined;
        if (process.connected) process.disconnect();
        resolve();
      });
    };
    const handle = async (m: WorkerRequest): Promise<void> => {
      if (m.t === 'init') {
        try {
          const chdb = m.chdbPath
            ? { loadChdb: chdbLoaderFromPath(m.chdbPath), chdbVersion: chdbPackageVersion(m.chdbPath) }
            : {};
          engine = await createEmbeddedEngine({
            limits: m.limits,
            ...(chdb.loadChdb ? { loadChdb: chdb.loadChdb } : {}),
            ...(chdb.chdbVersion ? { chdbVersion: chdb.chdbVersion } : {}),
            ...(m.cacheDir ? { cacheDir: m.cacheDir } : {}),
            timezone: m.timezone,
            tmpDir: m.tmpDir,
            ...(m.clusters ? { clusters: m.clusters } : {}),
          });
          await engine.prepare(m.schema, m.seed);
          const ready: WorkerResponse = { t: 'ready', description: engine.description };
          if (engine.cache) ready.cache = engine.cache;
          if (engine.dataDir) ready.dataDir = engine.dataDir;
          if (engine.configDir) ready.configDir = engine.configDir;
          send(ready);
        } catch (e) {
          send({ t: 'init-error', error: serializeError(e) } satisfies WorkerResponse);
        }
      } else if (m.t === 'explain' || m.t === 'execute') {
        try {
          if (!engine) throw new EngineError('the engine worker was not initialised');
          const outcome =
            m.t === 'explain' ? await engine.explain(m.sql) : await engine.execute(m.sql, m.opts);
          send({ t: 'result', id: m.id, outcome } satisfies WorkerResponse);
        } catch (e) {
          send({ t: 'fail', id: m.id, error: serializeError(e) } satisfies WorkerResponse);
        }
      }
    };
    const onMessage = (m: WorkerRequest): void => {
      if (m.t === 'close') {
        finish();
        return;
      }
      chain = chain.then(() => handle(m));
    };
    process.on('message', onMessage);
    process.once('disconnect', finish);
  });
}
