import { createRule } from '../create-rule.js';

export default createRule({
  id: 'panel-description',
  scope: 'panel',
  meta: {
    description: 'Every panel has a description saying what it shows and why it matters.',
    severity: 'warning',
    messages: { missing: 'panel has no description', empty: 'panel description is empty' },
    help:
      "Grafana shows the description as the panel's (i) tooltip: the place to say what the numbers mean and " +
      'what to do when they move. Add one sentence of business purpose.',
  },
  create(context) {
    return (panel) => {
      // Rows have no title bar of their own to explain; library panels keep theirs in the library.
      if (panel.type === 'row' || panel.raw.libraryPanel !== undefined) return;
      const description = panel.raw.description;
      if (description === undefined) context.report({ messageId: 'missing', panel });
      else if (typeof description === 'string' && description.trim() === '') {
        context.report({ messageId: 'empty', panel, path: [...panel.path, 'description'] });
      }
    };
  },
});
