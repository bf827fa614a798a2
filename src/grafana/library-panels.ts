// Library panels through /api/library-elements (pkg/services/libraryelements/api.go, the same handlers
// in 10.4, 11.x and 12.x): planned with GETs, written before the dashboards that use them, idempotent
// (name, folder and model compared as Grafana stores them), updated with the version read by the plan,
// pruned only when dashboard-ci wrote them.
//
// Grafana's behaviour this follows:
// - GET /api/library-elements/:uid → {result: LibraryElementDTO}; 404 "library element could not be found".
// - POST {uid, name, model, kind: 1, folderUid?} → 200 {result}; a name or uid already used in the
//   folder → 400 "library element with that name (or UID) already exists".
// - PATCH /:uid {name, model, kind, version, folderUid} → 200; a version other than the stored one → 412
//   "the library element has been changed by someone else"; folderUid omitted keeps the folder, ""
//   moves it to the root (handleFolderIDPatches: FolderID -1 = unchanged).
// - DELETE /:uid → 200; a library panel a dashboard still uses → 403 "the library element has connections".
// - Saving a dashboard that references a library panel that does not exist stores the dashboard, then
//   fails 500 "Error while connecting library panels" (pkg/api/dashboard.go postDashboard): library
//   panels go first, and a dashboard whose library panel failed is not written.
//
// Ownership: a library element keeps no version messages, so dashboard-ci marks the model it sends
// (`dashboard_ci: managed`, the key its alert rules carry as an annotation). An edit made in Grafana's
// panel editor rebuilds the model from the panel and drops unknown keys: such a panel is then no longer
// pruned, and the next run writes the repository's version back.

import type { DesiredLibraryPanel, DesiredState } from './desired.js';
import { jsonDiff, short } from './diff.js';
import type { GrafanaClient } from './client.js';
import { GrafanaApiError } from './client.js';
import { MARKER_ANNOTATION, MARKER_ANNOTATION_VALUE } from './ownership.js';
import { libraryFolder, libraryModelView, type GrafanaLibraryElement } from './normalize.js';
import { appendNote, failure, type BaseStep, type Get } from './steps.js';

export interface LibraryPanelStep extends BaseStep {
  kind: 'library-panel';
  desired?: DesiredLibraryPanel;
  current?: GrafanaLibraryElement;
}

const enc = encodeURIComponent;
const KIND_PANEL = 1;
/** Pages of the library element listing before prune gives up (100 a page, Grafana's default). */
const PER_PAGE = 100;
const MAX_PAGES = 200;

function label(p: DesiredLibraryPanel): string {
  return `library panel "${p.name}" (uid ${p.uid}, ${p.file})`;
}

/** One library panel of the repository against Grafana's. */
export async function planLibraryPanel(get: Get, d: DesiredLibraryPanel): Promise<LibraryPanelStep> {
  const step: LibraryPanelStep = {
    kind: 'library-panel',
    uid: d.uid,
    title: d.name,
    file: d.file,
    action: 'create',
    diff: [],
    desired: d,
  };
  try {
    const res = await get<{ result?: GrafanaLibraryElement }>(`/api/library-elements/${enc(d.uid)}`, {
      allow: [404],
    });
    if (res.status === 404 || !res.data?.result) {
      // The name is unique in its folder: one under another uid would refuse the create (400).
      const same = await get<{ result?: GrafanaLibraryElement[] }>(
        `/api/library-elements/name/${enc(d.name)}`,
        {
          allow: [404],
        },
      );
      const other = (same.status === 200 ? (same.data?.result ?? []) : []).find(
        (e) => e.uid !== d.uid && libraryFolder(e) === d.folderUid,
      );
      if (other) {
        step.action = 'skip';
        step.error = {
          code: 'name-conflict',
          message: `${label(d)}: Grafana already has library panel "${d.name}" with uid ${other.uid} in ${d.folderUid ? `folder ${d.folderUid}` : 'the General folder'}; give it uid ${other.uid} in the file to adopt it, or rename one of them`,
        };
      }
      return step;
    }
    const current = res.data.result;
    step.current = current;
    if ((current.kind ?? KIND_PANEL) !== KIND_PANEL) {
      step.action = 'skip';
      step.error = {
        code: 'invalid',
        message: `${label(d)}: uid ${d.uid} is a library variable in Grafana, not a library panel`,
      };
      return step;
    }
    const diff: string[] = [];
    if (current.name !== d.name) diff.push(`name: ${short(current.name)} → ${short(d.name)}`);
    const folder = libraryFolder(current);
    if (folder !== d.folderUid)
      diff.push(`folder: ${short(folder || '(root)')} → ${short(d.folderUid || '(root)')}`);
    diff.push(
      ...jsonDiff(libraryModelView(current.model, d.uid), libraryModelView(d.model, d.uid), {}, 'model'),
    );
    step.diff = diff;
    step.action = diff.length ? 'update' : 'unchanged';
    if (step.action === 'update' && current.model?.[MARKER_ANNOTATION] !== MARKER_ANNOTATION_VALUE)
      step.warning = appendNote(
        step.warning,
        "not written by dashboard-ci (or edited in Grafana since): overwritten with the repository's version",
      );
  } catch (err) {
    step.action = 'skip';
    step.error = failure(label(d), err);
  }
  return step;
}

/**
 * Library panels dashboard-ci wrote (its marker in the model) that the repository no longer has.
 * Deleted after the dashboards (a deleted dashboard frees its library panels); one still used by a
 * dashboard is kept with a warning (Grafana refuses, 403).
 */
export async function planLibraryPanelPrune(get: Get, desired: DesiredState): Promise<LibraryPanelStep[]> {
  const broken = desired.problems.filter((p) => p.kind === 'library-panel' || p.kind === 'dashboard').length;
  if (broken > 0)
    return [
      blockedStep(
        `prune of library panels skipped: ${broken} dashboard or library panel input(s) could not be read, and a library panel whose file is broken would look gone from the repository`,
      ),
    ];
  const wanted = new Set(desired.libraryPanels.map((p) => p.uid));
  let elements: GrafanaLibraryElement[];
  try {
    elements = await listLibraryPanels(get);
  } catch (err) {
    return [
      blockedStep(`prune of library panels skipped: the listing it needs failed (${(err as Error).message})`),
    ];
  }
  return elements
    .filter((e) => !wanted.has(e.uid) && e.model?.[MARKER_ANNOTATION] === MARKER_ANNOTATION_VALUE)
    .map((e) => ({
      kind: 'library-panel' as const,
      uid: e.uid,
      title: e.name,
      action: 'delete' as const,
      diff: [],
      current: e,
    }))
    .sort((a, b) => a.uid.localeCompare(b.uid));
}

/** Every library panel (kind 1), page by page: `{result: {elements, totalCount, page, perPage}}`. */
async function listLibraryPanels(get: Get): Promise<GrafanaLibraryElement[]> {
  const out = new Map<string, GrafanaLibraryElement>();
  for (let page = 1; page <= MAX_PAGES; page++) {
    const res = await get<{ result?: { elements?: GrafanaLibraryElement[]; totalCount?: number } }>(
      '/api/library-elements',
      { query: { kind: KIND_PANEL, perPage: PER_PAGE, page } },
    );
    const elements = res.data?.result?.elements;
    if (!Array.isArray(elements))
      throw new Error(`GET /api/library-elements page ${page}: expected {result: {elements: [...]}}`);
    let fresh = 0;
    for (const e of elements)
      if (e && typeof e.uid === 'string' && !out.has(e.uid)) {
        out.set(e.uid, e);
        fresh++;
      }
    const total = res.data?.result?.totalCount;
    if (elements.length < PER_PAGE || fresh === 0 || (typeof total === 'number' && out.size >= total))
      return [...out.values()];
  }
  throw new Error(`GET /api/library-elements: still more after ${MAX_PAGES} pages of ${PER_PAGE}: stopped`);
}

function blockedStep(message: string): LibraryPanelStep {
  return {
    kind: 'library-panel',
    uid: '',
    action: 'skip',
    diff: [],
    error: { code: 'prune-blocked', message },
  };
}

/** Writes one planned library panel (a create, or an update at the version the plan read). */
export async function applyLibraryPanel(
  client: GrafanaClient,
  s: LibraryPanelStep,
  log: (line: string) => void,
): Promise<void> {
  const d = s.desired!;
  try {
    if (s.action === 'create') {
      await client.post('/api/library-elements', {
        uid: d.uid,
        name: d.name,
        kind: KIND_PANEL,
        model: d.model,
        ...(d.folderUid ? { folderUid: d.folderUid } : {}),
      });
      s.result = 'created';
    } else {
      await client.request('PATCH', `/api/library-elements/${enc(d.uid)}`, {
        body: {
          name: d.name,
          kind: KIND_PANEL,
          model: d.model,
          // "" moves it to the root; an omitted folderUid would leave it where it is.
          folderUid: d.folderUid,
          version: s.current?.version ?? 1,
        },
      });
      s.result = 'updated';
    }
    log(`library panel ${d.uid}: ${s.result}`);
  } catch (err) {
    s.result = 'failed';
    s.error =
      err instanceof GrafanaApiError && err.status === 412
        ? {
            status: 412,
            code: 'version-mismatch',
            message: `${label(d)}: changed in Grafana while dashboard-ci was writing it (412: ${err.grafanaMessage ?? 'version mismatch'})`,
          }
        : failure(label(d), err);
  }
}

/** Deletes a library panel dashboard-ci wrote; one a dashboard still uses is kept, with a warning. */
export async function deleteLibraryPanel(
  client: GrafanaClient,
  s: LibraryPanelStep,
  log: (line: string) => void,
): Promise<void> {
  try {
    await client.delete(`/api/library-elements/${enc(s.uid)}`, { allow: [404] });
    s.result = 'deleted';
    log(`library panel ${s.uid}: deleted (written by dashboard-ci, gone from the repository)`);
  } catch (err) {
    if (
      err instanceof GrafanaApiError &&
      err.status === 403 &&
      /connection/i.test(err.grafanaMessage ?? '')
    ) {
      s.action = 'skip';
      s.result = 'skipped';
      s.warning = `not deleted: a dashboard still uses it (403: ${err.grafanaMessage})`;
      return;
    }
    s.result = 'failed';
    s.error = failure(`library panel "${s.title}" (uid ${s.uid})`, err);
  }
}
