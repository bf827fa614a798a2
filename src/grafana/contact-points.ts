// Contact points through Grafana's alerting provisioning API (/api/v1/provisioning/contact-points),
// read from the alert files' `contactPoints:` and `deleteContactPoints:` (Grafana's file-provisioning
// format: provisioning/alerting/contact_point_types.go): one contact point is a name with one or more
// receivers (integrations), each with its own uid; the API's object (EmbeddedContactPoint) is one
// receiver: {uid, name, type, settings, disableResolveMessage, provenance}.
//
// Grafana's behaviour this follows (pkg/services/ngalert/api/api_provisioning.go and
// pkg/services/ngalert/provisioning/contactpoints.go, 10.4 → 12.x):
// - GET lists every receiver (there is no GET by uid); the secure settings of its type
//   (channels_config GetSecretKeysForContactPointType: Slack url and token, a webhook's password...)
//   come back as "[REDACTED]" and an empty secret not at all. So a secret is compared by presence only:
//   a changed secret is invisible to the plan (as a datasource's secureJsonData), and resendSecrets
//   pushes it.
// - POST → 202 with the receiver; X-Disable-Provenance → provenance none, else "api". A uid already
//   used → 409 from 11 (ErrContactPointUidExists), an error text before.
// - PUT /:uid → 202; "[REDACTED]" in the body keeps the stored secret; unknown uid → 404; a change
//   of provenance away from a non-empty one is refused ("cannot change provenance").
// - DELETE /:uid → 202 (an unknown uid too); the last receiver of a contact point a notification
//   policy routes to (or, from 10.4, an alert rule's notification settings names) is refused:
//   409 alerting.notifications.contact-points.referenced / used-by-rule from 11, an error text
//   (500) before. The refusal is recognised by its words, whatever the status.
//
// Expansion: every string of `settings` is expanded as datasources are (secrets come from the
// environment). Grafana's own file provisioning has done so in some versions (contact_point_types.go
// `Settings.Value()`) and taken them raw in others (`Settings.Raw`); `$$` is a literal `$` either way.
//
// Ownership: settings are stored as sent and returned as stored (GetContactPoints copies them), so
// dashboard-ci marks what it writes with `dashboard_ci: managed` in the settings (the key its alert
// rules carry as an annotation). Written with provenance "api", the UI cannot edit or delete such a
// receiver, so the marker cannot be removed by accident; a copy made in the UI is rebuilt from the
// form, which keeps only the type's known settings. Prune deletes only receivers with the marker and a
// provenance other than "file", whose uid the repository no longer has.

import type { DesiredProblem, DesiredState } from './desired.js';
import { jsonDiff, short } from './diff.js';
import type { GrafanaClient } from './client.js';
import { GrafanaApiError } from './client.js';
import {
  ExpansionError,
  expandDeep,
  expandString,
  parseBoolValue,
  parseIntValue,
  type ExpandContext,
} from './expand.js';
import { MARKER_ANNOTATION, MARKER_ANNOTATION_VALUE } from './ownership.js';
import {
  appendNote,
  failure,
  provenanceHeaders,
  failListing,
  planOwnedPrune,
  verifyByListing,
  type BaseStep,
  type Get,
} from './steps.js';

export const CONTACT_POINTS_PATH = '/api/v1/provisioning/contact-points';
/** What Grafana answers in place of a secure setting (apimodels.RedactedValue). */
export const REDACTED = '[REDACTED]';

/**
 * Secure settings per receiver type, as Grafana's notifier catalogue marks them (`Secure: true` in
 * pkg/services/ngalert/notifier/channels_config/available_channels.go). Used to keep values out of
 * diffs and logs; Grafana's own "[REDACTED]" marks the others it knows.
 */
const SECURE_KEYS: Record<string, string[]> = {
  kafka: ['password'],
  oncall: ['password', 'authorization_credentials'],
  pagerduty: ['integrationKey'],
  'prometheus-alertmanager': ['basicAuthPassword'],
  pushover: ['apiToken', 'userKey'],
  sensugo: ['apikey'],
  slack: ['token', 'url'],
  telegram: ['bottoken'],
  webhook: ['password', 'authorization_credentials'],
  wecom: ['url', 'secret'],
};

const UID_RE = /^[a-zA-Z0-9\-_]*$/;
/** What a 403 on these routes lacks (pkg/services/ngalert/api/authorization.go, 10.4 → 12.x). */
export const CONTACT_POINT_PERMISSION =
  "the alerting provisioning API needs alert.provisioning:write for contact points (the Admin role's)";
const enc = encodeURIComponent;

export interface DesiredContactPoint {
  /** The receiver's uid. */
  uid: string;
  /** The contact point's name (shared by its receivers). */
  name: string;
  type: string;
  settings: Record<string, unknown>;
  disableResolveMessage: boolean;
  file: string;
  line?: number;
  orgId?: number;
  unset?: string[];
}

export interface DesiredContactPointDelete {
  uid: string;
  file: string;
  line?: number;
}

/** EmbeddedContactPoint as GET answers it. */
export interface GrafanaContactPoint {
  uid: string;
  name?: string;
  type?: string;
  settings?: Record<string, unknown> | null;
  disableResolveMessage?: boolean;
  provenance?: string;
}

export interface ContactPointStep extends BaseStep {
  kind: 'contact-point';
  desired?: DesiredContactPoint;
  current?: GrafanaContactPoint;
}

export interface ContactPointLoad {
  file: string;
  items: { value: unknown; line?: number }[];
  deletes: { value: unknown; line?: number }[];
  /** A fresh expansion context collecting unset variables and the values expanded. */
  expand: (unset: Set<string>, used: Set<string>) => ExpandContext;
  /** grafana.orgId, when set: a contact point of another org is refused. */
  orgId?: number;
  /** Receiver uid → where it was first defined (across files). */
  seen: Map<string, string>;
}

export interface ContactPointOut {
  contactPoints: DesiredContactPoint[];
  contactPointDeletes: DesiredContactPointDelete[];
  problems: DesiredProblem[];
  secrets: string[];
}

function secureKeys(type: string): string[] {
  return SECURE_KEYS[type] ?? [];
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return !!v && typeof v === 'object' && !Array.isArray(v);
}

/**
 * `contactPoints:` and `deleteContactPoints:` of one alert file, expanded as Grafana's file
 * provisioning does (settings through values.JSONValue: every string; name, uid and type as strings;
 * disableResolveMessage parsed after expansion). Every value expanded into settings, and every secure
 * setting written in clear, is secret from then on.
 */
export function loadContactPoints(input: ContactPointLoad, out: ContactPointOut): void {
  const { file } = input;
  for (const { value, line } of input.items) {
    const at = line ? `${file}:${line}` : file;
    const entry = isRecord(value) ? value : undefined;
    const rawName = entry && typeof entry.name === 'string' ? entry.name : '';
    const fail = (message: string, uid = '') =>
      out.problems.push({
        kind: 'contact-point',
        uid,
        ...(rawName ? { title: rawName } : {}),
        file,
        ...(line ? { line } : {}),
        message: `${at}: contact point${rawName ? ` "${rawName}"` : ''}: ${message}`,
      });
    if (!entry) {
      fail('each item of contactPoints must be a mapping');
      continue;
    }
    const unset = new Set<string>();
    // Only what expands into settings is secret: a name or a uid from the environment is not.
    const used = new Set<string>();
    const ctx = input.expand(unset, new Set());
    const settingsCtx = input.expand(unset, used);
    let name: string;
    let orgId: number | undefined;
    try {
      name = expandString(typeof entry.name === 'string' ? entry.name : '', ctx).trim();
      orgId = parseIntValue(
        typeof entry.orgId === 'string' ? expandString(entry.orgId, ctx) : entry.orgId,
        'orgId',
      );
    } catch (err) {
      fail((err as Error).message);
      continue;
    }
    if (!name) {
      fail('has no name');
      continue;
    }
    if (orgId !== undefined && input.orgId !== undefined && orgId !== input.orgId) {
      fail(
        `orgId ${orgId} differs from the configured org (grafana.orgId: ${input.orgId}); dashboard-ci provisions one org per run`,
      );
      continue;
    }
    if (!Array.isArray(entry.receivers) || entry.receivers.length === 0) {
      fail('has no receivers');
      continue;
    }
    entry.receivers.forEach((raw, i) => {
      const r = isRecord(raw) ? raw : undefined;
      const rawUid = r && typeof r.uid === 'string' && !r.uid.includes('$') ? r.uid : '';
      if (!r) {
        fail(`receiver #${i + 1} must be a mapping`);
        return;
      }
      try {
        const uid = expandString(typeof r.uid === 'string' ? r.uid : '', ctx).trim();
        // Grafana generates a uid when none is given; dashboard-ci needs a stable one to find it again.
        if (!uid)
          throw new ExpansionError(
            `receiver #${i + 1} has no uid (dashboard-ci finds receivers by uid)`,
            'uid',
          );
        if (uid.length > 40 || !UID_RE.test(uid))
          throw new ExpansionError(`receiver uid "${uid}" must be at most 40 letters, digits, - or _`, 'uid');
        const type = expandString(typeof r.type === 'string' ? r.type : '', ctx).trim();
        if (!type) throw new ExpansionError(`receiver ${uid} has no type`, 'type');
        if (r.settings !== undefined && r.settings !== null && !isRecord(r.settings))
          throw new ExpansionError(`receiver ${uid}: settings must be a mapping`, 'settings');
        const settings = expandDeep((r.settings ?? {}) as Record<string, unknown>, settingsCtx);
        // Grafana's file provisioning refuses a receiver without settings (contact_point_types.go).
        if (Object.keys(settings).length === 0)
          throw new ExpansionError(`receiver ${uid} has no settings`, 'settings');
        if (Object.hasOwn(settings, MARKER_ANNOTATION))
          throw new ExpansionError(
            `receiver ${uid}: settings.${MARKER_ANNOTATION} is dashboard-ci's ownership marker and cannot be set in a file`,
            MARKER_ANNOTATION,
          );
        const disableResolveMessage = parseBoolValue(
          typeof r.disableResolveMessage === 'string'
            ? expandString(r.disableResolveMessage, ctx)
            : r.disableResolveMessage,
          `receiver ${uid}: disableResolveMessage`,
          false,
        );
        const prior = input.seen.get(uid);
        if (prior) throw new ExpansionError(`receiver uid "${uid}" is already used by ${prior}`, 'uid');
        input.seen.set(uid, at);
        for (const k of secureKeys(type)) {
          const v = settings[k];
          if (typeof v === 'string' && v) out.secrets.push(v);
        }
        out.secrets.push(...used);
        out.contactPoints.push({
          uid,
          name,
          type,
          settings,
          disableResolveMessage,
          file,
          ...(line ? { line } : {}),
          ...(orgId !== undefined ? { orgId } : {}),
          ...(unset.size ? { unset: [...unset] } : {}),
        });
      } catch (err) {
        if (!(err instanceof ExpansionError)) throw err;
        fail(err.message, rawUid);
      }
    });
  }
  for (const { value, line } of input.deletes) {
    const at = line ? `${file}:${line}` : file;
    const entry = isRecord(value) ? value : undefined;
    if (!entry || typeof entry.uid !== 'string' || !entry.uid.trim()) {
      out.problems.push({
        kind: 'contact-point',
        uid: '',
        file,
        ...(line ? { line } : {}),
        message: `${at}: deleteContactPoints: each item needs a uid`,
      });
      continue;
    }
    try {
      const uid = expandString(entry.uid, input.expand(new Set(), new Set())).trim();
      out.contactPointDeletes.push({ uid, file, ...(line ? { line } : {}) });
    } catch (err) {
      out.problems.push({
        kind: 'contact-point',
        uid: '',
        file,
        ...(line ? { line } : {}),
        message: `${at}: deleteContactPoints "${entry.uid}": ${(err as Error).message}`,
      });
    }
  }
}

/** The settings dashboard-ci sends: the repository's, with its ownership marker. */
export function settingsToSend(d: DesiredContactPoint): Record<string, unknown> {
  return { ...d.settings, [MARKER_ANNOTATION]: MARKER_ANNOTATION_VALUE };
}

export function isOwned(cp: GrafanaContactPoint): boolean {
  return isRecord(cp.settings) && cp.settings[MARKER_ANNOTATION] === MARKER_ANNOTATION_VALUE;
}

/**
 * Readable differences from Grafana's receiver to the repository's. A secure setting (by its type, or
 * answered "[REDACTED]") is compared by presence, and its value never appears.
 */
export function compareContactPoint(current: GrafanaContactPoint, d: DesiredContactPoint): string[] {
  const diff: string[] = [];
  if ((current.name ?? '') !== d.name) diff.push(`name: ${short(current.name ?? '')} → ${short(d.name)}`);
  if ((current.type ?? '') !== d.type) diff.push(`type: ${short(current.type ?? '')} → ${short(d.type)}`);
  if ((current.disableResolveMessage ?? false) !== d.disableResolveMessage)
    diff.push(
      `disableResolveMessage: ${String(current.disableResolveMessage ?? false)} → ${String(d.disableResolveMessage)}`,
    );
  const have = isRecord(current.settings) ? current.settings : {};
  const want = settingsToSend(d);
  const secure = new Set([...secureKeys(d.type), ...Object.keys(have).filter((k) => have[k] === REDACTED)]);
  const present = (v: unknown) => v !== undefined && v !== null && v !== '';
  for (const k of [...secure].sort()) {
    const h = have[k];
    const w = want[k];
    if (h === REDACTED) {
      if (!present(w)) diff.push(`settings.${k}: secret removed`);
    } else if (!present(h)) {
      if (present(w)) diff.push(`settings.${k}: + secret (value not shown)`);
    } else if (h !== w) diff.push(`settings.${k}: changed (secret, values not shown)`);
  }
  const plain = (o: Record<string, unknown>) =>
    Object.fromEntries(Object.entries(o).filter(([k]) => !secure.has(k)));
  diff.push(...jsonDiff(plain(have), plain(want), {}, 'settings'));
  return diff;
}

function label(d: DesiredContactPoint): string {
  return `contact point "${d.name}" (receiver ${d.uid}, ${d.file})`;
}

/** Every receiver of the org (one GET: there is no GET by uid). */
export async function listContactPoints(get: Get): Promise<GrafanaContactPoint[]> {
  const res = await get<GrafanaContactPoint[]>(CONTACT_POINTS_PATH);
  if (!Array.isArray(res.data))
    throw new Error(`GET ${CONTACT_POINTS_PATH}: expected a JSON array, got ${typeof res.data}`);
  return res.data.filter((c): c is GrafanaContactPoint => isRecord(c) && typeof c.uid === 'string');
}

export interface ContactPointPlanOptions {
  /** Provenance dashboard-ci writes: "api", or "" with grafana.disableProvenance. */
  provenance: string;
  resendSecrets: boolean;
  prune: boolean;
  log: (line: string) => void;
  /** Added to a 403's message (the permission the token lacks). */
  permissionHint?: string;
}

/** The repository's contact points against Grafana's: creates, updates, and (with prune) deletes. */
export async function planContactPoints(
  get: Get,
  desired: DesiredState,
  opts: ContactPointPlanOptions,
): Promise<{ steps: ContactPointStep[]; deletes: ContactPointStep[] }> {
  const steps: ContactPointStep[] = [];
  const deletes: ContactPointStep[] = [];
  // One GET, only when there is something to compare or prune.
  if (desired.contactPoints.length === 0 && !opts.prune) return { steps, deletes };
  let list: GrafanaContactPoint[];
  try {
    list = await listContactPoints(get);
  } catch (err) {
    steps.push(...desired.contactPoints.map(base));
    deletes.push(
      ...failListing(
        'contact-point',
        'contact points',
        err,
        steps.map((step) => ({ step, name: label(step.desired!) })),
        opts,
      ),
    );
    return { steps, deletes };
  }
  const byUid = new Map(list.map((c) => [c.uid, c]));
  for (const d of desired.contactPoints) {
    const step: ContactPointStep = base(d);
    steps.push(step);
    if (d.unset?.length)
      step.warning = `environment variable${d.unset.length > 1 ? 's' : ''} ${d.unset.join(', ')} not set: expanded to "" as Grafana does (grafana.strictVariables: true makes it a failure)`;
    const current = byUid.get(d.uid);
    if (!current) continue;
    step.current = current;
    if (current.provenance === 'file') {
      step.action = 'skip';
      step.error = {
        code: 'file-provisioned',
        message: `${label(d)}: provisioned from a file on the Grafana server (provenance "file"); Grafana refuses to change it through the API`,
      };
      continue;
    }
    const diff = compareContactPoint(current, d);
    const provenance = current.provenance ?? '';
    if (provenance !== opts.provenance) {
      diff.push(`provenance: ${short(provenance)} → ${short(opts.provenance)}`);
      if (provenance !== '')
        step.warning = appendNote(
          step.warning,
          `Grafana refuses to change a receiver's provenance from "${provenance}" to "${opts.provenance}" (UpdateContactPoint): the update will fail; delete it in Grafana first, or set grafana.disableProvenance back`,
        );
    }
    const secrets = [...secureKeys(d.type)].filter((k) => typeof d.settings[k] === 'string' && d.settings[k]);
    if (opts.resendSecrets && diff.length === 0 && secrets.length)
      diff.push(`settings: ${secrets.join(', ')} re-sent (values not shown)`);
    step.diff = diff;
    step.action = diff.length ? 'update' : 'unchanged';
    if (step.action === 'update' && !isOwned(current))
      step.warning = appendNote(
        step.warning,
        "not written by dashboard-ci (or edited in Grafana since): overwritten with the repository's version",
      );
  }

  deletes.push(
    ...planOwnedPrune({
      kind: 'contact-point',
      what: 'contact points',
      listed: list,
      key: (c) => c.uid,
      title: (c) => c.name,
      owned: isOwned,
      wanted: desired.contactPoints.map((d) => d.uid),
      explicit: desired.contactPointDeletes.map((d) => ({ key: d.uid, file: d.file })),
      explicitKey: 'deleteContactPoints',
      // An alert file that cannot be read at all (its problems carry no uid) may hold receivers too.
      broken: desired.problems.filter(
        (p) => p.kind === 'contact-point' || (p.kind === 'alert-rule-group' && p.uid === ''),
      ).length,
      prune: opts.prune,
      log: opts.log,
    }),
  );
  deletes.sort((a, b) => a.uid.localeCompare(b.uid));
  return { steps, deletes };
}

function base(d: DesiredContactPoint): ContactPointStep {
  return {
    kind: 'contact-point',
    uid: d.uid,
    title: d.name,
    file: d.file,
    action: 'create',
    diff: [],
    desired: d,
  };
}

/** Creates (POST) or updates (PUT) one receiver. */
export async function applyContactPoint(
  client: GrafanaClient,
  s: ContactPointStep,
  opts: { disableProvenance: boolean; log: (line: string) => void; permissionHint?: string },
): Promise<void> {
  const d = s.desired!;
  const body = {
    uid: d.uid,
    name: d.name,
    type: d.type,
    settings: settingsToSend(d),
    disableResolveMessage: d.disableResolveMessage,
  };
  try {
    if (s.action === 'create') {
      try {
        await client.post(CONTACT_POINTS_PATH, body, { headers: provenanceHeaders(opts.disableProvenance) });
      } catch (err) {
        // A create retried after a lost answer meets its own first attempt (the uid is taken).
        if (!(err instanceof GrafanaApiError && err.attempts > 1)) throw err;
        const again = await listContactPoints((p, o) => client.get(p, o));
        const mine = again.find((c) => c.uid === d.uid);
        if (!mine || compareContactPoint(mine, d).length) throw err;
      }
      s.result = 'created';
    } else {
      await client.put(`${CONTACT_POINTS_PATH}/${enc(d.uid)}`, body, {
        headers: provenanceHeaders(opts.disableProvenance),
      });
      s.result = 'updated';
    }
    opts.log(`contact point ${d.name} receiver ${d.uid}: ${s.result}`);
  } catch (err) {
    s.result = 'failed';
    s.error = failure(label(d), err);
    if (err instanceof GrafanaApiError && err.status === 403 && opts.permissionHint)
      s.error.message += `; ${opts.permissionHint}`;
  }
}

/** Words of Grafana's refusal to delete a receiver still in use (10.4 → 12.x messages). */
const IN_USE =
  /referenced by a notification policy|used by a notification policy|used in (the )?notification settings|used-by-rule|contact-points\.referenced/i;

/** Deletes one receiver; one Grafana still routes to is reported as a failure naming why. */
export async function deleteContactPoint(
  client: GrafanaClient,
  s: ContactPointStep,
  opts: { log: (line: string) => void },
): Promise<void> {
  const name = `contact point "${s.title ?? ''}" (receiver ${s.uid})`;
  try {
    await client.delete(`${CONTACT_POINTS_PATH}/${enc(s.uid)}`, { allow: [404] });
    s.result = 'deleted';
    opts.log(`contact point ${s.title ?? ''} receiver ${s.uid}: deleted`);
  } catch (err) {
    s.result = 'failed';
    const said =
      err instanceof GrafanaApiError ? `${err.grafanaMessage ?? ''} ${JSON.stringify(err.body ?? '')}` : '';
    if (err instanceof GrafanaApiError && IN_USE.test(said)) {
      const byRule = /notification settings|used-by-rule/i.test(said);
      s.error = {
        ...(err.status !== undefined ? { status: err.status } : {}),
        code: 'in-use',
        message: `${name}: gone from the repository, but Grafana refuses to delete it: ${
          byRule
            ? "an alert rule's notification settings still name it"
            : 'a notification policy still routes to it'
        } (${err.status ?? ''}: ${err.grafanaMessage ?? 'in use'}); change ${byRule ? 'those rules' : 'the notification policy'} first, then the next run deletes it`,
      };
      return;
    }
    s.error = failure(name, err);
  }
}

/** Reads back what was written: one GET, every written receiver compared (secrets by presence). */
export async function verifyContactPoints(client: GrafanaClient, steps: ContactPointStep[]): Promise<void> {
  await verifyByListing(
    steps.filter((s) => s.result === 'created' || s.result === 'updated'),
    () => listContactPoints((p, o) => client.get(p, o)),
    (s, list) => list.find((c) => c.uid === s.uid),
    (s, c) => compareContactPoint(c, s.desired!),
    (s) => label(s.desired!),
  );
}
