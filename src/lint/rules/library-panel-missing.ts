import { createRule } from '../create-rule.js';

export default createRule({
  id: 'library-panel-missing',
  scope: 'panel',
  meta: {
    description:
      'Every library panel a dashboard references is in the repository (library-panels/) or the export.',
    severity: 'error',
    messages: {
      missing:
        "library panel {{which}} is not in the repository ({{folders}}) nor in this file's __elements: Grafana shows an error in its place",
      noUid: 'the libraryPanel reference has neither a uid nor a name',
    },
    help:
      'Grafana replaces a `libraryPanel: {uid, name}` reference with the library panel of that uid when the ' +
      'dashboard loads; if the Grafana it is deployed to does not have it, the panel shows an error and ' +
      'none of its queries run. Add the library panel to library-panels/ (as exported by ' +
      '/api/library-elements, or a dashboard.grafana.app LibraryPanel resource) so it is checked and ' +
      'provisioned, or replace the reference with the panel itself.',
  },
  create(context) {
    const folders = context.config.libraryPanels.length
      ? context.config.libraryPanels.join(', ')
      : 'none configured';
    return (panel) => {
      const ref = panel.libraryPanel;
      if (!ref || ref.resolved) return;
      if (ref.uid === undefined && ref.name === undefined) {
        context.report({ messageId: 'noUid', panel, path: ref.path });
        return;
      }
      const which = [
        ref.uid !== undefined ? `uid "${ref.uid}"` : '',
        ref.name !== undefined ? `"${ref.name}"` : '',
      ]
        .filter(Boolean)
        .join(' ');
      context.report({
        messageId: 'missing',
        data: { which, folders },
        panel,
        path: ref.uid !== undefined ? [...ref.path, 'uid'] : ref.path,
      });
    };
  },
});
