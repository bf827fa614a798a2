// `dashboard-ci provision` through the CLI edge, against the Grafana double over real HTTP: the flags,
// the environment for credentials, the exit codes, and that no credential reaches the output.

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/run.js';
import { GrafanaDouble } from '../support/grafana-double.js';
import { ENV, TOKEN, copyFixture, type TempRepo } from '../fixtures/provision/repo.js';

let grafana: GrafanaDouble;
let repo: TempRepo;

beforeEach(async () => {
  grafana = await GrafanaDouble.start({
    token: TOKEN,
    basic: { user: 'admin', password: 'hunter2-secret' },
    version: '12.1.0',
  });
  repo = await copyFixture('basic');
});
afterEach(async () => {
  await grafana.close();
  await repo.dispose();
});

async function cli(env: Record<string, string>, ...argv: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(['provision', ...argv], {
    cwd: repo.dir,
    env: { ...ENV, ...env },
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
  });
  return { code, stdout, stderr };
}

describe('dashboard-ci provision', () => {
  it('plans with --dry-run (no write), applies, then re-runs with zero writes', async () => {
    const dry = await cli(
      { GRAFANA_TOKEN: TOKEN },
      '--grafana-url',
      grafana.url,
      '--dry-run',
      '--format',
      'json',
    );
    expect(dry.code).toBe(0);
    expect(grafana.writes()).toHaveLength(0);
    const planned = JSON.parse(dry.stdout) as { items: { kind: string; action: string }[] };
    expect(planned.items.some((i) => i.kind === 'dashboard' && i.action === 'create')).toBe(true);

    const first = await cli({ GRAFANA_TOKEN: TOKEN, GRAFANA_URL: grafana.url });
    expect(first.code).toBe(0);
    const writes = grafana.writes().length;
    expect(writes).toBeGreaterThan(0);

    const again = await cli({ GRAFANA_TOKEN: TOKEN }, '--grafana-url', grafana.url, '--format', 'json');
    expect(again.code).toBe(0);
    expect(grafana.writes()).toHaveLength(writes);
    const items = (JSON.parse(again.stdout) as { items: { action: string; result: string }[] }).items;
    expect(items.length).toBeGreaterThan(0);
    expect(items.every((i) => i.action === 'unchanged')).toBe(true);

    for (const run of [dry, first, again]) {
      expect(run.stdout + run.stderr).not.toContain(TOKEN);
      expect(run.stdout + run.stderr).not.toContain(ENV.CLICKHOUSE_PASSWORD);
    }
  });

  it('exits 1 when Grafana refuses the credentials, without echoing them', async () => {
    const run = await cli({ GRAFANA_TOKEN: 'glsa_wrong_secret_value' }, '--grafana-url', grafana.url);
    expect(run.code).toBe(1);
    expect(run.stdout + run.stderr).not.toContain('glsa_wrong_secret_value');
    expect(grafana.writes()).toHaveLength(0);
  });

  it('exits 2 with one line when the URL or the credentials are missing', async () => {
    const noUrl = await cli({ GRAFANA_TOKEN: TOKEN });
    expect(noUrl.code).toBe(2);
    expect(noUrl.stderr).toMatch(/^dashboard-ci: provision needs --grafana-url/);
    const noToken = await cli({}, '--grafana-url', grafana.url);
    expect(noToken.code).toBe(2);
    expect(noToken.stderr.trim().split('\n')).toEqual([expect.stringContaining('GRAFANA_TOKEN')]);
    const badUrl = await cli({ GRAFANA_TOKEN: TOKEN }, '--grafana-url', 'grafana.local:3000');
    expect(badUrl.code).toBe(2);
  });

  it('authenticates with GRAFANA_USER / GRAFANA_PASSWORD and never prints the password', async () => {
    const run = await cli(
      { GRAFANA_USER: 'admin', GRAFANA_PASSWORD: 'hunter2-secret' },
      '--grafana-url',
      grafana.url,
    );
    expect(run.code).toBe(0);
    expect(grafana.writes().length).toBeGreaterThan(0);
    expect(run.stdout + run.stderr).not.toContain('hunter2-secret');
    const wrong = await cli(
      { GRAFANA_USER: 'admin', GRAFANA_PASSWORD: 'not-it-secret' },
      '--grafana-url',
      grafana.url,
    );
    expect(wrong.code).toBe(1);
    expect(wrong.stdout + wrong.stderr).not.toContain('not-it-secret');
  });
});
