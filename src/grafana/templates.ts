// Notification templates through /api/v1/provisioning/templates, read from the alert files'
// `templates:` and `deleteTemplates:` (Grafana's file-provisioning format,
// provisioning/alerting/text_templates_types.go: `name` and `template` taken as written, never
// expanded: a Go template uses `$` for its own variables).
//
// Grafana's behaviour this follows (pkg/services/ngalert/api/api_provisioning.go RouteGetTemplates,
// RoutePutTemplate, RouteDeleteTemplate; definitions NotificationTemplate.Validate, 10.4 → 12.x):
// - GET lists {name, template, provenance}; GET /:name answers one (404 when absent).
// - PUT /:name {template} → 202; the content is trimmed, and wrapped in `{{ define "<name>" }}` …
//   `{{ end }}` (each line indented by two spaces) when it holds no `{{ define`; an empty or unparsable
//   template → 400. X-Disable-Provenance → provenance none, else "api".
// - DELETE /:name → 204.
// So dashboard-ci sends the content as Grafana would store it, and compares with what it stores.
//
// Ownership: a first line `{{/* dashboard_ci: managed */}}`, outside every define block (a comment at
// the top level renders nothing and is no template of its own). Written with provenance "api", the UI
// cannot edit it away. Prune deletes only templates carrying it, never one with provenance "file".

import type { DesiredProblem, DesiredState } from './desired.js';
import { short } from './diff.js';
import type { GrafanaClient } from './client.js';
import { CONTACT_POINT_PERMISSION } from './contact-points.js';
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

export const TEMPLATES_PATH = '/api/v1/provisioning/templates';
export const TEMPLATE_MARKER = `{{/* ${MARKER_ANNOTATION}: ${MARKER_ANNOTATION_VALUE} */}}`;
const enc = encodeURIComponent;

export interface DesiredTemplate {
  name: string;
  /** As written in the file. */
  template: string;
  file: string;
  line?: number;
}

export interface DesiredTemplateDelete {
  name: string;
  file: string;
  line?: number;
}

export interface GrafanaTemplate {
  name: string;
  template?: string;
  provenance?: string;
}

export interface TemplateStep extends BaseStep {
  kind: 'notification-template';
  desired?: DesiredTemplate;
  current?: GrafanaTemplate;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return !!v && typeof v === 'object' && !Array.isArray(v);
}

/** `templates:` and `deleteTemplates:` of one alert file. */
export function loadTemplates(
  input: {
    file: string;
    items: { value: unknown; line?: number }[];
    deletes: { value: unknown; line?: number }[];
    orgId?: number;
    seen: Map<string, string>;
  },
  out: { templates: DesiredTemplate[]; templateDeletes: DesiredTemplateDelete[]; problems: DesiredProblem[] },
): void {
  const { file } = input;
  for (const { value, line } of input.items) {
    const at = line ? `${file}:${line}` : file;
    const t = isRecord(value) ? value : undefined;
    const name = t && typeof t.name === 'string' ? t.name.trim() : '';
    const fail = (message: string) =>
      out.problems.push({
        kind: 'notification-template',
        uid: name,
        ...(name ? { title: name } : {}),
        file,
        ...(line ? { line } : {}),
        message: `${at}: notification template${name ? ` "${name}"` : ''}: ${message}`,
      });
    if (!t) fail('each item of templates must be a mapping');
    else if (!name) fail('has no name');
    else if (typeof t.template !== 'string' || !t.template.trim()) fail('has no template content');
    else if (t.orgId !== undefined && input.orgId !== undefined && Number(t.orgId) !== input.orgId)
      fail(
        `orgId ${String(t.orgId)} differs from the configured org (grafana.orgId: ${input.orgId}); dashboard-ci provisions one org per run`,
      );
    else if (input.seen.has(name)) fail(`is already defined by ${input.seen.get(name)}`);
    else {
      input.seen.set(name, at);
      out.templates.push({ name, template: t.template, file, ...(line ? { line } : {}) });
    }
  }
  for (const { value, line } of input.deletes) {
    const t = isRecord(value) ? value : undefined;
    const name = t && typeof t.name === 'string' ? t.name.trim() : '';
    if (!name) {
      out.problems.push({
        kind: 'notification-template',
        uid: '',
        file,
        ...(line ? { line } : {}),
        message: `${line ? `${file}:${line}` : file}: deleteTemplates: each item needs a name`,
      });
      continue;
    }
    out.templateDeletes.push({ name, file, ...(line ? { line } : {}) });
  }
}

/** NotificationTemplate.Validate's normal form: trimmed, wrapped in a define block when it has none. */
export function grafanaTemplateContent(name: string, template: string): string {
  const content = template.trim();
  if (/\{\{\s*define/.test(content)) return content;
  const body = content
    .split('\n')
    .map((l) => `  ${l}`)
    .join('\n');
  return `{{ define "${name}" }}\n${body}\n{{ end }}`;
}

/** What dashboard-ci sends: Grafana's normal form with the marker line first (stored unchanged). */
export function templateToSend(d: DesiredTemplate): string {
  return `${TEMPLATE_MARKER}\n${grafanaTemplateContent(d.name, d.template)}`;
}

export function isOwnedTemplate(t: GrafanaTemplate): boolean {
  return (t.template ?? '').trimStart().startsWith(TEMPLATE_MARKER);
}

function label(d: DesiredTemplate): string {
  return `notification template "${d.name}" (${d.file})`;
}

/** Every template of the org; Grafana versions that answer 404 for none mean an empty list. */
async function listTemplates(get: Get): Promise<GrafanaTemplate[]> {
  const res = await get<GrafanaTemplate[]>(TEMPLATES_PATH, { allow: [404] });
  if (res.status === 404) return [];
  if (!Array.isArray(res.data))
    throw new Error(`GET ${TEMPLATES_PATH}: expected a JSON array, got ${typeof res.data}`);
  return res.data.filter((t): t is GrafanaTemplate => isRecord(t) && typeof t.name === 'string');
}

/** The repository's templates against Grafana's (one GET): creates, updates, and deletes with prune. */
export async function planTemplates(
  get: Get,
  desired: DesiredState,
  opts: { provenance: string; prune: boolean; log: (line: string) => void },
): Promise<{ steps: TemplateStep[]; deletes: TemplateStep[] }> {
  const steps: TemplateStep[] = [];
  const deletes: TemplateStep[] = [];
  if (desired.templates.length === 0 && !opts.prune) return { steps, deletes };
  let list: GrafanaTemplate[];
  try {
    list = await listTemplates(get);
  } catch (err) {
    steps.push(...desired.templates.map(base));
    deletes.push(
      ...failListing(
        'notification-template',
        'notification templates',
        err,
        steps.map((step) => ({ step, name: label(step.desired!) })),
        {
          prune: opts.prune,
          permissionHint: CONTACT_POINT_PERMISSION.replace('contact points', 'templates'),
        },
      ),
    );
    return { steps, deletes };
  }
  const byName = new Map(list.map((t) => [t.name, t]));
  for (const d of desired.templates) {
    const step = base(d);
    steps.push(step);
    const current = byName.get(d.name);
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
    const diff: string[] = [];
    const want = templateToSend(d);
    if ((current.template ?? '') !== want) {
      const a = (current.template ?? '').split('\n');
      const b = want.split('\n');
      const changed = b.filter((l, i) => a[i] !== l).length + Math.max(0, a.length - b.length);
      diff.push(
        `template: ${changed} line${changed === 1 ? '' : 's'} changed (${a.length} → ${b.length} lines)`,
      );
    }
    const provenance = current.provenance ?? '';
    if (provenance !== opts.provenance)
      diff.push(`provenance: ${short(provenance)} → ${short(opts.provenance)}`);
    step.diff = diff;
    step.action = diff.length ? 'update' : 'unchanged';
    if (step.action === 'update' && !isOwnedTemplate(current))
      step.warning = appendNote(
        step.warning,
        "not written by dashboard-ci (or edited in Grafana since): overwritten with the repository's version",
      );
  }
  deletes.push(
    ...planOwnedPrune({
      kind: 'notification-template',
      what: 'notification templates',
      listed: list,
      key: (t) => t.name,
      title: (t) => t.name,
      owned: isOwnedTemplate,
      wanted: desired.templates.map((d) => d.name),
      explicit: desired.templateDeletes.map((d) => ({ key: d.name, file: d.file })),
      explicitKey: 'deleteTemplates',
      // An alert file that cannot be read at all (its problems carry no uid) may hold templates too.
      broken: desired.problems.filter(
        (p) => p.kind === 'notification-template' || (p.kind === 'alert-rule-group' && p.uid === ''),
      ).length,
      prune: opts.prune,
      log: opts.log,
    }),
  );
  deletes.sort((a, b) => a.uid.localeCompare(b.uid));
  return { steps, deletes };
}

function base(d: DesiredTemplate): TemplateStep {
  return {
    kind: 'notification-template',
    uid: d.name,
    title: d.name,
    file: d.file,
    action: 'create',
    diff: [],
    desired: d,
  };
}

/** PUT /templates/:name (create and update alike). */
export async function applyTemplate(
  client: GrafanaClient,
  s: TemplateStep,
  opts: { disableProvenance: boolean; log: (line: string) => void },
): Promise<void> {
  const d = s.desired!;
  try {
    await client.put(
      `${TEMPLATES_PATH}/${enc(d.name)}`,
      { template: templateToSend(d) },
      { headers: provenanceHeaders(opts.disableProvenance) },
    );
    s.result = s.action === 'create' ? 'created' : 'updated';
    opts.log(`notification template ${d.name}: ${s.result}`);
  } catch (err) {
    s.result = 'failed';
    s.error = failure(label(d), err);
  }
}

export async function deleteTemplate(
  client: GrafanaClient,
  s: TemplateStep,
  opts: { log: (line: string) => void },
): Promise<void> {
  try {
    await client.delete(`${TEMPLATES_PATH}/${enc(s.uid)}`, { allow: [404] });
    s.result = 'deleted';
    opts.log(`notification template ${s.uid}: deleted`);
  } catch (err) {
    s.result = 'failed';
    s.error = failure(`notification template "${s.uid}"`, err);
  }
}

/** Reads back the written templates (one GET) and compares with what was sent. */
export async function verifyTemplates(client: GrafanaClient, steps: TemplateStep[]): Promise<void> {
  await verifyByListing(
    steps.filter((s) => s.result === 'created' || s.result === 'updated'),
    () => listTemplates((p, o) => client.get(p, o)),
    (s, list) => list.find((t) => t.name === s.uid),
    (s, t) => (t.template === templateToSend(s.desired!) ? [] : ['template']),
    (s) => label(s.desired!),
  );
}
