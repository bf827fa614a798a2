import { createRule } from '../create-rule.js';
import { parseDuration } from '../durations.js';

export default createRule({
  id: 'refresh-floor',
  scope: 'dashboard',
  meta: {
    description: 'The dashboard auto-refresh is not faster than minRefresh in dashboard-ci.yml.',
    severity: 'error',
    messages: {
      tooFast: 'refresh "{{refresh}}" is faster than the {{floor}} floor (minRefresh in dashboard-ci.yml)',
      invalid: 'refresh "{{refresh}}" is not a duration such as 30s, 1m or 1h',
    },
    help:
      'Every open dashboard re-runs all of its queries at each refresh: a 1s refresh on a ClickHouse dashboard ' +
      'multiplies its cost by 60 against a 1m one. Raise refresh to at least minRefresh, or lower minRefresh ' +
      'in dashboard-ci.yml for a dashboard that needs it (an exception with a reason).',
  },
  create(context) {
    const floorMs = parseDuration(context.config.minRefresh);
    return (dashboard) => {
      const refresh = dashboard.raw.refresh;
      // false, "" (off) and Grafana's "auto" (bounded by the server's min_refresh_interval) are fine.
      if (typeof refresh !== 'string' || refresh === '' || refresh === 'auto') return;
      const path = [...dashboard.root, 'refresh'];
      const ms = parseDuration(refresh);
      if (ms === undefined) {
        context.report({ messageId: 'invalid', data: { refresh }, path });
      } else if (floorMs !== undefined && ms < floorMs) {
        // The floor itself is the nearest refresh that passes: the dashboard refreshes as often as allowed.
        context.report({
          messageId: 'tooFast',
          data: { refresh, floor: context.config.minRefresh },
          path,
          fix: { path, value: context.config.minRefresh },
        });
      }
    };
  },
});
