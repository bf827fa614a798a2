// Notification templates through /api/v1/provisioning/templates against the Grafana double as 10.4,
// 11.2 and 12.1 (it follows api_provisioning.go and NotificationTemplate.Validate): written from the
// alert files' `templates:` as Grafana stores them (wrapped in a define block when they have none), so
// a re-run writes nothing; before the contact points that use them; pruned only when dashboard-ci wrote
// them.

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GrafanaDouble } from '../support/grafana-double.js';
import { provision } from '../../src/grafana/provision.js';
import type { ProvisionOptions, ProvisionResult } from '../../src/grafana/types.js';
import { TOKEN, copyFixture, provisionOptions, type TempRepo } from '../fixtures/provision/repo.js';

const VERSIONS = ['10.4.3', '11.2.2', '12.1.0'] as const;

const FILE = (body = 'Firing: {{ len .Alerts.Firing }}') => `apiVersion: 1
templates:
  - orgId: 1
    name: team-a.title
    template: |
      ${body}
  - name: team-a.body
    template: |
      {{ define "team-a.body" }}{{ range .Alerts }}{{ .Labels.alertname }} {{ end }}{{ end }}
contactPoints:
  - name: team-a
    receivers:
      - uid: team-a-email
        type: email
        settings:
          addresses: oncall@example.com
          subject: '{{ template "team-a.title" . }}'
`;

let grafana: GrafanaDouble;
let repo: TempRepo;
const options = (over: Partial<ProvisionOptions> = {}) =>
  provisionOptions({ cwd: repo.dir, grafanaUrl: grafana.url }, over);
const item = (r: ProvisionResult, name: string) =>
  r.items.find((i) => i.kind === 'notification-template' && i.uid === name);
const templateWrites = () =>
  grafana
    .writes()
    .filter((w) => w.path.startsWith('/api/v1/provisioning/templates'))
    .map((w) => `${w.method} ${w.path}`);

describe.each(VERSIONS)('against Grafana %s', (version) => {
  beforeEach(async () => {
    grafana = await GrafanaDouble.start({ token: TOKEN, version });
    repo = await copyFixture('basic');
    await repo.write('alerts/notifications.yaml', FILE());
  });
  afterEach(async () => {
    await grafana.close();
    await repo.dispose();
  });

  it('writes each template as Grafana stores it, marked, before the contact points; a re-run writes nothing', async () => {
    const first = await provision(options());
    expect(first.failures).toBe(0);
    expect(item(first, 'team-a.title')).toMatchObject({ action: 'create', result: 'created' });
    expect(grafana.template('team-a.title')).toEqual({
      template:
        '{{/* dashboard_ci: managed */}}\n{{ define "team-a.title" }}\n  Firing: {{ len .Alerts.Firing }}\n{{ end }}',
      provenance: 'api',
    });
    expect(grafana.template('team-a.body')!.template).toBe(
      '{{/* dashboard_ci: managed */}}\n{{ define "team-a.body" }}{{ range .Alerts }}{{ .Labels.alertname }} {{ end }}{{ end }}',
    );
    const paths = grafana.writes().map((w) => w.path);
    expect(paths.findIndex((p) => p.startsWith('/api/v1/provisioning/templates'))).toBeLessThan(
      paths.indexOf('/api/v1/provisioning/contact-points'),
    );
    grafana.clearLog();
    const again = await provision(options());
    expect(again.writes).toBe(0);
    expect(item(again, 'team-a.title')).toMatchObject({ action: 'unchanged' });
  });

  it('a changed template is one PUT; one gone is pruned only when dashboard-ci wrote it', async () => {
    grafana.seedTemplate('theirs', '{{ define "theirs" }}x{{ end }}');
    grafana.seedTemplate('from-file', '{{/* dashboard_ci: managed */}}\n{{ define "from-file" }}x{{ end }}', {
      provenance: 'file',
    });
    await provision(options());
    await repo.write('alerts/notifications.yaml', FILE('Now firing: {{ len .Alerts.Firing }}'));
    grafana.clearLog();
    const changed = await provision(options());
    expect(templateWrites()).toEqual(['PUT /api/v1/provisioning/templates/team-a.title']);
    expect(item(changed, 'team-a.title')).toMatchObject({
      action: 'update',
      diff: ['template: 1 line changed (4 → 4 lines)'],
    });

    await repo.write(
      'alerts/notifications.yaml',
      FILE('Now firing: {{ len .Alerts.Firing }}').replace(
        / {2}- name: team-a\.body\n {4}template: \|\n {6}.*\n/,
        '',
      ),
    );
    grafana.clearLog();
    const pruned = await provision(options({ prune: true }));
    expect(pruned.failures).toBe(0);
    expect(templateWrites()).toEqual(['DELETE /api/v1/provisioning/templates/team-a.body']);
    expect(grafana.template('team-a.body')).toBeUndefined();
    expect(grafana.template('theirs')).toBeDefined();
    expect(grafana.template('from-file')).toBeDefined();
  });

  it('a template Grafana cannot parse fails alone with its reason', async () => {
    await repo.write(
      'alerts/notifications.yaml',
      FILE().replace('Firing: {{ len .Alerts.Firing }}', 'Firing: {{ len .Alerts.Firing '),
    );
    const r = await provision(options());
    expect(item(r, 'team-a.title')).toMatchObject({
      result: 'failed',
      error: { status: 400, code: 'invalid' },
    });
    expect(item(r, 'team-a.title')!.error!.message).toContain('unclosed action');
    expect(item(r, 'team-a.body')).toMatchObject({ result: 'created' });
  });
});
