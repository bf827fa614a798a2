import type { PanelModel } from '../../dashboards/model.js';
import { createRule } from '../create-rule.js';

export default createRule({
  id: 'unique-panel-ids',
  scope: 'dashboard',
  meta: {
    description: 'Panel ids are unique within a dashboard, panels in collapsed rows included.',
    severity: 'error',
    messages: { duplicate: 'panel id {{id}} is already used by the panel at line {{line}}' },
    help:
      'Grafana keys panel state, links (viewPanel=), the "-- Dashboard --" datasource and library panels by id: ' +
      "two panels with one id show each other's data or edit the wrong panel. Give each panel its own id.",
  },
  create(context) {
    return (dashboard) => {
      // Schema v2 keys panels by their element name (unique: a map key); its `id` is not an identity, and
      // the Foundation SDK writes 0 for every panel. Nothing to check there.
      if (dashboard.format.shape === 'resource-v2') return;
      const seen = new Map<number, PanelModel>();
      // A duplicate is given the next id no panel has: Grafana's own choice for a new panel (max + 1).
      let next = 1 + dashboard.panels.reduce((max, p) => Math.max(max, p.id ?? 0), 0);
      for (const panel of dashboard.panels) {
        if (panel.id === undefined) continue;
        const first = seen.get(panel.id);
        if (!first) {
          seen.set(panel.id, panel);
          continue;
        }
        const firstAt = dashboard.doc.locate([...first.path, 'id']);
        context.report({
          messageId: 'duplicate',
          data: { id: panel.id, line: firstAt.line },
          panel,
          path: [...panel.path, 'id'],
          fix: { path: [...panel.path, 'id'], value: next++ },
        });
      }
    };
  },
});
