import { resolveSharingInputs } from '../../dashboards/inputs.js';
import { createRule } from '../create-rule.js';

export default createRule({
  id: 'shared-export-input',
  scope: 'dashboard',
  meta: {
    description:
      'Every input of a dashboard exported for sharing (__inputs, ${DS_…}) gets a value from the provisioned datasources or dashboard-ci.yml.',
    severity: 'error',
    messages: { unresolved: '{{message}}' },
    help:
      'provision deploys an export for sharing the way Grafana imports it: each ${…} input is replaced, a ' +
      'datasource input by the one provisioned datasource of its plugin type (datasources/*.yaml), or by ' +
      'the uid given under `inputs:` in dashboard-ci.yml; a constant input by its value. An input neither ' +
      'gives would fail the deploy, so the check reports it (error). Where several datasources fit, the ' +
      'default one (else the first) is used, as the import form preselects it, and a warning names it. ' +
      'Checked only when a datasources file is found.',
  },
  create(context) {
    return (dashboard) => {
      if (!dashboard.format.sharedExport || !context.datasourcesKnown) return;
      const { problems } = resolveSharingInputs(dashboard, context.datasources, context.config.inputs);
      for (const p of problems)
        context.report({
          messageId: 'unresolved',
          data: { message: p.message },
          path: p.path,
          ...(p.severity === 'warning' ? { severity: 'warning' as const } : {}),
        });
    };
  },
});
