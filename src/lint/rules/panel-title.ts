import { createRule } from '../create-rule.js';

export default createRule({
  id: 'panel-title',
  scope: 'panel',
  meta: {
    description: 'Every panel has a title.',
    severity: 'warning',
    messages: { missing: 'panel has no title', empty: 'panel title is empty' },
    help: 'A panel without a title is hard to find, link to and discuss, in Grafana and in review. Give it a short title.',
  },
  create(context) {
    return (panel) => {
      // Rows have no title bar of their own to explain; library panels keep theirs in the library.
      if (panel.type === 'row' || panel.raw.libraryPanel !== undefined) return;
      const title = panel.raw.title;
      if (title === undefined) context.report({ messageId: 'missing', panel });
      else if (typeof title === 'string' && title.trim() === '')
        context.report({ messageId: 'empty', panel, path: [...panel.path, 'title'] });
    };
  },
});
