import type { Config } from '../config/types.js';
import type { Engine } from '../clickhouse/port.js';
import { createServerEngine } from '../clickhouse/server.js';
import { createEnginePool } from '../clickhouse/pool.js';
import { defaultCacheRoot } from '../clickhouse/cache.js';

export interface OpenEngineOptions {
  spec: string;
  config: Config;
  /** Working directory: the default prepared-data cache is in the nearest node_modules/.cache above it. */
  cwd: string;
  /** Overrides config.clickhouse.cache: a cache root folder, or false for none. */
  cacheDir?: string | false | undefined;
  auth?: { user?: string; password?: string } | undefined;
  chdbPath?: (() => Promise<string>) | undefined;
  /** Apply schema and seed on a server too (into a scratch database); the embedded engine always does. */
  prepareServer: boolean;
  queryCount: number;
  schema: string[];
  seed: string[];
}

/** Opens and prepares the engine a check runs on: embedded (one session or a pool of processes) or a server. */
export async function openEngine(opts: OpenEngineOptions): Promise<{ engine: Engine; concurrency: number }> {
  const limits = {
    maxExecutionTime: opts.config.clickhouse.maxExecutionTime,
    maxRowsToRead: opts.config.clickhouse.maxRowsToRead,
  };
  let engine: Engine;
  let concurrency = 1;
  if (opts.spec === 'embedded') {
    const chdbPath = opts.chdbPath ? await opts.chdbPath() : undefined;
    const cacheDir =
      opts.cacheDir ?? (opts.config.clickhouse.cache ? defaultCacheRoot({ cwd: opts.cwd }) : false);
    const pool = await createEnginePool({
      queryCount: opts.queryCount,
      workers: opts.config.clickhouse.workers,
      limits,
      cacheDir,
      clusters: opts.config.clickhouse.clusters,
      ...(chdbPath ? { chdbPath } : {}),
    });
    engine = pool.engine;
    concurrency = pool.size * 2;
  } else {
    engine = createServerEngine({
      url: opts.spec,
      ...((opts.auth?.user ?? opts.config.clickhouse.user)
        ? { username: opts.auth?.user ?? opts.config.clickhouse.user }
        : {}),
      ...(opts.auth?.password ? { password: opts.auth.password } : {}),
      limits,
      applySchema: opts.prepareServer,
    });
    concurrency = 4;
  }
  try {
    await engine.prepare(opts.schema, opts.seed);
  } catch (err) {
    await engine.close();
    throw err;
  }
  return { engine, concurrency };
}
