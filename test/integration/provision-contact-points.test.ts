// Contact points through /api/v1/provisioning/contact-points against the Grafana double as 10.4, 11.2
// and 12.1 (test/support/grafana-double.ts follows ngalert's api_provisioning.go and
// provisioning/contactpoints.go): written from the alert files' contactPoints (Grafana's
// file-provisioning format), idempotent although Grafana answers secrets "[REDACTED]", secrets from
// $VAR never in the plan, the logs, the PR comment or errors, pruned only when dashboard-ci wrote them,
// and a receiver still routed to reported as refused without stopping the others.

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GrafanaDouble } from '../support/grafana-double.js';
import { provision, renderProvisionText } from '../../src/grafana/provision.js';
import { renderProvisionMarkdown } from '../../src/report/markdown.js';
import type { ProvisionOptions, ProvisionResult } from '../../src/grafana/types.js';
import { TOKEN, copyFixture, provisionOptions, type TempRepo } from '../fixtures/provision/repo.js';

const VERSIONS = ['10.4.3', '11.2.2', '12.1.0'] as const;
/** A canary: it must reach Grafana and nowhere else. */
const SLACK_URL = 'https://hooks.slack.example/services/T000/B000/canary-5ecr3t-webhook';
const WEBHOOK_PASSWORD = 'wh-canary-pa55word';

const contactPointsYaml = (over: { email?: string; withPager?: boolean } = {}) => `apiVersion: 1
contactPoints:
  - orgId: 1
    name: team-a
    receivers:
      - uid: team-a-slack
        type: slack
        settings:
          url: $SLACK_URL
          recipient: "#alerts"
          title: '{{ template "slack.default.title" . }}'
      - uid: team-a-email
        type: email
        disableResolveMessage: true
        settings:
          addresses: ${over.email ?? 'oncall@example.com'}
${
  over.withPager === false
    ? ''
    : `  - name: pager
    receivers:
      - uid: pager-hook
        type: webhook
        settings:
          url: https://pager.example/hook
          username: grafana
          password: \${WEBHOOK_PASSWORD}
`
}`;

let grafana: GrafanaDouble;
let repo: TempRepo;
let lines: string[];

const options = (over: Partial<ProvisionOptions> = {}, grafanaOver = {}) => {
  const o = provisionOptions(
    { cwd: repo.dir, grafanaUrl: grafana.url },
    {
      commit: { sha: 'abcdef1234567890', subject: 'Contact points' },
      log: (l) => lines.push(l),
      ...over,
    },
    grafanaOver,
  );
  o.env = { ...o.env, SLACK_URL, WEBHOOK_PASSWORD };
  return o;
};
const item = (r: ProvisionResult, uid: string) =>
  r.items.find((i) => i.kind === 'contact-point' && i.uid === uid);
const cpWrites = () =>
  grafana
    .writes()
    .filter((w) => w.path.startsWith('/api/v1/provisioning/contact-points'))
    .map((w) => `${w.method} ${w.path}`);
/** Everything a run shows: the JSON result, the text, the PR comment's deploy plan, the log lines. */
const shown = (r: ProvisionResult) =>
  [JSON.stringify(r), renderProvisionText(r), renderProvisionMarkdown(r), ...lines].join('\n');

describe.each(VERSIONS)('against Grafana %s', (version) => {
  beforeEach(async () => {
    grafana = await GrafanaDouble.start({ token: TOKEN, version });
    repo = await copyFixture('basic');
    await repo.write('alerts/contact-points.yaml', contactPointsYaml());
    lines = [];
  });
  afterEach(async () => {
    await grafana.close();
    await repo.dispose();
  });

  it('creates every receiver with its secret, marked and with provenance "api"; a re-run writes nothing', async () => {
    const first = await provision(options());
    expect(first.failures).toBe(0);
    for (const uid of ['team-a-slack', 'team-a-email', 'pager-hook'])
      expect(item(first, uid)).toMatchObject({ action: 'create', result: 'created' });
    // Before the alert rules, which may name them in their notification settings.
    const order = grafana.writes().map((w) => w.path);
    expect(order.lastIndexOf('/api/v1/provisioning/contact-points')).toBeLessThan(
      order.findIndex((p) => p.includes('/rule-groups/')),
    );
    const slack = grafana.contactPoint('team-a-slack')!;
    expect(slack).toMatchObject({
      name: 'team-a',
      type: 'slack',
      provenance: 'api',
      secure: { url: SLACK_URL },
      settings: { recipient: '#alerts', dashboard_ci: 'managed' },
    });
    expect(grafana.contactPoint('team-a-email')).toMatchObject({ disableResolveMessage: true });
    expect(grafana.contactPoint('pager-hook')!.secure).toEqual({ password: WEBHOOK_PASSWORD });
    expect(shown(first)).not.toContain('canary');

    grafana.clearLog();
    lines = [];
    const again = await provision(options());
    expect(again.failures).toBe(0);
    expect(again.writes).toBe(0);
    expect(grafana.writes()).toEqual([]);
    expect(item(again, 'team-a-slack')).toMatchObject({ action: 'unchanged', result: 'unchanged' });
    // One listing for all receivers.
    expect(
      grafana.requests.filter((r) => r.path.startsWith('/api/v1/provisioning/contact-points')),
    ).toHaveLength(1);
  });

  it('a changed setting is one PUT with a readable diff; a changed secret is pushed only with resendSecrets, never shown', async () => {
    await provision(options());
    await repo.write('alerts/contact-points.yaml', contactPointsYaml({ email: 'team-a@example.com' }));
    grafana.clearLog();
    const changed = await provision(options());
    expect(changed.failures).toBe(0);
    expect(cpWrites()).toEqual(['PUT /api/v1/provisioning/contact-points/team-a-email']);
    expect(item(changed, 'team-a-email')).toMatchObject({
      action: 'update',
      result: 'updated',
      diff: ['settings.addresses: "oncall@example.com" → "team-a@example.com"'],
    });

    const rotated = 'https://hooks.slack.example/services/T000/B000/canary-r0tated';
    const withRotated = (o: ProvisionOptions) => ((o.env = { ...o.env, SLACK_URL: rotated }), o);
    grafana.clearLog();
    lines = [];
    const invisible = await provision(withRotated(options()));
    expect(invisible.writes).toBe(0);
    expect(grafana.contactPoint('team-a-slack')!.secure.url).toBe(SLACK_URL);

    grafana.clearLog();
    const pushed = await provision(withRotated(options({ resendSecrets: true })));
    expect(pushed.failures).toBe(0);
    expect(grafana.contactPoint('team-a-slack')!.secure.url).toBe(rotated);
    expect(item(pushed, 'team-a-slack')!.diff).toEqual(['settings: url re-sent (values not shown)']);
    expect(shown(pushed)).not.toContain('canary');
  });

  it('a dry run plans contact points with no write and no secret', async () => {
    const plan = await provision(options({ dryRun: true }));
    expect(plan.writes).toBe(0);
    expect(item(plan, 'team-a-slack')).toMatchObject({ action: 'create', result: 'planned' });
    expect(renderProvisionMarkdown(plan)).toContain('contact-point');
    expect(shown(plan)).not.toContain('canary');
    expect(grafana.contactPoint('team-a-slack')).toBeUndefined();
  });

  it('prunes only the receivers it wrote, honours deleteContactPoints, keeps foreign and file-provisioned ones', async () => {
    grafana.seedContactPoint({
      uid: 'theirs',
      name: 'theirs',
      type: 'email',
      settings: { addresses: 'x@y.z' },
    });
    grafana.seedContactPoint(
      {
        uid: 'file-cp',
        name: 'file-cp',
        type: 'email',
        settings: { addresses: 'f@y.z', dashboard_ci: 'managed' },
      },
      { provenance: 'file' },
    );
    grafana.seedContactPoint(
      { uid: 'legacy', name: 'legacy', type: 'email', settings: { addresses: 'l@y.z' } },
      { provenance: 'api' },
    );
    await provision(options());
    await repo.write(
      'alerts/contact-points.yaml',
      `${contactPointsYaml({ withPager: false })}deleteContactPoints:\n  - orgId: 1\n    uid: legacy\n`,
    );
    const withoutPrune = await provision(options());
    expect(item(withoutPrune, 'pager-hook')).toBeUndefined();
    expect(grafana.contactPoint('pager-hook')).toBeDefined();
    expect(lines.join('\n')).toContain('deleteContactPoints: deleted only with --prune');

    grafana.clearLog();
    const pruned = await provision(options({ prune: true }));
    expect(pruned.failures).toBe(0);
    expect(cpWrites().sort()).toEqual([
      'DELETE /api/v1/provisioning/contact-points/legacy',
      'DELETE /api/v1/provisioning/contact-points/pager-hook',
    ]);
    expect(item(pruned, 'pager-hook')).toMatchObject({ action: 'delete', result: 'deleted', title: 'pager' });
    expect(grafana.contactPoint('pager-hook')).toBeUndefined();
    expect(grafana.contactPoint('legacy')).toBeUndefined();
    expect(grafana.contactPoint('theirs')).toBeDefined();
    expect(grafana.contactPoint('file-cp')).toBeDefined();
    expect(item(pruned, 'theirs')).toBeUndefined();

    grafana.clearLog();
    const again = await provision(options({ prune: true }));
    expect(again.writes).toBe(0);
  });

  it('a receiver a notification policy still routes to is refused clearly; the other deletes and writes go on', async () => {
    await provision(options());
    grafana.routeTo('pager');
    await repo.write(
      'alerts/contact-points.yaml',
      contactPointsYaml({ withPager: false }).replace('oncall@example.com', 'new@example.com'),
    );
    grafana.seedContactPoint(
      {
        uid: 'old-mine',
        name: 'old',
        type: 'email',
        settings: { addresses: 'o@y.z', dashboard_ci: 'managed' },
      },
      { provenance: 'api' },
    );
    // Grafana 10.4 answers the refusal 500, which is retried: no wait between retries here.
    const r = await provision(options({ prune: true }), { retryDelay: () => 0 });
    expect(r.failures).toBe(1);
    const refused = item(r, 'pager-hook')!;
    expect(refused).toMatchObject({ action: 'delete', result: 'failed', error: { code: 'in-use' } });
    expect(refused.error!.message).toContain('a notification policy still routes to it');
    expect(refused.error!.message).toContain('contact point "pager" (receiver pager-hook)');
    expect(refused.error!.status).toBe(version.startsWith('10.') ? 500 : 409);
    expect(item(r, 'old-mine')).toMatchObject({ result: 'deleted' });
    expect(item(r, 'team-a-email')).toMatchObject({ result: 'updated' });
    expect(grafana.contactPoint('pager-hook')).toBeDefined();
    expect(renderProvisionText(r)).toContain('a notification policy still routes to it');
  });

  it('X-Disable-Provenance with grafana.disableProvenance: the receivers stay editable in the UI', async () => {
    const r = await provision(options({}, { disableProvenance: true }));
    expect(r.failures).toBe(0);
    expect(grafana.contactPoint('team-a-slack')!.provenance).toBe('');
    const posts = grafana.writes().filter((w) => w.path === '/api/v1/provisioning/contact-points');
    expect(posts.every((w) => w.headers['x-disable-provenance'] === 'true')).toBe(true);
    grafana.clearLog();
    expect((await provision(options({}, { disableProvenance: true }))).writes).toBe(0);
  });
});

describe('contact points, one version', () => {
  beforeEach(async () => {
    grafana = await GrafanaDouble.start({ token: TOKEN, version: '11.6.1' });
    repo = await copyFixture('basic');
    lines = [];
  });
  afterEach(async () => {
    await grafana.close();
    await repo.dispose();
  });

  it('a bad receiver is one line naming the file and line; the others are provisioned; prune holds back', async () => {
    await repo.write(
      'alerts/contact-points.yaml',
      `apiVersion: 1
contactPoints:
  - name: good
    receivers:
      - uid: good-email
        type: email
        settings: { addresses: a@b.c }
  - name: broken
    receivers:
      - type: email
        settings: { addresses: a@b.c }
`,
    );
    const r = await provision(options({ prune: true }));
    expect(item(r, 'good-email')).toMatchObject({ result: 'created' });
    const bad = r.items.find((i) => i.kind === 'contact-point' && i.title === 'broken')!;
    expect(bad.error).toMatchObject({ code: 'invalid-file' });
    expect(bad.error!.message).toBe(
      'alerts/contact-points.yaml:8: contact point "broken": receiver #1 has no uid (dashboard-ci finds receivers by uid)',
    );
    expect(
      r.items.find((i) => i.kind === 'contact-point' && i.error?.code === 'prune-blocked'),
    ).toBeDefined();
  });

  it("a receiver Grafana rejects fails alone, with Grafana's reason; a 503 on a create is retried", async () => {
    await repo.write(
      'alerts/contact-points.yaml',
      `apiVersion: 1
contactPoints:
  - name: hooks
    receivers:
      - uid: no-url
        type: webhook
        settings: { httpMethod: POST }
      - uid: ok-hook
        type: webhook
        settings: { url: https://ok.example }
`,
    );
    grafana.failNext({ method: 'POST', path: '/api/v1/provisioning/contact-points', status: 503, times: 1 });
    const r = await provision(options(), { retryDelay: () => 0 });
    expect(item(r, 'no-url')).toMatchObject({
      result: 'failed',
      error: { status: 400, code: 'invalid' },
    });
    expect(item(r, 'no-url')!.error!.message).toContain("required field 'url' is not specified");
    expect(item(r, 'ok-hook')).toMatchObject({ result: 'created' });
    expect(r.retries).toBeGreaterThan(0);
  });

  it('a receiver provisioned from a file on the Grafana server is not written', async () => {
    grafana.seedContactPoint(
      { uid: 'good-email', name: 'good', type: 'email', settings: { addresses: 'z@b.c' } },
      { provenance: 'file' },
    );
    await repo.write(
      'alerts/contact-points.yaml',
      'apiVersion: 1\ncontactPoints:\n  - name: good\n    receivers:\n      - uid: good-email\n        type: email\n        settings: { addresses: a@b.c }\n',
    );
    const r = await provision(options());
    expect(item(r, 'good-email')).toMatchObject({ result: 'failed', error: { code: 'file-provisioned' } });
    expect(grafana.writes().filter((w) => w.path.includes('contact-points'))).toEqual([]);
  });

  it('a Grafana error that echoes the request never shows a secret, from $VAR or written in clear', async () => {
    const literal = 'xoxb-literal-canary-token';
    await repo.write(
      'alerts/contact-points.yaml',
      `apiVersion: 1
contactPoints:
  - name: chat
    receivers:
      - uid: chat-slack
        type: slack
        settings: { url: $SLACK_URL, token: ${literal}, recipient: "#c" }
      - uid: chat-hook
        type: webhook
        settings: { url: "https://user:$WEBHOOK_PASSWORD@hooks.example/x" }
`,
    );
    // A proxy or Grafana quoting the body it refused (JSON inside JSON: the secrets come back escaped).
    const echo = (uid: string) => ({
      method: 'POST',
      path: '/api/v1/provisioning/contact-points',
      status: 400,
      body: {
        message: `invalid receiver ${uid}: ${JSON.stringify(JSON.stringify({ url: SLACK_URL, token: literal, pw: WEBHOOK_PASSWORD }))}`,
      },
    });
    grafana.failNext(echo('chat-slack'));
    grafana.failNext(echo('chat-hook'));
    const r = await provision(options());
    expect(item(r, 'chat-slack')).toMatchObject({ result: 'failed', error: { status: 400 } });
    expect(item(r, 'chat-hook')).toMatchObject({ result: 'failed', error: { status: 400 } });
    expect(item(r, 'chat-slack')!.error!.message).toContain('***');
    const all = shown(r);
    expect(all).not.toContain('canary');
    expect(all).not.toContain(WEBHOOK_PASSWORD);
  });

  it('a token without the provisioning permission: a 403 naming what it needs, per receiver', async () => {
    await grafana.close();
    grafana = await GrafanaDouble.start({
      token: TOKEN,
      version: '11.6.1',
      permissions: ['dashboards:write'],
    });
    await repo.write(
      'alerts/contact-points.yaml',
      'apiVersion: 1\ncontactPoints:\n  - name: good\n    receivers:\n      - uid: good-email\n        type: email\n        settings: { addresses: a@b.c }\n',
    );
    const r = await provision(options());
    expect(item(r, 'good-email')).toMatchObject({
      result: 'failed',
      error: { status: 403, code: 'forbidden' },
    });
    expect(item(r, 'good-email')!.error!.message).toContain('alert.provisioning:write for contact points');
  });

  it('a listing Grafana keeps failing fails every receiver and holds the prune back, the rest goes on', async () => {
    await repo.write('alerts/contact-points.yaml', contactPointsYaml());
    grafana.failNext({ method: 'GET', path: '/api/v1/provisioning/contact-points', status: 502, times: 20 });
    const r = await provision(options({ prune: true }), { retryDelay: () => 0, maxRetries: 2 });
    for (const uid of ['team-a-slack', 'team-a-email', 'pager-hook'])
      expect(item(r, uid)).toMatchObject({ result: 'failed', error: { status: 502, code: 'server-error' } });
    expect(
      r.items.find((i) => i.kind === 'contact-point' && i.error?.code === 'prune-blocked')!.error!.message,
    ).toContain('prune of contact points skipped: the listing it needs failed');
    expect(r.items.filter((i) => i.kind === 'dashboard' && i.result === 'created').length).toBeGreaterThan(0);
    expect(grafana.writes().filter((w) => w.path.includes('contact-points'))).toEqual([]);
  });

  it('an alert file that is not valid YAML holds the prune back: its receivers would look gone', async () => {
    await repo.write('alerts/contact-points.yaml', contactPointsYaml());
    await provision(options());
    await repo.write('alerts/contact-points.yaml', `${contactPointsYaml()}  - name: [unclosed\n`);
    grafana.clearLog();
    const r = await provision(options({ prune: true }));
    expect(
      r.items.find((i) => i.kind === 'contact-point' && i.error?.code === 'prune-blocked'),
    ).toBeDefined();
    expect(grafana.writes().filter((w) => w.method === 'DELETE')).toEqual([]);
    expect(grafana.contactPoint('pager-hook')).toBeDefined();
  });
});
