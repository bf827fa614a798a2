// provision() when Grafana misbehaves: retries (503, 429 + Retry-After, resets, timeouts), what is
// never retried, one failure not stopping the others, and no credential or secret anywhere.

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { inspect } from 'node:util';
import { GrafanaDouble } from '../support/grafana-double.js';
import {
  provision,
  provisionJson,
  renderProvisionText,
  type ProvisionDeps,
} from '../../src/grafana/provision.js';
import type { ProvisionOptions, ProvisionResult } from '../../src/grafana/types.js';
import { defaultConfig } from '../../src/config/defaults.js';
import { derivedFolderUid } from '../../src/grafana/desired.js';
import {
  ENV,
  TOKEN,
  copyFixture,
  emptyRepo,
  generateDashboards,
  type TempRepo,
} from '../fixtures/provision/repo.js';

let grafana: GrafanaDouble;
let repo: TempRepo;
let lines: string[];
let slept: number[];
const deps = (): ProvisionDeps => ({
  sleep: async (ms) => {
    slept.push(ms);
  },
});

beforeEach(async () => {
  grafana = await GrafanaDouble.start({ token: TOKEN });
  lines = [];
  slept = [];
});
afterEach(async () => {
  await grafana.close();
  await repo?.dispose();
});

function options(over: Partial<ProvisionOptions> = {}): ProvisionOptions {
  const config = defaultConfig();
  config.grafana.orgId = 1;
  return {
    cwd: repo.dir,
    paths: [],
    config,
    grafanaUrl: grafana.url,
    auth: { token: TOKEN },
    dryRun: false,
    prune: false,
    env: { ...ENV },
    log: (l) => lines.push(l),
    ...over,
  };
}

const posts = () => grafana.requests.filter((r) => r.method === 'POST' && r.path === '/api/dashboards/db');

describe('retries', () => {
  beforeEach(async () => {
    repo = await copyFixture('basic');
  });

  it('retries a 503 and succeeds', async () => {
    grafana.failNext({
      method: 'POST',
      path: '/api/dashboards/db',
      status: 503,
      body: { message: 'Service Unavailable' },
    });
    const r = await provision(options(), deps());
    expect(r.failures).toBe(0);
    expect(r.retries).toBe(1);
    expect(posts()).toHaveLength(4);
    expect(slept).toHaveLength(1);
    expect(lines.some((l) => /retrying POST \/api\/dashboards\/db after 503 \(retry 1/.test(l))).toBe(true);
  });

  it('waits at least Retry-After on a 429', async () => {
    grafana.failNext({
      method: 'GET',
      path: /^\/api\/datasources\/uid\//,
      status: 429,
      retryAfter: 3,
      body: { message: 'Too Many Requests' },
    });
    const r = await provision(options(), deps());
    expect(r.failures).toBe(0);
    expect(slept).toHaveLength(1);
    expect(slept[0]).toBeGreaterThanOrEqual(3000);
  });

  it('gives up when Retry-After does not fit in the retry budget, and says so', async () => {
    grafana.failNext({ method: 'POST', path: '/api/dashboards/db', status: 429, retryAfter: 120, times: 1 });
    const r = await provision(options(), deps());
    expect(slept).toEqual([]);
    const failed = r.items.filter((i) => i.result === 'failed');
    expect(failed).toHaveLength(1);
    expect(failed[0]!.error).toMatchObject({ status: 429, code: 'rate-limited' });
    expect(failed[0]!.error!.message).toMatch(/Retry-After of 120 s exceeds the retry budget left/);
  });

  it('retries a connection reset and a timeout', async () => {
    grafana.failNext({ method: 'POST', path: '/api/dashboards/db', reset: true });
    grafana.failNext({ method: 'POST', path: '/api/folders', delayMs: 1500 });
    const r = await provision(options(), { ...deps(), timeoutMs: 500 });
    expect(r.failures).toBe(0);
    expect(r.retries).toBeGreaterThanOrEqual(2);
    expect(lines.some((l) => l.includes('after ECONNRESET'))).toBe(true);
    expect(lines.some((l) => l.includes('POST /api/folders after timeout'))).toBe(true);
    // The folder whose first POST timed out was created by it: the retry's 409 is recognised.
    expect(r.items.filter((i) => i.kind === 'folder').every((i) => i.result === 'created')).toBe(true);
  });

  it.each([400, 401, 403, 404, 409, 412])('never retries a %i', async (status) => {
    grafana.failNext({
      method: 'POST',
      path: '/api/dashboards/db',
      status,
      body: { message: `injected ${status}` },
    });
    const r = await provision(options(), deps());
    expect(posts()).toHaveLength(3);
    expect(slept).toEqual([]);
    expect(r.retries).toBe(0);
    expect(r.items.filter((i) => i.result === 'failed')).toHaveLength(1);
  });

  it('gives each failure its own outcome, naming the dashboard', async () => {
    grafana.failNext({
      method: 'POST',
      path: '/api/dashboards/db',
      status: 412,
      body: { status: 'version-mismatch', message: 'The dashboard has been changed by someone else' },
    });
    const r = await provision(options(), deps());
    const failed = r.items.find((i) => i.result === 'failed')!;
    expect(failed.error).toMatchObject({ status: 412, code: 'version-mismatch' });
    expect(failed.error!.message).toMatch(
      /^dashboard "[^"]+" \(uid prov-[a-z]+, dashboards\/.*\.json\): changed by someone else/,
    );
  });

  it('fails what sits in a folder that could not be created, and nothing else', async () => {
    grafana.failNext({
      method: 'POST',
      path: '/api/folders',
      status: 400,
      body: { message: 'Maximum nested folder depth reached' },
    });
    const r = await provision(options(), deps());
    const folderItems = r.items.filter((i) => i.kind === 'folder');
    // Level 0 is team-a, so the failure hits it; its child and everything inside fail as dependencies.
    expect(folderItems.find((i) => i.uid === derivedFolderUid('team-a'))).toMatchObject({
      result: 'failed',
      error: { code: 'invalid' },
    });
    expect(folderItems.find((i) => i.uid === derivedFolderUid('team-a/ops'))).toMatchObject({
      result: 'failed',
      error: { code: 'dependency' },
    });
    expect(r.items.find((i) => i.uid === 'prov-sales')).toMatchObject({
      result: 'failed',
      error: { code: 'dependency' },
    });
    expect(r.items.find((i) => i.uid === 'prov-overview')).toMatchObject({ result: 'created' });
    expect(r.failures).toBe(5);
    expect(grafana.writes().filter((w) => w.path === '/api/folders')).toHaveLength(1);
  });

  it('explains a folder title that already exists in Grafana under another uid', async () => {
    grafana.seedFolder({ uid: 'hand-made-team-a', title: 'team-a' });
    const r = await provision(options(), deps());
    const f = r.items.find((i) => i.uid === derivedFolderUid('team-a'))!;
    expect(f).toMatchObject({ result: 'failed', error: { status: 409, code: 'conflict' } });
    expect(f.error!.message).toContain('Grafana already has a folder "team-a" with uid hand-made-team-a');
    expect(f.error!.message).toContain('path: dashboards/team-a');
  });
});

describe('many dashboards', () => {
  it('applies the other 47 when 3 of 50 dashboards fail, and lists the 3', async () => {
    repo = await emptyRepo();
    await generateDashboards(repo, 50, 5, 2);
    grafana.failNext({
      method: 'POST',
      path: '/api/dashboards/db',
      status: 400,
      times: 3,
      body: { message: 'Dashboard title cannot be empty', status: 'empty-name' },
    });
    const r = await provision(options(), deps());
    const dashboards = r.items.filter((i) => i.kind === 'dashboard');
    expect(dashboards).toHaveLength(50);
    expect(dashboards.filter((i) => i.result === 'created')).toHaveLength(47);
    const failed = dashboards.filter((i) => i.result === 'failed');
    expect(failed).toHaveLength(3);
    for (const f of failed)
      expect(f.error).toMatchObject({
        status: 400,
        code: 'invalid',
        message: expect.stringContaining(`(uid ${f.uid},`),
      });
    expect(r.failures).toBe(3);
    expect(grafana.org().dashboards.size).toBe(47);
    expect(posts()).toHaveLength(50);
    expect(renderProvisionText(r)).toContain('Failures (3):');

    // The re-run writes only the 3 that failed.
    grafana.clearLog();
    const again = await provision(options(), deps());
    expect(again.failures).toBe(0);
    expect(posts()).toHaveLength(3);
  });

  it('keeps concurrency within config.grafana.concurrency', async () => {
    repo = await emptyRepo();
    await generateDashboards(repo, 40, 0, 1);
    // Slow writes make requests pile up at the server if the client does not bound them.
    grafana.failNext({ method: 'POST', path: '/api/dashboards/db', delayMs: 15, times: 40 });
    const opts = options();
    opts.config.grafana.concurrency = 3;
    const r = await provision(opts, deps());
    expect(r.failures).toBe(0);
    expect(grafana.maxInFlight).toBeLessThanOrEqual(3);
    expect(grafana.maxInFlight).toBeGreaterThanOrEqual(2);
  });
});

describe('credentials and secrets never leak', () => {
  const secrets = [
    TOKEN,
    ENV.CLICKHOUSE_PASSWORD,
    ENV.REDIS_PASSWORD,
    Buffer.from(`admin:${'b4sic-secret'}`).toString('base64'),
    'b4sic-secret',
  ];
  const everything = (r: ProvisionResult) =>
    [
      lines.join('\n'),
      renderProvisionText(r),
      provisionJson(r),
      JSON.stringify(r),
      inspect(r, { depth: 10 }),
    ].join('\n');

  it('keeps the token, the password and the datasource secrets out of every output, even when Grafana echoes them', async () => {
    repo = await copyFixture('basic');
    // Grafana (or a proxy) echoing secrets back in an error body, on a write and on a retried read.
    grafana.failNext({
      method: 'POST',
      path: '/api/datasources',
      status: 400,
      body: {
        message: `Validation error, invalid URL: "http://user:${ENV.CLICKHOUSE_PASSWORD}@ch:8123" token=${TOKEN}`,
      },
    });
    grafana.failNext({
      method: 'POST',
      path: '/api/dashboards/db',
      status: 500,
      times: 10,
      body: `<html>upstream said Bearer ${TOKEN}</html>`,
    });
    const r = await provision(options(), { ...deps(), maxRetries: 2 });
    expect(r.failures).toBeGreaterThan(0);
    const all = everything(r);
    for (const s of secrets.slice(0, 3)) expect(all).not.toContain(s);
    expect(all).toContain('***');
  });

  it('keeps basic-auth credentials out of every output, including credentials written in the URL', async () => {
    repo = await copyFixture('basic');
    await grafana.close();
    grafana = await GrafanaDouble.start({ basic: { user: 'admin', password: 'b4sic-secret' } });
    const withUserinfo = grafana.url.replace('http://', 'http://admin:b4sic-secret@');
    grafana.failNext({ method: 'POST', path: '/api/dashboards/db', status: 400, body: { message: 'nope' } });
    const r = await provision(
      options({ grafanaUrl: withUserinfo, auth: { user: 'admin', password: 'b4sic-secret' } }),
      deps(),
    );
    expect(r.grafanaUrl).toBe(grafana.url);
    const all = everything(r);
    for (const s of secrets) expect(all).not.toContain(s);
    expect(all).not.toContain('admin:');
  });

  it('keeps the token out of a refused run and of an unreachable one', async () => {
    repo = await copyFixture('basic');
    const bad = await provision(options({ auth: { token: `${TOKEN}-revoked` } }), deps());
    expect(everything(bad)).not.toContain(TOKEN);
    const url = grafana.url;
    await grafana.close();
    const down = await provision(options({ grafanaUrl: url }), deps());
    expect(down.fatal).toBeDefined();
    expect(everything(down)).not.toContain(TOKEN);
    grafana = await GrafanaDouble.start({ token: TOKEN });
  });
});
