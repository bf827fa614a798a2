// The server `schema pull` and `schema-drift` read: ClickHouse's HTTP interface through
// @clickhouse/client, as a read-only user. Only SELECT, SHOW and EXPLAIN AST are sent, with no
// setting at all (a readonly = 1 user may change none), and values always as bound parameters.

import { ClickHouseError, ClickHouseLogLevel, createClient } from '@clickhouse/client';
import { EngineConnectionError, ClickHouseQueryError, cleanMessage, redact } from '../clickhouse/errors.js';
import { parseServerUrl, unescapeTsv } from '../clickhouse/server.js';

/** What schema pull and drift need from a server: rows of a read-only query. */
export interface SchemaSource {
  /** The server without credentials, for messages. */
  readonly description: string;
  /** Rows as objects (JSONEachRow). `params` bind `{name:Type}` placeholders. */
  rows<T = Record<string, unknown>>(sql: string, params?: Record<string, unknown>): Promise<T[]>;
  /** Text output of SHOW CREATE / EXPLAIN AST, unescaped. */
  text(sql: string): Promise<string>;
  close(): Promise<void>;
}

export interface ServerSourceOptions {
  url: string;
  username?: string;
  password?: string;
  /** Seconds a request may take. */
  timeoutSeconds?: number;
}

async function streamText(stream: AsyncIterable<Buffer | string>): Promise<string> {
  let out = '';
  for await (const chunk of stream) out += typeof chunk === 'string' ? chunk : chunk.toString('utf8');
  return out;
}

/** A SchemaSource over a ClickHouse server's HTTP interface. Credentials never appear in messages. */
export function createServerSource(opts: ServerSourceOptions): SchemaSource {
  const parsed = parseServerUrl(opts.url);
  const username = opts.username ?? parsed.username ?? 'default';
  const password = opts.password ?? parsed.password ?? '';
  const client = createClient({
    url: parsed.url,
    username,
    password,
    ...(parsed.database ? { database: parsed.database } : {}),
    application: 'dashboard-ci',
    request_timeout: (opts.timeoutSeconds ?? 60) * 1000,
    compression: { response: false, request: false },
    log: { level: ClickHouseLogLevel.OFF },
  });
  const description = `ClickHouse server ${parsed.url}${parsed.database ? `/${parsed.database}` : ''}`;
  const fail = (e: unknown): Error => {
    if (e instanceof ClickHouseError) {
      const info = {
        code: Number(e.code),
        name: e.type ?? 'UNKNOWN',
        message: redact(cleanMessage(e.message), [password]),
      };
      if (info.code === 516 || info.code === 192 || info.code === 194) {
        return new EngineConnectionError(
          `${description} rejected the credentials of user '${username}': ${info.code} ${info.name}: ${info.message}`,
          info,
        );
      }
      return new ClickHouseQueryError(info);
    }
    return new EngineConnectionError(
      `a query to ${description} failed: ${redact(e instanceof Error ? e.message : String(e), [password])}`,
    );
  };
  return {
    description,
    async rows<T>(sql: string, params?: Record<string, unknown>): Promise<T[]> {
      try {
        const rs = await client.query({
          query: sql,
          format: 'JSONEachRow',
          ...(params ? { query_params: params } : {}),
        });
        return (await rs.json()) as T[];
      } catch (e) {
        throw fail(e);
      }
    },
    async text(sql: string): Promise<string> {
      try {
        // exec() sends the statement as written (query() would append FORMAT inside an EXPLAIN AST).
        const result = await client.exec({ query: sql });
        return unescapeTsv(await streamText(result.stream as AsyncIterable<Buffer>));
      } catch (e) {
        throw fail(e);
      }
    },
    close: () => client.close(),
  };
}
