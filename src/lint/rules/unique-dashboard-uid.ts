import type { DashboardModel } from '../../dashboards/model.js';
import { createRule } from '../create-rule.js';

export default createRule({
  id: 'unique-dashboard-uid',
  scope: 'project',
  meta: {
    description: 'No two dashboard files share a uid.',
    severity: 'error',
    messages: { duplicate: 'uid "{{uid}}" is also the uid of {{others}}' },
    help:
      'Grafana stores one dashboard per uid: provisioning two files with one uid makes the second overwrite ' +
      'the first on every deploy. Give each dashboard its own uid.',
  },
  create(context) {
    return (dashboards) => {
      const byUid = new Map<string, DashboardModel[]>();
      for (const d of dashboards) {
        // Library panels have uids of their own kind (Grafana keeps them apart from dashboards).
        if (d.uid === undefined || d.uid === '' || d.format.shape === 'library-panel') continue;
        const list = byUid.get(d.uid);
        if (list) list.push(d);
        else byUid.set(d.uid, [d]);
      }
      for (const [uid, list] of byUid) {
        if (list.length < 2) continue;
        for (const d of list) {
          const others = list.filter((o) => o !== d).map((o) => o.file);
          context.report({
            messageId: 'duplicate',
            data: { uid, others: [...new Set(others)].join(', ') },
            dashboard: d,
            path: d.uidPath,
          });
        }
      }
    };
  },
});
