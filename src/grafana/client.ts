// The Grafana HTTP client: axios + axios-retry, one instance per provisioning run.
//
// Retry policy (DESIGN.md "Security and reliability musts", issue 5):
// - retried: 408, 429 (Retry-After honoured, seconds or HTTP date), 5xx except 501, timeouts,
//   connection resets, and ECONNREFUSED / EHOSTUNREACH / ENETUNREACH / EAI_AGAIN — mid-run those
//   mean Grafana is restarting or a load balancer is rotating; they pass.
// - never retried: every other 4xx (400, 401, 403, 404, 409, 412 among them): the answer will not change.
// - the health check (`retryRefused: false`) does not retry a refused connection or an unknown host:
//   at the start of a run that is a wrong URL or Grafana down, and the run should say so at once
//   rather than spend the retry budget.
// - backoff: exponential with jitter (equal jitter, 250 ms doubling, capped at 8 s), at most
//   `maxRetries` retries and never past `retryBudgetMs` since the first attempt: a Retry-After that
//   does not fit in what is left of the budget ends the retries immediately.
// The delay function and the sleep are injectable, so tests run instantly.
//
// Credentials: the token or password lives only in the Authorization header of the axios instance.
// Errors are built from scratch (method, path, status, body) and never carry the axios error, its
// config or its headers; every message and body goes through the run's Redactor.

import http from 'node:http';
import https from 'node:https';
import axios, {
  type AxiosError,
  type AxiosInstance,
  type AxiosRequestConfig,
  type AxiosResponse,
} from 'axios';
import axiosRetry from 'axios-retry';
import type { GrafanaAuth } from './types.js';
import { Redactor, stripUserinfo } from './redact.js';

export type RetryDelayFn = (attempt: number, retryAfterMs: number | undefined) => number;
export type SleepFn = (ms: number) => Promise<void>;

export interface RetryInfo {
  method: string;
  path: string;
  /** The retry about to be made (1 = the second attempt). */
  attempt: number;
  delayMs: number;
  /** Why: `503`, `429`, `ECONNRESET`, `timeout`... */
  reason: string;
}

export interface GrafanaClientOptions {
  /** Base URL, with or without a sub-path (`https://host/grafana`). user:password@ is stripped. */
  url: string;
  /** Bearer token or basic auth. Without it, credentials in the URL are used as basic auth. */
  auth?: GrafanaAuth;
  /** Sent as X-Grafana-Org-Id on every request. */
  orgId?: number;
  /**
   * Per attempt, in ms. Default: a third of the retry budget (at most 30 s), and never the whole
   * budget: a timeout equal to the budget would leave no time to retry it.
   */
  timeoutMs?: number;
  /** Total time one request may spend retrying, from its first attempt (default 30 000). */
  retryBudgetMs?: number;
  /** Retries after the first attempt (default 5). */
  maxRetries?: number;
  retryDelay?: RetryDelayFn;
  sleep?: SleepFn;
  /** Clock for the retry budget (tests advance it from their sleep). */
  now?: () => number;
  /** Dry run guard: any method other than GET/HEAD is refused locally, before a byte is sent. */
  readOnly?: boolean;
  redactor?: Redactor;
  /** Keep-alive sockets per host (default 16). */
  maxSockets?: number;
  onRetry?: (info: RetryInfo) => void;
}

export type Query = Record<string, string | number | boolean | readonly (string | number)[] | undefined>;

export interface RequestOptions {
  query?: Query;
  body?: unknown;
  headers?: Record<string, string>;
  /** Statuses returned as a response instead of thrown (e.g. 404 for "does not exist"). */
  allow?: readonly number[];
  /** false: a refused connection or unknown host is not retried (the health check). */
  retryRefused?: boolean;
  /** Overrides the client's maxRetries for this request. */
  maxRetries?: number;
}

export interface GrafanaResponse<T> {
  status: number;
  data: T;
  /** Attempts made (1 = no retry). */
  attempts: number;
}

export interface ClientStats {
  /** HTTP attempts sent (retries included). */
  requests: number;
  /** Attempts with a method other than GET/HEAD. */
  writes: number;
  retries: number;
}

/** A failed Grafana call: what was asked, what Grafana said. Never carries headers or credentials. */
export class GrafanaApiError extends Error {
  override readonly name = 'GrafanaApiError';
  /** HTTP status, or undefined when no response arrived (see `code`). */
  readonly status: number | undefined;
  readonly method: string;
  /** Path relative to the base URL, query string excluded. */
  readonly path: string;
  /** Grafana's response body (parsed JSON when it was JSON), secrets masked. */
  readonly body: unknown;
  /** Network error code (ECONNRESET, ETIMEDOUT, ECONNREFUSED...) when no response arrived. */
  readonly code: string | undefined;
  /** Grafana's `status` field (`version-mismatch`, `plugin-dashboard`, `not-found`...). */
  readonly grafanaStatus: string | undefined;
  /** Grafana's `message` field. */
  readonly grafanaMessage: string | undefined;
  readonly attempts: number;

  constructor(init: {
    status?: number;
    method: string;
    path: string;
    body?: unknown;
    code?: string;
    attempts?: number;
    message: string;
  }) {
    super(init.message);
    this.status = init.status;
    this.method = init.method;
    this.path = init.path;
    this.body = init.body;
    this.code = init.code;
    this.attempts = init.attempts ?? 1;
    this.grafanaStatus = grafanaStatusOf(init.body);
    const b = init.body as { message?: unknown } | undefined;
    this.grafanaMessage = b && typeof b === 'object' && typeof b.message === 'string' ? b.message : undefined;
  }

  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      message: this.message,
      status: this.status,
      method: this.method,
      path: this.path,
      code: this.code,
      attempts: this.attempts,
      body: this.body,
    };
  }
}

const READ_METHODS = new Set(['GET', 'HEAD']);
const TRANSIENT_CODES = new Set([
  'ECONNRESET',
  'ETIMEDOUT',
  'ECONNABORTED',
  'EPIPE',
  'ESOCKETTIMEDOUT',
  'ECONNREFUSED',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  'ERR_SOCKET_CONNECTION_TIMEOUT',
]);
/** Not transient at the start of a run: a wrong URL or Grafana down. */
const STARTUP_FATAL_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
]);

const NETWORK_WORDS: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  ETIMEDOUT: 'timed out',
  ECONNABORTED: 'timed out',
  EPIPE: 'connection closed while sending',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'DNS lookup failed',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
};

/**
 * The per-attempt timeout: below the retry budget, so that a timed-out attempt can still be retried.
 * A given timeout at or above the budget is cut to half the budget.
 */
export function attemptTimeout(timeoutMs: number | undefined, budgetMs: number): number {
  if (budgetMs <= 0) return timeoutMs ?? 30_000;
  if (timeoutMs === undefined) return Math.min(30_000, Math.max(1, Math.floor(budgetMs / 3)));
  return timeoutMs >= budgetMs ? Math.max(1, Math.floor(budgetMs / 2)) : timeoutMs;
}

/** Retry-After in ms: delta-seconds or an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfter(value: unknown, nowMs: number = Date.now()): number | undefined {
  if (typeof value !== 'string' && typeof value !== 'number') return undefined;
  const text = String(value).trim();
  if (text === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  const date = Date.parse(text);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - nowMs);
}

/** Exponential backoff with equal jitter; a Retry-After is honoured (plus up to 10 %, ≤ 1 s, of jitter). */
export const defaultRetryDelay: RetryDelayFn = (attempt, retryAfterMs) => {
  if (retryAfterMs !== undefined) return retryAfterMs + Math.random() * Math.min(1000, retryAfterMs * 0.1);
  const base = Math.min(8000, 250 * 2 ** Math.max(0, attempt - 1));
  return base / 2 + Math.random() * (base / 2);
};

const realSleep: SleepFn = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Why an error may be retried, or undefined when it must not be. */
export function retryReason(
  error: { response?: { status: number }; code?: string },
  retryRefused = true,
): string | undefined {
  if (error.response) {
    const s = error.response.status;
    if (s === 408 || s === 429 || (s >= 500 && s <= 599 && s !== 501)) return String(s);
    return undefined;
  }
  const code = error.code;
  if (!code) return undefined;
  if (!retryRefused && STARTUP_FATAL_CODES.has(code)) return undefined;
  if (TRANSIENT_CODES.has(code)) return code === 'ECONNABORTED' || code === 'ETIMEDOUT' ? 'timeout' : code;
  return undefined;
}

interface DciState {
  start: number;
  path: string;
  retryRefused: boolean;
  maxRetries: number;
  nextDelay?: number;
  gaveUp?: string;
}

declare module 'axios' {
  interface AxiosRequestConfig {
    dci?: DciState;
  }
}

export class GrafanaClient {
  /** The base URL as shown in messages: never with credentials. */
  readonly baseUrl: string;
  readonly stats: ClientStats = { requests: 0, writes: 0, retries: 0 };
  readonly redactor: Redactor;
  private readonly http: AxiosInstance;
  private readonly agent: http.Agent | https.Agent;
  private readonly readOnly: boolean;
  private readonly maxRetries: number;
  private readonly now: () => number;

  constructor(opts: GrafanaClientOptions) {
    const { url, user, password } = stripUserinfo(opts.url);
    this.baseUrl = url;
    this.redactor = opts.redactor ?? new Redactor();
    this.readOnly = opts.readOnly ?? false;
    const budget = opts.retryBudgetMs ?? 30_000;
    const maxRetries = opts.maxRetries ?? 5;
    this.maxRetries = maxRetries;
    const delayFn = opts.retryDelay ?? defaultRetryDelay;
    const sleep = opts.sleep ?? realSleep;
    const now = opts.now ?? Date.now;
    this.now = now;

    const headers: Record<string, string> = { Accept: 'application/json' };
    const auth = pickAuth(opts.auth, user, password);
    if (auth && 'token' in auth) {
      headers.Authorization = `Bearer ${auth.token}`;
      this.redactor.add(auth.token);
    } else if (auth) {
      headers.Authorization = `Basic ${Buffer.from(`${auth.user}:${auth.password}`).toString('base64')}`;
      this.redactor.add(auth.password, Buffer.from(`${auth.user}:${auth.password}`).toString('base64'));
    }
    if (opts.orgId !== undefined) headers['X-Grafana-Org-Id'] = String(opts.orgId);

    const isHttps = url.startsWith('https:');
    const agentOpts = { keepAlive: true, maxSockets: opts.maxSockets ?? 16 };
    this.agent = isHttps ? new https.Agent(agentOpts) : new http.Agent(agentOpts);

    this.http = axios.create({
      baseURL: url,
      headers,
      timeout: attemptTimeout(opts.timeoutMs, budget),
      // ETIMEDOUT instead of ECONNABORTED for a timeout, so it reads as what it is.
      transitional: { clarifyTimeoutError: true },
      ...(isHttps ? { httpsAgent: this.agent } : { httpAgent: this.agent }),
      maxRedirects: 0,
      proxy: false,
      // Grafana bodies can be large (dashboards); axios' default is unlimited, keep it so.
      maxContentLength: -1,
      maxBodyLength: -1,
    });

    this.http.interceptors.request.use((config) => {
      this.stats.requests++;
      if (!READ_METHODS.has((config.method ?? 'get').toUpperCase())) this.stats.writes++;
      return config;
    });

    axiosRetry(this.http, {
      retries: maxRetries,
      // Each attempt gets the whole timeout; the budget bounds the total.
      shouldResetTimeout: true,
      retryCondition: (error: AxiosError) => {
        const state = error.config?.dci;
        if (!state) return false;
        const reason = retryReason(
          { response: error.response, code: error.code ?? undefined },
          state.retryRefused,
        );
        if (!reason) return false;
        const attempt = (error.config?.['axios-retry']?.retryCount ?? 0) + 1;
        if (attempt > state.maxRetries) return false;
        const retryAfter =
          error.response?.status === 429 || error.response?.status === 503
            ? parseRetryAfter(error.response.headers?.['retry-after'])
            : undefined;
        const delay = Math.max(0, delayFn(attempt, retryAfter));
        const elapsed = now() - state.start;
        if (elapsed + delay > budget) {
          state.gaveUp =
            retryAfter !== undefined && retryAfter > budget - elapsed
              ? `Retry-After of ${fmtSeconds(retryAfter)} exceeds the retry budget left (${fmtSeconds(Math.max(0, budget - elapsed))})`
              : `retry budget of ${fmtSeconds(budget)} spent`;
          return false;
        }
        state.nextDelay = delay;
        return true;
      },
      // axios-retry's own timer waits 0 ms; the real wait is the injectable sleep in onRetry.
      retryDelay: () => 0,
      onRetry: async (retryCount, error, config) => {
        const state = config.dci;
        const delay = state?.nextDelay ?? 0;
        this.stats.retries++;
        opts.onRetry?.({
          method: (config.method ?? 'get').toUpperCase(),
          path: state?.path ?? '?',
          attempt: retryCount,
          delayMs: Math.round(delay),
          reason: retryReason({ response: error.response, code: error.code ?? undefined }) ?? 'error',
        });
        if (delay > 0) await sleep(delay);
      },
    });
  }

  async request<T = unknown>(
    method: string,
    path: string,
    opts: RequestOptions = {},
  ): Promise<GrafanaResponse<T>> {
    const m = method.toUpperCase();
    if (this.readOnly && !READ_METHODS.has(m)) {
      throw new GrafanaApiError({
        method: m,
        path,
        message: `${m} ${path}: refused locally, this is a dry run (no write of any kind)`,
      });
    }
    const allow = opts.allow ?? [];
    const config: AxiosRequestConfig = {
      method: m,
      url: path,
      params: opts.query,
      paramsSerializer: { indexes: null },
      data: opts.body,
      headers: opts.headers,
      validateStatus: (s) => (s >= 200 && s < 300) || allow.includes(s),
      dci: {
        start: this.now(),
        path,
        retryRefused: opts.retryRefused ?? true,
        maxRetries: opts.maxRetries ?? this.maxRetries,
      },
    };
    let res: AxiosResponse<T>;
    try {
      res = await this.http.request<T>(config);
    } catch (err) {
      throw this.toApiError(m, path, err);
    }
    this.requireJson(m, path, res);
    return { status: res.status, data: res.data, attempts: attemptsOf(res.config) };
  }

  /**
   * Every answer the provisioning reads is JSON. A login page or a proxy in front of Grafana answers
   * 200 with HTML: read as success, that would be a deploy reported done with nothing written. So an
   * answer that is not JSON is a failure naming the URL (never with credentials) and what came back.
   */
  private requireJson(method: string, path: string, res: AxiosResponse<unknown>): void {
    if (res.status === 204) return;
    const type = String(res.headers?.['content-type'] ?? '').trim();
    const data = res.data;
    const empty = data === undefined || data === null || (typeof data === 'string' && data.trim() === '');
    if (empty && type === '') return;
    const isJsonType = /^application\/([\w.+-]*\+)?json\b/i.test(type);
    if (isJsonType && typeof data !== 'string') return;
    const url = `${this.baseUrl}${path.startsWith('/') ? '' : '/'}${path}`;
    const what = isJsonType
      ? `${type} that is not valid JSON`
      : `${type ? type.split(';')[0] : 'no content type'} instead of the JSON this endpoint returns`;
    const hint = /html/i.test(type) ? ' (a login page or a proxy in front of Grafana?)' : '';
    throw new GrafanaApiError({
      status: res.status,
      method,
      path,
      code: 'not-json',
      attempts: attemptsOf(res.config),
      body: typeof data === 'string' ? this.redactor.redact(firstLine(data)) : undefined,
      message: this.redactor.redact(`${method} ${url} → ${res.status} with ${what}${hint}`),
    });
  }

  get<T = unknown>(path: string, opts?: RequestOptions): Promise<GrafanaResponse<T>> {
    return this.request<T>('GET', path, opts);
  }
  post<T = unknown>(path: string, body: unknown, opts?: RequestOptions): Promise<GrafanaResponse<T>> {
    return this.request<T>('POST', path, { ...opts, body });
  }
  put<T = unknown>(path: string, body: unknown, opts?: RequestOptions): Promise<GrafanaResponse<T>> {
    return this.request<T>('PUT', path, { ...opts, body });
  }
  delete<T = unknown>(path: string, opts?: RequestOptions): Promise<GrafanaResponse<T>> {
    return this.request<T>('DELETE', path, opts);
  }

  /** Closes kept-alive sockets so the process can exit. */
  close(): void {
    this.agent.destroy();
  }

  private toApiError(method: string, path: string, err: unknown): GrafanaApiError {
    if (err instanceof GrafanaApiError) return err;
    const r = this.redactor;
    if (!axios.isAxiosError(err)) {
      const message = err instanceof Error ? err.message : String(err);
      return new GrafanaApiError({ method, path, message: r.redact(`${method} ${path}: ${message}`) });
    }
    // Only these fields are read from the axios error: its config holds the Authorization header.
    const attempts = attemptsOf(err.config);
    const gaveUp = err.config?.dci?.gaveUp;
    const tail =
      attempts > 1
        ? ` (after ${attempts} attempts${gaveUp ? `; ${gaveUp}` : ''})`
        : gaveUp
          ? ` (${gaveUp})`
          : '';
    if (err.response) {
      const status = err.response.status;
      const body = r.redactValue(readBody(err.response.data));
      const b = body as { message?: unknown } | string | undefined;
      const gStatus = grafanaStatusOf(body);
      const gMessage =
        b && typeof b === 'object' && typeof b.message === 'string'
          ? b.message
          : typeof b === 'string'
            ? firstLine(b)
            : '';
      const what = gMessage || err.response.statusText || http.STATUS_CODES[status] || 'error';
      return new GrafanaApiError({
        status,
        method,
        path,
        body,
        attempts,
        message: r.redact(`${method} ${path} → ${status}${gStatus ? ` ${gStatus}` : ''}: ${what}${tail}`),
      });
    }
    const code = err.code ?? undefined;
    const words = (code && NETWORK_WORDS[code]) ?? err.message ?? 'request failed';
    return new GrafanaApiError({
      method,
      path,
      code,
      attempts,
      message: r.redact(`${method} ${path}: ${words}${code ? ` (${code})` : ''} at ${this.baseUrl}${tail}`),
    });
  }
}

export function createGrafanaClient(opts: GrafanaClientOptions): GrafanaClient {
  return new GrafanaClient(opts);
}

function pickAuth(auth: GrafanaAuth | undefined, user?: string, password?: string): GrafanaAuth | undefined {
  if (auth && 'token' in auth && auth.token) return auth;
  if (auth && 'user' in auth && auth.user) return auth;
  if (user !== undefined) return { user, password: password ?? '' };
  return undefined;
}

/**
 * Grafana's word for a failure: `status` of /api bodies (`version-mismatch`, `not-found`...), or the
 * `reason` of the Kubernetes-style Status the /apis endpoints answer (`AlreadyExists`, `Conflict`,
 * `NotFound`; k8s.io/apimachinery metav1.Status), whose own `status` is only "Failure".
 */
function grafanaStatusOf(body: unknown): string | undefined {
  if (!body || typeof body !== 'object') return undefined;
  const b = body as { kind?: unknown; status?: unknown; reason?: unknown };
  if (b.kind === 'Status') return typeof b.reason === 'string' && b.reason ? b.reason : undefined;
  return typeof b.status === 'string' ? b.status : undefined;
}

function attemptsOf(config: AxiosRequestConfig | undefined): number {
  return (config?.['axios-retry']?.retryCount ?? 0) + 1;
}

function readBody(data: unknown): unknown {
  if (typeof data !== 'string') return data;
  const t = data.trim();
  if (t.startsWith('{') || t.startsWith('[')) {
    try {
      return JSON.parse(t);
    } catch {
      /* not JSON after all */
    }
  }
  return t.length > 2000 ? `${t.slice(0, 2000)}…` : t;
}

function firstLine(text: string): string {
  const line = text
    .replace(/<[^>]*>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return line.length > 200 ? `${line.slice(0, 200)}…` : line;
}

function fmtSeconds(ms: number): string {
  return `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;
}
