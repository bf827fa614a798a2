// A double of the GitHub Actions cache service, over real HTTP on 127.0.0.1, speaking both protocols
// @actions/cache 6.3.0 speaks (node_modules/@actions/cache/lib, also actions/toolkit
// packages/cache/src):
//
// v1, the legacy service (GHES; github.com before 2025): `internal/cacheHttpClient.js`
//   GET   {ACTIONS_CACHE_URL}_apis/artifactcache/cache?keys=k1,k2&version=V
//         → 204 on a miss; 200 {cacheKey, scope, archiveLocation} on a hit (keys tried in order,
//           the first exact, then by prefix, newest first)
//   POST  _apis/artifactcache/caches {key, version, cacheSize} → 201 {cacheId}; 409 when taken
//   PATCH _apis/artifactcache/caches/{id}, Content-Range: bytes a-b/*  (chunks, in any order) → 204
//   POST  _apis/artifactcache/caches/{id} {size} → 204 (commit; the size must match the bytes)
//   GET   archiveLocation → the archive (plain HTTP: the host is not *.blob.core.windows.net)
// v2, the twirp service (github.com with ACTIONS_CACHE_SERVICE_V2): `generated/results/api/v1/
//   cache.twirp-client.js`, JSON with proto field names, POST {ACTIONS_RESULTS_URL}twirp/
//   github.actions.results.api.v1.CacheService/{GetCacheEntryDownloadURL, CreateCacheEntry,
//   FinalizeCacheEntryUpload}; a miss is {ok: false}; a taken key is a twirp error (409
//   already_exists); the upload goes to the signed URL with @azure/storage-blob's
//   BlockBlobClient.uploadFile (`internal/uploadUtils.js`: one PUT Blob up to 128 MiB, else Put
//   Block ?comp=block&blockid= and Put Block List ?comp=blocklist), the download is a plain GET.
//
// Both authenticate with ACTIONS_RUNTIME_TOKEN (Bearer). As the real service does, an entry is
// scoped to the ref of the run that saved it, and a run reads its own ref's entries and the default
// branch's (https://docs.github.com/actions/writing-workflows/choosing-what-your-workflow-does/caching-dependencies-to-speed-up-workflows#restrictions-for-accessing-a-cache).

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface CacheRunToken {
  /** GITHUB_REF of the run holding the token: its saves are scoped there. */
  ref: string;
  /** May not write (the runner's cache-mode `read`). */
  readOnly?: boolean;
}

interface Entry {
  id: number;
  key: string;
  version: string;
  scope: string;
  created: number;
  size: number;
  /** Chunks (v1 PATCH ranges) or blocks (v2) before commit; the archive after. */
  data?: Buffer;
  chunks: Map<number, Buffer>;
  blocks: Map<string, Buffer>;
  committed: boolean;
}

export interface CacheRequest {
  method: string;
  path: string;
  status: number;
  token?: string;
}

const TWIRP = '/twirp/github.actions.results.api.v1.CacheService/';
const BLOB = /^\/devstoreaccount1\/actions-cache\/(\d+)$/;

export class CacheDouble {
  readonly requests: CacheRequest[] = [];
  private readonly entries: Entry[] = [];
  private server: Server | undefined;
  private nextId = 1;
  private clock = 0;
  url = '';

  constructor(
    private readonly tokens: Record<string, CacheRunToken>,
    private readonly defaultRef = 'refs/heads/main',
  ) {}

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      void this.handle(req, res).catch((err: unknown) => this.send(res, 500, { message: String(err) }));
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/`;
    return this.url;
  }

  async stop(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
  }

  /** Runner environment for @actions/cache: v1 (GHES, legacy) or v2 (github.com). */
  env(token: string, version: 'v1' | 'v2'): Record<string, string> {
    return version === 'v1'
      ? { ACTIONS_CACHE_URL: this.url, ACTIONS_RUNTIME_TOKEN: token }
      : { ACTIONS_RESULTS_URL: this.url, ACTIONS_CACHE_SERVICE_V2: 'true', ACTIONS_RUNTIME_TOKEN: token };
  }

  /** Committed entries (key, scope, size). */
  list(): { key: string; scope: string; size: number }[] {
    return this.entries.filter((e) => e.committed).map((e) => ({ key: e.key, scope: e.scope, size: e.size }));
  }

  clear(): void {
    this.entries.length = 0;
  }

  private send(
    res: ServerResponse,
    status: number,
    body?: unknown,
    headers: Record<string, string> = {},
  ): void {
    const entry = this.requests[this.requests.length - 1];
    if (entry && entry.status === 0) entry.status = status;
    if (body === undefined) {
      res.writeHead(status, headers);
      res.end();
      return;
    }
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify(body));
  }

  private readable(token: CacheRunToken, e: Entry): boolean {
    return e.committed && (e.scope === token.ref || e.scope === this.defaultRef);
  }

  /** Exact key first, then each key as a prefix, newest first; own scope before the default branch's. */
  private find(token: CacheRunToken, keys: string[], version: string): Entry | undefined {
    const candidates = this.entries
      .filter((e) => e.version === version && this.readable(token, e))
      .sort((a, b) => Number(b.scope === token.ref) - Number(a.scope === token.ref) || b.created - a.created);
    for (const k of keys) {
      const exact = candidates.find((e) => e.key === k);
      if (exact) return exact;
      const prefix = candidates.find((e) => e.key.startsWith(k));
      if (prefix) return prefix;
    }
    return undefined;
  }

  private reserve(token: CacheRunToken, key: string, version: string): Entry | undefined {
    if (this.entries.some((e) => e.key === key && e.version === version && e.scope === token.ref))
      return undefined;
    const e: Entry = {
      id: this.nextId++,
      key,
      version,
      scope: token.ref,
      created: ++this.clock,
      size: 0,
      chunks: new Map(),
      blocks: new Map(),
      committed: false,
    };
    this.entries.push(e);
    return e;
  }

  private archiveUrl(e: Entry): string {
    return `${this.url}devstoreaccount1/actions-cache/${e.id}?sv=2024-11-04&sig=double`;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://double');
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks);
    const method = req.method ?? 'GET';
    const bearer = /^Bearer (.+)$/i.exec(req.headers.authorization ?? '')?.[1];
    const logged: CacheRequest = { method, path: url.pathname, status: 0 };
    if (bearer) logged.token = bearer;
    this.requests.push(logged);

    // The blob store: signed URLs, no bearer token (the signature is the credential).
    const blob = BLOB.exec(url.pathname);
    if (blob) return this.blob(req, res, url, Number(blob[1]), body);

    const token = bearer ? this.tokens[bearer] : undefined;
    if (!token) return this.send(res, 401, { message: 'Unauthorized' });

    // v1
    if (url.pathname === '/_apis/artifactcache/cache' && method === 'GET') {
      const keys = (url.searchParams.get('keys') ?? '').split(',').filter(Boolean);
      const e = this.find(token, keys, url.searchParams.get('version') ?? '');
      if (!e) return this.send(res, 204);
      return this.send(res, 200, {
        cacheKey: e.key,
        scope: e.scope,
        creationTime: new Date(Date.UTC(2026, 0, 1, 0, 0, e.created)).toISOString(),
        archiveLocation: this.archiveUrl(e),
      });
    }
    if (url.pathname === '/_apis/artifactcache/caches' && method === 'POST') {
      if (token.readOnly) return this.send(res, 403, { message: 'cache write denied: read-only token' });
      const r = JSON.parse(body.toString('utf8')) as { key: string; version: string };
      const e = this.reserve(token, r.key, r.version);
      if (!e)
        return this.send(res, 409, {
          message: `Cache already exists. Scope: ${token.ref}, Key: ${r.key}, Version: ${r.version}`,
        });
      return this.send(res, 201, { cacheId: e.id });
    }
    const v1 = /^\/_apis\/artifactcache\/caches\/(\d+)$/.exec(url.pathname);
    if (v1) {
      const e = this.entries.find((x) => x.id === Number(v1[1]) && x.scope === token.ref && !x.committed);
      if (!e) return this.send(res, 404, { message: 'Cache not found' });
      if (method === 'PATCH') {
        const m = /^bytes (\d+)-(\d+)\/\*$/.exec(String(req.headers['content-range'] ?? ''));
        if (!m || Number(m[2]) - Number(m[1]) + 1 !== body.length)
          return this.send(res, 400, { message: 'Invalid Content-Range' });
        e.chunks.set(Number(m[1]), body);
        return this.send(res, 204);
      }
      if (method === 'POST') {
        const size = (JSON.parse(body.toString('utf8')) as { size: number }).size;
        const parts = [...e.chunks].sort(([a], [b]) => a - b);
        let at = 0;
        for (const [start, part] of parts) {
          if (start !== at) return this.send(res, 400, { message: 'Cache chunks are not contiguous' });
          at += part.length;
        }
        if (at !== size) return this.send(res, 400, { message: `Cache size ${at} does not match ${size}` });
        e.data = Buffer.concat(parts.map(([, p]) => p));
        e.size = size;
        e.committed = true;
        return this.send(res, 204);
      }
    }

    // v2 (twirp)
    if (url.pathname.startsWith(TWIRP) && method === 'POST') {
      const rpc = url.pathname.slice(TWIRP.length);
      const r = JSON.parse(body.toString('utf8')) as {
        key: string;
        version: string;
        restore_keys?: string[];
        size_bytes?: string;
      };
      if (rpc === 'GetCacheEntryDownloadURL') {
        const e = this.find(token, [r.key, ...(r.restore_keys ?? [])], r.version);
        if (!e) return this.send(res, 200, { ok: false });
        return this.send(res, 200, { ok: true, signed_download_url: this.archiveUrl(e), matched_key: e.key });
      }
      if (rpc === 'CreateCacheEntry') {
        if (token.readOnly)
          return this.send(res, 403, {
            code: 'permission_denied',
            msg: 'cache write denied: read-only token',
          });
        const e = this.reserve(token, r.key, r.version);
        if (!e)
          return this.send(res, 409, {
            code: 'already_exists',
            msg: 'cache entry with the same key, version, and scope already exists',
          });
        return this.send(res, 200, { ok: true, signed_upload_url: this.archiveUrl(e) });
      }
      if (rpc === 'FinalizeCacheEntryUpload') {
        const e = this.entries.find(
          (x) => x.key === r.key && x.version === r.version && x.scope === token.ref && !x.committed,
        );
        if (!e || !e.data) return this.send(res, 404, { code: 'not_found', msg: 'cache entry not found' });
        if (String(e.data.length) !== String(r.size_bytes))
          return this.send(res, 400, { code: 'invalid_argument', msg: 'size does not match the upload' });
        e.size = e.data.length;
        e.committed = true;
        return this.send(res, 200, { ok: true, entry_id: String(e.id) });
      }
      return this.send(res, 404, { code: 'bad_route', msg: `no handler for ${rpc}` });
    }
    return this.send(res, 404, { message: 'Not Found' });
  }

  /** Azure Blob Storage as BlockBlobClient.uploadFile and a plain download use it. */
  private blob(req: IncomingMessage, res: ServerResponse, url: URL, id: number, body: Buffer): void {
    const e = this.entries.find((x) => x.id === id);
    if (!e || url.searchParams.get('sig') !== 'double')
      return this.blobError(res, 403, 'AuthenticationFailed');
    const headers = {
      etag: `"0x${id.toString(16)}"`,
      'last-modified': new Date(Date.UTC(2026, 0, 1)).toUTCString(),
      'x-ms-request-id': `req-${this.requests.length}`,
      'x-ms-version': '2024-11-04',
      'x-ms-request-server-encrypted': 'true',
    };
    if (req.method === 'GET' || req.method === 'HEAD') {
      if (!e.committed || !e.data) return this.blobError(res, 404, 'BlobNotFound');
      this.requests[this.requests.length - 1]!.status = 200;
      res.writeHead(200, {
        ...headers,
        'content-type': 'application/octet-stream',
        'content-length': e.data.length,
      });
      res.end(req.method === 'GET' ? e.data : undefined);
      return;
    }
    if (req.method !== 'PUT' || e.committed) return this.blobError(res, 409, 'BlobAlreadyExists');
    const comp = url.searchParams.get('comp');
    if (comp === 'block') {
      const blockId = url.searchParams.get('blockid');
      if (!blockId) return this.blobError(res, 400, 'InvalidQueryParameterValue');
      e.blocks.set(blockId, body);
      return this.send(res, 201, undefined, headers);
    }
    if (comp === 'blocklist') {
      const ids = [...body.toString('utf8').matchAll(/<(?:Latest|Uncommitted|Committed)>([^<]+)<\//g)].map(
        (m) => m[1]!,
      );
      if (ids.some((b) => !e.blocks.has(b))) return this.blobError(res, 400, 'InvalidBlockList');
      e.data = Buffer.concat(ids.map((b) => e.blocks.get(b)!));
      return this.send(res, 201, undefined, headers);
    }
    if (req.headers['x-ms-blob-type'] !== 'BlockBlob')
      return this.blobError(res, 400, 'MissingRequiredHeader');
    e.data = body;
    return this.send(res, 201, undefined, headers);
  }

  private blobError(res: ServerResponse, status: number, code: string): void {
    const entry = this.requests[this.requests.length - 1];
    if (entry && entry.status === 0) entry.status = status;
    res.writeHead(status, { 'content-type': 'application/xml', 'x-ms-error-code': code });
    res.end(
      `<?xml version="1.0" encoding="utf-8"?><Error><Code>${code}</Code><Message>${code}</Message></Error>`,
    );
  }
}
