import type { Finding } from '../core/types.js';
import type { DashboardModel, TargetModel } from '../dashboards/model.js';
import { locationOf, withLocation } from '../lint/location.js';
import { checkRedisTargets } from '../redis/check.js';

const REDIS = 'redis-datasource';

/**
 * Checks every Redis target against a real server (COMMAND INFO: does the command exist there, is it
 * read-only). Without a server the linter's static redis-write-command rule is the whole check.
 */
export async function checkRedis(dashboards: readonly DashboardModel[], url: string): Promise<Finding[]> {
  const targets: { dash: DashboardModel; target: TargetModel }[] = [];
  for (const dash of dashboards) {
    for (const panel of dash.panels) {
      for (const target of panel.targets) {
        if (target.datasource?.type === REDIS) targets.push({ dash, target });
      }
    }
  }
  if (!targets.length) return [];
  const verdicts = await checkRedisTargets(
    targets.map((t) => t.target.raw),
    { url },
  );
  const findings: Finding[] = [];
  for (const v of verdicts) {
    // not-read-only is the linter's redis-write-command finding already; the server adds what only it knows.
    if (v.kind === 'ok' || v.kind === 'no-command' || (v.kind === 'not-read-only' && v.via === 'static'))
      continue;
    const at = v.index !== undefined ? targets[v.index] : targets[0];
    if (!at) continue;
    const dash = at.dash;
    const target = v.index !== undefined ? at.target : undefined;
    const pos = target ? dash.doc.locate(target.path) : { line: 1, column: 1 };
    const f: Finding = {
      rule: 'redis-command',
      severity: v.severity,
      message: target ? withLocation(locationOf(dash, { target }), v.message) : v.message,
      file: dash.file,
      line: pos.line,
      column: pos.column,
    };
    if (target) {
      if (dash.uid !== undefined) f.dashboardUid = dash.uid;
      if (target.panel.id !== undefined) f.panelId = target.panel.id;
      if (target.refId !== undefined) f.refId = target.refId;
    }
    findings.push(f);
  }
  return findings;
}
