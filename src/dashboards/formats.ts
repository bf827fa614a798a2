import type { Finding } from '../core/types.js';
import {
  buildDashboard,
  isObject,
  str,
  type DashboardFormat,
  type DashboardModel,
  type JsonObject,
  type LibraryPanelModel,
} from './model.js';
import type { SourceDocument } from './source.js';
import { buildV2Dashboard } from './v2.js';

// Which shape a parsed document is, told by its content (never by the file name), and its model.

export const DASHBOARD_GROUP = 'dashboard.grafana.app';
/** Versions whose spec is the classic dashboard model. */
export const CLASSIC_SPEC_VERSIONS: readonly string[] = ['v0alpha1', 'v1alpha1', 'v1beta1', 'v1'];
/** Versions whose spec is schema v2 (elements, layout, variables as kinds, timeSettings). */
export const V2_SPEC_VERSIONS: readonly string[] = ['v2alpha1', 'v2alpha2', 'v2beta1', 'v2beta2', 'v2'];
/** Annotation Grafana's resource API reads the folder from (Git Sync, gcx, the Foundation SDK manifests). */
export const FOLDER_ANNOTATION = 'grafana.app/folder';

/** What one document of a file is. */
export type Recognised =
  | { kind: 'dashboard'; dashboard: DashboardModel; libraryPanels: LibraryPanelModel[] }
  | { kind: 'library-panel'; libraryPanel: LibraryPanelModel }
  /** Not a dashboard in any format: one info line, never an error. */
  | { kind: 'other'; what: string }
  /** Meant as a dashboard, but cannot be read as one (a resource of an unknown version, without spec...). */
  | { kind: 'invalid'; findings: Finding[] };

/** Top-level keys only a classic dashboard has: one of them is enough. */
const DASHBOARD_KEYS = ['panels', 'rows', 'templating', 'schemaVersion', '__inputs', 'graphTooltip', 'timepicker'] as const;
/** Top-level keys a dashboard shares with other JSON (a JSON schema has a title, a datasource a uid): two are needed. */
const COMMON_KEYS = ['title', 'uid', 'time', 'refresh', 'annotations', 'tags', 'editable', 'timezone'] as const;

function looksLikeClassic(v: JsonObject): boolean {
  if (DASHBOARD_KEYS.some((k) => k in v)) return true;
  return COMMON_KEYS.filter((k) => k in v).length >= 2;
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a JSON array';
  if (typeof v !== 'object') return `a ${typeof v}`;
  return 'an object without panels, title or schemaVersion';
}

function annotationsOf(resource: JsonObject): JsonObject {
  const metadata = isObject(resource.metadata) ? resource.metadata : {};
  return isObject(metadata.annotations) ? metadata.annotations : {};
}

function invalid(file: string, doc: SourceDocument, path: (string | number)[], message: string): Recognised {
  const at = doc.locate(path);
  return {
    kind: 'invalid',
    findings: [{ rule: 'schema', severity: 'error', message, file, line: at.line, column: at.column }],
  };
}

/** `__elements` of an export for sharing: the library panels it carries, keyed by uid. */
function exportElements(dash: DashboardModel, syntax: 'json' | 'yaml'): LibraryPanelModel[] {
  const elements = dash.raw.__elements;
  if (!isObject(elements)) return [];
  const out: LibraryPanelModel[] = [];
  for (const [key, e] of Object.entries(elements)) {
    if (!isObject(e) || !isObject(e.model)) continue;
    const base = [...dash.root, '__elements', key];
    const lp: LibraryPanelModel = {
      file: dash.file,
      doc: dash.doc,
      raw: e.model,
      path: [...base, 'model'],
      uidPath: [...base, 'uid'],
      format: { shape: 'export-element', syntax },
      document: e,
      usedBy: [],
    };
    const uid = str(e.uid) ?? key;
    lp.uid = uid;
    const name = str(e.name);
    if (name !== undefined) lp.name = name;
    out.push(lp);
  }
  return out;
}

function libraryElement(
  file: string,
  doc: SourceDocument,
  holder: JsonObject,
  base: (string | number)[],
  syntax: 'json' | 'yaml',
): LibraryPanelModel {
  const lp: LibraryPanelModel = {
    file,
    doc,
    raw: holder.model as JsonObject,
    path: [...base, 'model'],
    uidPath: [...base, 'uid'],
    format: { shape: 'library-element', syntax },
    document: holder,
    usedBy: [],
  };
  const uid = str(holder.uid);
  if (uid !== undefined) lp.uid = uid;
  const name = str(holder.name);
  if (name !== undefined) lp.name = name;
  const folder = str(holder.folderUid);
  if (folder !== undefined && folder !== '') lp.folderUid = folder;
  return lp;
}

/**
 * Recognises one parsed document: a classic dashboard, an API envelope, a shared export, a
 * dashboard.grafana.app resource (v0alpha1 … v2, JSON or YAML), a library panel (library element or
 * LibraryPanel resource), or something else.
 */
export function recognise(
  file: string,
  doc: SourceDocument,
  syntax: 'json' | 'yaml',
  document?: number,
): Recognised {
  const v = doc.value;
  if (!isObject(v)) return { kind: 'other', what: describe(v) };
  const base: Omit<DashboardFormat, 'shape' | 'sharedExport'> = { syntax };
  if (document !== undefined) base.document = document;

  if (typeof v.apiVersion === 'string' && typeof v.kind === 'string') {
    const [group, version = ''] = v.apiVersion.split('/');
    if (group !== DASHBOARD_GROUP || (v.kind !== 'Dashboard' && v.kind !== 'LibraryPanel')) {
      return { kind: 'other', what: `a ${v.kind} resource (${v.apiVersion})` };
    }
    if (!isObject(v.spec)) return invalid(file, doc, ['spec'], `${v.kind} resource has no "spec" object`);
    const metadata = isObject(v.metadata) ? v.metadata : {};
    const name = str(metadata.name);
    const folder = str(annotationsOf(v)[FOLDER_ANNOTATION]);
    if (v.kind === 'LibraryPanel') {
      const lp: LibraryPanelModel = {
        file,
        doc,
        raw: v.spec,
        path: ['spec'],
        uidPath: ['metadata', 'name'],
        format: { shape: 'resource', syntax, apiVersion: v.apiVersion },
        document: v,
        usedBy: [],
      };
      if (name !== undefined) lp.uid = name;
      const title = str(v.spec.title);
      if (title !== undefined) lp.name = title;
      if (folder) lp.folderUid = folder;
      return { kind: 'library-panel', libraryPanel: lp };
    }
    let dashboard: DashboardModel;
    if (CLASSIC_SPEC_VERSIONS.includes(version)) {
      const format: DashboardFormat = {
        ...base,
        shape: 'resource-v1',
        apiVersion: v.apiVersion,
        sharedExport: Array.isArray(v.spec.__inputs),
      };
      dashboard = buildDashboard(file, doc, v.spec, ['spec'], format);
      // The resource's name is its uid; a uid in the spec is overwritten by Grafana.
      if (name !== undefined) dashboard.uid = name;
      else delete dashboard.uid;
      dashboard.uidPath = ['metadata', 'name'];
    } else if (V2_SPEC_VERSIONS.includes(version)) {
      dashboard = buildV2Dashboard(doc, v, {
        ...base,
        shape: 'resource-v2',
        apiVersion: v.apiVersion,
        sharedExport: false,
      });
    } else {
      return invalid(
        file,
        doc,
        ['apiVersion'],
        `apiVersion "${v.apiVersion}" is not a dashboard version dashboard-ci reads (${[...CLASSIC_SPEC_VERSIONS, ...V2_SPEC_VERSIONS].join(', ')})`,
      );
    }
    if (folder) dashboard.folderUid = folder;
    dashboard.document = v;
    return { kind: 'dashboard', dashboard, libraryPanels: exportElements(dashboard, syntax) };
  }

  // Grafana's API answer and POST body: `{dashboard, meta}` / `{dashboard, folderUid, overwrite}`.
  if (isObject(v.dashboard) && !('panels' in v) && !('title' in v)) {
    const dashboard = buildDashboard(file, doc, v.dashboard, ['dashboard'], {
      ...base,
      shape: 'envelope',
      sharedExport: Array.isArray(v.dashboard.__inputs),
    });
    const meta = isObject(v.meta) ? v.meta : {};
    const folder = str(meta.folderUid) ?? str(v.folderUid);
    if (folder) dashboard.folderUid = folder;
    dashboard.document = v;
    return { kind: 'dashboard', dashboard, libraryPanels: exportElements(dashboard, syntax) };
  }

  // A library element as /api/library-elements gives it (bare, or as its `{result}` answer).
  if (isObject(v.result) && isObject(v.result.model) && !looksLikeClassic(v)) {
    return { kind: 'library-panel', libraryPanel: libraryElement(file, doc, v.result, ['result'], syntax) };
  }
  if (isObject(v.model) && (typeof v.uid === 'string' || typeof v.name === 'string') && !looksLikeClassic(v)) {
    return { kind: 'library-panel', libraryPanel: libraryElement(file, doc, v, [], syntax) };
  }

  if (looksLikeClassic(v)) {
    const dashboard = buildDashboard(file, doc, v, [], { ...base, shape: 'classic' });
    return { kind: 'dashboard', dashboard, libraryPanels: exportElements(dashboard, syntax) };
  }
  return { kind: 'other', what: describe(v) };
}
