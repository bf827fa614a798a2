// A double of the slice of GitHub's REST API the Action uses, over real HTTP on 127.0.0.1. It
// behaves like api.github.com where the Action depends on it: GET /user is 403 for installation
// tokens, lists paginate with Link headers (per_page default 30, max 100), a body over 65,536
// characters is a 422, writes with a read-only token are a 403, every request is logged.
//
// Pull request reviews (https://docs.github.com/rest/pulls/reviews#create-a-review-for-a-pull-request,
// https://docs.github.com/rest/pulls/comments): a review's comments must sit on lines of the PR's diff
// (any line of a hunk on the RIGHT side, a range within one hunk), else the whole review is a 422
// with GitHub's own words ("Pull request review thread line must be part of the diff", as reported in
// parkerbxyz/suggest-changes#28 and The-PR-Agent/pr-agent#592); `body` is required for event COMMENT;
// a comment whose line a later push changed comes back with `line: null` (outdated).

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface DoubleToken {
  /** `user`: a PAT (GET /user works). `installation`: GITHUB_TOKEN or an app token (GET /user is 403). */
  kind: 'user' | 'installation';
  /** Author of comments made with this token. Installation tokens default to github-actions[bot]. */
  login?: string;
  /** A fork PR's GITHUB_TOKEN: reads work, writes are 403. */
  readOnly?: boolean;
}

export interface DoubleComment {
  id: number;
  body: string;
  user: { login: string; type: 'User' | 'Bot' };
  html_url: string;
  created_at: string;
  updated_at: string;
}

export interface LoggedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  token?: string;
  status: number;
  bodyLength?: number;
}

export const BODY_LIMIT = 65_536;

export interface DoubleReviewComment {
  id: number;
  pull_request_review_id: number;
  path: string;
  line: number | null;
  start_line: number | null;
  side: 'RIGHT';
  body: string;
  commit_id: string;
  user: { login: string; type: 'User' | 'Bot' };
}

export interface DoubleReview {
  id: number;
  body: string;
  event: string;
  commit_id: string;
  user: { login: string; type: 'User' | 'Bot' };
}

interface PullFileEntry {
  filename: string;
  status: string;
  patch?: string;
}

/** Right-side lines of each hunk of a unified diff: what a review comment may be placed on. */
function hunksOf(patch: string | undefined): [number, number][] {
  const hunks: [number, number][] = [];
  for (const m of (patch ?? '').matchAll(/^@@ -\d+(?:,\d+)? \+(\d+)(?:,(\d+))? @@/gm)) {
    const start = Number(m[1]);
    const count = m[2] === undefined ? 1 : Number(m[2]);
    if (count > 0) hunks.push([start, start + count - 1]);
  }
  return hunks;
}

const READ_ONLY = {
  message: 'Resource not accessible by integration',
  documentation_url: 'https://docs.github.com/rest',
};
const TOO_LONG = {
  message: 'Validation Failed',
  errors: [
    {
      resource: 'IssueComment',
      code: 'custom',
      field: 'body',
      message: 'body is too long (maximum is 65536 characters)',
    },
  ],
  documentation_url: 'https://docs.github.com/rest/issues/comments#create-an-issue-comment',
};

export class GitHubDouble {
  readonly requests: LoggedRequest[] = [];
  private readonly comments = new Map<string, DoubleComment[]>();
  private readonly files = new Map<string, PullFileEntry[]>();
  private readonly reviewComments = new Map<string, DoubleReviewComment[]>();
  readonly reviews: DoubleReview[] = [];
  private server: Server | undefined;
  private nextId = 1000;
  url = '';

  constructor(private readonly tokens: Record<string, DoubleToken>) {}

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      void this.handle(req, res).catch((err: unknown) => {
        this.send(res, req, 500, { message: String(err) });
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this.url;
  }

  async stop(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
  }

  /** Seeds a comment, as a person (type User) or a bot would have written it. */
  addComment(
    owner: string,
    repo: string,
    issue: number,
    body: string,
    login: string,
    type: 'User' | 'Bot' = 'User',
  ): DoubleComment {
    const now = new Date(Date.UTC(2026, 0, 1, 0, 0, this.nextId % 60)).toISOString();
    const c: DoubleComment = {
      id: this.nextId++,
      body,
      user: { login, type },
      html_url: `https://github.com/${owner}/${repo}/pull/${issue}#issuecomment-${this.nextId}`,
      created_at: now,
      updated_at: now,
    };
    const key = `${owner}/${repo}#${issue}`;
    const list = this.comments.get(key) ?? [];
    list.push(c);
    this.comments.set(key, list);
    return c;
  }

  commentsOf(owner: string, repo: string, issue: number): DoubleComment[] {
    return this.comments.get(`${owner}/${repo}#${issue}`) ?? [];
  }

  setPullFiles(owner: string, repo: string, pull: number, files: PullFileEntry[]): void {
    this.files.set(`${owner}/${repo}#${pull}`, files);
  }

  reviewCommentsOf(owner: string, repo: string, pull: number): DoubleReviewComment[] {
    return this.reviewComments.get(`${owner}/${repo}#${pull}`) ?? [];
  }

  /** What GitHub does to a comment whose line a later push changed: it is outdated (line null). */
  outdate(commentId: number): void {
    for (const list of this.reviewComments.values())
      for (const c of list) if (c.id === commentId) c.line = c.start_line = null;
  }

  /** Requests that changed something (successful POST/PATCH/PUT/DELETE). */
  writes(): LoggedRequest[] {
    return this.requests.filter((r) => r.method !== 'GET' && r.status < 300);
  }

  private send(
    res: ServerResponse,
    req: IncomingMessage,
    status: number,
    body: unknown,
    headers: Record<string, string> = {},
  ): void {
    const entry = this.requests[this.requests.length - 1];
    if (entry && entry.status === 0) entry.status = status;
    if (body === undefined) {
      res.writeHead(status, headers);
      res.end();
      return;
    }
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
    res.end(JSON.stringify(body));
    void req;
  }

  private login(token: DoubleToken): { login: string; type: 'User' | 'Bot' } {
    if (token.kind === 'installation') return { login: token.login ?? 'github-actions[bot]', type: 'Bot' };
    return { login: token.login ?? 'octocat', type: 'User' };
  }

  private paginate<T>(req: IncomingMessage, res: ServerResponse, items: T[], url: URL): void {
    const perPage = Math.min(100, Math.max(1, Number(url.searchParams.get('per_page') ?? 30) || 30));
    const page = Math.max(1, Number(url.searchParams.get('page') ?? 1) || 1);
    const last = Math.max(1, Math.ceil(items.length / perPage));
    const slice = items.slice((page - 1) * perPage, page * perPage);
    const link = (p: number): string => {
      const u = new URL(url.toString());
      u.searchParams.set('per_page', String(perPage));
      u.searchParams.set('page', String(p));
      return `${this.url}${u.pathname}${u.search}`;
    };
    const rels: string[] = [];
    if (page > 1) rels.push(`<${link(page - 1)}>; rel="prev"`, `<${link(1)}>; rel="first"`);
    if (page < last) rels.push(`<${link(page + 1)}>; rel="next"`, `<${link(last)}>; rel="last"`);
    this.send(res, req, 200, slice, rels.length ? { link: rels.join(', ') } : {});
  }

  private createReview(
    req: IncomingMessage,
    res: ServerResponse,
    owner: string,
    repo: string,
    pull: number,
    token: DoubleToken,
    raw: string,
  ): void {
    let r: ReviewRequest;
    try {
      r = JSON.parse(raw) as ReviewRequest;
    } catch {
      return this.send(res, req, 400, { message: 'Problems parsing JSON' });
    }
    const invalid = (errors: string[]) =>
      this.send(res, req, 422, {
        message: 'Unprocessable Entity',
        errors,
        documentation_url: 'https://docs.github.com/rest/pulls/reviews#create-a-review-for-a-pull-request',
      });
    const event = typeof r.event === 'string' ? r.event : 'PENDING';
    if ((event === 'COMMENT' || event === 'REQUEST_CHANGES') && (typeof r.body !== 'string' || r.body === ''))
      return invalid([`Body is required for ${event} reviews`]);
    const files = new Map((this.files.get(`${owner}/${repo}#${pull}`) ?? []).map((f) => [f.filename, f]));
    const errors: string[] = [];
    for (const c of r.comments ?? []) {
      const hunks = hunksOf(files.get(String(c.path))?.patch);
      const line = Number(c.line);
      const start = c.start_line === undefined ? line : Number(c.start_line);
      const hunk = hunks.find(([a, b]) => line >= a && line <= b);
      if (!hunk) errors.push('Pull request review thread line must be part of the diff');
      else if (start > line) errors.push('Pull request review thread start line must precede the end line.');
      else if (start < hunk[0])
        errors.push('Pull request review thread start line must be part of the same hunk as the line.');
      if (typeof c.body !== 'string' || c.body === '')
        errors.push("Pull request review thread body can't be blank");
    }
    if (errors.length > 0) return invalid([...new Set(errors)]);
    const user = this.login(token);
    const review: DoubleReview = {
      id: this.nextId++,
      body: String(r.body ?? ''),
      event,
      commit_id: String(r.commit_id ?? ''),
      user,
    };
    this.reviews.push(review);
    const key = `${owner}/${repo}#${pull}`;
    const list = this.reviewComments.get(key) ?? [];
    for (const c of r.comments ?? []) {
      list.push({
        id: this.nextId++,
        pull_request_review_id: review.id,
        path: String(c.path),
        line: Number(c.line),
        start_line: c.start_line === undefined ? null : Number(c.start_line),
        side: 'RIGHT',
        body: String(c.body),
        commit_id: review.commit_id,
        user,
      });
    }
    this.reviewComments.set(key, list);
    return this.send(res, req, 200, { id: review.id, body: review.body, state: 'COMMENTED', user });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://double');
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const auth = req.headers.authorization ?? '';
    const tokenValue = /^(?:token|bearer)\s+(.+)$/i.exec(auth)?.[1];
    const entry: LoggedRequest = {
      method: req.method ?? 'GET',
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      status: 0,
    };
    if (tokenValue) entry.token = tokenValue;
    if (raw) entry.bodyLength = raw.length;
    this.requests.push(entry);

    const token = tokenValue ? this.tokens[tokenValue] : undefined;
    if (!token)
      return this.send(res, req, 401, {
        message: 'Bad credentials',
        documentation_url: 'https://docs.github.com/rest',
      });
    const method = entry.method;
    const p = url.pathname;

    if (method === 'GET' && p === '/user') {
      if (token.kind === 'installation') return this.send(res, req, 403, READ_ONLY);
      const u = this.login(token);
      return this.send(res, req, 200, { login: u.login, id: 1, type: u.type });
    }

    let m = /^\/repos\/([^/]+)\/([^/]+)\/issues\/(\d+)\/comments$/.exec(p);
    if (m) {
      const [, owner, repo, issue] = m as unknown as [string, string, string, string];
      if (method === 'GET') return this.paginate(req, res, this.commentsOf(owner, repo, Number(issue)), url);
      if (method === 'POST') {
        if (token.readOnly) return this.send(res, req, 403, READ_ONLY);
        const body = parseBody(raw);
        if (typeof body?.body !== 'string')
          return this.send(res, req, 422, { message: 'Invalid request.\n\n"body" wasn\'t supplied.' });
        if (body.body.length > BODY_LIMIT) return this.send(res, req, 422, TOO_LONG);
        const u = this.login(token);
        const c = this.addComment(owner, repo, Number(issue), body.body, u.login, u.type);
        return this.send(res, req, 201, c);
      }
    }

    m = /^\/repos\/([^/]+)\/([^/]+)\/issues\/comments\/(\d+)$/.exec(p);
    if (m && method === 'PATCH') {
      if (token.readOnly) return this.send(res, req, 403, READ_ONLY);
      const id = Number(m[3]);
      const c = [...this.comments.values()].flat().find((x) => x.id === id);
      if (!c)
        return this.send(res, req, 404, {
          message: 'Not Found',
          documentation_url: 'https://docs.github.com/rest',
        });
      const body = parseBody(raw);
      if (typeof body?.body !== 'string') return this.send(res, req, 422, { message: 'Invalid request.' });
      if (body.body.length > BODY_LIMIT) return this.send(res, req, 422, TOO_LONG);
      c.body = body.body;
      c.updated_at = new Date(Date.UTC(2026, 0, 2)).toISOString();
      return this.send(res, req, 200, c);
    }

    m = /^\/repos\/([^/]+)\/([^/]+)\/pulls\/(\d+)\/files$/.exec(p);
    if (m && method === 'GET') {
      return this.paginate(req, res, this.files.get(`${m[1]}/${m[2]}#${m[3]}`) ?? [], url);
    }

    m = /^\/repos\/([^/]+)\/([^/]+)\/pulls\/(\d+)\/comments$/.exec(p);
    if (m && method === 'GET') {
      return this.paginate(req, res, this.reviewCommentsOf(m[1]!, m[2]!, Number(m[3])), url);
    }

    m = /^\/repos\/([^/]+)\/([^/]+)\/pulls\/(\d+)\/reviews$/.exec(p);
    if (m && method === 'POST') {
      if (token.readOnly) return this.send(res, req, 403, READ_ONLY);
      return this.createReview(req, res, m[1]!, m[2]!, Number(m[3]), token, raw);
    }

    m = /^\/repos\/([^/]+)\/([^/]+)\/pulls\/comments\/(\d+)$/.exec(p);
    if (m && (method === 'PATCH' || method === 'DELETE')) {
      if (token.readOnly) return this.send(res, req, 403, READ_ONLY);
      const key = [...this.reviewComments.keys()].find((k) => k.startsWith(`${m![1]}/${m![2]}#`));
      const list = key ? this.reviewComments.get(key)! : [];
      const i = list.findIndex((c) => c.id === Number(m![3]));
      if (i < 0)
        return this.send(res, req, 404, {
          message: 'Not Found',
          documentation_url: 'https://docs.github.com/rest',
        });
      if (method === 'DELETE') {
        list.splice(i, 1);
        return this.send(res, req, 204, undefined);
      }
      const body = parseBody(raw);
      if (typeof body?.body !== 'string') return this.send(res, req, 422, { message: 'Invalid request.' });
      list[i]!.body = body.body;
      return this.send(res, req, 200, list[i]);
    }

    return this.send(res, req, 404, {
      message: 'Not Found',
      documentation_url: 'https://docs.github.com/rest',
    });
  }
}

interface ReviewRequest {
  commit_id?: unknown;
  body?: unknown;
  event?: unknown;
  comments?: { path?: unknown; line?: unknown; start_line?: unknown; side?: unknown; body?: unknown }[];
}

function parseBody(raw: string): { body?: unknown } | undefined {
  try {
    return JSON.parse(raw) as { body?: unknown };
  } catch {
    return undefined;
  }
}
