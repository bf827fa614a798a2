// The Grafana HTTP client over real sockets (the Grafana double on 127.0.0.1): retry policy,
// Retry-After, budget, auth, org header, error shape, and no credential in any error.

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { inspect } from 'node:util';
import { GrafanaDouble } from '../../support/grafana-double.js';
import {
  GrafanaApiError,
  createGrafanaClient,
  defaultRetryDelay,
  parseRetryAfter,
  retryReason,
  type GrafanaClient,
  type GrafanaClientOptions,
} from '../../../src/grafana/client.js';

const TOKEN = 'glsa_client_test_token_42';
let grafana: GrafanaDouble;
let client: GrafanaClient | undefined;
let slept: number[];

beforeEach(async () => {
  grafana = await GrafanaDouble.start({ token: TOKEN, basic: { user: 'admin', password: 'pa55-w0rd' } });
  slept = [];
});
afterEach(async () => {
  client?.close();
  client = undefined;
  await grafana.close();
});

function make(over: Partial<GrafanaClientOptions> = {}): GrafanaClient {
  client = createGrafanaClient({
    url: grafana.url,
    auth: { token: TOKEN },
    retryBudgetMs: 30_000,
    sleep: async (ms) => {
      slept.push(ms);
    },
    ...over,
  });
  return client;
}

async function caught(p: Promise<unknown>): Promise<GrafanaApiError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(GrafanaApiError);
    return err as GrafanaApiError;
  }
  throw new Error('expected a GrafanaApiError');
}

describe('retry classification', () => {
  it.each([
    [400, undefined],
    [401, undefined],
    [403, undefined],
    [404, undefined],
    [409, undefined],
    [412, undefined],
    [422, undefined],
    [501, undefined],
    [408, '408'],
    [429, '429'],
    [500, '500'],
    [502, '502'],
    [503, '503'],
    [504, '504'],
  ])('status %i → %s', (status, reason) => {
    expect(retryReason({ response: { status } })).toBe(reason);
  });

  it.each([
    ['ECONNRESET', true, 'ECONNRESET'],
    ['ETIMEDOUT', true, 'timeout'],
    ['ECONNABORTED', true, 'timeout'],
    ['EPIPE', true, 'EPIPE'],
    ['ECONNREFUSED', true, 'ECONNREFUSED'],
    ['ECONNREFUSED', false, undefined],
    ['EAI_AGAIN', false, undefined],
    ['ENOTFOUND', true, undefined],
    ['ERR_CANCELED', true, undefined],
  ])('network %s (retryRefused %s) → %s', (code, retryRefused, reason) => {
    expect(retryReason({ code }, retryRefused)).toBe(reason);
  });

  it('reads Retry-After as seconds or as an HTTP date', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(parseRetryAfter('7', now)).toBe(7000);
    expect(parseRetryAfter('1.5', now)).toBe(1500);
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('Wed, 31 Dec 2025 23:59:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
  });

  it('backs off exponentially with jitter, and honours Retry-After', () => {
    for (let attempt = 1; attempt <= 8; attempt++) {
      const base = Math.min(8000, 250 * 2 ** (attempt - 1));
      for (let i = 0; i < 20; i++) {
        const d = defaultRetryDelay(attempt, undefined);
        expect(d).toBeGreaterThanOrEqual(base / 2);
        expect(d).toBeLessThanOrEqual(base);
      }
    }
    const d = defaultRetryDelay(1, 5000);
    expect(d).toBeGreaterThanOrEqual(5000);
    expect(d).toBeLessThanOrEqual(5500);
  });
});

describe('over HTTP', () => {
  it('retries a 503 then succeeds, counting requests', async () => {
    grafana.failNext({ path: '/api/search', status: 503, times: 2 });
    const c = make();
    const res = await c.get('/api/search');
    expect(res.status).toBe(200);
    expect(res.attempts).toBe(3);
    expect(slept).toHaveLength(2);
    expect(c.stats).toEqual({ requests: 3, writes: 0, retries: 2 });
  });

  it('does not retry a 400 and builds the message from Grafana’s body', async () => {
    const c = make();
    const err = await caught(c.post('/api/dashboards/db', { dashboard: { title: '' } }));
    expect(err.status).toBe(400);
    expect(err.message).toBe('POST /api/dashboards/db → 400 empty-name: Dashboard title cannot be empty');
    expect(err.grafanaStatus).toBe('empty-name');
    expect(err.body).toEqual({ status: 'empty-name', message: 'Dashboard title cannot be empty' });
    expect(err.attempts).toBe(1);
    expect(c.stats).toEqual({ requests: 1, writes: 1, retries: 0 });
  });

  it('returns an allowed status instead of throwing', async () => {
    const res = await make().get('/api/dashboards/uid/nope', { allow: [404] });
    expect(res.status).toBe(404);
    expect(res.data).toEqual({ status: 'not-found', message: 'Dashboard not found' });
  });

  it('passes Retry-After (seconds and HTTP date) to the sleep', async () => {
    grafana.failNext({ path: '/api/search', status: 429, retryAfter: 4 });
    grafana.failNext({
      path: '/api/search',
      status: 503,
      retryAfter: new Date(Date.now() + 3000).toUTCString(),
    });
    await make().get('/api/search');
    expect(slept[0]).toBeGreaterThanOrEqual(4000);
    expect(slept[1]).toBeGreaterThanOrEqual(1500);
  });

  it('really waits at least Retry-After: 1 over real HTTP', async () => {
    grafana.failNext({ path: '/api/search', status: 429, retryAfter: 1 });
    const c = createGrafanaClient({ url: grafana.url, auth: { token: TOKEN } });
    client = c;
    const start = performance.now();
    const res = await c.get('/api/search');
    const waited = performance.now() - start;
    expect(res.status).toBe(200);
    expect(waited).toBeGreaterThanOrEqual(1000);
  });

  it('stops within the retry budget and says why', async () => {
    grafana.failNext({ path: '/api/search', status: 503, times: 100 });
    let clock = 0;
    const c = make({
      retryBudgetMs: 1000,
      retryDelay: () => 400,
      maxRetries: 50,
      now: () => clock,
      sleep: async (ms) => {
        slept.push(ms);
        clock += ms;
      },
    });
    const err = await caught(c.get('/api/search'));
    // t=0 fail, wait 400; t=400 fail, wait 400; t=800 fail: 800 + 400 > 1000, stop.
    expect(slept).toEqual([400, 400]);
    expect(err.attempts).toBe(3);
    expect(err.message).toBe(
      'GET /api/search → 503: Service Unavailable (after 3 attempts; retry budget of 1.0 s spent)',
    );
  });

  it('refuses a Retry-After longer than the budget left, without waiting', async () => {
    grafana.failNext({ path: '/api/search', status: 429, retryAfter: 60 });
    const err = await caught(make({ retryBudgetMs: 10_000, now: () => 0 }).get('/api/search'));
    expect(slept).toEqual([]);
    expect(err.status).toBe(429);
    expect(err.message).toMatch(/Retry-After of 60 s exceeds the retry budget left \(10 s\)/);
  });

  it('retries a reset connection and a timeout', async () => {
    grafana.failNext({ path: '/api/search', reset: true });
    grafana.failNext({ path: '/api/search', delayMs: 1500 });
    const c = make({ timeoutMs: 500 });
    const res = await c.get('/api/search');
    expect(res.attempts).toBe(3);
  });

  it('gives up after maxRetries', async () => {
    grafana.failNext({ path: '/api/search', status: 502, times: 10 });
    const err = await caught(make({ maxRetries: 3 }).get('/api/search'));
    expect(err.attempts).toBe(4);
    expect(err.message).toMatch(/→ 502: Bad Gateway \(after 4 attempts\)$/);
  });

  it('does not retry a refused connection when asked (the health check), and does otherwise', async () => {
    const url = grafana.url;
    await grafana.close();
    const c = make({ url, maxRetries: 2 });
    const fast = await caught(c.get('/api/health', { retryRefused: false }));
    expect(fast.code).toBe('ECONNREFUSED');
    expect(fast.status).toBeUndefined();
    expect(fast.message).toBe(`GET /api/health: connection refused (ECONNREFUSED) at ${url}`);
    expect(slept).toEqual([]);
    const slow = await caught(c.get('/api/search'));
    expect(slow.attempts).toBe(3);
    expect(slept).toHaveLength(2);
    grafana = await GrafanaDouble.start({ token: TOKEN });
  });

  it('sends the bearer token, the org header, and refuses writes locally in read-only mode', async () => {
    const c = make({ orgId: 1, readOnly: true });
    await c.get('/api/search');
    const err = await caught(c.post('/api/folders', { title: 'x' }));
    expect(err.message).toMatch(/refused locally, this is a dry run/);
    expect(grafana.requests).toHaveLength(1);
    expect(grafana.requests[0]).toMatchObject({ auth: 'bearer', orgId: '1' });
    expect(c.stats.writes).toBe(0);
  });

  it('uses basic auth, also from credentials in the URL, and never shows them', async () => {
    const c = make({ url: grafana.url.replace('http://', 'http://admin:pa55-w0rd@'), auth: undefined });
    expect(c.baseUrl).toBe(grafana.url);
    await c.get('/api/search');
    expect(grafana.requests[0]!.auth).toBe('basic');
    grafana.failNext({ path: '/api/search', status: 400, body: { message: 'bad admin:pa55-w0rd' } });
    const err = await caught(c.get('/api/search'));
    expect(err.message).not.toContain('pa55-w0rd');
  });

  it('keeps the token out of errors, however they are printed', async () => {
    grafana.failNext({
      path: '/api/search',
      status: 500,
      times: 2,
      body: { message: `upstream rejected Bearer ${TOKEN}` },
    });
    const err = await caught(make({ maxRetries: 1 }).get('/api/search'));
    for (const text of [
      err.message,
      JSON.stringify(err),
      inspect(err, { depth: 10, showHidden: true }),
      String(err.stack),
    ]) {
      expect(text).not.toContain(TOKEN);
    }
    expect(err.message).toContain('upstream rejected Bearer ***');
    const wrong = await caught(make({ auth: { token: 'glsa_wrong_one_123' } }).get('/api/search'));
    expect(wrong.status).toBe(401);
    expect(inspect(wrong, { depth: 10, showHidden: true })).not.toContain('glsa_wrong_one_123');
  });
});
