// Issue 8, items 6 and 7, over real HTTP against the Grafana double: secrets in their JSON- and
// URL-encoded forms are masked; a Grafana behind a login page (HTML with 200) is a failure and
// `provision` exits 1; paging stops when a server ignores `page`; a timeout is retried within the
// budget. Each test fails on the code before this change.

import { afterEach, describe, expect, it } from 'vitest';
import { GrafanaDouble } from '../support/grafana-double.js';
import { provision, provisionJson, renderProvisionText } from '../../src/grafana/provision.js';
import type { ProvisionOptions } from '../../src/grafana/types.js';
import { defaultConfig } from '../../src/config/defaults.js';
import { createGrafanaClient } from '../../src/grafana/client.js';
import { pageAll } from '../../src/grafana/plan.js';
import { Redactor, secretForms } from '../../src/grafana/redact.js';
import { runCli } from '../../src/cli/run.js';
import { ENV, TOKEN, copyFixture, emptyRepo, type TempRepo } from '../fixtures/provision/repo.js';

let grafana: GrafanaDouble | undefined;
let repo: TempRepo | undefined;
afterEach(async () => {
  await grafana?.close();
  await repo?.dispose();
  grafana = undefined;
  repo = undefined;
});

function options(over: Partial<ProvisionOptions> = {}): ProvisionOptions {
  const config = defaultConfig();
  config.grafana.orgId = 1;
  config.grafana.retryBudgetMs = 2000;
  return {
    cwd: repo!.dir,
    paths: [],
    config,
    grafanaUrl: grafana!.url,
    auth: { token: TOKEN },
    dryRun: false,
    prune: false,
    env: { ...ENV },
    ...over,
  };
}

describe('redaction of encoded secrets', () => {
  it('masks every spelling of a secret: raw, JSON-escaped (once and twice), URL- and form-encoded', () => {
    const secret = 'pa"ss\\w0rd &<x> y';
    const r = new Redactor();
    r.add(secret);
    for (const form of secretForms(secret)) expect(r.redact(`before ${form} after`)).toBe('before *** after');
    expect(r.redact(JSON.stringify({ message: JSON.stringify({ password: secret }) }))).not.toContain('w0rd');
    expect(r.redactValue({ [`key ${secret}`]: [`v ${encodeURIComponent(secret)}`] })).toEqual({
      'key ***': ['v ***'],
    });
  });

  it('masks a password holding " and \\ that a Grafana error body echoes as JSON', async () => {
    grafana = await GrafanaDouble.start({ token: TOKEN });
    repo = await copyFixture('basic');
    const secret = 'se"cr\\et-Pa55';
    // Grafana's validation errors quote the request: the password arrives JSON-escaped.
    grafana.failNext({
      method: 'POST',
      path: '/api/datasources',
      status: 400,
      times: 2,
      body: { message: `bad request data: ${JSON.stringify({ secureJsonData: { password: secret } })}` },
    });
    const lines: string[] = [];
    const r = await provision(
      options({ env: { ...ENV, CLICKHOUSE_PASSWORD: secret }, log: (l) => lines.push(l) }),
    );
    const escaped = JSON.stringify(secret).slice(1, -1);
    expect(r.failures).toBeGreaterThan(0);
    const everything = [provisionJson(r), renderProvisionText(r), ...lines].join('\n');
    expect(everything).toContain('bad request data');
    expect(everything).not.toContain(secret);
    expect(everything).not.toContain(escaped);
    expect(everything).not.toContain('cr\\\\et');
  });
});

describe('a Grafana behind a login page', () => {
  it('fails naming the URL and the content type, never reporting success', async () => {
    grafana = await GrafanaDouble.start({ token: TOKEN, loginPage: true });
    repo = await copyFixture('basic');
    const r = await provision(options());
    expect(r.failures).toBeGreaterThan(0);
    expect(r.writes).toBe(0);
    expect(r.fatal?.message).toContain(
      `GET ${grafana.url}/api/health → 200 with text/html instead of the JSON`,
    );
    expect(r.fatal?.message).toMatch(/login page or a proxy/);
  });

  it('makes `dashboard-ci provision` exit 1, without the credentials in the URL it names', async () => {
    grafana = await GrafanaDouble.start({ token: TOKEN, loginPage: true });
    repo = await copyFixture('basic');
    let out = '';
    const withUser = grafana.url.replace('http://', 'http://admin:hunter2-secret@');
    const code = await runCli(['provision', '--grafana-url', withUser], {
      cwd: repo.dir,
      env: { ...ENV, GRAFANA_TOKEN: TOKEN },
      stdout: { write: (s: string) => (out += s) },
      stderr: { write: (s: string) => (out += s) },
    });
    expect(code).toBe(1);
    expect(out).toContain('text/html');
    expect(out).not.toContain('hunter2-secret');
    expect(out).not.toContain(TOKEN);
  });

  it('fails a write whose answer is HTML, naming it', async () => {
    grafana = await GrafanaDouble.start({ token: TOKEN });
    repo = await copyFixture('basic');
    const client = createGrafanaClient({ url: grafana.url, auth: { token: TOKEN } });
    try {
      await expect(client.get('/api/does-not-exist', { allow: [404] })).resolves.toMatchObject({
        status: 404,
      });
      await grafana.close();
      grafana = await GrafanaDouble.start({ token: TOKEN, loginPage: true });
      const other = createGrafanaClient({ url: grafana.url, auth: { token: TOKEN } });
      await expect(other.post('/api/dashboards/db', {})).rejects.toMatchObject({
        code: 'not-json',
        status: 200,
        message: expect.stringContaining(`POST ${grafana.url}/api/dashboards/db → 200 with text/html`),
      });
      other.close();
    } finally {
      client.close();
    }
  });
});

describe('bounded paging', () => {
  it('stops when a search ignores `page` (the same page again), instead of paging forever', async () => {
    grafana = await GrafanaDouble.start({ token: TOKEN, searchIgnoresPage: true });
    repo = await emptyRepo();
    await repo.write('dashboards/one.json', { uid: 'one', title: 'One' });
    for (let i = 0; i < 5000; i++) grafana.seedDashboard({ uid: `seed-${i}`, title: `Seed ${i}` });
    const run = provision(options({ prune: true }));
    const timeout = new Promise<never>((_, reject) =>
      setTimeout(() => reject(new Error('provision kept paging: it did not stop')), 30_000),
    );
    const r = await Promise.race([run, timeout]);
    expect(r.failures).toBe(0);
    expect(grafana.requests.filter((q) => q.path === '/api/search').length).toBeLessThanOrEqual(4);
  }, 60_000);

  it('fails with a clear error past the page cap', async () => {
    let n = 0;
    const endless = async <T>() => ({
      status: 200,
      data: Array.from({ length: 10 }, () => ({ uid: `u${n++}` })) as T,
    });
    await expect(pageAll(endless, '/api/search', {}, 10, 7)).rejects.toThrow(
      'GET /api/search: still more after 7 pages of 10 (70 items): stopped',
    );
  });
});

describe('timeouts within the retry budget', () => {
  it('retries a timed-out attempt even when the timeout asked for equals the budget', async () => {
    grafana = await GrafanaDouble.start({ token: TOKEN });
    grafana.failNext({ method: 'GET', path: '/api/search', delayMs: 2500 });
    const retries: string[] = [];
    const client = createGrafanaClient({
      url: grafana.url,
      auth: { token: TOKEN },
      retryBudgetMs: 2000,
      timeoutMs: 2000,
      sleep: async () => {},
      onRetry: (r) => retries.push(r.reason),
    });
    try {
      const res = await client.get('/api/search');
      expect(res.status).toBe(200);
      expect(retries).toEqual(['timeout']);
    } finally {
      client.close();
    }
  });
});
