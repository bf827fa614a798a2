import { randomBytes } from 'node:crypto';
import { ClickHouseError, ClickHouseLogLevel, createClient, type ClickHouseClient } from '@clickhouse/client';
import { LiveStats } from './cost.js';
import { applyStatements } from './apply.js';
import { DEFAULT_MAX_MEMORY_USAGE } from './port.js';
import { ClickHouseQueryError, EngineConnectionError, EngineError, cleanMessage, redact } from './errors.js';
import {
  engineRefusableWords,
  executeQuery,
  explainQuery,
  notRunOutcome,
  type ExplainPipeline,
  type OutputFormat,
  type SqlRunner,
} from './explain.js';
import type { Engine, ExecuteOptions, ExecuteOutcome, ExplainLimits, ExplainOutcome } from './port.js';

export interface ServerEngineOptions {
  /** http(s)://[user[:password]@]host:port[/database]; credentials in the URL are taken out of it. */
  url: string;
  username?: string;
  password?: string;
  /** Database for unqualified table names; default the URL's path, else the user's default. */
  database?: string;
  limits: ExplainLimits;
  /**
   * Apply prepare()'s schema and seed into a scratch database `dashboard_ci_<random>` (dropped by
   * close()). Default false: prepare() only connects and checks the credentials, and queries are
   * explained against the server's own tables.
   */
  applySchema?: boolean;
  /** Parallel HTTP requests (default 10, the client's socket pool). */
  maxOpenConnections?: number;
}

/** A ClickHouse server description without credentials: `http://host:8123/db`. */
export interface ParsedServerUrl {
  url: string;
  username?: string;
  password?: string;
  database?: string;
}

/** Takes credentials and the database out of a server URL; the rest is safe to print. */
export function parseServerUrl(raw: string): ParsedServerUrl {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    // Not echoed: text that does not parse as a URL may still hold a password.
    throw new EngineConnectionError(
      'not a ClickHouse URL: expected http(s)://[user[:password]@]host:port[/database]',
    );
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') {
    throw new EngineConnectionError(
      `not a ClickHouse URL: expected http(s)://host:port, got ${u.protocol}//${u.host}`,
    );
  }
  const out: ParsedServerUrl = { url: `${u.protocol}//${u.host}` };
  if (u.username) out.username = decodeURIComponent(u.username);
  if (u.password) out.password = decodeURIComponent(u.password);
  const segments = u.pathname.split('/').filter(Boolean);
  if (segments.length === 1) out.database = decodeURIComponent(segments[0]!);
  return out;
}

function settingsFor(limits: ExplainLimits, serverReadonly: number): Record<string, string | number> {
  // A read-only user (readonly = 1) may change no setting at all, not even to the same value: its
  // profile's bounds apply. readonly = 2 may change settings but not readonly itself.
  if (serverReadonly === 1) return {};
  const settings: Record<string, string | number> = {
    max_execution_time: Math.max(0, limits.maxExecutionTime),
    timeout_overflow_mode: 'throw',
    max_rows_to_read: Math.max(0, Math.floor(limits.maxRowsToRead)),
    read_overflow_mode: 'throw',
    max_memory_usage: Math.max(0, Math.floor(limits.maxMemoryUsage ?? DEFAULT_MAX_MEMORY_USAGE)),
    // As in the embedded engine (same verdicts, and a gentler load on a shared server).
    max_threads: 1,
  };
  // Over HTTP, SET does not outlive its request: readonly is sent with every query instead.
  if (serverReadonly === 0) settings['readonly'] = '1';
  return settings;
}

const AUTH_CODES = new Set([192, 193, 194, 516]);

async function streamText(stream: AsyncIterable<unknown>): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
  return Buffer.concat(chunks).toString('utf8');
}

const TSV_ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', b: '\b', f: '\f', '0': '\0' };

/** TabSeparated's escaping undone (one-column output: rows stay on their own lines). */
export function unescapeTsv(text: string): string {
  return text.replace(/\\(.)/gs, (_, c: string) => TSV_ESCAPES[c] ?? c);
}

/**
 * The server engine: the same pipeline as the embedded one (explain.ts) over @clickhouse/client.
 * Returned at once; prepare() connects (and checks the credentials) before anything else.
 */
export function createServerEngine(opts: ServerEngineOptions): Engine {
  const parsed = parseServerUrl(opts.url);
  const username = opts.username ?? parsed.username ?? 'default';
  const password = opts.password ?? parsed.password ?? '';
  const baseDatabase = opts.database ?? parsed.database;
  const secrets = [password];
  const clientFor = (database: string | undefined): ClickHouseClient =>
    createClient({
      url: parsed.url,
      username,
      password,
      ...(database ? { database } : {}),
      application: 'dashboard-ci',
      request_timeout: Math.ceil((Math.max(1, opts.limits.maxExecutionTime) + 30) * 1000),
      max_open_connections: opts.maxOpenConnections ?? 10,
      // A read-only user may not even set enable_http_compression.
      compression: { response: false, request: false },
      log: { level: ClickHouseLogLevel.OFF },
    });

  const admin = clientFor(baseDatabase);
  let client = admin;
  let scratch: string | undefined;
  let settings: Record<string, string | number> = {};
  let description = `ClickHouse server ${parsed.url}${baseDatabase ? `/${baseDatabase}` : ''}`;

  const toEngineError = (e: unknown, what: string): Error => {
    if (e instanceof ClickHouseError) {
      const info = {
        code: Number(e.code),
        name: e.type ?? 'UNKNOWN',
        message: redact(cleanMessage(e.message), secrets),
      };
      if (AUTH_CODES.has(info.code)) {
        return new EngineConnectionError(
          `ClickHouse at ${parsed.url} rejected the credentials of user '${username}': ${info.code} ${info.name}: ${info.message}`,
          info,
        );
      }
      return new ClickHouseQueryError(info);
    }
    const text = e instanceof Error ? e.message : String(e);
    return new EngineConnectionError(`${what} ClickHouse at ${parsed.url} failed: ${redact(text, secrets)}`);
  };

  const runnerFor = (c: () => ClickHouseClient, withSettings: boolean): SqlRunner => {
    const exec = async (
      sql: string,
      format: OutputFormat,
      params?: Record<string, string>,
    ): Promise<string> => {
      const common = {
        query: sql,
        ...(withSettings ? { clickhouse_settings: settings } : {}),
        ...(params ? { query_params: params } : {}),
      };
      try {
        // client.query() appends `FORMAT <format>` to the text, and under EXPLAIN AST that clause lands
        // inside the explained query: statements go through exec() as written, in the HTTP default
        // format (TabSeparated, escaped), unescaped here.
        if (format === 'TabSeparatedRaw') {
          const result = await c().exec(common);
          return unescapeTsv(await streamText(result.stream));
        }
        const rs = await c().query({ ...common, format });
        return await rs.text();
      } catch (e) {
        throw toEngineError(e, 'a query to');
      }
    };
    return {
      run: (sql, format) => exec(sql, format),
      runBind: (sql, params, format) => exec(sql, format, params),
    };
  };
  const runner = runnerFor(() => client, true);
  const stats = new LiveStats((sql) => runner.run(sql, 'JSONCompactEachRow'));

  let connected: Promise<void> | undefined;
  const connect = (): Promise<void> =>
    (connected ??= (async () => {
      let text: string;
      try {
        const rs = await admin.query({
          query: "SELECT version(), getSetting('readonly')",
          format: 'JSONCompactEachRow',
        });
        text = await rs.text();
      } catch (e) {
        const err = toEngineError(e, 'connecting to');
        if (err instanceof ClickHouseQueryError) {
          throw new EngineConnectionError(
            `ClickHouse at ${parsed.url} refused the first query: ${err.message}`,
            err.info,
          );
        }
        throw err;
      }
      const [version, readonly] = JSON.parse(text.trim()) as [string, string | number];
      settings = settingsFor(opts.limits, Number(readonly));
      description = `ClickHouse server ${parsed.url}${baseDatabase ? `/${baseDatabase}` : ''} (version ${version})`;
    })());

  let prepared = false;
  let refusable: ReadonlySet<string> | undefined;
  const pipeline = (): ExplainPipeline => ({
    runner,
    stats,
    embedded: false,
    secrets,
    ...(refusable ? { refusable } : {}),
  });
  const prepare = async (schema: readonly string[], seed: readonly string[]): Promise<void> => {
    if (prepared) throw new EngineError('the server engine was already prepared');
    prepared = true;
    await connect();
    if (opts.applySchema) {
      scratch = `dashboard_ci_${randomBytes(6).toString('hex')}`;
      try {
        await admin.command({ query: `CREATE DATABASE ${scratch}` });
      } catch (e) {
        scratch = undefined;
        throw toEngineError(e, 'creating a scratch database on');
      }
      client = clientFor(scratch);
      const scratchClient = client;
      // Statements are read (formatQuerySingleLine, EXPLAIN AST) through the bounded read-only runner
      // and run, once judged, through the scratch database's own client.
      await applyStatements(runner, schema, seed, {
        mode: 'server',
        run: async (statement) => {
          try {
            await scratchClient.command({ query: statement });
          } catch (e) {
            throw toEngineError(e, 'a statement on');
          }
        },
      });
    }
    await stats.reload();
    refusable = await engineRefusableWords(runner);
  };

  return {
    get description() {
      return description;
    },
    prepare,
    async explain(sql: string): Promise<ExplainOutcome> {
      await connect();
      return explainQuery(pipeline(), sql);
    },
    async execute(sql: string, options?: ExecuteOptions): Promise<ExecuteOutcome> {
      await connect();
      // Real execution only on the tool's own data: the scratch database it prepared. A server given
      // by URL holds somebody's data and load; its queries are only EXPLAINed.
      if (!scratch) {
        return notRunOutcome(
          'execute() runs a query only on the test data: the embedded engine, or a server the tool prepared a scratch database on (--schema / --seed)',
        );
      }
      return executeQuery(pipeline(), sql, options);
    },
    async close() {
      try {
        if (scratch) await admin.command({ query: `DROP DATABASE IF EXISTS ${scratch} SYNC` });
      } finally {
        scratch = undefined;
        if (client !== admin) await client.close();
        await admin.close();
      }
    },
  };
}
