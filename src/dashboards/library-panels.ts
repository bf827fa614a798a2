import {
  buildPanel,
  str,
  type DashboardModel,
  type JsonObject,
  type LibraryPanelModel,
  type VariableModel,
} from './model.js';

// Library panels: one panel model stored once (library-panels/*.json|yaml, or `__elements` of an
// export) and referenced by dashboards as `libraryPanel: {uid, name}`. Grafana replaces a reference
// with the library model when the dashboard loads (keeping the reference's gridPos and id), so the
// library panel's queries run with the variables and time range of the dashboard that shows it.

/** Default folder of library panels, next to dashboards/. */
export const LIBRARY_PANELS_DIR = 'library-panels';

/**
 * The model a library panel is checked in: its one panel (positions in its own file), with the time
 * range and variables of the first dashboard that uses it, so its SQL is interpolated as Grafana would.
 * A panel no dashboard uses is checked with no variables.
 */
function checkModel(lp: LibraryPanelModel): DashboardModel {
  const context = lp.usedBy[0]?.dashboard;
  const panelRaw = panelModelOf(lp);
  const panel = buildPanel(panelRaw, lp.path, false);
  const raw: JsonObject = { panels: [panelRaw] };
  if (lp.uid !== undefined) raw.uid = lp.uid;
  if (lp.name !== undefined) raw.title = lp.name;
  if (context) {
    for (const key of ['time', 'timezone', 'fiscalYearStartMonth', 'templating', '__inputs'] as const) {
      if (context.raw[key] !== undefined) raw[key] = context.raw[key];
    }
  }
  // Datasource variables must resolve for the SQL checker to know the panel's plugin; query variables
  // stay out of this list (their own SQL is checked in their dashboard, not again here).
  const variables: VariableModel[] = (context?.variables ?? [])
    .filter((v) => v.type !== 'query')
    .map((v) => ({ ...v, borrowed: true }));
  const dash: DashboardModel = {
    file: lp.file,
    doc: lp.doc,
    raw,
    root: [],
    panels: [panel],
    variables,
    format: { shape: 'library-panel', syntax: lp.format.syntax, sharedExport: false },
    uidPath: lp.uidPath,
    libraryPanel: lp,
  };
  if (lp.format.apiVersion !== undefined) dash.format.apiVersion = lp.format.apiVersion;
  if (lp.uid !== undefined) dash.uid = lp.uid;
  if (lp.name !== undefined) dash.title = lp.name;
  if (context) {
    dash.context = context;
    if (context.time) dash.time = context.time;
    if (context.timezone !== undefined) dash.timezone = context.timezone;
  }
  return dash;
}

/**
 * Resolves every `libraryPanel` reference of the dashboards: first against the dashboard's own
 * `__elements` (an export carries its library panels), then the repository's by uid, then by name
 * (Grafana's own lookup order for a reference without uid). Fills `resolved`, `usedBy` and `check`.
 */
export function resolveLibraryPanels(dashboards: readonly DashboardModel[], libraryPanels: LibraryPanelModel[]): void {
  const byUid = new Map<string, LibraryPanelModel>();
  const byName = new Map<string, LibraryPanelModel>();
  for (const lp of libraryPanels) {
    // Export elements serve their own dashboard only; the repository's library panels serve all.
    if (lp.format.shape === 'export-element') continue;
    if (lp.uid !== undefined && !byUid.has(lp.uid)) byUid.set(lp.uid, lp);
    if (lp.name !== undefined && !byName.has(lp.name)) byName.set(lp.name, lp);
  }
  for (const dashboard of dashboards) {
    const own = libraryPanels.filter((lp) => lp.format.shape === 'export-element' && lp.doc === dashboard.doc);
    for (const panel of dashboard.panels) {
      const ref = panel.libraryPanel;
      // Resolved already (an export's own elements, when its file was parsed): resolution is idempotent.
      if (!ref || ref.resolved) continue;
      const lp =
        own.find((e) => ref.uid !== undefined && e.uid === ref.uid) ??
        (ref.uid !== undefined ? byUid.get(ref.uid) : undefined) ??
        (ref.uid === undefined && ref.name !== undefined ? byName.get(ref.name) : undefined);
      if (!lp) continue;
      ref.resolved = lp;
      lp.usedBy.push({ dashboard, panel });
    }
  }
  for (const lp of libraryPanels) lp.check = checkModel(lp);
}

/**
 * The panel a library panel holds: a library element's `model`; a LibraryPanel resource's `spec`, which
 * keeps the library's name in `title` and the panel's in `panelTitle` (dashboard.grafana.app v0alpha1
 * LibraryPanelSpec), as the panel with its own title.
 */
export function panelModelOf(lp: LibraryPanelModel): JsonObject {
  if (lp.format.shape !== 'resource') return lp.raw;
  const { panelTitle, ...rest } = lp.raw;
  return typeof panelTitle === 'string' ? { ...rest, title: panelTitle } : lp.raw;
}

/** What /api/library-elements takes of a library panel: uid, name (else the panel's title), folder, model. */
export function libraryElementOf(lp: LibraryPanelModel): {
  uid?: string | undefined;
  name?: string | undefined;
  folderUid: string;
  model: JsonObject;
} {
  const model = panelModelOf(lp);
  return { uid: lp.uid, name: lp.name ?? str(model.title), folderUid: lp.folderUid ?? '', model };
}
