import { createRule } from '../create-rule.js';

// Panel types that show no query results: rows, static text, lists Grafana builds itself.
const NO_DATA_TYPES: ReadonlySet<string> = new Set([
  'row',
  'text',
  'news',
  'dashlist',
  'alertlist',
  'annolist',
  'welcome',
  'gettingstarted',
  'pluginlist',
  'grafana-clock-panel',
]);

export default createRule({
  id: 'panel-no-targets',
  scope: 'panel',
  meta: {
    description: 'Panels that show data have at least one query.',
    severity: 'error',
    messages: { none: 'a {{type}} panel with no queries shows "No data"' },
    help:
      'A data panel without targets renders "No data". Add a query, or use a text panel. Rows, text, news, ' +
      'dashboard/alert/annotation lists and library panels (whose queries live in the library) are exempt.',
  },
  create(context) {
    return (panel) => {
      if (panel.type === undefined || NO_DATA_TYPES.has(panel.type)) return;
      if (panel.raw.libraryPanel !== undefined) return;
      if (panel.targets.length > 0) return;
      const path = Array.isArray(panel.raw.targets) ? [...panel.path, 'targets'] : panel.path;
      context.report({ messageId: 'none', data: { type: panel.type }, panel, path });
    };
  },
});
