// The ClickHouse HTTP interface double, in its own process: chdb runs here, away from the test runner
// (a chdb crash cannot take vitest down) and away from the engine under test. Started by
// startClickHouseHttp() in clickhouse-http.ts; talks to it over IPC.
import http from 'node:http';
import { gunzipSync, gzipSync, inflateSync } from 'node:zlib';
import { Session } from 'chdb';
import type { DoubleOptions, DoubleRequestLog, ParentMessage } from './clickhouse-http.js';

interface ChdbResultLike {
  readonly elapsed: number;
  readonly rowsRead: number;
  readonly bytesRead: number;
  bytes(): Uint8Array;
}

interface ChdbConn {
  query(q: string, format?: string): string;
  queryBind(q: string, args: object, format?: string): string;
  queryAsync(q: string, opts?: { format?: string }): Promise<ChdbResultLike>;
  queryBindAsync(q: string, params: object, opts?: { format?: string }): Promise<ChdbResultLike>;
  close(): void;
  path: string;
}

// What the real server does with these URL parameters itself; every other one is a setting.
const RESERVED = new Set([
  'query',
  'query_id',
  'database',
  'default_format',
  'session_id',
  'session_timeout',
  'session_check',
  'user',
  'password',
  'quota_key',
  'role',
  'buffer_size',
  'wait_end_of_query',
  'compress',
  'decompress',
  'enable_http_compression',
  'http_zlib_compression_level',
]);

// src/Server/HTTP/exceptionCodeToHTTPStatus.cpp (ClickHouse), for the codes these tests can meet.
const STATUS_BY_CODE = new Map<number, number>([
  [194, 401],
  [192, 403],
  [193, 403],
  [516, 403],
  [497, 403],
  [36, 400],
  [6, 400],
  [27, 400],
  [62, 400],
  [53, 400],
  [117, 400],
  [44, 400],
  [15, 400],
  [60, 404],
  [46, 404],
  [47, 404],
  [50, 404],
  [81, 404],
  [115, 404],
  [63, 404],
  [73, 404],
  [48, 501],
  [159, 408],
]);

const log: DoubleRequestLog[] = [];
let admin: ChdbConn | undefined;
let version = '';
let options: DoubleOptions;
const connections = new Map<string, ChdbConn>();
let chain: Promise<unknown> = Promise.resolve();

function serial<T>(fn: () => Promise<T>): Promise<T> {
  const next = chain.then(fn, fn);
  chain = next.catch(() => undefined);
  return next;
}

class HttpQueryError extends Error {
  constructor(
    readonly code: number,
    readonly body: string,
  ) {
    super(body);
  }
}

/** chdb's error text as the server sends it: `Code: N. DB::Exception: ... (NAME) (version X)`. */
function toHttpError(e: unknown): HttpQueryError {
  if (e instanceof HttpQueryError) return e;
  const text = (e instanceof Error ? e.message : String(e)).replace(/^Query failed: /, '');
  const code = Number(/Code: (\d+)\./.exec(text)?.[1] ?? 1001);
  const body = /\(version [^)]*\)\s*$/.test(text) ? text : `${text} (version ${version})`;
  return new HttpQueryError(code, body);
}

function authError(user: string): HttpQueryError {
  return new HttpQueryError(
    516,
    `Code: 516. DB::Exception: ${user}: Authentication failed: password is incorrect, or there is no user with such name. (AUTHENTICATION_FAILED) (version ${version})`,
  );
}

function credentials(req: http.IncomingMessage, url: URL): { user: string; password: string } {
  const headerUser = req.headers['x-clickhouse-user'];
  if (typeof headerUser === 'string') {
    const key = req.headers['x-clickhouse-key'];
    return { user: headerUser, password: typeof key === 'string' ? key : '' };
  }
  const auth = req.headers.authorization;
  if (auth?.startsWith('Basic ')) {
    const decoded = Buffer.from(auth.slice(6), 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    return colon < 0
      ? { user: decoded, password: '' }
      : { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
  }
  return {
    user: url.searchParams.get('user') ?? 'default',
    password: url.searchParams.get('password') ?? '',
  };
}

/** Escaped-text parameter values (what clients send) back to plain strings; chdb escapes them again. */
function unescapeParam(value: string): string {
  const map: Record<string, string> = {
    n: '\n',
    t: '\t',
    r: '\r',
    b: '\b',
    f: '\f',
    '0': '\0',
    '\\': '\\',
    "'": "'",
  };
  return value.replace(/\\(.)/gs, (_, c: string) => map[c] ?? c);
}

function contentType(format: string): string {
  if (/^JSON/i.test(format)) return 'application/json; charset=UTF-8';
  if (/^(TabSeparated|TSV)/i.test(format)) return 'text/tab-separated-values; charset=UTF-8';
  if (/^CSV/i.test(format)) return 'text/csv; charset=UTF-8; header=absent';
  return 'text/plain; charset=UTF-8';
}

function connection(key: string, init: (c: ChdbConn) => void): ChdbConn {
  let c = connections.get(key);
  if (!c) {
    c = new Session(admin!.path) as unknown as ChdbConn;
    try {
      init(c);
    } catch (e) {
      c.close();
      throw e;
    }
    connections.set(key, c);
  }
  return c;
}

/** The real server refuses more than one statement per request; chdb would run them all. */
function refuseMultiStatements(query: string): void {
  try {
    admin!.queryBind('SELECT formatQuerySingleLine({q:String})', { q: query }, 'TSVRaw');
  } catch (e) {
    const text = e instanceof Error ? e.message : String(e);
    if (!/Multi-statements are not allowed/.test(text)) return;
    const cleaned = text.replace(/[.:\s]*In scope SELECT formatQuerySingleLine\([\s\S]*$/, '');
    throw toHttpError(new Error(`${cleaned}. (SYNTAX_ERROR)`));
  }
}

async function execute(
  req: http.IncomingMessage,
  url: URL,
  body: string,
): Promise<{ data: Buffer; format: string; summary: Record<string, string> }> {
  const { user, password } = credentials(req, url);
  const account = options.users.find((u) => u.name === user);
  if (!account || account.password !== password) throw authError(user);

  const params = url.searchParams;
  const query = [params.get('query') ?? '', body].filter((s) => s.length > 0).join('\n');
  if (!query.trim()) throw toHttpError(new Error('Code: 62. DB::Exception: Empty query. (SYNTAX_ERROR)'));
  const settings: [string, string][] = [];
  const bind: Record<string, string> = {};
  for (const [k, v] of params) {
    if (k.startsWith('param_')) bind[k.slice(6)] = unescapeParam(v);
    else if (!RESERVED.has(k)) settings.push([k, v]);
  }
  const database = params.get('database') ?? undefined;
  const sessionId = params.get('session_id') ?? undefined;
  const quoted = (v: string): string => `'${v.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
  const applySettings = (c: ChdbConn): void => {
    // readonly goes last: once set it forbids every other SET, as on the server within one request.
    for (const [k, v] of settings) if (k !== 'readonly') c.query(`SET ${k} = ${quoted(v)}`);
    for (const [k, v] of settings) if (k === 'readonly') c.query(`SET readonly = ${quoted(v)}`);
  };
  const init = (c: ChdbConn): void => {
    if (database) c.query(`USE \`${database.replace(/`/g, '``')}\``);
    if (account.readonly) c.query(`SET readonly = ${account.readonly}`);
  };
  let conn: ChdbConn;
  if (sessionId) {
    conn = connection(`session:${user}:${sessionId}`, init);
    applySettings(conn);
  } else {
    conn = connection(`${user}:${database ?? ''}:${JSON.stringify(settings)}`, (c) => {
      init(c);
      applySettings(c);
    });
  }
  refuseMultiStatements(query);
  const format =
    /\bFORMAT\s+([A-Za-z0-9_]+)\s*;?\s*$/i.exec(query)?.[1] ?? params.get('default_format') ?? 'TabSeparated';
  const result =
    Object.keys(bind).length > 0
      ? await conn.queryBindAsync(query, bind, { format })
      : await conn.queryAsync(query, { format });
  const data = Buffer.from(result.bytes());
  return {
    data,
    format,
    summary: {
      read_rows: String(result.rowsRead),
      read_bytes: String(result.bytesRead),
      written_rows: '0',
      written_bytes: '0',
      total_rows_to_read: String(result.rowsRead),
      result_rows: '0',
      result_bytes: String(data.length),
      elapsed_ns: String(Math.round(result.elapsed * 1e9)),
    },
  };
}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('error', reject);
    req.on('end', () => {
      let buf = Buffer.concat(chunks);
      const enc = req.headers['content-encoding'];
      if (enc === 'gzip') buf = gunzipSync(buf);
      else if (enc === 'deflate') buf = inflateSync(buf);
      resolve(buf.toString('utf8'));
    });
  });
}

async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  const queryId = url.searchParams.get('query_id') ?? `double-${log.length + 1}`;
  const entry: DoubleRequestLog = {
    method: req.method ?? 'GET',
    path: url.pathname,
    params: Object.fromEntries([...url.searchParams].filter(([k]) => k !== 'password')),
    user: credentials(req, url).user,
    query: '',
    status: 200,
  };
  log.push(entry);
  res.setHeader('X-ClickHouse-Server-Display-Name', 'clickhouse-http-double');
  res.setHeader('Keep-Alive', 'timeout=10');
  if (
    url.pathname === '/ping' ||
    (url.pathname === '/' && req.method === 'GET' && !url.searchParams.has('query'))
  ) {
    res.setHeader('Content-Type', 'text/html; charset=UTF-8');
    res.end('Ok.\n');
    return;
  }
  const body = await readBody(req);
  entry.query = [url.searchParams.get('query') ?? '', body].filter(Boolean).join('\n');
  try {
    const out = await serial(() => execute(req, url, body));
    res.setHeader('X-ClickHouse-Query-Id', queryId);
    res.setHeader('X-ClickHouse-Format', out.format);
    res.setHeader('X-ClickHouse-Timezone', 'UTC');
    res.setHeader('X-ClickHouse-Summary', JSON.stringify(out.summary));
    res.setHeader('Content-Type', contentType(out.format));
    const gzip =
      url.searchParams.get('enable_http_compression') === '1' &&
      /\bgzip\b/.test(String(req.headers['accept-encoding']));
    if (gzip) res.setHeader('Content-Encoding', 'gzip');
    res.end(gzip ? gzipSync(out.data) : out.data);
  } catch (e) {
    const err = toHttpError(e);
    entry.status = STATUS_BY_CODE.get(err.code) ?? 500;
    entry.errorCode = err.code;
    res.statusCode = entry.status;
    if (err.code === 194) res.setHeader('WWW-Authenticate', 'Basic realm="ClickHouse server HTTP API"');
    res.setHeader('X-ClickHouse-Query-Id', queryId);
    res.setHeader('X-ClickHouse-Exception-Code', String(err.code));
    res.setHeader('Content-Type', 'text/plain; charset=UTF-8');
    res.end(`${err.body}\n`);
  }
}

function send(message: unknown): void {
  process.send?.(message);
}

async function start(opts: DoubleOptions): Promise<void> {
  options = opts;
  admin = new Session() as unknown as ChdbConn;
  version = admin.query('SELECT version()', 'TSVRaw').trim();
  for (const statement of [...opts.schema, ...opts.seed]) admin.query(statement, 'TSVRaw');
  const server = http.createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      res.statusCode = 500;
      res.end(`Code: 1001. DB::Exception: ${String(e)}. (STD_EXCEPTION) (version ${version})\n`);
    });
  });
  server.keepAliveTimeout = 10_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  process.on('message', (m: ParentMessage) => {
    if (m.type === 'log') send({ type: 'log', log });
    if (m.type === 'close') {
      server.closeAllConnections();
      server.close(() => {
        for (const c of connections.values()) c.close();
        admin?.close();
        process.disconnect();
      });
    }
  });
  send({ type: 'listening', port, version });
}

process.once('message', (m: ParentMessage) => {
  if (m.type !== 'start') return;
  start(m.options).catch((e: unknown) => {
    send({ type: 'failed', message: e instanceof Error ? e.message : String(e) });
    process.disconnect();
  });
});
