// Dashboards as resources of Grafana 12's API, `/apis/dashboard.grafana.app/<version>/namespaces/
// <namespace>/dashboards/<name>`: the only way to store a schema v2 dashboard (the classic
// /api/dashboards/db keeps the classic model and answers 406 for a dashboard stored as v2).
//
// What Grafana serves, and how this follows it:
// - Discovery: `GET /apis/dashboard.grafana.app` is the API group (k8s APIGroup: versions[],
//   preferredVersion). Grafana 12.0 serves v1alpha1, v0alpha1, v2alpha1; 12.1 and later v1beta1,
//   v0alpha1, v2beta1, v2alpha1 (pkg/registry/apis/dashboard/register.go GetGroupVersions). Grafana 11
//   registers the group only behind feature toggles (kubernetesDashboardsAPI or the experimental APIs)
//   and never with a v2 version; 10.4 has no /apis at all: its router answers the unknown /api… path
//   404 {"message": "Not found"} (pkg/api/index.go NotFoundHandler, IsApiRequest is a "/api" prefix).
// - Namespace: `default` for org 1, `org-<id>` for the others, `stacks-<id>` on Grafana Cloud
//   (pkg/services/apiserver/endpoints/request/namespace.go GetNamespaceMapper); /api/frontend/settings
//   tells the caller's (`namespace`), used when present.
// - Create is a POST to the collection with metadata.name (409 AlreadyExists when it exists); update a
//   PUT of the whole object carrying the metadata.resourceVersion that was read (409 Conflict when it
//   changed since). Errors are k8s Status bodies {kind: "Status", status: "Failure", reason, message, code}.
// - The folder is the annotation grafana.app/folder; the version message grafana.app/message (stored as
//   the version's message; the latest one is returned on read: legacy/sql_dashboards.go scanRow).
// - The v2 kinds are typed structs: a read returns fields without omitempty as zero values even when
//   they were not sent, so the comparison leaves out zeros the repository does not have
//   (normalize.ts withoutAddedZeros).
// - A resource managed by another tool carries grafana.app/managedBy (pkg/apimachinery/utils/manager.go:
//   file provisioning, Git Sync "repo", a plugin...): dashboard-ci does not write over it.

import { DASHBOARD_GROUP } from '../dashboards/formats.js';
import type { GrafanaClient } from './client.js';
import { GrafanaApiError } from './client.js';
import type { DesiredDashboard } from './desired.js';
import { jsonDiff, short } from './diff.js';
import { isOwnMessage } from './ownership.js';
import { withoutAddedZeros, type GrafanaResource } from './normalize.js';
import type { Get } from './steps.js';

export const ANNO_FOLDER = 'grafana.app/folder';
export const ANNO_MESSAGE = 'grafana.app/message';
const ANNO_MANAGED_BY = 'grafana.app/managedBy';
const ANNO_MANAGER_ID = 'grafana.app/managerId';
const ANNO_ALLOWS_EDITS = 'grafana.app/managerAllowsEdits';
const ANNO_UPDATED_BY = 'grafana.app/updatedBy';
const ANNO_UPDATED_AT = 'grafana.app/updatedTimestamp';

const enc = encodeURIComponent;

/** The dashboard API of one Grafana, as discovered. */
export interface DashboardApi {
  /** Versions of dashboard.grafana.app it serves (none when it has no such API). */
  versions: string[];
  namespace: string;
}

/** Where one dashboard is read and written. */
export interface ResourceTarget {
  version: string;
  namespace: string;
  /** metadata.resourceVersion read by the plan: an update carries it (409 if it changed in between). */
  resourceVersion?: string;
}

/** The namespace of an org when Grafana does not say (GetNamespaceMapper without a stack id). */
export function orgNamespace(orgId: number | undefined): string {
  return orgId === undefined || orgId === 1 ? 'default' : `org-${orgId}`;
}

/** `GET /apis/dashboard.grafana.app`: the versions served; none when the group (or /apis) is absent. */
export async function discoverDashboardApi(get: Get, namespace: string): Promise<DashboardApi> {
  const res = await get<{ versions?: { version?: unknown }[] }>(`/apis/${DASHBOARD_GROUP}`, { allow: [404] });
  if (res.status === 404) return { versions: [], namespace };
  const versions = (Array.isArray(res.data?.versions) ? res.data.versions : [])
    .map((v) => v?.version)
    .filter((v): v is string => typeof v === 'string');
  return { versions, namespace };
}

/** The version part of an apiVersion (`dashboard.grafana.app/v2beta1` → `v2beta1`). */
export function versionOf(apiVersion: string): string {
  return apiVersion.split('/')[1] ?? '';
}

/**
 * Why this Grafana cannot take a resource of `apiVersion`, in words naming what it serves; undefined
 * when it can.
 */
export function unsupportedReason(
  api: DashboardApi,
  apiVersion: string,
  grafana?: string,
): string | undefined {
  const version = versionOf(apiVersion);
  if (api.versions.includes(version)) return undefined;
  const which = grafana ? `Grafana ${grafana}` : 'this Grafana';
  if (api.versions.length === 0)
    return `${which} does not serve the /apis/${DASHBOARD_GROUP} API that stores schema v2 dashboards (Grafana 12 does)`;
  return `${which} serves ${DASHBOARD_GROUP} ${api.versions.join(', ')}, not ${version}`;
}

export function resourcePath(t: { version: string; namespace: string }, name?: string): string {
  return `/apis/${DASHBOARD_GROUP}/${t.version}/namespaces/${enc(t.namespace)}/dashboards${name ? `/${enc(name)}` : ''}`;
}

/** The resource, or undefined when Grafana has none of that name. */
export async function readResource(
  get: Get,
  t: ResourceTarget,
  name: string,
): Promise<GrafanaResource | undefined> {
  const res = await get<GrafanaResource>(resourcePath(t, name), { allow: [404] });
  return res.status === 404 ? undefined : res.data;
}

export interface ResourceComparison {
  diff: string[];
  /** The latest version's message (grafana.app/message). */
  latestMessage?: string;
  /** Another tool manages it and does not allow edits: `<kind> <id>`. */
  managedBy?: string;
  /** Who wrote it last, and when (for a drift line). */
  updated?: string;
}

/** Grafana's resource against the repository's: folder and spec (zeros Grafana adds left out). */
export function compareResource(current: GrafanaResource, d: DesiredDashboard): ResourceComparison {
  const annotations = current.metadata?.annotations ?? {};
  const diff: string[] = [];
  const conversion = current.status?.conversion;
  if (conversion?.failed) {
    // Stored in another version Grafana could not convert: the repository's v2 replaces it.
    diff.push(
      `stored as ${conversion.storedVersion || 'another version'}${conversion.error ? ` (${short(conversion.error)})` : ''} → ${versionOf(d.resource!.apiVersion)}`,
    );
  } else {
    const folder = annotations[ANNO_FOLDER] ?? '';
    if (folder !== d.folderUid)
      diff.push(`folder: ${short(folder || '(root)')} → ${short(d.folderUid || '(root)')}`);
    diff.push(...jsonDiff(withoutAddedZeros(current.spec ?? {}, d.dashboard), d.dashboard, {}, 'spec'));
  }
  const out: ResourceComparison = { diff };
  if (annotations[ANNO_MESSAGE] !== undefined) out.latestMessage = annotations[ANNO_MESSAGE];
  const managedBy = annotations[ANNO_MANAGED_BY];
  if (managedBy && annotations[ANNO_ALLOWS_EDITS] !== 'true')
    out.managedBy = `${managedBy}${annotations[ANNO_MANAGER_ID] ? ` ${annotations[ANNO_MANAGER_ID]}` : ''}`;
  const updated = [
    annotations[ANNO_UPDATED_BY] ? `by ${annotations[ANNO_UPDATED_BY]}` : undefined,
    annotations[ANNO_UPDATED_AT] ? `at ${annotations[ANNO_UPDATED_AT]}` : undefined,
  ]
    .filter(Boolean)
    .join(' ');
  if (updated) out.updated = updated;
  return out;
}

/** Whether dashboard-ci wrote the resource's latest version (its message). */
export function writtenByUs(c: ResourceComparison): boolean {
  return isOwnMessage(c.latestMessage);
}

/** Creates (POST) or updates (PUT at the resourceVersion read) one v2 dashboard. Returns the new version. */
export async function writeResource(
  client: GrafanaClient,
  d: DesiredDashboard,
  t: ResourceTarget,
  message: string,
  create: boolean,
): Promise<string | undefined> {
  const annotations: Record<string, string> = { [ANNO_MESSAGE]: message };
  // No annotation is the root; "" would be a folder with an empty uid.
  if (d.folderUid) annotations[ANNO_FOLDER] = d.folderUid;
  const body = {
    apiVersion: d.resource!.apiVersion,
    kind: 'Dashboard',
    metadata: {
      name: d.uid,
      annotations,
      ...(!create && t.resourceVersion ? { resourceVersion: t.resourceVersion } : {}),
    },
    spec: d.dashboard,
  };
  const res = create
    ? await client.post<GrafanaResource>(resourcePath(t), body)
    : await client.put<GrafanaResource>(resourcePath(t, d.uid), body);
  return res.data?.metadata?.resourceVersion;
}

export async function deleteResource(client: GrafanaClient, t: ResourceTarget, name: string): Promise<void> {
  await client.delete(resourcePath(t, name), { allow: [404] });
}

/** A create retried after a lost answer meets its own first attempt (409 AlreadyExists). */
export function alreadyExists(err: unknown): boolean {
  return err instanceof GrafanaApiError && err.status === 409 && err.grafanaStatus === 'AlreadyExists';
}
