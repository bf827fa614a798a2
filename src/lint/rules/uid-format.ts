import { createRule } from '../create-rule.js';

// Grafana's own check (util.IsValidShortUID and the 40-character limit, CONTRACTS.md A.2): a uid that
// fails it is refused with 400 when the dashboard is saved.
const UID_RE = /^[a-zA-Z0-9_-]*$/;
const MAX_UID = 40;

/**
 * The uid Grafana would accept that is closest to `uid`: each run of refused characters becomes one "-"
 * (as Grafana's slugs do), cut to 40 characters. Undefined when nothing of it is left.
 */
export function validUid(uid: string): string | undefined {
  const out = uid
    .replace(/[^a-zA-Z0-9_-]+/g, '-')
    .slice(0, MAX_UID)
    .replace(/^-+|-+$/g, '');
  return out === '' ? undefined : out;
}

export default createRule({
  id: 'uid-format',
  scope: 'dashboard',
  meta: {
    description: 'The dashboard has a uid of at most 40 letters, digits, "-" or "_".',
    severity: 'error',
    messages: {
      missing: 'dashboard has no uid: Grafana would generate a new one on every import',
      missingName:
        'resource has no metadata.name: it is the uid, and Grafana creates and updates the resource by it',
      missingLibrary:
        'library panel has no uid: dashboards could not reference it, nor provisioning update it',
      empty: 'uid is empty: Grafana would generate a new one on every import',
      chars: 'uid "{{uid}}" contains characters Grafana refuses (allowed: letters, digits, "-", "_")',
      long: 'uid "{{uid}}" is {{length}} characters long; Grafana allows at most 40',
      specMismatch: 'spec.uid "{{spec}}" differs from metadata.name "{{uid}}": Grafana uses metadata.name',
    },
    help:
      'A stable uid keeps links, alert references and provisioning idempotent. Grafana rejects uids with ' +
      'other characters or longer than 40 characters. In a dashboard.grafana.app resource the uid is ' +
      'metadata.name.',
  },
  create(context) {
    return (dashboard) => {
      const shape = dashboard.format.shape;
      const resource = shape === 'resource-v1' || shape === 'resource-v2';
      // A resource's (and a library panel's) uid was read from its own place; a classic one from `uid`.
      const raw = resource || shape === 'library-panel' ? dashboard.uid : dashboard.raw.uid;
      const path = dashboard.uidPath;
      if (raw === undefined || raw === null) {
        if (resource) context.report({ messageId: 'missingName', path });
        else if (shape === 'library-panel') context.report({ messageId: 'missingLibrary', path });
        else context.report({ messageId: 'missing', path: dashboard.root });
        return;
      }
      if (typeof raw !== 'string') return; // the schema rule reports the type
      if (raw.trim() === '') context.report({ messageId: 'empty', path });
      else if (!UID_RE.test(raw)) {
        const fixed = validUid(raw);
        context.report({
          messageId: 'chars',
          data: { uid: raw },
          path,
          ...(fixed ? { fix: { path, value: fixed } } : {}),
        });
      } else if (raw.length > MAX_UID) {
        const fixed = validUid(raw);
        context.report({
          messageId: 'long',
          data: { uid: raw, length: raw.length },
          path,
          ...(fixed ? { fix: { path, value: fixed } } : {}),
        });
      }
      const spec = dashboard.raw.uid;
      if (shape === 'resource-v1' && typeof spec === 'string' && spec !== raw) {
        context.report({
          messageId: 'specMismatch',
          data: { spec, uid: raw },
          path: [...dashboard.root, 'uid'],
          severity: 'warning',
        });
      }
    };
  },
});
