// A ClickHouse HTTP interface over chdb, for tests of the server engine and of `--clickhouse http://...`.
// It runs in a child process (clickhouse-http-main.ts): a chdb crash cannot take the test runner down,
// and the double's chdb is not the engine under test. Behaves like the real server where
// @clickhouse/client looks: /ping, POST body or `query` param, param_<name>, settings as URL params
// (readonly applied last), session_id, database, default_format / FORMAT, Basic and
// X-ClickHouse-User/Key auth (516 AUTHENTICATION_FAILED, HTTP 403 as exceptionCodeToHTTPStatus.cpp
// maps it), errors as `Code: N. DB::Exception: ... (NAME) (version ...)` with the HTTP status the
// server uses and X-ClickHouse-Exception-Code, X-ClickHouse-Summary / -Format / -Query-Id headers,
// and "Multi-statements are not allowed" for more than one statement.
import { fork, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export interface DoubleUser {
  name: string;
  password: string;
  /** The user's profile readonly setting: 1 forbids changing any setting, as on a real server. */
  readonly?: 0 | 1 | 2;
}

export interface DoubleOptions {
  users: DoubleUser[];
  /** Statements applied to the double's default database before it listens. */
  schema: string[];
  seed: string[];
}

export interface DoubleRequestLog {
  method: string;
  path: string;
  /** URL parameters without `password`. */
  params: Record<string, string>;
  user: string;
  query: string;
  status: number;
  errorCode?: number;
}

export type ParentMessage = { type: 'start'; options: DoubleOptions } | { type: 'log' } | { type: 'close' };
type ChildMessage =
  | { type: 'listening'; port: number; version: string }
  | { type: 'failed'; message: string }
  | { type: 'log'; log: DoubleRequestLog[] };

export interface ClickHouseHttpDouble {
  /** http://127.0.0.1:<port> */
  url: string;
  port: number;
  /** The ClickHouse version of the chdb behind it. */
  version: string;
  /** Every request so far, oldest first. */
  requests(): Promise<DoubleRequestLog[]>;
  close(): Promise<void>;
}

const MAIN = path.join(path.dirname(fileURLToPath(import.meta.url)), 'clickhouse-http-main.ts');

export async function startClickHouseHttp(opts: Partial<DoubleOptions> = {}): Promise<ClickHouseHttpDouble> {
  const options: DoubleOptions = {
    users: opts.users ?? [{ name: 'default', password: '' }],
    schema: opts.schema ?? [],
    seed: opts.seed ?? [],
  };
  const child: ChildProcess = fork(MAIN, [], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const started = await new Promise<{ port: number; version: string }>((resolve, reject) => {
    const onExit = (code: number | null, signal: string | null): void =>
      reject(
        new Error(`the ClickHouse HTTP double exited before listening (code ${code}, signal ${signal})`),
      );
    child.once('exit', onExit);
    child.on('message', (m: ChildMessage) => {
      if (m.type === 'listening') {
        child.off('exit', onExit);
        resolve(m);
      } else if (m.type === 'failed') {
        child.off('exit', onExit);
        reject(new Error(`the ClickHouse HTTP double failed to start: ${m.message}`));
      }
    });
    child.send({ type: 'start', options } satisfies ParentMessage);
  });
  const url = `http://127.0.0.1:${started.port}`;
  return {
    url,
    port: started.port,
    version: started.version,
    requests() {
      return new Promise((resolve) => {
        const onMessage = (m: ChildMessage): void => {
          if (m.type !== 'log') return;
          child.off('message', onMessage);
          resolve(m.log);
        };
        child.on('message', onMessage);
        child.send({ type: 'log' } satisfies ParentMessage);
      });
    },
    async close() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      if (child.connected) child.send({ type: 'close' } satisfies ParentMessage);
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** The statements of a .sql file: split at a `;` that ends a line (the fixtures keep to that). */
export function readSqlStatements(file: string): string[] {
  return readFileSync(file, 'utf8')
    .split(/;[ \t]*$/m)
    .map((s) => s.trim())
    .filter((s) => s.replace(/--[^\n]*/g, '').trim().length > 0);
}

export const FIXTURES = path.join(
  path.dirname(fileURLToPath(import.meta.url)),
  '..',
  'fixtures',
  'clickhouse',
);
