import { describe, expect, it } from 'vitest';
import {
  InputError,
  readGrafanaSettings,
  readSettings,
  type InputSource,
} from '../../../src/action/inputs.js';
import { UsageError } from '../../../src/core/types.js';

function source(inputs: Record<string, string>) {
  const read: string[] = [];
  const masked: string[] = [];
  const src: InputSource = {
    getInput: (name) => {
      read.push(name);
      return inputs[name] ?? '';
    },
    setSecret: (v) => void masked.push(v),
  };
  return { src, read, masked };
}

describe('readSettings', () => {
  it('has the documented defaults', () => {
    const s = readSettings(source({ 'github-token': 'ghs_x' }).src);
    expect(s).toEqual({
      githubToken: 'ghs_x',
      mode: 'auto',
      paths: [],
      comment: true,
      failOn: 'error',
      dryRun: false,
      prune: false,
      chdbVersion: '3.4.0',
      releaseRefs: [],
      explain: true,
      reviewComments: true,
    });
  });

  it('quotes a bad value and names the expected form, like actions/checkout', () => {
    expect(() => readSettings(source({ 'fail-on': 'sometimes' }).src)).toThrow(
      `Input 'fail-on' must be one of error, warning, never; got "sometimes"`,
    );
    expect(() => readSettings(source({ mode: 'deploy' }).src)).toThrow(
      `Input 'mode' must be one of auto, check, provision; got "deploy"`,
    );
    expect(() => readSettings(source({ comment: 'yes' }).src)).toThrow(
      `Input 'comment' must be true or false; got "yes"`,
    );
    expect(() => readSettings(source({ 'chdb-version': 'latest' }).src)).toThrow(
      `Input 'chdb-version' must be an exact version such as 3.4.0; got "latest"`,
    );
    expect(() => readSettings(source({ 'regression-threshold': 'lots' }).src)).toThrow(
      `Input 'regression-threshold' must be a fraction like 0.2 or a percentage like 20%; got "lots"`,
    );
    expect(() => readSettings(source({ 'clickhouse-url': 'ftp://ch:21' }).src)).toThrow(
      `Input 'clickhouse-url' must be an http(s) URL such as https://host:8443; got "ftp://ch:21"`,
    );
    const err = (() => {
      try {
        readSettings(source({ 'fail-on': 'x', 'dry-run': 'maybe' }).src);
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(InputError);
    expect(err).toBeInstanceOf(UsageError);
    expect((err as Error).message.split('\n')).toHaveLength(2);
  });

  it('parses lists, booleans, thresholds', () => {
    const s = readSettings(
      source({
        paths: 'dashboards/a.json\ndashboards/b.json, alerts/x.yaml\n\n',
        'dry-run': 'TRUE',
        prune: 'False',
        'regression-threshold': '25%',
        'base-ref': 'origin/main',
      }).src,
    );
    expect(s.paths).toEqual(['dashboards/a.json', 'dashboards/b.json', 'alerts/x.yaml']);
    expect([s.dryRun, s.prune, s.regressionThreshold, s.baseRef]).toEqual([true, false, 0.25, 'origin/main']);
    expect(readSettings(source({ 'regression-threshold': '0.1' }).src).regressionThreshold).toBe(0.1);
  });

  it('masks every secret before anything else is parsed, and splits credentials off the ClickHouse URL', () => {
    const { src, read, masked } = source({
      'github-token': 'ghp_secret',
      'clickhouse-password': 'chpw',
      'clickhouse-url': 'https://reader:url%40pw@ch.example:8443/',
      'fail-on': 'bogus',
    });
    expect(() => readSettings(src)).toThrow(/fail-on/);
    expect(masked).toEqual(expect.arrayContaining(['ghp_secret', 'chpw']));
    expect(read.indexOf('github-token')).toBe(0);
    expect(read.indexOf('clickhouse-password')).toBe(1);
    const ok = source({ 'clickhouse-url': 'https://reader:url%40pw@ch.example:8443/' });
    const s = readSettings(ok.src);
    expect(s.clickhouse).toEqual({
      url: 'https://ch.example:8443',
      user: 'reader',
      password: 'url@pw',
      prepare: false,
    });
    expect(
      readSettings(source({ 'clickhouse-url': 'http://ch:8123', 'clickhouse-prepare': 'true' }).src)
        .clickhouse,
    ).toEqual({
      url: 'http://ch:8123',
      prepare: true,
    });
    expect(ok.masked).toContain('url@pw');
  });

  it('never reads a Grafana input', () => {
    const { src, read } = source({ 'grafana-token': 'glsa_secret' });
    readSettings(src);
    expect(read.filter((n) => n.startsWith('grafana'))).toEqual([]);
  });
});

describe('readGrafanaSettings', () => {
  it('masks the token and takes the URL', () => {
    const { src, masked } = source({ 'grafana-token': 'glsa_t', 'grafana-url': 'https://grafana.example/' });
    expect(readGrafanaSettings(src, {})).toEqual({
      url: 'https://grafana.example',
      auth: { token: 'glsa_t' },
    });
    expect(masked).toEqual(['glsa_t']);
  });

  it('falls back to GRAFANA_TOKEN, or GRAFANA_USER / GRAFANA_PASSWORD, masking them', () => {
    const a = source({});
    expect(readGrafanaSettings(a.src, { GRAFANA_TOKEN: 'envtok' }).auth).toEqual({ token: 'envtok' });
    expect(a.masked).toEqual(['envtok']);
    const b = source({});
    expect(readGrafanaSettings(b.src, { GRAFANA_USER: 'admin', GRAFANA_PASSWORD: 'pw' }).auth).toEqual({
      user: 'admin',
      password: 'pw',
    });
    expect(b.masked).toEqual(['pw']);
  });

  it('needs credentials, and refuses them inside the URL', () => {
    expect(() => readGrafanaSettings(source({}).src, {})).toThrow(
      `Input 'grafana-token' (or 'grafana-user' and 'grafana-password') is required to provision; got none`,
    );
    const s = source({ 'grafana-token': 't', 'grafana-url': 'https://admin:hunter2@g.example' });
    expect(() => readGrafanaSettings(s.src, {})).toThrow(/must not carry credentials/);
    expect(s.masked).toContain('hunter2');
  });
});
