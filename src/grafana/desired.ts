// The desired state, read from the repository: datasources (datasources/*.yaml, Grafana's
// file-provisioning format, environment expanded), folders (the dashboards' subfolders, or
// config.grafana.folders), dashboards (*.json, with dashboard-ci's marker) and alert rule groups
// (alerts/*.yaml, Grafana's file-provisioning format) mapped to the provisioning API's bodies.
//
// Bad input never throws: each problem is one line naming the file (and line), recorded as a
// failed object; the other objects still go on.

import { createHash } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { LineCounter, parseDocument, isMap, isSeq, type Node as YamlNode } from 'yaml';
import type { Config } from '../config/types.js';
import type { ProvisionKind } from './types.js';
import {
  ExpansionError,
  expandBraced,
  expandDeep,
  expandString,
  parseBoolValue,
  parseIntValue,
  type ExpandContext,
} from './expand.js';
import { loadDashboards as loadDashboardFiles } from '../dashboards/load.js';
import { applySharingInputs, resolveSharingInputs } from '../dashboards/inputs.js';
import type { JsonObject } from '../dashboards/model.js';
import { libraryElementOf } from '../dashboards/library-panels.js';
import { configExcludes } from '../dashboards/selection.js';
import { provisionedUidFromName } from '../dashboards/provisioning-files.js';
import { formatDuration, parseDuration } from './duration.js';
import { contentHash, MARKER_ANNOTATION, MARKER_ANNOTATION_VALUE } from './ownership.js';
import {
  loadContactPoints,
  type DesiredContactPoint,
  type DesiredContactPointDelete,
} from './contact-points.js';

import { loadTemplates, type DesiredTemplate, type DesiredTemplateDelete } from './templates.js';

export type { DesiredContactPoint, DesiredContactPointDelete } from './contact-points.js';
export type { DesiredTemplate, DesiredTemplateDelete } from './templates.js';

/** The tag dashboard-ci adds to every dashboard it writes: visible in the UI, kept by UI saves, searchable. */
export const MARKER_TAG = 'managed-by:dashboard-ci';
/** Version messages written by dashboard-ci start with this (the drift rule reads it back). */
export { MESSAGE_PREFIX } from './ownership.js';
/** Folders derived by dashboard-ci from the dashboards' subfolders carry this uid prefix. */
export const DERIVED_FOLDER_PREFIX = 'dci-';

const UID_RE = /^[a-zA-Z0-9\-_]*$/;

export interface DatasourceFields {
  name: string;
  type: string;
  access: string;
  url: string;
  user: string;
  database: string;
  basicAuth: boolean;
  basicAuthUser: string;
  withCredentials: boolean;
  isDefault: boolean;
  jsonData: Record<string, unknown>;
}

export interface DesiredDatasource {
  uid: string;
  file: string;
  line?: number;
  orgId?: number;
  /** Non-secret fields, with Grafana's defaults filled in. */
  fields: DatasourceFields;
  /** Sent on create and update; never logged, never diffed (only the keys are compared). */
  secureJsonData: Record<string, string>;
  /** `editable` of the file (Grafana's file provisioning: false = read-only in the UI). */
  editable?: boolean;
  /** Unset variables expanded to "" (each named once). */
  unset?: string[];
}

export interface DesiredDatasourceDelete {
  name: string;
  orgId?: number;
  file: string;
  line?: number;
}

export interface DesiredFolder {
  uid: string;
  title: string;
  /** '' or undefined: at the root. */
  parentUid?: string;
  /** path: derived from a dashboards subfolder; config: config.grafana.folders; alerts: named by an alert group. */
  origin: 'path' | 'config' | 'alerts';
  /** The directory it stands for (relative to cwd), when it comes from a path. */
  dir?: string;
}

export interface DesiredDashboard {
  uid: string;
  title: string;
  file: string;
  /** '' = the root (General). */
  folderUid: string;
  /**
   * The JSON as it will be sent, marker tag added: the classic model (`id` and `version` removed), or
   * for a schema v2 resource its `spec`.
   */
  dashboard: Record<string, unknown>;
  /**
   * Set for schema v2: deployed through Grafana 12's resource API at this apiVersion
   * (`dashboard.grafana.app/v2beta1`), never through /api/dashboards.
   */
  resource?: { apiVersion: string };
  /** uids of the repository's library panels its panels use: they are written before it. */
  libraryPanels?: string[];
}

export interface DesiredLibraryPanel {
  uid: string;
  name: string;
  file: string;
  /** '' = the root (General). */
  folderUid: string;
  /** The panel model as it will be sent, dashboard-ci's marker added. */
  model: Record<string, unknown>;
}

export interface AlertQueryBody {
  refId: string;
  queryType: string;
  relativeTimeRange: { from: number; to: number };
  datasourceUid: string;
  model: Record<string, unknown>;
}

export interface DesiredRule {
  uid: string;
  title: string;
  condition: string;
  data: AlertQueryBody[];
  noDataState: string;
  execErrState: string;
  for: string;
  annotations: Record<string, string>;
  labels: Record<string, string>;
  isPaused: boolean;
  notification_settings?: Record<string, unknown>;
  record?: Record<string, unknown>;
  /** The file's `keepFiringFor`, canonical; sent as the API's `keep_firing_for`. */
  keepFiringFor?: string;
}

export interface DesiredRuleGroup {
  name: string;
  /** The folder as written: a folder uid, a title, or a title path `parent/child`. */
  folder: string;
  /** Resolved by the plan (desired folders first, then Grafana's). */
  folderUid?: string;
  intervalSeconds: number;
  rules: DesiredRule[];
  file: string;
  line?: number;
  orgId?: number;
  /** Unset variables expanded to "" (each named once). */
  unset?: string[];
}

export interface DesiredProblem {
  kind: ProvisionKind;
  uid: string;
  title?: string;
  file: string;
  line?: number;
  /** One line, naming what is wrong (never a value that could be secret). */
  message: string;
}

export interface DesiredState {
  datasources: DesiredDatasource[];
  datasourceDeletes: DesiredDatasourceDelete[];
  /** Parents before children. */
  folders: DesiredFolder[];
  dashboards: DesiredDashboard[];
  /** Library panels (library-panels/, and the `__elements` an export carries), before the dashboards. */
  libraryPanels: DesiredLibraryPanel[];
  ruleGroups: DesiredRuleGroup[];
  /** Receivers of the alert files' contactPoints (one per receiver uid). */
  contactPoints: DesiredContactPoint[];
  /** The alert files' deleteContactPoints (deleted only with --prune). */
  contactPointDeletes: DesiredContactPointDelete[];
  /** The alert files' notification templates. */
  templates: DesiredTemplate[];
  /** The alert files' deleteTemplates (deleted only with --prune). */
  templateDeletes: DesiredTemplateDelete[];
  problems: DesiredProblem[];
  /** Values to mask everywhere: secureJsonData values and what expanded into them. */
  secrets: string[];
  /** Informational lines (ignored sections...). */
  notes: string[];
  /** The dashboard roots were a subset of config.paths (prune must not run on a subset). */
  partial: boolean;
}

export interface LoadDesiredOptions {
  cwd: string;
  /** Dashboard files or folders; empty = config.paths. */
  paths: string[];
  config: Config;
  env: Record<string, string | undefined>;
}

export async function loadDesiredState(opts: LoadDesiredOptions): Promise<DesiredState> {
  const state: DesiredState = {
    datasources: [],
    datasourceDeletes: [],
    folders: [],
    dashboards: [],
    libraryPanels: [],
    ruleGroups: [],
    contactPoints: [],
    contactPointDeletes: [],
    templates: [],
    templateDeletes: [],
    problems: [],
    secrets: [],
    notes: [],
    partial: false,
  };
  const rel = (abs: string) => toPosix(path.relative(opts.cwd, abs)) || '.';

  await loadDatasources(opts, state, rel);
  const folderMap = new Map<string, DesiredFolder>();
  for (const f of opts.config.grafana.folders) {
    if (!f.uid || !UID_RE.test(f.uid) || f.uid.length > 40) {
      state.problems.push({
        kind: 'folder',
        uid: f.uid ?? '',
        title: f.title,
        file: opts.config.file ?? 'dashboard-ci.yml',
        message: `grafana.folders: uid "${f.uid ?? ''}" must be 1-40 characters of letters, digits, - and _`,
      });
      continue;
    }
    folderMap.set(f.uid, {
      uid: f.uid,
      title: f.title,
      ...(f.parentUid ? { parentUid: f.parentUid } : {}),
      origin: 'config',
      ...(f.path ? { dir: normDir(f.path) } : {}),
    });
  }
  await loadDashboards(opts, state, folderMap);
  await loadAlerts(opts, state, rel);
  state.folders = orderParentsFirst([...folderMap.values()]);
  state.secrets = [...new Set(state.secrets)];
  return state;
}

// ---------------------------------------------------------------- datasources

async function loadDatasources(
  opts: LoadDesiredOptions,
  state: DesiredState,
  rel: (abs: string) => string,
): Promise<void> {
  const files = await yamlFiles(opts.cwd, opts.config.datasources, state, 'datasource', rel);
  const seen = new Map<string, string>();
  for (const abs of files) {
    const file = rel(abs);
    const parsed = await readYaml(abs, file, state, 'datasource');
    if (!parsed) continue;
    const { root, seqItems } = parsed;
    if (root.apiVersion !== undefined && Number(root.apiVersion) !== 1) {
      state.problems.push({
        kind: 'datasource',
        uid: '',
        file,
        message: `${file}: apiVersion ${String(root.apiVersion)} is not supported (expected 1)`,
      });
      continue;
    }
    const list = seqItems('datasources');
    for (const { value, line } of list) {
      const entry = value as Record<string, unknown> | null;
      const label = entry && typeof entry.name === 'string' ? `datasource "${entry.name}"` : 'datasource';
      const at = line ? `${file}:${line}` : file;
      const fail = (message: string, uid = '') =>
        state.problems.push({
          kind: 'datasource',
          uid,
          title: entry?.name as string | undefined,
          file,
          line,
          message: `${at}: ${label}: ${message}`,
        });
      if (!entry || typeof entry !== 'object' || Array.isArray(entry)) {
        fail('each item of datasources must be a mapping');
        continue;
      }
      // Values expanded inside secureJsonData are secret (masked everywhere); the others are not.
      const secretSources = new Set<string>();
      const unset = new Set<string>();
      const xctx = expandContext(opts, unset);
      let ds: Record<string, unknown>;
      let flags: { basicAuth: boolean; withCredentials: boolean; isDefault: boolean; editable?: boolean };
      let orgIdValue: number | undefined;
      try {
        const { secureJsonData: rawSecureIn, ...plain } = entry;
        ds = expandDeep(plain, xctx);
        if (rawSecureIn !== undefined)
          ds.secureJsonData = expandDeep(rawSecureIn, { ...xctx, used: secretSources });
        // Parsed after expansion, as values.BoolValue / IntValue do.
        flags = {
          basicAuth: parseBoolValue(ds.basicAuth, 'basicAuth', false),
          withCredentials: parseBoolValue(ds.withCredentials, 'withCredentials', false),
          isDefault: parseBoolValue(ds.isDefault, 'isDefault', false),
          ...(ds.editable !== undefined && ds.editable !== null
            ? { editable: parseBoolValue(ds.editable, 'editable', false) }
            : {}),
        };
        orgIdValue = parseIntValue(ds.orgId, 'orgId');
      } catch (err) {
        if (err instanceof ExpansionError) {
          fail(err.message, typeof entry.uid === 'string' && !entry.uid.includes('$') ? entry.uid : '');
          continue;
        }
        throw err;
      }
      const given = typeof ds.uid === 'string' ? ds.uid.trim() : '';
      if (typeof ds.name !== 'string' || ds.name.trim() === '') {
        fail('has no name', given);
        continue;
      }
      if (typeof ds.type !== 'string' || ds.type.trim() === '') {
        fail('has no type', given);
        continue;
      }
      // Without a uid, Grafana's file provisioning derives one from the (expanded) name; dashboards
      // exported from such a Grafana reference it, and `check` resolves them with the same derivation.
      const uid = given || provisionedUidFromName(ds.name);
      if (uid.length > 40 || !UID_RE.test(uid)) {
        fail(`uid "${uid}" must be at most 40 letters, digits, - or _`, uid);
        continue;
      }
      const orgProblem = orgMismatch(orgIdValue, opts.config.grafana.orgId);
      if (orgProblem) {
        fail(orgProblem, uid);
        continue;
      }
      const prior = seen.get(uid);
      if (prior) {
        fail(`uid "${uid}" is already used by ${prior}`, uid);
        continue;
      }
      seen.set(uid, at);
      if (
        ds.jsonData !== undefined &&
        ds.jsonData !== null &&
        (typeof ds.jsonData !== 'object' || Array.isArray(ds.jsonData))
      ) {
        fail('jsonData must be a mapping', uid);
        continue;
      }
      const secure: Record<string, string> = {};
      const rawSecure = ds.secureJsonData;
      if (rawSecure !== undefined && rawSecure !== null) {
        if (typeof rawSecure !== 'object' || Array.isArray(rawSecure)) {
          fail('secureJsonData must be a mapping', uid);
          continue;
        }
        for (const [k, v] of Object.entries(rawSecure as Record<string, unknown>)) {
          if (v === undefined || v === null) continue;
          secure[k] = typeof v === 'string' ? v : JSON.stringify(v);
        }
      }
      // Old top-level secret fields (Grafana < 7): they belong in secureJsonData.
      for (const legacy of ['password', 'basicAuthPassword'] as const) {
        const v = ds[legacy];
        if (typeof v === 'string' && v !== '' && secure[legacy] === undefined) secure[legacy] = v;
      }
      state.secrets.push(...Object.values(secure), ...secretSources);
      state.datasources.push({
        uid,
        file,
        ...(line ? { line } : {}),
        ...(orgIdValue !== undefined ? { orgId: orgIdValue } : {}),
        ...(flags.editable !== undefined ? { editable: flags.editable } : {}),
        ...(unset.size ? { unset: [...unset] } : {}),
        fields: {
          name: ds.name.trim(),
          type: ds.type.trim(),
          access: str(ds.access) || 'proxy',
          url: str(ds.url),
          user: str(ds.user),
          database: str(ds.database),
          basicAuth: flags.basicAuth,
          basicAuthUser: str(ds.basicAuthUser),
          withCredentials: flags.withCredentials,
          isDefault: flags.isDefault,
          jsonData: (ds.jsonData as Record<string, unknown> | undefined) ?? {},
        },
        secureJsonData: secure,
      });
    }
    for (const { value, line } of seqItems('deleteDatasources')) {
      const entry = value as Record<string, unknown> | null;
      if (!entry || typeof entry !== 'object' || typeof entry.name !== 'string' || entry.name === '') {
        state.problems.push({
          kind: 'datasource',
          uid: '',
          file,
          line,
          message: `${line ? `${file}:${line}` : file}: deleteDatasources: each item needs a name`,
        });
        continue;
      }
      let name: string;
      try {
        name = expandString(entry.name, expandContext(opts, new Set()));
      } catch (err) {
        state.problems.push({
          kind: 'datasource',
          uid: '',
          title: entry.name,
          file,
          line,
          message: `${line ? `${file}:${line}` : file}: deleteDatasources "${entry.name}": ${(err as Error).message}`,
        });
        continue;
      }
      state.datasourceDeletes.push({
        name,
        file,
        ...(line ? { line } : {}),
        ...(typeof entry.orgId === 'number' ? { orgId: entry.orgId } : {}),
      });
    }
    if (root.prune !== undefined)
      state.notes.push(
        `${file}: "prune" is Grafana's file-provisioning switch; dashboard-ci prunes only with --prune`,
      );
  }
  // Grafana deletes before it creates: a name both deleted and desired ends up provisioned, so never delete it.
  const desiredNames = new Set(state.datasources.map((d) => d.fields.name));
  state.datasourceDeletes = state.datasourceDeletes.filter((d) => !desiredNames.has(d.name));
}

function orgMismatch(orgId: unknown, configured: number | undefined): string | undefined {
  if (orgId === undefined || orgId === null || configured === undefined) return undefined;
  const n = Number(orgId);
  if (n === configured) return undefined;
  return `orgId ${String(orgId)} differs from the configured org (grafana.orgId: ${configured}); dashboard-ci provisions one org per run`;
}

// ---------------------------------------------------------------- dashboards and folders

async function loadDashboards(
  opts: LoadDesiredOptions,
  state: DesiredState,
  folderMap: Map<string, DesiredFolder>,
): Promise<void> {
  const configRoots = opts.config.paths.map((p) => path.resolve(opts.cwd, p));
  const given = opts.paths.length > 0 ? opts.paths : opts.config.paths;
  state.partial =
    opts.paths.length > 0 &&
    !sameSet(
      opts.paths.map((p) => path.resolve(opts.cwd, p)),
      configRoots,
    );
  const byDir = new Map<string, string>(); // dir (relative to cwd) → config folder uid
  for (const f of folderMap.values()) if (f.dir) byDir.set(f.dir, f.uid);

  // The same loader as `check`: every format by content, exclude: honoured, hostile files findings.
  const existing: string[] = [];
  const givenDirs: string[] = [];
  for (const p of given) {
    const abs = path.resolve(opts.cwd, p);
    let st;
    try {
      st = await stat(abs);
    } catch {
      state.problems.push({
        kind: 'dashboard',
        uid: '',
        file: toPosix(p),
        message: `${toPosix(p)}: no such file or folder`,
      });
      continue;
    }
    existing.push(p);
    if (st.isDirectory()) givenDirs.push(abs);
  }
  const loaded = existing.length
    ? await loadDashboardFiles(existing, {
        cwd: opts.cwd,
        excludes: configExcludes(opts.config, opts.cwd, []),
        libraryPanels: opts.config.libraryPanels,
      })
    : { dashboards: [], libraryPanels: [], findings: [], usageErrors: [], files: 0 };
  for (const line of loaded.usageErrors) if (!opts.paths.length) state.notes.push(line);
  for (const f of loaded.findings) {
    if (f.severity === 'info') state.notes.push(`${f.file}: ${f.message}`);
    else
      state.problems.push({
        kind: 'dashboard',
        uid: '',
        file: f.file,
        line: f.line,
        message: `${f.file}:${f.line}:${f.column}: ${f.message}`,
      });
  }
  const knownDatasources = state.datasources.map((d) => ({
    uid: d.uid,
    name: d.fields.name,
    type: d.fields.type,
    isDefault: d.fields.isDefault,
  }));
  const libraries = new LibraryPanels(state);
  for (const lp of loaded.libraryPanels) {
    // An export's own elements are taken from it once its inputs are filled (below).
    if (lp.format.shape !== 'export-element') libraries.add(libraryElementOf(lp), lp.file);
  }
  const seenUid = new Map<string, string>();
  for (const model of loaded.dashboards) {
    const file = model.file;
    const abs = path.resolve(opts.cwd, file);
    const root =
      givenDirs.find((d) => isInside(abs, d)) ??
      configRoots.find((r) => isInside(abs, r)) ??
      path.dirname(abs);
    const fail = (message: string, uid = '', title?: string) =>
      state.problems.push({
        kind: 'dashboard',
        uid,
        ...(title ? { title } : {}),
        file,
        message: `${file}: ${message}`,
      });
    const usesLibrary = (uids: Iterable<string>) => {
      const used = [...new Set(uids)];
      return used.length ? { libraryPanels: used } : {};
    };
    const libraryRefs = model.panels.flatMap((p) => (p.libraryPanel?.uid ? [p.libraryPanel.uid] : []));
    if (model.format.shape === 'resource-v2') {
      // Deployed as written, through Grafana 12's resource API (the classic API cannot store v2).
      const spec = isRecord(model.document?.spec) ? model.document.spec : {};
      const prepared = prepareV2Spec(model.uid, spec);
      if ('error' in prepared) {
        fail(prepared.error, model.uid ?? '', model.title);
        continue;
      }
      const prior = seenUid.get(prepared.uid);
      if (prior) {
        fail(`uid "${prepared.uid}" is already used by ${prior}`, prepared.uid, prepared.title);
        continue;
      }
      seenUid.set(prepared.uid, file);
      state.dashboards.push({
        uid: prepared.uid,
        title: prepared.title,
        file,
        folderUid: model.folderUid ?? folderFor(abs, root, opts.cwd, byDir, folderMap),
        dashboard: prepared.spec,
        resource: { apiVersion: model.format.apiVersion ?? '' },
        ...usesLibrary(libraryRefs),
      });
      continue;
    }
    // A resource's uid is its metadata.name; an export's inputs are filled as Grafana's import fills them.
    let json: Record<string, unknown> =
      model.uid !== undefined ? { ...model.raw, uid: model.uid } : { ...model.raw };
    if (model.format.sharedExport) {
      const inputs = resolveSharingInputs(model, knownDatasources, opts.config.inputs);
      const blocking = inputs.problems.filter((p) => p.severity === 'error');
      if (blocking.length) {
        fail(blocking.map((p) => p.message).join('; '), model.uid ?? '', model.title);
        continue;
      }
      json = applySharingInputs(json as JsonObject, inputs.values);
    }
    const prepared = prepareDashboard(json);
    if ('error' in prepared) {
      fail(prepared.error, typeof json.uid === 'string' ? json.uid : '');
      continue;
    }
    const { uid, title, dashboard } = prepared;
    const prior = seenUid.get(uid);
    if (prior) {
      fail(`uid "${uid}" is already used by ${prior}`, uid, title);
      continue;
    }
    seenUid.set(uid, file);
    const folderUid = model.folderUid ?? folderFor(abs, root, opts.cwd, byDir, folderMap);
    // Grafana's import creates the library panels an export carries (`__elements`, inputs filled) in
    // the dashboard's folder when they do not exist yet (ImportLibraryPanelsForDashboard).
    if (isRecord(json.__elements)) {
      for (const [key, element] of Object.entries(json.__elements)) {
        if (!isRecord(element) || !isRecord(element.model)) continue;
        libraries.add(
          {
            uid: typeof element.uid === 'string' ? element.uid : key,
            name: typeof element.name === 'string' ? element.name : undefined,
            folderUid,
            model: element.model,
          },
          file,
        );
      }
    }
    state.dashboards.push({ uid, title, file, folderUid, dashboard, ...usesLibrary(libraryRefs) });
  }
  libraries.finish();
}

/** A schema v2 spec as it will be sent: uid (metadata.name) and title checked, marker tag added. */
export function prepareV2Spec(
  name: string | undefined,
  spec: Record<string, unknown>,
): { uid: string; title: string; spec: Record<string, unknown> } | { error: string } {
  const uid = (name ?? '').trim();
  if (!uid) return { error: 'has no metadata.name (its uid: dashboard-ci provisions dashboards by uid)' };
  if (uid.length > 40) return { error: `metadata.name "${uid}" is longer than 40 characters` };
  if (!UID_RE.test(uid)) return { error: `metadata.name "${uid}" may hold only letters, digits, - and _` };
  const title = typeof spec.title === 'string' ? spec.title.trim() : '';
  if (!title) return { error: 'has no spec.title (Grafana refuses an empty title)' };
  if (spec.tags !== undefined && spec.tags !== null && !Array.isArray(spec.tags))
    return { error: 'spec.tags must be an array' };
  const tags = Array.isArray(spec.tags) ? spec.tags.filter((t) => t !== MARKER_TAG) : [];
  return { uid, title, spec: { ...spec, tags: [...tags, MARKER_TAG] } };
}

interface LibraryPanelInput {
  uid?: string | undefined;
  name?: string | undefined;
  folderUid: string;
  model: Record<string, unknown>;
}

/** The library panels of a run: checked, de-duplicated by uid, marked as dashboard-ci's. */
class LibraryPanels {
  private readonly byUid = new Map<string, { panel: DesiredLibraryPanel; file: string }>();
  constructor(private readonly state: DesiredState) {}

  add(input: LibraryPanelInput, file: string): void {
    const fail = (message: string, uid = ''): void => {
      this.state.problems.push({
        kind: 'library-panel',
        uid,
        ...(input.name ? { title: input.name } : {}),
        file,
        message: `${file}: library panel${input.name ? ` "${input.name}"` : ''}: ${message}`,
      });
    };
    const uid = (input.uid ?? '').trim();
    if (!uid) return fail('has no uid (dashboards reference library panels by uid)');
    if (uid.length > 40 || !UID_RE.test(uid))
      return fail(`uid "${uid}" must be at most 40 letters, digits, - or _`, uid);
    const name = (input.name ?? '').trim();
    if (!name) return fail('has no name', uid);
    const panel: DesiredLibraryPanel = {
      uid,
      name,
      file,
      folderUid: input.folderUid,
      model: { ...input.model, [MARKER_ANNOTATION]: MARKER_ANNOTATION_VALUE },
    };
    const prior = this.byUid.get(uid);
    if (prior) {
      // The same panel twice (an export carrying a library panel the repository also has) is one.
      const same =
        prior.panel.name === panel.name && contentHash(prior.panel.model) === contentHash(panel.model);
      if (!same) fail(`uid "${uid}" is already used by ${prior.file}`, uid);
      return;
    }
    this.byUid.set(uid, { panel, file });
  }

  finish(): void {
    this.state.libraryPanels = [...this.byUid.values()].map((v) => v.panel);
    // Only references to the repository's library panels order the writes; others must exist in Grafana.
    for (const d of this.state.dashboards) {
      if (!d.libraryPanels) continue;
      const mine = d.libraryPanels.filter((u) => this.byUid.has(u));
      if (mine.length) d.libraryPanels = mine;
      else delete d.libraryPanels;
    }
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** `id` and `version` removed (server-side), uid and title trimmed as Grafana trims them, marker tag added. */
export function prepareDashboard(
  json: Record<string, unknown>,
): { uid: string; title: string; dashboard: Record<string, unknown> } | { error: string } {
  const uid = typeof json.uid === 'string' ? json.uid.trim() : '';
  if (!uid)
    return { error: 'has no uid (dashboard-ci provisions dashboards by uid, so it needs a stable one)' };
  if (uid.length > 40) return { error: `uid "${uid}" is longer than 40 characters` };
  if (!UID_RE.test(uid)) return { error: `uid "${uid}" may hold only letters, digits, - and _` };
  const title = typeof json.title === 'string' ? json.title.trim() : '';
  if (!title) return { error: 'has no title (Grafana refuses an empty title)' };
  if (json.tags !== undefined && json.tags !== null && !Array.isArray(json.tags))
    return { error: 'tags must be an array' };
  if ('__inputs' in json)
    return {
      error:
        'is an "export for sharing" file (__inputs with ${DS_...} placeholders): export it without "share externally"',
    };
  const dashboard: Record<string, unknown> = { ...json, uid, title };
  delete dashboard.id;
  delete dashboard.version;
  const tags = Array.isArray(json.tags) ? json.tags.filter((t) => t !== MARKER_TAG) : [];
  dashboard.tags = [...tags, MARKER_TAG];
  return { uid, title, dashboard };
}

function folderFor(
  file: string,
  root: string,
  cwd: string,
  byDir: Map<string, string>,
  folderMap: Map<string, DesiredFolder>,
): string {
  const relCwd = (abs: string) => toPosix(path.relative(cwd, abs)) || '.';
  let current = byDir.get(relCwd(root)) ?? '';
  const relDir = toPosix(path.relative(root, path.dirname(file)));
  const segments = relDir ? relDir.split('/').filter((s) => s && s !== '.') : [];
  for (let i = 1; i <= segments.length; i++) {
    const prefix = segments.slice(0, i).join('/');
    const dir = relCwd(path.join(root, prefix));
    const mapped = byDir.get(dir);
    if (mapped) {
      current = mapped;
      continue;
    }
    const uid = derivedFolderUid(prefix);
    if (!folderMap.has(uid)) {
      folderMap.set(uid, {
        uid,
        title: segments[i - 1]!,
        ...(current ? { parentUid: current } : {}),
        origin: 'path',
        dir,
      });
    }
    current = uid;
  }
  return current;
}

/** `dci-<slug>-<8 hex of sha1(path)>`: readable, deterministic, unique per path, ≤ 40 characters. */
export function derivedFolderUid(relPath: string): string {
  const hash = createHash('sha1').update(relPath).digest('hex').slice(0, 8);
  const slug = relPath
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40 - DERIVED_FOLDER_PREFIX.length - 9)
    .replace(/-+$/, '');
  return `${DERIVED_FOLDER_PREFIX}${slug ? `${slug}-` : ''}${hash}`;
}

/** Parents before children (a parent missing from the list is taken to exist in Grafana). */
export function orderParentsFirst(folders: DesiredFolder[]): DesiredFolder[] {
  const byUid = new Map(folders.map((f) => [f.uid, f]));
  const depth = new Map<string, number>();
  const depthOf = (f: DesiredFolder, guard: Set<string>): number => {
    const known = depth.get(f.uid);
    if (known !== undefined) return known;
    const parent = f.parentUid ? byUid.get(f.parentUid) : undefined;
    let d = 0;
    if (parent && !guard.has(parent.uid)) {
      guard.add(f.uid);
      d = depthOf(parent, guard) + 1;
    }
    depth.set(f.uid, d);
    return d;
  };
  for (const f of folders) depthOf(f, new Set());
  return [...folders].sort((a, b) => depth.get(a.uid)! - depth.get(b.uid)! || a.uid.localeCompare(b.uid));
}

/** Folder depth levels (0 = at the root or under a folder not provisioned here). */
export function folderLevels(folders: DesiredFolder[]): DesiredFolder[][] {
  const byUid = new Map(folders.map((f) => [f.uid, f]));
  const levels: DesiredFolder[][] = [];
  const depthOf = (f: DesiredFolder): number => {
    let d = 0;
    let p = f.parentUid ? byUid.get(f.parentUid) : undefined;
    const guard = new Set([f.uid]);
    while (p && !guard.has(p.uid)) {
      guard.add(p.uid);
      d++;
      p = p.parentUid ? byUid.get(p.parentUid) : undefined;
    }
    return d;
  };
  for (const f of folders) (levels[depthOf(f)] ??= []).push(f);
  return levels.filter(Boolean);
}

// ---------------------------------------------------------------- alert rule groups

const NO_DATA_STATES = ['NoData', 'Alerting', 'OK', 'KeepLast'];
const EXEC_ERR_STATES = ['Error', 'Alerting', 'OK', 'KeepLast'];

async function loadAlerts(
  opts: LoadDesiredOptions,
  state: DesiredState,
  rel: (abs: string) => string,
): Promise<void> {
  const files = await yamlFiles(opts.cwd, opts.config.alerts, state, 'alert-rule-group', rel);
  const seenRule = new Map<string, string>();
  const seenGroup = new Set<string>();
  const seenReceiver = new Map<string, string>();
  const seenTemplate = new Map<string, string>();
  for (const abs of files) {
    const file = rel(abs);
    const parsed = await readYaml(abs, file, state, 'alert-rule-group');
    if (!parsed) continue;
    const { root, seqItems } = parsed;
    if (root.apiVersion !== undefined && Number(root.apiVersion) !== 1) {
      state.problems.push({
        kind: 'alert-rule-group',
        uid: '',
        file,
        message: `${file}: apiVersion ${String(root.apiVersion)} is not supported (expected 1)`,
      });
      continue;
    }
    loadContactPoints(
      {
        file,
        items: seqItems('contactPoints'),
        deletes: seqItems('deleteContactPoints'),
        expand: (unset, used) => ({ ...expandContext(opts, unset), used }),
        ...(opts.config.grafana.orgId !== undefined ? { orgId: opts.config.grafana.orgId } : {}),
        seen: seenReceiver,
      },
      state,
    );
    loadTemplates(
      {
        file,
        items: seqItems('templates'),
        deletes: seqItems('deleteTemplates'),
        ...(opts.config.grafana.orgId !== undefined ? { orgId: opts.config.grafana.orgId } : {}),
        seen: seenTemplate,
      },
      state,
    );
    for (const key of ['policies', 'muteTimes', 'deleteRules', 'resetPolicies', 'deleteMuteTimes']) {
      if (root[key] !== undefined)
        state.notes.push(`${file}: "${key}" is not provisioned by dashboard-ci (ignored)`);
    }
    for (const { value, line } of seqItems('groups')) {
      const at = line ? `${file}:${line}` : file;
      const g = value as Record<string, unknown> | null;
      const gName = g && typeof g.name === 'string' ? g.name : '';
      const gFolder = g && typeof g.folder === 'string' ? g.folder : '';
      const fail = (message: string) =>
        state.problems.push({
          kind: 'alert-rule-group',
          uid: gFolder && gName ? `${gFolder}/${gName}` : gName,
          ...(gName ? { title: gName } : {}),
          file,
          line,
          message: `${at}: alert rule group${gName ? ` "${gName}"` : ''}: ${message}`,
        });
      if (!g || typeof g !== 'object' || Array.isArray(g)) {
        fail('each item of groups must be a mapping');
        continue;
      }
      try {
        const unset = new Set<string>();
        const group = mapRuleGroup(g, expandContext(opts, unset), opts.config.grafana.orgId);
        if (unset.size) group.unset = [...unset];
        const key = `${group.folder}\u0000${group.name}`;
        if (seenGroup.has(key))
          throw new Error(`group "${group.name}" in folder "${group.folder}" is defined twice`);
        for (const r of group.rules) {
          const prior = seenRule.get(r.uid);
          if (prior) throw new Error(`rule uid "${r.uid}" is already used by ${prior}`);
        }
        seenGroup.add(key);
        for (const r of group.rules) seenRule.set(r.uid, at);
        state.ruleGroups.push({ ...group, file, ...(line ? { line } : {}) });
      } catch (err) {
        fail((err as Error).message);
      }
    }
  }
}

function mapRuleGroup(
  g: Record<string, unknown>,
  ctx: ExpandContext,
  configuredOrg: number | undefined,
): Omit<DesiredRuleGroup, 'file' | 'line'> {
  const x = (v: unknown) => (typeof v === 'string' ? expandString(v, ctx) : v);
  const name = str(x(g.name)).trim();
  if (!name) throw new Error('has no name');
  const folder = str(x(g.folder)).trim();
  if (!folder) throw new Error('has no folder');
  const intervalText = x(g.interval);
  const intervalMs = parseDuration(intervalText as string | number);
  if (intervalMs === undefined || intervalMs <= 0)
    throw new Error(`interval "${String(intervalText ?? '')}" is not a duration such as 1m`);
  const orgId = parseIntValue(x(g.orgId), 'orgId');
  const orgProblem = orgMismatch(orgId, configuredOrg);
  if (orgProblem) throw new Error(orgProblem);
  if (!Array.isArray(g.rules) || g.rules.length === 0) throw new Error('has no rules');
  const rules = g.rules.map((r, i) => mapRule(r, i, x, ctx));
  return {
    name,
    folder,
    intervalSeconds: Math.round(intervalMs / 1000),
    rules,
    ...(orgId !== undefined ? { orgId } : {}),
  };
}

// Expanded like Grafana expands them (provisioning/alerting/rules_types.go): every string field in
// full, annotations only `${NAME}` (their templates hold `{{ $labels.x }}`), query models raw (they
// hold macros such as $__timeFilter).
function mapRule(raw: unknown, index: number, x: (v: unknown) => unknown, ctx: ExpandContext): DesiredRule {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw))
    throw new Error(`rule #${index + 1} must be a mapping`);
  const r = raw as Record<string, unknown>;
  const title = str(x(r.title)).trim();
  const name = title ? `rule "${title}"` : `rule #${index + 1}`;
  if (!title) throw new Error(`${name} has no title`);
  const uid = str(x(r.uid)).trim();
  if (!uid) throw new Error(`${name} has no uid`);
  if (uid.length > 40 || !UID_RE.test(uid))
    throw new Error(`${name}: uid "${uid}" must be at most 40 letters, digits, - or _`);
  const condition = str(x(r.condition)).trim();
  if (!condition) throw new Error(`${name} has no condition`);
  if (!Array.isArray(r.data) || r.data.length === 0) throw new Error(`${name} has no data`);
  const data = r.data.map((q, i) => mapQuery(q, i, name, x));
  if (!data.some((q) => q.refId === condition))
    throw new Error(`${name}: condition "${condition}" is not the refId of any of its queries`);
  const noDataState = str(x(r.noDataState)).trim() || 'NoData';
  if (!NO_DATA_STATES.includes(noDataState))
    throw new Error(`${name}: noDataState "${noDataState}" is not one of ${NO_DATA_STATES.join(', ')}`);
  const execErrState = str(x(r.execErrState)).trim() || 'Alerting';
  if (!EXEC_ERR_STATES.includes(execErrState))
    throw new Error(`${name}: execErrState "${execErrState}" is not one of ${EXEC_ERR_STATES.join(', ')}`);
  const forText = x(r.for);
  const forMs =
    forText === undefined || forText === null || forText === ''
      ? 0
      : parseDuration(forText as string | number);
  if (forMs === undefined) throw new Error(`${name}: for "${String(forText)}" is not a duration such as 5m`);
  const annotations = Object.fromEntries(
    Object.entries(stringMap(r.annotations, `${name}: annotations`)).map(([k, v]) => [
      k,
      expandBraced(v, ctx),
    ]),
  );
  // The file format's dashboardUid/panelId become the API's reserved annotations.
  const dashboardUid = str(x(r.dashboardUid ?? r.dasboardUid));
  if (dashboardUid) annotations.__dashboardUid__ = dashboardUid;
  const panelId = parseIntValue(x(r.panelId), `${name}: panelId`);
  if (panelId !== undefined) annotations.__panelId__ = String(panelId);
  const labels = stringMap(
    r.labels && typeof r.labels === 'object'
      ? Object.fromEntries(Object.entries(r.labels).map(([k, v]) => [k, x(v)]))
      : r.labels,
    `${name}: labels`,
  );
  const rule: DesiredRule = {
    uid,
    title,
    condition,
    data,
    noDataState,
    execErrState,
    for: formatDuration(forMs),
    annotations,
    labels,
    isPaused: parseBoolValue(x(r.isPaused), `${name}: isPaused`, false),
  };
  if (r.notification_settings && typeof r.notification_settings === 'object')
    rule.notification_settings = r.notification_settings as Record<string, unknown>;
  if (r.record && typeof r.record === 'object') rule.record = r.record as Record<string, unknown>;
  // The file format's keepFiringFor (camelCase, rules_types.go); the API's field is keep_firing_for.
  const kff = x(r.keepFiringFor ?? r.keep_firing_for);
  if (kff !== undefined && kff !== null && kff !== '') {
    const ms = parseDuration(kff as string);
    if (ms === undefined) throw new Error(`${name}: keepFiringFor "${String(kff)}" is not a duration`);
    if (ms > 0) rule.keepFiringFor = formatDuration(ms);
  }
  return rule;
}

function mapQuery(raw: unknown, index: number, rule: string, x: (v: unknown) => unknown): AlertQueryBody {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw))
    throw new Error(`${rule}: data #${index + 1} must be a mapping`);
  const q = raw as Record<string, unknown>;
  const refId = str(x(q.refId)).trim();
  if (!refId) throw new Error(`${rule}: data #${index + 1} has no refId`);
  const datasourceUid = str(x(q.datasourceUid)).trim();
  if (!datasourceUid) throw new Error(`${rule}: query ${refId} has no datasourceUid`);
  if (q.model !== undefined && (typeof q.model !== 'object' || q.model === null || Array.isArray(q.model)))
    throw new Error(`${rule}: query ${refId}: model must be a mapping`);
  const rtr = (q.relativeTimeRange ?? {}) as Record<string, unknown>;
  const from = Number(rtr.from ?? 0);
  const to = Number(rtr.to ?? 0);
  if (!Number.isFinite(from) || !Number.isFinite(to))
    throw new Error(`${rule}: query ${refId}: relativeTimeRange from/to must be seconds`);
  return {
    refId,
    queryType: str(x(q.queryType)),
    relativeTimeRange: { from, to },
    datasourceUid,
    model: { ...((q.model as Record<string, unknown>) ?? {}) },
  };
}

function expandContext(opts: LoadDesiredOptions, unset: Set<string>): ExpandContext {
  return {
    env: opts.env,
    cwd: opts.cwd,
    strict: opts.config.grafana.strictVariables === true,
    onUnset: (name) => unset.add(name),
  };
}

function stringMap(v: unknown, what: string): Record<string, string> {
  if (v === undefined || v === null) return {};
  if (typeof v !== 'object' || Array.isArray(v)) throw new Error(`${what} must be a mapping`);
  const out: Record<string, string> = {};
  for (const [k, val] of Object.entries(v)) {
    if (val === undefined || val === null) continue;
    out[k] = typeof val === 'string' ? val : typeof val === 'object' ? JSON.stringify(val) : String(val);
  }
  return out;
}

// ---------------------------------------------------------------- files

async function yamlFiles(
  cwd: string,
  entries: string[],
  state: DesiredState,
  kind: ProvisionKind,
  rel: (abs: string) => string,
): Promise<string[]> {
  const out: string[] = [];
  for (const p of entries) {
    const abs = path.resolve(cwd, p);
    let st;
    try {
      st = await stat(abs);
    } catch {
      // The defaults (datasources/, alerts/) may simply not exist in a repository.
      state.notes.push(
        `${toPosix(p)}: not found, no ${kind === 'datasource' ? 'datasources' : 'alert rules'} provisioned from it`,
      );
      continue;
    }
    if (st.isDirectory()) out.push(...(await walk(abs, (n) => n.endsWith('.yaml') || n.endsWith('.yml'))));
    else out.push(abs);
  }
  return [...new Set(out)].sort().filter((f) => rel(f) !== '');
}

interface ParsedYaml {
  root: Record<string, unknown>;
  lineOf: (node: YamlNode | null | undefined) => number | undefined;
  seqItems: (key: string) => { value: unknown; line?: number }[];
}

async function readYaml(
  abs: string,
  file: string,
  state: DesiredState,
  kind: ProvisionKind,
): Promise<ParsedYaml | undefined> {
  let text: string;
  try {
    text = await readFile(abs, 'utf8');
  } catch (err) {
    state.problems.push({
      kind,
      uid: '',
      file,
      message: `${file}: cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'})`,
    });
    return undefined;
  }
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc });
  if (doc.errors.length > 0) {
    const e = doc.errors[0]!;
    const pos = e.linePos?.[0];
    state.problems.push({
      kind,
      uid: '',
      file,
      ...(pos ? { line: pos.line } : {}),
      message: `${file}${pos ? `:${pos.line}:${pos.col}` : ''}: not valid YAML (${e.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '')})`,
    });
    return undefined;
  }
  const root = doc.toJS() as unknown;
  if (root === null || root === undefined) return { root: {}, lineOf: () => undefined, seqItems: () => [] };
  if (typeof root !== 'object' || Array.isArray(root)) {
    state.problems.push({
      kind,
      uid: '',
      file,
      message: `${file}: expected a mapping with apiVersion: 1 at the top`,
    });
    return undefined;
  }
  const lineOf = (node: YamlNode | null | undefined) =>
    node?.range ? lc.linePos(node.range[0]).line : undefined;
  const seqItems = (key: string) => {
    const node = doc.get(key, true) as unknown;
    if (node === undefined || node === null) return [];
    if (!isSeq(node)) {
      state.problems.push({ kind, uid: '', file, message: `${file}: "${key}" must be a list` });
      return [];
    }
    return node.items.map((item) => {
      const n = item as YamlNode;
      const line = lineOf(n);
      const value = isMap(n) || isSeq(n) ? n.toJS(doc) : ((n as { toJSON?: () => unknown }).toJSON?.() ?? n);
      return { value, ...(line ? { line } : {}) };
    });
  };
  return { root: root as Record<string, unknown>, lineOf, seqItems };
}

async function walk(dir: string, want: (name: string) => boolean): Promise<string[]> {
  const out: string[] = [];
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return out;
  }
  for (const e of entries) {
    if (e.name.startsWith('.') || e.name === 'node_modules') continue;
    const full = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...(await walk(full, want)));
    else if (e.isFile() && want(e.name)) out.push(full);
  }
  return out.sort();
}

function str(v: unknown): string {
  return typeof v === 'string' ? v : v === undefined || v === null ? '' : String(v);
}

function toPosix(p: string): string {
  return p.split(path.sep).join('/');
}

function normDir(p: string): string {
  return toPosix(path.normalize(p)).replace(/\/+$/, '') || '.';
}

function isInside(file: string, dir: string): boolean {
  const r = path.relative(dir, file);
  return r !== '' && !r.startsWith('..') && !path.isAbsolute(r);
}

function sameSet(a: string[], b: string[]): boolean {
  const sa = new Set(a);
  const sb = new Set(b);
  return sa.size === sb.size && [...sa].every((x) => sb.has(x));
}
