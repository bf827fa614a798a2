import type { TargetModel } from '../../dashboards/model.js';
import { createRule } from '../create-rule.js';

/** A, B, ... Z, AA, AB, ...: Grafana's numbering of queries (getRefId beside getNextRefId, @grafana/data). */
function refIdOf(n: number): string {
  const letter = String.fromCharCode(65 + (n % 26));
  return n < 26 ? letter : refIdOf(Math.floor(n / 26) - 1) + letter;
}

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
      // A duplicate gets the first refId no query of the panel has: what Grafana's own withUniqueRefIds
      // does to a duplicate when the query editor loads the panel (with getNextRefId).
      const used = new Set(panel.targets.map((t) => t.refId));
      const nextFree = (): string => {
        let n = 0;
        while (used.has(refIdOf(n))) n++;
        used.add(refIdOf(n));
        return refIdOf(n);
      };
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
          fix: { path: [...target.path, 'refId'], value: nextFree() },
        });
      }
    };
  },
});
