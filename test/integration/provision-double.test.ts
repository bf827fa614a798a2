// The Grafana double keeps the contracts of ../shared/reference/grafana/CONTRACTS.md section A,
// checked here with plain fetch so the provisioning tests stand on a faithful double.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GrafanaDouble } from '../support/grafana-double.js';

const TOKEN = 'glsa_double_token';
let g: GrafanaDouble;
beforeAll(async () => {
  g = await GrafanaDouble.start({ token: TOKEN, version: '12.0.2' });
});
afterAll(async () => g.close());

async function call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${g.url}${path}`, {
    method,
    headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json', ...headers },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

describe('health and auth', () => {
  it('answers /api/health without auth, with the version', async () => {
    const res = await fetch(`${g.url}/api/health`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ commit: 'd0ub1e0', version: '12.0.2', database: 'ok' });
  });

  it('refuses a request without credentials or with a wrong token', async () => {
    expect((await fetch(`${g.url}/api/search`)).status).toBe(401);
    const res = await call('GET', '/api/search', undefined, { Authorization: 'Bearer nope' });
    expect(res).toEqual({ status: 401, body: { message: 'invalid API key' } });
  });
});

describe('dashboards', () => {
  it('validates uid and title like Grafana', async () => {
    expect(await call('POST', '/api/dashboards/db', { dashboard: { uid: 'a b', title: 'T' } })).toEqual({
      status: 400,
      body: { message: 'uid contains illegal characters' },
    });
    expect(
      (await call('POST', '/api/dashboards/db', { dashboard: { uid: 'x'.repeat(41), title: 'T' } })).body,
    ).toEqual({ message: 'uid too long, max 40 characters' });
    expect((await call('POST', '/api/dashboards/db', { dashboard: { uid: 'ok', title: ' ' } })).body).toEqual(
      { status: 'empty-name', message: 'Dashboard title cannot be empty' },
    );
  });

  it('versions saves, 412 without overwrite, forces the version on GET, moves to the root without folderUid', async () => {
    await call('POST', '/api/folders', { uid: 'f1', title: 'F1' });
    const first = await call('POST', '/api/dashboards/db', {
      dashboard: { uid: 'd1', title: 'D1' },
      folderUid: 'f1',
      message: 'one',
    });
    expect(first.body).toMatchObject({ status: 'success', version: 1, uid: 'd1', folderUid: 'f1' });
    const stale = await call('POST', '/api/dashboards/db', {
      dashboard: { uid: 'd1', title: 'D1', version: 0 },
      folderUid: 'f1',
    });
    expect(stale).toEqual({
      status: 412,
      body: { status: 'version-mismatch', message: 'The dashboard has been changed by someone else' },
    });
    const over = await call('POST', '/api/dashboards/db', {
      dashboard: { uid: 'd1', title: 'D1' },
      overwrite: true,
      message: 'two',
    });
    expect(over.body).toMatchObject({ version: 2, folderUid: '' });
    const got = await call('GET', '/api/dashboards/uid/d1');
    expect(got.body.dashboard).toMatchObject({ uid: 'd1', version: 2, id: expect.any(Number) });
    expect(got.body.meta).toMatchObject({ folderUid: '', folderTitle: 'General', version: 2 });
    const versions = await call('GET', '/api/dashboards/uid/d1/versions?limit=1');
    expect(versions.body).toEqual({
      continueToken: '',
      versions: [expect.objectContaining({ version: 2, message: 'two' })],
    });
  });

  it('refuses a missing folder and a plugin dashboard without overwrite', async () => {
    expect(
      await call('POST', '/api/dashboards/db', { dashboard: { uid: 'd2', title: 'D2' }, folderUid: 'nope' }),
    ).toEqual({ status: 400, body: { message: 'folder not found' } });
    g.seedDashboard({ uid: 'plug', title: 'Plugin' }, { pluginId: 'grafana-clickhouse-datasource' });
    const res = await call('POST', '/api/dashboards/db', {
      dashboard: { uid: 'plug', title: 'Plugin', version: 1 },
    });
    expect(res).toEqual({
      status: 412,
      body: {
        status: 'plugin-dashboard',
        message: 'The dashboard belongs to plugin grafana-clickhouse-datasource.',
      },
    });
  });

  it('searches by type and tag, page by page', async () => {
    for (let i = 0; i < 5; i++)
      g.seedDashboard({ uid: `s${i}`, title: `Search ${i}`, tags: i % 2 ? ['odd'] : [] });
    const odd = await call('GET', '/api/search?type=dash-db&tag=odd');
    expect(odd.body.map((h: { uid: string }) => h.uid)).toEqual(['s1', 's3']);
    const page2 = await call('GET', '/api/search?type=dash-db&query=search&limit=2&page=2');
    expect(page2.body.map((h: { uid: string }) => h.uid)).toEqual(['s2', 's3']);
    const folders = await call('GET', '/api/search?type=dash-folder');
    expect(folders.body.every((h: { type: string }) => h.type === 'dash-folder')).toBe(true);
  });
});

describe('folders', () => {
  it('nests, and answers 409 on a duplicate uid or title, 412 on a stale version', async () => {
    await call('POST', '/api/folders', { uid: 'p', title: 'Parent' });
    const child = await call('POST', '/api/folders', { uid: 'c', title: 'Child', parentUid: 'p' });
    expect(child.body).toMatchObject({
      uid: 'c',
      parentUid: 'p',
      parents: [{ uid: 'p', title: 'Parent', id: expect.any(Number) }],
    });
    expect((await call('GET', '/api/folders/p')).body.parentUid).toBeUndefined();
    expect((await call('POST', '/api/folders', { uid: 'p', title: 'Other' })).status).toBe(409);
    expect((await call('POST', '/api/folders', { uid: 'p2', title: 'Parent' })).status).toBe(409);
    expect((await call('POST', '/api/folders', { uid: 'c2', title: 'Child' })).status).toBe(200);
    expect(await call('PUT', '/api/folders/p', { title: 'Renamed', version: 99 })).toEqual({
      status: 412,
      body: { status: 'version-mismatch', message: 'the folder has been changed by someone else' },
    });
    expect((await call('PUT', '/api/folders/p', { title: 'Renamed', overwrite: true })).body).toMatchObject({
      title: 'Renamed',
      version: 2,
    });
    expect((await call('GET', '/api/folders/p/counts')).body).toEqual({
      folder: 1,
      dashboard: 0,
      alertrule: 0,
      librarypanel: 0,
    });
  });
});

describe('datasources', () => {
  it('never returns secrets, fills defaults, 409 on name/uid, keeps omitted secrets on update', async () => {
    const add = await call('POST', '/api/datasources', {
      name: 'CH',
      type: 'grafana-clickhouse-datasource',
      uid: 'ch',
      secureJsonData: { password: 'pw-1' },
    });
    expect(add.body).toMatchObject({ message: 'Datasource added', name: 'CH' });
    const got = await call('GET', '/api/datasources/uid/ch');
    expect(got.body).toMatchObject({
      access: 'proxy',
      url: '',
      basicAuth: false,
      jsonData: {},
      secureJsonFields: { password: true },
      readOnly: false,
      version: 1,
    });
    expect(JSON.stringify(got.body)).not.toContain('pw-1');
    expect(await call('POST', '/api/datasources', { name: 'CH', type: 'x', uid: 'other' })).toEqual({
      status: 409,
      body: { message: 'data source with the same name already exists' },
    });
    expect(await call('POST', '/api/datasources', { name: 'CH2', type: 'x', uid: 'ch' })).toEqual({
      status: 409,
      body: { message: 'data source with the same uid already exists' },
    });
    await call('PUT', '/api/datasources/uid/ch', {
      name: 'CH',
      type: 'grafana-clickhouse-datasource',
      jsonData: { port: 9000 },
      version: 1,
    });
    expect(g.datasourceSecret('ch', 'password')).toBe('pw-1');
    expect(
      await call('PUT', '/api/datasources/uid/ch', {
        name: 'CH',
        type: 'grafana-clickhouse-datasource',
        version: 1,
      }),
    ).toEqual({
      status: 409,
      body: { message: 'Datasource has already been updated by someone else. Please reload and try again' },
    });
  });

  it('refuses to change a read-only datasource, and reports health', async () => {
    g.seedDatasource({ uid: 'ro', name: 'RO', type: 'prometheus' }, { readOnly: true });
    expect(await call('PUT', '/api/datasources/uid/ro', { name: 'RO', type: 'prometheus' })).toEqual({
      status: 403,
      body: { message: 'Cannot update read-only data source' },
    });
    expect((await call('GET', '/api/datasources/uid/ro/health')).body).toEqual({
      status: 'OK',
      message: 'Data source is working',
    });
    g.setDatasourceHealth('ro', { ok: false, message: 'down' });
    expect(await call('GET', '/api/datasources/uid/ro/health')).toEqual({
      status: 400,
      body: { status: 'ERROR', message: 'down' },
    });
  });
});

describe('alerting provisioning', () => {
  const rule = (uid: string) => ({
    uid,
    title: `Rule ${uid}`,
    condition: 'A',
    data: [
      {
        refId: 'A',
        datasourceUid: 'ch',
        relativeTimeRange: { from: 600, to: 0 },
        model: { rawSql: 'SELECT 1', queryType: 'sql' },
      },
    ],
    noDataState: 'NoData',
    execErrState: 'Error',
    for: '300s',
  });

  it('replaces the whole group, sets provenance unless X-Disable-Provenance, and fills model defaults', async () => {
    await call('POST', '/api/folders', { uid: 'alerts', title: 'Alerts' });
    const path = '/api/v1/provisioning/folder/alerts/rule-groups/g1';
    expect((await call('GET', path)).status).toBe(404);
    const put = await call('PUT', path, { title: 'g1', interval: 60, rules: [rule('r1'), rule('r2')] });
    expect(put.body.rules.map((r: { uid: string }) => r.uid)).toEqual(['r1', 'r2']);
    expect(put.body.rules[0]).toMatchObject({ for: '5m', folderUID: 'alerts', ruleGroup: 'g1' });
    // GetRuleGroup never sets provenance: the group answer has none; the rule GET has it.
    expect(put.body.rules[0].provenance).toBeUndefined();
    expect((await call('GET', path)).body.rules[0].provenance).toBeUndefined();
    expect((await call('GET', '/api/v1/provisioning/alert-rules/r1')).body.provenance).toBe('api');
    expect(put.body.rules[0].data[0]).toMatchObject({
      queryType: 'sql',
      model: { maxDataPoints: 43200, intervalMs: 1000 },
    });
    const again = await call(
      'PUT',
      path,
      { title: 'g1', interval: 60, rules: [rule('r2')] },
      { 'X-Disable-Provenance': 'true' },
    );
    expect(again.body.rules).toHaveLength(1);
    expect(g.org().rules.has('r1')).toBe(false);
    // ReplaceRuleGroup writes the delta: r2 did not change, so its provenance did not either...
    expect(g.ruleProvenance('r2')).toBe('api');
    // ...a PUT of the rule itself does.
    const one = await call('PUT', '/api/v1/provisioning/alert-rules/r2', rule('r2'), {
      'X-Disable-Provenance': 'x',
    });
    expect(one.status).toBe(200);
    expect(g.ruleProvenance('r2')).toBe('');
    expect((await call('PUT', path, { title: 'g1', interval: 15, rules: [] })).status).toBe(400);
    expect((await call('DELETE', '/api/folders/alerts')).body).toEqual({
      message: 'folder cannot be deleted: folder contains alert rules',
    });
  });
});

// Contact points as ngalert's api_provisioning.go and provisioning/contactpoints.go answer them; the
// statuses that differ by version are checked against a 10.4 and a 12.x double.
describe.each(['10.4.3', '12.1.0'])('contact points (Grafana %s)', (version) => {
  let d: GrafanaDouble;
  beforeAll(async () => {
    d = await GrafanaDouble.start({ token: TOKEN, version });
  });
  afterAll(async () => d.close());
  const cp = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
    const res = await fetch(`${d.url}/api/v1/provisioning/contact-points${path}`, {
      method,
      headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json', ...headers },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  };
  const slack = {
    uid: 'slack-1',
    name: 'ops',
    type: 'slack',
    settings: { url: 'https://hooks/x', recipient: '#a' },
  };

  it('POST → 202 with secrets redacted and provenance "api"; GET lists them redacted; an empty secret is left out', async () => {
    expect(await cp('POST', '', slack)).toEqual({
      status: 202,
      body: {
        uid: 'slack-1',
        name: 'ops',
        type: 'slack',
        settings: { url: '[REDACTED]', recipient: '#a' },
        disableResolveMessage: false,
        provenance: 'api',
      },
    });
    await cp(
      'POST',
      '',
      { uid: 'hook-1', name: 'hooks', type: 'webhook', settings: { url: 'https://h', password: '' } },
      {
        'X-Disable-Provenance': 'anything',
      },
    );
    const list = await cp('GET', '');
    expect(list.status).toBe(200);
    expect(list.body.map((c: { uid: string }) => c.uid)).toEqual(['hook-1', 'slack-1']);
    expect(list.body[0]).toEqual({
      uid: 'hook-1',
      name: 'hooks',
      type: 'webhook',
      settings: { url: 'https://h' },
      disableResolveMessage: false,
    });
    expect((await cp('GET', '?name=ops')).body).toHaveLength(1);
  });

  it('refuses an invalid receiver (400) and a uid in use (409 from 11, 500 in 10.4)', async () => {
    expect(await cp('POST', '', { name: 'x', type: '', settings: {} })).toEqual({
      status: 400,
      body: { message: 'type should not be an empty string' },
    });
    expect((await cp('POST', '', { name: 'x', type: 'email', settings: {} })).body).toEqual({
      message: 'could not find addresses in settings',
    });
    const dup = await cp('POST', '', slack);
    expect(dup.status).toBe(version.startsWith('10.') ? 500 : 409);
    expect(JSON.stringify(dup.body)).toMatch(/UID 'slack-1' already exist/i);
  });

  it('PUT keeps a "[REDACTED]" secret, 404s an unknown uid, refuses a provenance change from "api"', async () => {
    const put = await cp('PUT', '/slack-1', { ...slack, settings: { url: '[REDACTED]', recipient: '#b' } });
    expect(put).toEqual({ status: 202, body: { message: 'contactpoint updated' } });
    expect(d.contactPoint('slack-1')).toMatchObject({
      secure: { url: 'https://hooks/x' },
      settings: { recipient: '#b' },
    });
    expect((await cp('PUT', '/nope', slack)).status).toBe(404);
    expect((await cp('PUT', '/slack-1', { ...slack, settings: null })).status).toBe(400);
    const change = await cp('PUT', '/slack-1', slack, { 'X-Disable-Provenance': 'true' });
    expect(change).toEqual({ status: 500, body: { message: "cannot change provenance from 'api' to ''" } });
  });

  it('DELETE → 202 (an unknown uid too); the last receiver a policy routes to is refused', async () => {
    d.routeTo('ops');
    const refused = await cp('DELETE', '/slack-1');
    if (version.startsWith('10.'))
      expect(refused).toEqual({
        status: 500,
        body: { message: "contact point 'ops' is currently used by a notification policy" },
      });
    else
      expect(refused).toEqual({
        status: 409,
        body: {
          message: 'Contact point is currently referenced by a notification policy.',
          messageId: 'alerting.notifications.contact-points.referenced',
          statusCode: 409,
        },
      });
    expect(await cp('DELETE', '/hook-1')).toEqual({ status: 202, body: { message: 'contactpoint deleted' } });
    expect((await cp('DELETE', '/never-was')).status).toBe(202);
  });
});
