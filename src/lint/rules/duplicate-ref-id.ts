import type { TargetModel } from '../../dashboards/model.js';
import { createRule } from '../create-rule.js';

export default createRule({
  id: 'duplicate-ref-id',
  scope: 'panel',
  meta: {
    description: 'Queries within a panel have distinct refIds.',
    severity: 'error',
    messages: { duplicate: 'refId "{{refId}}" is used by another query of this panel (line {{line}})' },
    help:
      "Grafana names each query's result frame, transformations, expressions and alert conditions by refId: " +
      "two queries with one refId overwrite each other's results. Give each query its own refId (A, B, C, ...).",
  },
  create(context) {
    return (panel) => {
      const seen = new Map<string, TargetModel>();
      for (const target of panel.targets) {
        if (target.refId === undefined || target.refId === '') continue;
        const first = seen.get(target.refId);
        if (!first) {
          seen.set(target.refId, target);
          continue;
        }
        const line = context.dashboard.doc.locate([...first.path, 'refId']).line;
        context.report({
          messageId: 'duplicate',
          data: { refId: target.refId, line },
          target,
          path: [...target.path, 'refId'],
        });
      }
    };
  },
});
