import type { DashboardModel, PanelModel, TargetModel, VariableModel } from '../dashboards/model.js';

// The one place that says where in a dashboard a finding is, so the linter, the SQL checker and the
// cost checker all write "dashboard "X", panel 3 "Y", query A: ..." the same way.

export interface LocationParts {
  dashboard?: { uid?: string; title?: string };
  /** A library panel (library-panels/), checked in its own file. */
  libraryPanel?: { uid?: string; name?: string };
  panel?: { id?: number; title?: string };
  refId?: string;
  /** A template variable's name (without `$`). */
  variable?: string;
  /** An alert rule (from alerts/*.yaml) instead of a dashboard panel. */
  alertRule?: { uid?: string; title?: string };
}

const MAX_TITLE = 60;

/** Titles are untrusted and may be long or multi-line: one line, bounded, quoted. */
function quote(title: string): string {
  const flat = title.replace(/\s+/g, ' ').trim();
  const cut = flat.length > MAX_TITLE ? flat.slice(0, MAX_TITLE - 1) + '…' : flat;
  return `"${cut}"`;
}

function named(kind: string, id: string | number | undefined, title: string | undefined): string | undefined {
  const t = title !== undefined && title.trim() !== '' ? quote(title) : undefined;
  if (id === undefined && t === undefined) return undefined;
  return [kind, id, t].filter((x) => x !== undefined).join(' ');
}

/** `dashboard "Executive overview", panel 3 "Chat volume", query A` (parts that are unknown are left out). */
export function locationPrefix(parts: LocationParts): string {
  const out: string[] = [];
  if (parts.dashboard) {
    const { uid, title } = parts.dashboard;
    const d =
      title !== undefined && title.trim() !== ''
        ? `dashboard ${quote(title)}`
        : uid
          ? `dashboard ${uid}`
          : undefined;
    if (d) out.push(d);
  }
  if (parts.libraryPanel) {
    const l = named('library panel', undefined, parts.libraryPanel.name ?? parts.libraryPanel.uid);
    if (l) out.push(l);
  }
  if (parts.alertRule) {
    const a = named('alert rule', parts.alertRule.uid, parts.alertRule.title);
    if (a) out.push(a);
  }
  if (parts.variable !== undefined) out.push(`variable $${parts.variable}`);
  if (parts.panel) {
    const p = named('panel', parts.panel.id, parts.panel.title);
    if (p) out.push(p);
  }
  if (parts.refId !== undefined && parts.refId !== '') out.push(`query ${parts.refId}`);
  return out.join(', ');
}

/** `<prefix>: <message>`, or the message alone when nothing is known about the location. */
export function withLocation(parts: LocationParts, message: string): string {
  const prefix = locationPrefix(parts);
  return prefix ? `${prefix}: ${message}` : message;
}

/** Location parts from the dashboard model. */
export function locationOf(
  dashboard: DashboardModel | undefined,
  at: { panel?: PanelModel; target?: TargetModel; variable?: VariableModel } = {},
): LocationParts {
  const parts: LocationParts = {};
  if (dashboard?.libraryPanel) {
    parts.libraryPanel = {};
    if (dashboard.libraryPanel.uid !== undefined) parts.libraryPanel.uid = dashboard.libraryPanel.uid;
    if (dashboard.libraryPanel.name !== undefined) parts.libraryPanel.name = dashboard.libraryPanel.name;
  } else if (dashboard) {
    parts.dashboard = {};
    if (dashboard.uid !== undefined) parts.dashboard.uid = dashboard.uid;
    if (dashboard.title !== undefined) parts.dashboard.title = dashboard.title;
  }
  const panel = at.panel ?? at.target?.panel;
  if (panel) {
    parts.panel = {};
    if (panel.id !== undefined) parts.panel.id = panel.id;
    if (panel.title !== undefined) parts.panel.title = panel.title;
  }
  if (at.target?.refId !== undefined) parts.refId = at.target.refId;
  if (at.variable?.name !== undefined) parts.variable = at.variable.name;
  return parts;
}
