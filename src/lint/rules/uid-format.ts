import { createRule } from '../create-rule.js';

// Grafana's own check (util.IsValidShortUID and the 40-character limit, CONTRACTS.md A.2): a uid that
// fails it is refused with 400 when the dashboard is saved.
const UID_RE = /^[a-zA-Z0-9_-]*$/;
const MAX_UID = 40;

export default createRule({
  id: 'uid-format',
  scope: 'dashboard',
  meta: {
    description: 'The dashboard has a uid of at most 40 letters, digits, "-" or "_".',
    severity: 'error',
    messages: {
      missing: 'dashboard has no uid: Grafana would generate a new one on every import',
      empty: 'uid is empty: Grafana would generate a new one on every import',
      chars: 'uid "{{uid}}" contains characters Grafana refuses (allowed: letters, digits, "-", "_")',
      long: 'uid "{{uid}}" is {{length}} characters long; Grafana allows at most 40',
    },
    help:
      'A stable uid keeps links, alert references and provisioning idempotent. Grafana rejects uids with ' +
      'other characters or longer than 40 characters.',
  },
  create(context) {
    return (dashboard) => {
      const raw = dashboard.raw.uid;
      const path = [...dashboard.root, 'uid'];
      if (raw === undefined || raw === null) {
        context.report({ messageId: 'missing', path: dashboard.root });
        return;
      }
      if (typeof raw !== 'string') return; // the schema rule reports the type
      if (raw.trim() === '') context.report({ messageId: 'empty', path });
      else if (!UID_RE.test(raw)) context.report({ messageId: 'chars', data: { uid: raw }, path });
      else if (raw.length > MAX_UID)
        context.report({ messageId: 'long', data: { uid: raw, length: raw.length }, path });
    };
  },
});
