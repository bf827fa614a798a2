// A Grafana HTTP API double over real HTTP (node:http on 127.0.0.1, port 0), written from
// ../shared/reference/grafana/CONTRACTS.md section A: health, auth and org header, dashboards
// (uid validation, versions, overwrite and 412, move to the root when folderUid is omitted,
// versions list in either shape, search), folders (409 on uid or title, nesting, counts, move),
// datasources (409 name/uid, secrets never returned, readOnly → 403, defaults filled in on read,
// optimistic version lock, health), alerting provisioning rule groups (PUT replaces the group;
// provenance "api" unless X-Disable-Provenance is present; models get intervalMs/maxDataPoints).
// Error bodies are {"message"} or {"status","message"} as Grafana writes them.
//
// It shares no code with src/grafana on purpose: a bug there must not be mirrored here.
// Test hooks: fault injection (failNext), a request log (Authorization values never kept), seeding,
// and editDashboardAsUser for drift.
//
// Per-version behaviour (`version`: '10.4.x' | '11.x' | '12.x'), each following Grafana's source
// (GG = github.com/grafana/grafana, read through the code index; commits named where the index gave one):
// - versions list: the first save (ParentVersion 0) is listed as "Initial save" whatever its message;
//   GET .../versions/:n returns the stored message (GG pkg/api/dashboard.go GetDashboardVersions /
//   GetDashboardVersion @ 0036b0de, 11.x; same rewrite in 10.4 and 12.x). Bare array before 11.6,
//   {continueToken, versions} from 11.6 (GG issue #104556).
// - title clash: before 11.3, a save with overwrite: true takes over another dashboard of the same
//   title in the same folder (its id, uid, version); without overwrite → 412 name-exists
//   (GG pkg/services/dashboards/database/database.go getExistingDashboardByTitleAndFolder, 10.x/11.2;
//   by title since #70936).
// - refresh below min_refresh_interval: 400 "Dashboard refresh interval is too low" on an API save
//   (GG dashboard_service.go BuildSaveDashboardCommand → ValidateDashboardRefreshInterval, 10.4 → 12.x);
//   min_refresh_interval is in GET /api/frontend/settings (minRefreshInterval).
// - v2 dashboards (12.x): GET /api/dashboards/uid/:uid → 406 "dashboard api version not supported, use
//   /apis/dashboard.grafana.app/<v>/namespaces/<ns>/dashboards/<uid> instead" (GG pkg/api/dashboard.go
//   GetDashboard, 12.x, and its test TestDashboardAPIEndpoint).
// - alert rules: the group GET never carries provenance (ngalert GetRuleGroup leaves it empty, the
//   API copies it with omitempty); GET alert-rules/:uid and GET alert-rules do (api_provisioning.go).
//   A group PUT writes only the rules whose content changed (ReplaceRuleGroup's delta), so it cannot
//   change the provenance of an unchanged rule; PUT alert-rules/:uid always does.
//   keep_firing_for is kept from 12.x (ProvisionedAlertRule; absent from the 11.4 OpenAPI spec).
// - alert provisioning permission (ngalert/api/authorization.go): before 11.2 only
//   alert.provisioning:write; later also alert.rules.provisioning:write. A 403 names what is needed,
//   as Grafana's access-control middleware does ("You'll need additional permissions ...").
// - file-provisioned dashboards: meta.provisionedExternalId for all, meta.provisioned only when
//   allowUiUpdates is false (GetDashboard); DELETE → 400 "provisioned dashboard cannot be deleted".
// - datasources: AddDataSourceCommand has no readOnly field: only file provisioning sets it.
// - contact points (10.4 / 11.x+ differ in statuses): secure settings "[REDACTED]", 202s, uid in use
//   and in-use deletes 409 from 11 and 500 in 10.4 (see routeContactPoints for the sources).
// - notification templates: stored trimmed and wrapped in a define block when they have none
//   (NotificationTemplate.Validate, see routeTemplates).
// Misbehaving networks: `loginPage` answers every request with an HTML login page and 200 (a proxy),
// `searchIgnoresPage` answers every /api/search page with the first one.

import http from 'node:http';
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';

export interface FaultRule {
  method?: string;
  path?: RegExp | string;
  /** Respond with this status (default: none — a delay or reset only). */
  status?: number;
  /** How many matching requests it applies to (default 1). */
  times?: number;
  /** Retry-After header value (seconds or an HTTP date). */
  retryAfter?: string | number;
  body?: unknown;
  /** Destroy the socket without answering (a connection reset). */
  reset?: boolean;
  /** Wait before answering (or before carrying on normally when no status/reset is given). */
  delayMs?: number;
}

export interface LoggedRequest {
  method: string;
  path: string;
  query: string;
  status: number;
  orgId?: string;
  auth: 'bearer' | 'basic' | 'none';
  /** Request headers; the Authorization value is never kept. */
  headers: Record<string, string>;
  body?: unknown;
  fault: boolean;
}

export interface GrafanaDoubleOptions {
  token?: string;
  basic?: { user: string; password: string };
  /** Grafana version in /api/health; null hides it (hide_version). */
  version?: string | null;
  orgs?: number[];
  /** Body of GET .../versions: object = 11.6+ {continueToken, versions}, array = older (default: by version). */
  versionsShape?: 'object' | 'array';
  /** Permissions of the token (default: all). Only the alert provisioning ones are checked. */
  permissions?: string[];
  /** A proxy answering every request with an HTML login page and 200. */
  loginPage?: boolean;
  /** /api/search answers the first page whatever `page` says. */
  searchIgnoresPage?: boolean;
  /** Server min_refresh_interval: a lower dashboard refresh is silently raised. */
  minRefreshInterval?: string;
  maxFolderDepth?: number;
  /** Added to every response, to model a real network. */
  latencyMs?: number;
  /**
   * Versions of dashboard.grafana.app served under /apis (default by version: none before 12, 12.0:
   * v1alpha1 v0alpha1 v2alpha1, 12.1+: v1beta1 v0alpha1 v2beta1 v2alpha1). An 11.x started with the
   * kubernetesDashboardsAPI toggle serves v0alpha1 only.
   */
  dashboardApiVersions?: string[];
  /** Grafana Cloud: every org's namespace is `stacks-<id>` (GetNamespaceMapper with a stack id). */
  stackId?: string;
}

interface StoredVersion {
  version: number;
  parentVersion: number;
  message: string;
  created: string;
  createdBy: string;
}

interface StoredDashboard {
  id: number;
  uid: string;
  title: string;
  data: Record<string, unknown>;
  version: number;
  folderUid: string;
  created: string;
  updated: string;
  createdBy: string;
  updatedBy: string;
  versions: StoredVersion[];
  pluginId?: string;
  provisioned?: boolean;
  /** File-provisioned (any allowUiUpdates): the path relative to the provisioner. */
  provisionedExternalId?: string;
  /** Stored as a v2 dashboard (Grafana 12): its apiVersion. */
  apiVersion?: string;
  /** The library panels its saved panels reference (library_element_connection). */
  libraryPanels?: string[];
}

interface StoredLibraryElement {
  id: number;
  uid: string;
  name: string;
  kind: number;
  type: string;
  description: string;
  model: Record<string, unknown>;
  version: number;
  /** '' = the General folder. */
  folderUid: string;
  created: string;
  updated: string;
  createdBy: string;
  updatedBy: string;
}

interface StoredFolder {
  id: number;
  uid: string;
  title: string;
  parentUid: string;
  version: number;
  created: string;
  updated: string;
}

interface StoredDatasource {
  id: number;
  uid: string;
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
  secure: Record<string, string>;
  version: number;
  readOnly: boolean;
  health: { ok: boolean; message: string };
}

interface StoredRule {
  id: number;
  uid: string;
  folderUID: string;
  ruleGroup: string;
  title: string;
  condition: string;
  data: Record<string, unknown>[];
  noDataState: string;
  execErrState: string;
  for: string;
  annotations: Record<string, string>;
  labels: Record<string, string>;
  isPaused: boolean;
  notification_settings?: unknown;
  record?: unknown;
  keep_firing_for?: string;
  provenance: string;
  updated: string;
  groupIndex: number;
}

interface StoredReceiver {
  uid: string;
  name: string;
  type: string;
  /** Settings without the secure ones (stored as sent). */
  settings: Record<string, unknown>;
  /** Secure settings, kept apart (encrypted in Grafana). */
  secure: Record<string, string>;
  disableResolveMessage: boolean;
  provenance: string;
}

interface StoredGroup {
  folderUid: string;
  title: string;
  interval: number;
  ruleUids: string[];
}

class OrgState {
  nextId = 1;
  dashboards = new Map<string, StoredDashboard>();
  folders = new Map<string, StoredFolder>();
  datasources = new Map<string, StoredDatasource>();
  rules = new Map<string, StoredRule>();
  groups = new Map<string, StoredGroup>();
  libraryElements = new Map<string, StoredLibraryElement>();
  /** Receivers of the Alertmanager configuration, in its order. */
  contactPoints = new Map<string, StoredReceiver>();
  /** Receiver names the notification policy tree routes to (the default policy's included). */
  policyReceivers = new Set<string>();
  /** Notification templates of the Alertmanager configuration, by name. */
  templates = new Map<string, { template: string; provenance: string }>();
  constructor(readonly orgId: number) {}
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
  ) {
    super(
      typeof body === 'object' && body && 'message' in body
        ? String((body as { message: unknown }).message)
        : String(status),
    );
  }
}

const UID_RE = /^[a-zA-Z0-9\-_]*$/;
const NO_DATA = ['NoData', 'Alerting', 'OK', 'KeepLast'];
const EXEC_ERR = ['Error', 'Alerting', 'OK', 'KeepLast'];

const err = (status: number, message: string, grafanaStatus?: string) =>
  new HttpError(status, grafanaStatus ? { status: grafanaStatus, message } : { message });

export class GrafanaDouble {
  readonly requests: LoggedRequest[] = [];
  healthy = true;
  /** Most requests being handled at the same moment (concurrency seen from the server). */
  maxInFlight = 0;
  private inFlight = 0;
  private readonly faults: (FaultRule & { left: number })[] = [];
  private readonly orgs = new Map<number, OrgState>();
  private readonly sockets = new Set<import('node:net').Socket>();
  private constructor(
    private readonly server: http.Server,
    readonly url: string,
    readonly opts: Required<Pick<GrafanaDoubleOptions, 'token' | 'versionsShape' | 'maxFolderDepth'>> &
      GrafanaDoubleOptions,
    readonly v: { major: number; minor: number },
  ) {
    for (const o of opts.orgs ?? [1]) this.orgs.set(o, new OrgState(o));
  }

  static async start(options: GrafanaDoubleOptions = {}): Promise<GrafanaDouble> {
    const m = /^(\d+)\.(\d+)/.exec(options.version ?? '11.6.1');
    const v = { major: Number(m?.[1] ?? 11), minor: Number(m?.[2] ?? 6) };
    const atLeast = (major: number, minor: number) =>
      v.major > major || (v.major === major && v.minor >= minor);
    const opts = {
      token: 'glsa_test_token_0123456789',
      versionsShape: atLeast(11, 6) ? ('object' as const) : ('array' as const),
      maxFolderDepth: 4,
      ...options,
    };
    const ref: { self?: GrafanaDouble } = {};
    const server = http.createServer((req, res) => void ref.self!.handle(req, res));
    server.keepAliveTimeout = 5000;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    const self = new GrafanaDouble(server, `http://127.0.0.1:${port}`, opts, v);
    ref.self = self;
    server.on('connection', (s) => {
      self.sockets.add(s);
      s.on('close', () => self.sockets.delete(s));
    });
    return self;
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private atLeast(major: number, minor: number): boolean {
    return this.v.major > major || (this.v.major === major && this.v.minor >= minor);
  }

  // ---------------------------------------------------------------- test hooks

  /** "Save as" in the UI: a copy under a new uid, its own history (version 1 by the user). */
  saveAsCopy(
    uid: string,
    copy: { uid: string; title: string },
    opts: { user?: string; orgId?: number } = {},
  ): void {
    const o = this.org(opts.orgId ?? 1);
    const d = o.dashboards.get(uid);
    if (!d) throw new Error(`no dashboard ${uid}`);
    const data = structuredClone(d.data);
    delete data.id;
    delete data.version;
    this.saveDashboard(
      o,
      {
        dashboard: { ...data, uid: copy.uid, title: copy.title },
        folderUid: d.folderUid,
        overwrite: false,
        message: '',
      },
      opts.user ?? 'alice',
    );
  }

  /** A dashboard stored in the v2 schema (Grafana 12 with the v2 dashboards feature). */
  markV2(uid: string, apiVersion = 'v2beta1', orgId = 1): void {
    const d = this.org(orgId).dashboards.get(uid);
    if (!d) throw new Error(`no dashboard ${uid}`);
    d.apiVersion = apiVersion;
  }

  /** A library element as Grafana stores it (seeded, as if made in the UI or by another tool). */
  seedLibraryElement(
    e: { uid: string; name: string; model: Record<string, unknown>; folderUid?: string },
    opts: { user?: string; orgId?: number } = {},
  ): void {
    const o = this.org(opts.orgId ?? 1);
    this.createLibraryElement(o, { ...e, kind: 1 }, opts.user ?? 'alice');
  }

  libraryElement(uid: string, orgId = 1): (StoredLibraryElement & { connections: number }) | undefined {
    const o = this.org(orgId);
    const e = o.libraryElements.get(uid);
    return e && { ...structuredClone(e), connections: this.connectionsOf(o, uid) };
  }

  /**
   * An edit in the library panel editor: the model is rebuilt from the panel's state, which keeps only
   * the keys the panel knows (dashboard-ci's marker among the dropped ones), and saved as a new version.
   */
  editLibraryElementAsUser(uid: string, mutate: (model: Record<string, unknown>) => void, orgId = 1): void {
    const e = this.org(orgId).libraryElements.get(uid);
    if (!e) throw new Error(`no library element ${uid}`);
    const { dashboard_ci: _marker, ...model } = e.model;
    mutate(model);
    e.model = model;
    e.version++;
    e.updatedBy = 'alice';
  }

  failNext(rule: FaultRule): void {
    this.faults.push({ ...rule, left: rule.times ?? 1 });
  }

  writes(): LoggedRequest[] {
    return this.requests.filter((r) => r.method !== 'GET' && r.method !== 'HEAD');
  }

  clearLog(): void {
    this.requests.length = 0;
    this.maxInFlight = 0;
  }

  org(orgId = 1): OrgState {
    const o = this.orgs.get(orgId);
    if (!o) throw new Error(`no org ${orgId}`);
    return o;
  }

  dashboard(
    uid: string,
    orgId = 1,
  ):
    | {
        dashboard: Record<string, unknown>;
        folderUid: string;
        version: number;
        versions: StoredVersion[];
        apiVersion?: string;
      }
    | undefined {
    const d = this.org(orgId).dashboards.get(uid);
    return (
      d && {
        dashboard: structuredClone(d.data),
        folderUid: d.folderUid,
        version: d.version,
        versions: [...d.versions],
        ...(d.apiVersion ? { apiVersion: d.apiVersion } : {}),
      }
    );
  }

  seedFolder(f: { uid: string; title: string; parentUid?: string }, orgId = 1): void {
    const o = this.org(orgId);
    const now = new Date().toISOString();
    o.folders.set(f.uid, {
      id: o.nextId++,
      uid: f.uid,
      title: f.title,
      parentUid: f.parentUid ?? '',
      version: 1,
      created: now,
      updated: now,
    });
  }

  seedDashboard(
    dashboard: Record<string, unknown>,
    opts: {
      folderUid?: string;
      message?: string;
      user?: string;
      provisioned?: boolean;
      pluginId?: string;
      orgId?: number;
    } = {},
  ): void {
    const o = this.org(opts.orgId ?? 1);
    this.saveDashboard(
      o,
      { dashboard, folderUid: opts.folderUid ?? '', overwrite: true, message: opts.message ?? '' },
      opts.user ?? 'admin',
    );
    const d = o.dashboards.get(String(dashboard.uid))!;
    this.connectLibraryPanels(o, d.uid, false);
    if (opts.provisioned) {
      d.provisioned = true;
      d.provisionedExternalId = `${String(dashboard.uid)}.json`;
    }
    if (opts.pluginId) d.pluginId = opts.pluginId;
  }

  /** A person edits the dashboard in the UI and saves it (a new version, their message). */
  editDashboardAsUser(
    uid: string,
    mutate: (dashboard: Record<string, unknown>) => void,
    opts: { message?: string; user?: string; orgId?: number } = {},
  ): void {
    const o = this.org(opts.orgId ?? 1);
    const d = o.dashboards.get(uid);
    if (!d) throw new Error(`no dashboard ${uid}`);
    const next = structuredClone(d.data);
    mutate(next);
    this.saveDashboard(
      o,
      { dashboard: next, folderUid: d.folderUid, overwrite: false, message: opts.message ?? '' },
      opts.user ?? 'alice',
    );
  }

  seedDatasource(
    ds: {
      uid: string;
      name: string;
      type: string;
      url?: string;
      jsonData?: Record<string, unknown>;
      access?: string;
      isDefault?: boolean;
    },
    opts: { readOnly?: boolean; secureJsonData?: Record<string, string>; orgId?: number } = {},
  ): void {
    const o = this.org(opts.orgId ?? 1);
    o.datasources.set(ds.uid, {
      id: o.nextId++,
      uid: ds.uid,
      name: ds.name,
      type: ds.type,
      access: ds.access ?? 'proxy',
      url: ds.url ?? '',
      user: '',
      database: '',
      basicAuth: false,
      basicAuthUser: '',
      withCredentials: false,
      isDefault: ds.isDefault ?? false,
      jsonData: ds.jsonData ?? {},
      secure: { ...(opts.secureJsonData ?? {}) },
      version: 1,
      readOnly: opts.readOnly ?? false,
      health: { ok: true, message: 'Data source is working' },
    });
  }

  datasourceSecret(uid: string, key: string, orgId = 1): string | undefined {
    return this.org(orgId).datasources.get(uid)?.secure[key];
  }

  setDatasourceHealth(uid: string, health: { ok: boolean; message: string }, orgId = 1): void {
    const ds = this.org(orgId).datasources.get(uid);
    if (!ds) throw new Error(`no datasource ${uid}`);
    ds.health = health;
  }

  /** A receiver as Grafana stores it (made in the UI, by file provisioning, or by another tool). */
  seedContactPoint(
    cp: { uid: string; name: string; type: string; settings: Record<string, unknown> },
    opts: { provenance?: string; orgId?: number } = {},
  ): void {
    const o = this.org(opts.orgId ?? 1);
    const { plain, secure } = splitSecure(cp.type, cp.settings);
    o.contactPoints.set(cp.uid, {
      uid: cp.uid,
      name: cp.name,
      type: cp.type,
      settings: plain,
      secure,
      disableResolveMessage: false,
      provenance: opts.provenance ?? '',
    });
  }

  /** A stored receiver with its secrets in clear (what Grafana would decrypt). */
  contactPoint(uid: string, orgId = 1): StoredReceiver | undefined {
    const r = this.org(orgId).contactPoints.get(uid);
    return r && structuredClone(r);
  }

  /** A notification template as Grafana stores it (made in the UI or by file provisioning). */
  seedTemplate(name: string, template: string, opts: { provenance?: string; orgId?: number } = {}): void {
    this.org(opts.orgId ?? 1).templates.set(name, { template, provenance: opts.provenance ?? '' });
  }

  template(name: string, orgId = 1): { template: string; provenance: string } | undefined {
    const t = this.org(orgId).templates.get(name);
    return t && { ...t };
  }

  /** A notification policy routing to this contact point name (PUT /api/v1/provisioning/policies). */
  routeTo(name: string, orgId = 1): void {
    this.org(orgId).policyReceivers.add(name);
  }

  ruleProvenance(uid: string, orgId = 1): string | undefined {
    return this.org(orgId).rules.get(uid)?.provenance;
  }

  // ---------------------------------------------------------------- HTTP

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    let done = false;
    const leave = () => {
      if (!done) {
        done = true;
        this.inFlight--;
      }
    };
    res.on('close', leave);
    res.on('finish', leave);
    const url = new URL(req.url ?? '/', 'http://x');
    const method = (req.method ?? 'GET').toUpperCase();
    const raw = await readAll(req);
    const authHeader = req.headers.authorization;
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) {
      if (v === undefined) continue;
      headers[k] =
        k === 'authorization' ? `${String(v).split(' ')[0]} [redacted]` : Array.isArray(v) ? v.join(', ') : v;
    }
    let body: unknown;
    let badJson = false;
    if (raw.length) {
      try {
        body = JSON.parse(raw);
      } catch {
        badJson = true;
      }
    }
    const entry: LoggedRequest = {
      method,
      path: url.pathname,
      query: url.search,
      status: 0,
      ...(req.headers['x-grafana-org-id'] ? { orgId: String(req.headers['x-grafana-org-id']) } : {}),
      auth: authHeader?.startsWith('Bearer ')
        ? 'bearer'
        : authHeader?.startsWith('Basic ')
          ? 'basic'
          : 'none',
      headers,
      ...(body !== undefined ? { body } : {}),
      fault: false,
    };
    this.requests.push(entry);

    const fault = this.faults.find(
      (f) =>
        f.left > 0 &&
        (!f.method || f.method.toUpperCase() === method) &&
        (!f.path || (typeof f.path === 'string' ? url.pathname === f.path : f.path.test(url.pathname))),
    );
    if (fault) {
      fault.left--;
      entry.fault = true;
      if (fault.delayMs) await sleep(fault.delayMs);
      if (fault.reset) {
        entry.status = -1;
        req.socket.destroy();
        return;
      }
      if (fault.status) {
        const extra: Record<string, string> = {};
        if (fault.retryAfter !== undefined) extra['Retry-After'] = String(fault.retryAfter);
        this.send(
          res,
          entry,
          fault.status,
          fault.body ?? { message: http.STATUS_CODES[fault.status] ?? 'error' },
          extra,
        );
        return;
      }
    }
    if (this.opts.latencyMs) await sleep(this.opts.latencyMs);
    if (this.opts.loginPage) {
      entry.status = 200;
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
      res.end(
        '<!doctype html><html><head><title>Sign in</title></head><body><form action="/login">Sign in to continue</form></body></html>',
      );
      return;
    }

    try {
      if (badJson) throw err(400, 'bad request data');
      if (url.pathname === '/api/health' && (method === 'GET' || method === 'HEAD')) {
        const h: Record<string, string> = {};
        if (this.opts.version !== null)
          Object.assign(h, { commit: 'd0ub1e0', version: this.opts.version ?? '11.6.1' });
        const payload = { ...h, database: this.healthy ? 'ok' : 'failing' };
        entry.status = this.healthy ? 200 : 503;
        res.writeHead(entry.status, { 'Content-Type': 'application/json; charset=UTF-8' });
        res.end(JSON.stringify(payload, null, 2));
        return;
      }
      const user = this.authenticate(authHeader);
      const orgHeader = req.headers['x-grafana-org-id'];
      const orgId = orgHeader === undefined ? 1 : Number(orgHeader);
      const org = this.orgs.get(orgId);
      if (!org) throw err(401, `user is not a member of organization ${String(orgHeader)}`);
      const out = this.route(method, url, body, org, user, req.headers);
      this.send(res, entry, out.status, out.body);
    } catch (e) {
      if (e instanceof HttpError) this.send(res, entry, e.status, e.body);
      else this.send(res, entry, 500, { message: 'Internal Server Error', traceID: '' });
    }
  }

  private send(
    res: http.ServerResponse,
    entry: LoggedRequest,
    status: number,
    body: unknown,
    headers: Record<string, string> = {},
  ): void {
    entry.status = status;
    if (status === 204) {
      res.writeHead(204, headers);
      res.end();
      return;
    }
    res.writeHead(status, { 'Content-Type': 'application/json', ...headers });
    res.end(JSON.stringify(body));
  }

  private authenticate(header: string | undefined): string {
    if (!header) throw err(401, 'Unauthorized');
    if (header.startsWith('Bearer ')) {
      if (header.slice(7) === this.opts.token) return 'sa-1-dashboard-ci';
      throw err(401, 'invalid API key');
    }
    if (header.startsWith('Basic ') && this.opts.basic) {
      const decoded = Buffer.from(header.slice(6), 'base64').toString('utf8');
      const i = decoded.indexOf(':');
      if (decoded.slice(0, i) === this.opts.basic.user && decoded.slice(i + 1) === this.opts.basic.password)
        return this.opts.basic.user;
    }
    throw err(401, 'Unauthorized');
  }

  private route(
    method: string,
    url: URL,
    body: unknown,
    o: OrgState,
    user: string,
    headers: http.IncomingHttpHeaders,
  ): { status: number; body: unknown } {
    const p = url.pathname;
    const q = url.searchParams;
    let m: RegExpExecArray | null;
    const ok = (b: unknown) => ({ status: 200, body: b });

    if (p === '/api/frontend/settings' && method === 'GET')
      return ok({
        minRefreshInterval: this.opts.minRefreshInterval ?? '5s',
        buildInfo: { version: this.opts.version ?? '11.6.1' },
        // FrontendSettingsDTO.Namespace, "the K8s namespace to use for this user" (pkg/api/dtos/frontend_settings.go).
        ...(this.atLeast(11, 0) ? { namespace: this.namespaceOf(o.orgId) } : {}),
      });

    if (p === '/apis' || p.startsWith('/apis/')) return this.routeApis(method, p, body, user);
    if (p === '/api/library-elements' || p.startsWith('/api/library-elements/'))
      return this.routeLibraryElements(method, p, q, body, o, user);

    // Dashboards
    if (p === '/api/dashboards/db' && method === 'POST') {
      const saved = this.saveDashboard(o, body as SaveCmd, user);
      // postDashboard connects library panels after the save: the dashboard is stored either way.
      this.connectLibraryPanels(o, String(saved.uid));
      return ok(saved);
    }
    if ((m = /^\/api\/dashboards\/uid\/([^/]+)\/versions$/.exec(p)) && method === 'GET') {
      const d = o.dashboards.get(dec(m[1]!));
      if (!d) throw err(404, 'Dashboard not found', 'not-found');
      const limit = Number(q.get('limit') ?? 0) || d.versions.length;
      const list = [...d.versions]
        .sort((a, b) => b.version - a.version)
        .slice(0, limit)
        // GetDashboardVersions: the first save is listed as "Initial save" whatever its message.
        .map((v) => versionMeta(d, v, v.parentVersion === 0 ? 'Initial save' : v.message));
      return ok(this.opts.versionsShape === 'array' ? list : { continueToken: '', versions: list });
    }
    if ((m = /^\/api\/dashboards\/uid\/([^/]+)\/versions\/(\d+)$/.exec(p)) && method === 'GET') {
      const d = o.dashboards.get(dec(m[1]!));
      if (!d) throw err(404, 'Dashboard not found');
      const v = d.versions.find((x) => x.version === Number(m![2]));
      if (!v) throw err(500, `Dashboard version ${m[2]} not found for dashboardId ${d.id}`);
      // GetDashboardVersion: the stored message, not rewritten.
      return ok({ ...versionMeta(d, v, v.message), data: {} });
    }
    if ((m = /^\/api\/dashboards\/uid\/([^/]+)$/.exec(p))) {
      const uid = dec(m[1]!);
      const d = o.dashboards.get(uid);
      if (method === 'GET') {
        if (!d) throw err(404, 'Dashboard not found', 'not-found');
        if (d.apiVersion?.startsWith('v2') && this.atLeast(12, 0))
          throw err(
            406,
            `dashboard api version not supported, use /apis/dashboard.grafana.app/${d.apiVersion}/namespaces/${o.orgId === 1 ? 'default' : `org-${o.orgId}`}/dashboards/${d.uid} instead`,
          );
        const f = d.folderUid ? o.folders.get(d.folderUid) : undefined;
        return ok({
          dashboard: { ...structuredClone(d.data), id: d.id, uid: d.uid, version: d.version },
          meta: {
            type: 'db',
            canSave: true,
            canEdit: true,
            canAdmin: true,
            canStar: true,
            canDelete: true,
            slug: slug(d.title),
            url: `/d/${d.uid}/${slug(d.title)}`,
            expires: '0001-01-01T00:00:00Z',
            created: d.created,
            updated: d.updated,
            updatedBy: d.updatedBy,
            createdBy: d.createdBy,
            version: d.version,
            hasAcl: false,
            isFolder: false,
            folderId: f?.id ?? 0,
            folderUid: d.folderUid,
            folderTitle: f?.title ?? 'General',
            folderUrl: f ? `/dashboards/f/${f.uid}/${slug(f.title)}` : '',
            provisioned: d.provisioned ?? false,
            provisionedExternalId: d.provisionedExternalId ?? '',
          },
        });
      }
      if (method === 'DELETE') {
        if (!d) throw err(404, 'Dashboard not found', 'not-found');
        if (d.provisionedExternalId) throw err(400, 'provisioned dashboard cannot be deleted');
        o.dashboards.delete(uid);
        return ok({ title: d.title, message: `Dashboard ${d.title} deleted`, uid });
      }
    }
    if (p === '/api/search' && method === 'GET') return ok(this.search(o, q));

    // Folders
    if (p === '/api/folders' && method === 'GET') {
      const parent = q.get('parentUid') ?? '';
      const limit = Math.min(Number(q.get('limit') ?? 1000) || 1000, 5000);
      const page = Math.max(1, Number(q.get('page') ?? 1) || 1);
      const list = [...o.folders.values()]
        .filter((f) => f.parentUid === parent)
        .sort((a, b) => a.title.localeCompare(b.title))
        .slice((page - 1) * limit, page * limit)
        .map((f) => ({
          id: f.id,
          uid: f.uid,
          title: f.title,
          ...(f.parentUid ? { parentUid: f.parentUid } : {}),
        }));
      return ok(list);
    }
    if (p === '/api/folders' && method === 'POST')
      return ok(this.createFolder(o, body as Record<string, unknown>));
    if ((m = /^\/api\/folders\/([^/]+)\/counts$/.exec(p)) && method === 'GET') {
      const f = o.folders.get(dec(m[1]!));
      if (!f) throw err(404, 'folder not found', 'not-found');
      const sub = this.descendants(o, f.uid);
      const inside = new Set([f.uid, ...sub]);
      return ok({
        folder: sub.length,
        dashboard: [...o.dashboards.values()].filter((d) => inside.has(d.folderUid)).length,
        alertrule: [...o.rules.values()].filter((r) => inside.has(r.folderUID)).length,
        librarypanel: [...o.libraryElements.values()].filter((e) => inside.has(e.folderUid)).length,
      });
    }
    if ((m = /^\/api\/folders\/([^/]+)\/move$/.exec(p)) && method === 'POST') {
      const f = o.folders.get(dec(m[1]!));
      if (!f) throw err(404, 'folder not found', 'not-found');
      const parentUid = String((body as { parentUid?: unknown })?.parentUid ?? '');
      if (parentUid && !o.folders.has(parentUid)) throw err(404, 'folder not found', 'not-found');
      if (parentUid === f.uid || this.descendants(o, f.uid).includes(parentUid))
        throw err(400, 'Cannot move a folder into itself or one of its descendants');
      if (
        [...o.folders.values()].some(
          (x) => x.uid !== f.uid && x.parentUid === parentUid && x.title === f.title,
        )
      )
        throw err(409, 'a folder with the same name already exists in the destination');
      f.parentUid = parentUid;
      f.version++;
      return ok(this.folderDto(o, f));
    }
    if ((m = /^\/api\/folders\/([^/]+)$/.exec(p))) {
      const uid = dec(m[1]!);
      const f = o.folders.get(uid);
      if (method === 'GET') {
        if (!f) throw err(404, 'folder not found', 'not-found');
        return ok(this.folderDto(o, f));
      }
      if (method === 'PUT') {
        if (!f) throw err(404, 'folder not found', 'not-found');
        const b = (body ?? {}) as { title?: unknown; version?: unknown; overwrite?: unknown };
        if (!b.overwrite && Number(b.version) !== f.version)
          throw err(412, 'the folder has been changed by someone else', 'version-mismatch');
        const title = String(b.title ?? '').trim();
        if (!title) throw err(400, 'folder title cannot be empty');
        if (
          [...o.folders.values()].some(
            (x) => x.uid !== uid && x.parentUid === f.parentUid && x.title === title,
          )
        )
          throw err(409, 'a folder or dashboard in the general folder with the same name already exists');
        f.title = title;
        f.version++;
        f.updated = new Date().toISOString();
        return ok(this.folderDto(o, f));
      }
      if (method === 'DELETE') {
        if (!f) throw err(404, 'folder not found', 'not-found');
        const inside = new Set([uid, ...this.descendants(o, uid)]);
        const rules = [...o.rules.values()].filter((r) => inside.has(r.folderUID));
        if (rules.length && q.get('forceDeleteRules') !== 'true')
          throw err(400, 'folder cannot be deleted: folder contains alert rules');
        for (const r of rules) o.rules.delete(r.uid);
        for (const [k, g] of o.groups) if (inside.has(g.folderUid)) o.groups.delete(k);
        for (const d of [...o.dashboards.values()]) if (inside.has(d.folderUid)) o.dashboards.delete(d.uid);
        for (const e of [...o.libraryElements.values()])
          if (inside.has(e.folderUid)) o.libraryElements.delete(e.uid);
        for (const x of inside) o.folders.delete(x);
        return ok({ id: f.id, title: f.title, message: `Folder ${f.title} deleted` });
      }
    }

    // Datasources
    if (p === '/api/datasources' && method === 'GET')
      return ok([...o.datasources.values()].map((d) => this.dsDto(o, d)));
    if (p === '/api/datasources' && method === 'POST')
      return ok(this.addDatasource(o, body as Record<string, unknown>));
    if ((m = /^\/api\/datasources\/uid\/([^/]+)\/health$/.exec(p)) && method === 'GET') {
      const d = o.datasources.get(dec(m[1]!));
      if (!d) throw err(404, 'Data source not found');
      if (!d.health.ok) return { status: 400, body: { status: 'ERROR', message: d.health.message } };
      return ok({ status: 'OK', message: d.health.message });
    }
    if ((m = /^\/api\/datasources\/name\/([^/]+)$/.exec(p)) && method === 'GET') {
      const name = dec(m[1]!);
      const d = [...o.datasources.values()].find((x) => x.name === name);
      if (!d) throw err(404, 'Data source not found');
      return ok(this.dsDto(o, d));
    }
    if ((m = /^\/api\/datasources\/uid\/([^/]+)$/.exec(p))) {
      const uid = dec(m[1]!);
      const d = o.datasources.get(uid);
      if (method === 'GET') {
        if (!d) throw err(404, 'Data source not found');
        return ok(this.dsDto(o, d));
      }
      if (method === 'PUT') return ok(this.updateDatasource(o, uid, body as Record<string, unknown>));
      if (method === 'DELETE') {
        if (!d) throw err(404, 'Data source not found');
        if (d.readOnly) throw err(403, 'Cannot delete read-only data source');
        o.datasources.delete(uid);
        return ok({ message: 'Data source deleted' });
      }
    }

    // Alerting provisioning
    if (p.startsWith('/api/v1/provisioning/') && method !== 'GET') this.authorizeAlertWrite();
    if ((m = /^\/api\/v1\/provisioning\/alert-rules\/([^/]+)$/.exec(p))) {
      const uid = dec(m[1]!);
      const r = o.rules.get(uid);
      if (!r) throw err(404, 'rule not found');
      if (method === 'GET') return ok(this.ruleDto(r, o.orgId, true));
      if (method === 'DELETE') {
        for (const g of o.groups.values()) g.ruleUids = g.ruleUids.filter((u) => u !== uid);
        for (const [k, g] of o.groups) if (g.ruleUids.length === 0) o.groups.delete(k);
        o.rules.delete(uid);
        return { status: 204, body: undefined };
      }
      if (method === 'PUT') {
        const provenance = headers['x-disable-provenance'] !== undefined ? '' : 'api';
        const b = (body ?? {}) as Record<string, unknown>;
        const g = o.groups.get(`${r.folderUID}\u0000${r.ruleGroup}`)!;
        const rules = g.ruleUids.map((u) =>
          u === uid ? { ...b, uid } : this.ruleDto(o.rules.get(u)!, o.orgId, false),
        );
        this.replaceGroup(o, r.folderUID, r.ruleGroup, { interval: g.interval, rules }, provenance, uid);
        return ok(this.ruleDto(o.rules.get(uid)!, o.orgId, true));
      }
    }
    if ((m = /^\/api\/v1\/provisioning\/folder\/([^/]+)\/rule-groups\/([^/]+)$/.exec(p))) {
      const folderUid = dec(m[1]!);
      const title = dec(m[2]!);
      const key = `${folderUid}\u0000${title}`;
      if (method === 'GET') {
        const g = o.groups.get(key);
        if (!g) throw err(404, 'rule group does not exist');
        return ok(this.groupDto(o, g));
      }
      if (method === 'PUT') {
        const provenance = headers['x-disable-provenance'] !== undefined ? '' : 'api';
        return ok(this.replaceGroup(o, folderUid, title, body as Record<string, unknown>, provenance));
      }
      if (method === 'DELETE') {
        const g = o.groups.get(key);
        if (!g) throw err(404, 'rule group does not exist');
        for (const uid of g.ruleUids) o.rules.delete(uid);
        o.groups.delete(key);
        return { status: 204, body: undefined };
      }
    }
    if (p === '/api/v1/provisioning/alert-rules' && method === 'GET')
      return ok([...o.rules.values()].map((r) => this.ruleDto(r, o.orgId, true)));
    if (p === '/api/v1/provisioning/templates' || p.startsWith('/api/v1/provisioning/templates/'))
      return this.routeTemplates(method, p, body, o, headers);
    if (p === '/api/v1/provisioning/contact-points' || p.startsWith('/api/v1/provisioning/contact-points/'))
      return this.routeContactPoints(method, p, q, body, o, headers);

    throw err(404, 'Not found');
  }

  // ---------------------------------------------------------------- dashboards

  private saveDashboard(o: OrgState, cmd: SaveCmd, user: string): Record<string, unknown> {
    const dash = cmd?.dashboard;
    if (!dash || typeof dash !== 'object' || Array.isArray(dash)) throw err(400, 'bad request data');
    const title = String(dash.title ?? '').trim();
    if (!title) throw err(400, 'Dashboard title cannot be empty', 'empty-name');
    if (title.length > 5000)
      throw err(400, 'Dashboard title cannot be longer than 5000 characters', 'title-too-long');
    let uid = dash.uid === undefined || dash.uid === null ? '' : String(dash.uid).trim();
    if (!UID_RE.test(uid)) throw err(400, 'uid contains illegal characters');
    if (uid.length > 40) throw err(400, 'uid too long, max 40 characters');
    if (typeof cmd.message === 'string' && cmd.message.length > 500)
      throw err(400, 'dashboard message too long, max 500 characters');
    let byId: StoredDashboard | undefined;
    const id = typeof dash.id === 'number' ? dash.id : 0;
    if (id > 0) {
      byId = [...o.dashboards.values()].find((d) => d.id === id);
      if (!byId) throw err(404, 'Dashboard not found', 'not-found');
      if (!uid) uid = byId.uid;
    }
    const byUid = uid ? o.dashboards.get(uid) : undefined;
    if (byId && byUid && byId !== byUid) throw err(400, 'A dashboard with the same uid already exists');
    let existing = byUid ?? byId;
    // Before 11.3: another dashboard of the same title in the same folder is taken over with
    // overwrite (its id, uid and version), refused without (412 name-exists).
    const targetFolder = typeof cmd.folderUid === 'string' ? cmd.folderUid : '';
    if (!this.atLeast(11, 3)) {
      const clash = [...o.dashboards.values()].find(
        (d) => d !== existing && d.title === title && d.folderUid === targetFolder,
      );
      if (clash) {
        if (!cmd.overwrite)
          throw err(412, 'a dashboard with the same name in the folder already exists', 'name-exists');
        existing = clash;
        uid = clash.uid;
        dash.version = clash.version;
      }
    }
    if (existing) {
      const sent = typeof dash.version === 'number' ? dash.version : 0;
      if (sent !== existing.version && !cmd.overwrite)
        throw err(412, 'The dashboard has been changed by someone else', 'version-mismatch');
      if (existing.pluginId && !cmd.overwrite)
        throw err(412, `The dashboard belongs to plugin ${existing.pluginId}.`, 'plugin-dashboard');
      if (existing.provisioned) throw err(400, 'Cannot save provisioned dashboard');
    }
    // Grafana moves a dashboard to the root when no folder is given.
    const folderUid = typeof cmd.folderUid === 'string' ? cmd.folderUid : '';
    if (folderUid && !o.folders.has(folderUid)) throw err(400, 'folder not found');
    if (!uid) uid = randomUid();
    const data = structuredClone(dash);
    if (typeof data.refresh === 'string' && data.refresh) {
      const min = seconds(this.opts.minRefreshInterval ?? '5s');
      const r = seconds(data.refresh);
      if (r !== undefined && min !== undefined && r < min)
        throw err(400, 'Dashboard refresh interval is too low');
    }
    const now = new Date().toISOString();
    const version = existing ? existing.version + 1 : 1;
    const stored: StoredDashboard = {
      id: existing?.id ?? o.nextId++,
      uid,
      title,
      data,
      version,
      folderUid,
      created: existing?.created ?? now,
      updated: now,
      createdBy: existing?.createdBy ?? user,
      updatedBy: user,
      versions: [
        ...(existing?.versions ?? []),
        {
          version,
          parentVersion: existing ? existing.version : 0,
          message: String(cmd.message ?? ''),
          created: now,
          createdBy: user,
        },
      ],
      ...(existing?.pluginId ? { pluginId: existing.pluginId } : {}),
    };
    stored.data.id = stored.id;
    stored.data.uid = uid;
    stored.data.version = version;
    o.dashboards.set(uid, stored);
    return {
      status: 'success',
      slug: slug(title),
      version,
      id: stored.id,
      uid,
      url: `/d/${uid}/${slug(title)}`,
      folderUid,
    };
  }

  private search(o: OrgState, q: URLSearchParams): unknown[] {
    const type = q.get('type');
    const query = (q.get('query') ?? '').toLowerCase();
    const tags = q.getAll('tag');
    const uids = new Set([...q.getAll('dashboardUIDs'), ...q.getAll('dashboardUID')]);
    const folderUids = new Set(q.getAll('folderUIDs'));
    const limit = Math.min(Number(q.get('limit') ?? 1000) || 1000, 5000);
    const page = this.opts.searchIgnoresPage ? 1 : Math.max(1, Number(q.get('page') ?? 1) || 1);
    const hits: Record<string, unknown>[] = [];
    const folderInfo = (uid: string) => {
      const f = uid ? o.folders.get(uid) : undefined;
      return f
        ? {
            folderId: f.id,
            folderUid: f.uid,
            folderTitle: f.title,
            folderUrl: `/dashboards/f/${f.uid}/${slug(f.title)}`,
          }
        : {};
    };
    if (type !== 'dash-db' && tags.length === 0) {
      for (const f of o.folders.values()) {
        if (query && !f.title.toLowerCase().includes(query)) continue;
        if (uids.size && !uids.has(f.uid)) continue;
        if (folderUids.size && !folderUids.has(f.parentUid || 'general')) continue;
        hits.push({
          id: f.id,
          uid: f.uid,
          title: f.title,
          uri: `db/${slug(f.title)}`,
          url: `/dashboards/f/${f.uid}/${slug(f.title)}`,
          slug: '',
          type: 'dash-folder',
          tags: [],
          isStarred: false,
          sortMeta: 0,
          ...folderInfo(f.parentUid),
        });
      }
    }
    if (type !== 'dash-folder') {
      for (const d of o.dashboards.values()) {
        if (query && !d.title.toLowerCase().includes(query)) continue;
        const dtags = Array.isArray(d.data.tags) ? (d.data.tags as string[]) : [];
        if (tags.some((t) => !dtags.includes(t))) continue;
        if (uids.size && !uids.has(d.uid)) continue;
        if (folderUids.size && !folderUids.has(d.folderUid || 'general')) continue;
        hits.push({
          id: d.id,
          uid: d.uid,
          title: d.title,
          uri: `db/${slug(d.title)}`,
          url: `/d/${d.uid}/${slug(d.title)}`,
          slug: '',
          type: 'dash-db',
          tags: dtags,
          isStarred: false,
          sortMeta: 0,
          ...folderInfo(d.folderUid),
        });
      }
    }
    hits.sort((a, b) =>
      a.type === b.type ? String(a.title).localeCompare(String(b.title)) : a.type === 'dash-folder' ? -1 : 1,
    );
    return hits.slice((page - 1) * limit, page * limit);
  }

  // ---------------------------------------------------------------- dashboards as resources (/apis)
  //
  // Grafana 12's dashboard API (GG pkg/registry/apis/dashboard, docs/sources/developers/http_api/
  // dashboard.md), legacy SQL storage (pkg/registry/apis/dashboard/legacy/sql_dashboards.go):
  // - served versions per release: register.go GetGroupVersions (12.0: v1alpha1, v0alpha1, v2alpha1;
  //   12.1+: v1beta1, v0alpha1, v2beta1, v2alpha1). Grafana 11 registers the group only behind the
  //   kubernetesDashboardsAPI / experimental-APIs toggles (option dashboardApiVersions), 10.4 has no /apis:
  //   its router answers 404 {"message": "Not found"} (pkg/api/index.go NotFoundHandler, IsApiRequest is
  //   a "/api" prefix). An unknown group or version under /apis: k8s 404 Status.
  // - namespace: default (org 1), org-<id>, stacks-<id> with a stack id (GetNamespaceMapper).
  // - resourceVersion and generation are the dashboard version; annotations grafana.app/createdBy,
  //   updatedBy, updatedTimestamp, folder, message (the latest version's, when not empty), managedBy for a
  //   file-provisioned dashboard (classic-file-provisioning) (scanRow).
  // - POST creates (409 AlreadyExists when the name exists), answers 201; PUT replaces, and a
  //   metadata.resourceVersion other than the stored one is 409 Conflict; DELETE answers a Success Status,
  //   and a provisioned dashboard is 400 (validateDelete). Title, refresh and folder are validated as in
  //   validateCreate / validateUpdate. The message annotation is the version message (buildSaveDashboardCommand).
  // - v2 kinds are typed structs: fields without omitempty come back as zero values when never sent
  //   (apps/dashboard/pkg/apis/dashboard/v2beta1/dashboard_spec_gen.go); a few of them are filled here.
  // - reading a dashboard at another version than it is stored in: Grafana converts (apps/dashboard/pkg/
  //   migration/conversion) and reports a conversion that fails in status.conversion {failed,
  //   storedVersion, error}; the double converts nothing and always answers that failure.

  private dashboardVersions(): string[] {
    if (this.opts.dashboardApiVersions) return this.opts.dashboardApiVersions;
    if (!this.atLeast(12, 0)) return [];
    return this.atLeast(12, 1)
      ? ['v1beta1', 'v0alpha1', 'v2beta1', 'v2alpha1']
      : ['v1alpha1', 'v0alpha1', 'v2alpha1'];
  }

  private namespaceOf(orgId: number): string {
    if (this.opts.stackId) return `stacks-${this.opts.stackId}`;
    return orgId === 1 ? 'default' : `org-${orgId}`;
  }

  private routeApis(
    method: string,
    p: string,
    body: unknown,
    user: string,
  ): { status: number; body: unknown } {
    // Before the API server (10.4): the router's answer to any unknown /api… path.
    if (!this.atLeast(11, 0) && !this.opts.dashboardApiVersions) throw err(404, 'Not found');
    const served = this.dashboardVersions();
    const group = 'dashboard.grafana.app';
    const versions = served.map((v) => ({ groupVersion: `${group}/${v}`, version: v }));
    const apiGroup = { name: group, versions, preferredVersion: versions[0] };
    if (p === '/apis' && method === 'GET')
      return {
        status: 200,
        body: { kind: 'APIGroupList', apiVersion: 'v1', groups: served.length ? [apiGroup] : [] },
      };
    if (/^\/apis\/dashboard\.grafana\.app\/?$/.test(p) && method === 'GET' && served.length)
      return { status: 200, body: { kind: 'APIGroup', apiVersion: 'v1', ...apiGroup } };
    const m =
      /^\/apis\/dashboard\.grafana\.app\/([^/]+)\/namespaces\/([^/]+)\/dashboards(?:\/([^/]+))?$/.exec(p);
    if (!m || !served.includes(m[1]!))
      throw statusError(404, 'NotFound', 'the server could not find the requested resource');
    const version = m[1]!;
    const ns = dec(m[2]!);
    const orgId = this.opts.stackId
      ? ns === `stacks-${this.opts.stackId}`
        ? 1
        : undefined
      : ns === 'default'
        ? 1
        : /^org-(\d+)$/.exec(ns)
          ? Number(/^org-(\d+)$/.exec(ns)![1])
          : undefined;
    const o = orgId !== undefined ? this.orgs.get(orgId) : undefined;
    if (!o)
      throw statusError(403, 'Forbidden', `namespace ${ns} does not belong to this user's organization`);
    const name = m[3] !== undefined ? dec(m[3]) : undefined;
    const notFound = (n: string) => statusError(404, 'NotFound', `dashboards.${group} "${n}" not found`, n);
    if (name === undefined && method === 'GET') {
      const items = [...o.dashboards.values()].map((d) => this.resourceDto(o, d, version));
      return {
        status: 200,
        body: { kind: 'DashboardList', apiVersion: `${group}/${version}`, metadata: {}, items },
      };
    }
    if (name === undefined && method === 'POST') {
      const r = (body ?? {}) as { apiVersion?: unknown; metadata?: Record<string, unknown>; spec?: unknown };
      if (r.apiVersion !== `${group}/${version}`)
        throw statusError(
          400,
          'BadRequest',
          `the API version in the data (${String(r.apiVersion)}) does not match the expected API version (${group}/${version})`,
        );
      const n = typeof r.metadata?.name === 'string' ? r.metadata.name : '';
      if (!n)
        throw statusError(422, 'Invalid', 'metadata.name: Required value: name or generateName is required');
      if (o.dashboards.has(n))
        throw statusError(409, 'AlreadyExists', `dashboards.${group} "${n}" already exists`, n);
      const d = this.storeResource(o, n, r, version, user, undefined);
      return { status: 201, body: this.resourceDto(o, d, version) };
    }
    const d = name !== undefined ? o.dashboards.get(name) : undefined;
    if (method === 'GET') {
      if (!d) throw notFound(name!);
      return { status: 200, body: this.resourceDto(o, d, version) };
    }
    if (method === 'PUT') {
      if (!d) throw notFound(name!);
      const r = (body ?? {}) as { apiVersion?: unknown; metadata?: Record<string, unknown>; spec?: unknown };
      if (r.metadata?.name !== name)
        throw statusError(
          400,
          'BadRequest',
          `the name of the object (${String(r.metadata?.name)}) does not match the name on the URL (${name})`,
        );
      const rv = r.metadata?.resourceVersion;
      if (rv !== undefined && rv !== '' && String(rv) !== String(d.version))
        throw statusError(
          409,
          'Conflict',
          `Operation cannot be fulfilled on dashboards.${group} "${name}": the object has been modified; please apply your changes to the latest version and try again`,
          name,
        );
      if (d.provisioned) throw statusError(400, 'BadRequest', 'Cannot save provisioned dashboard');
      const saved = this.storeResource(o, name!, r, version, user, d);
      return { status: 200, body: this.resourceDto(o, saved, version) };
    }
    if (method === 'DELETE') {
      if (!d) throw notFound(name!);
      if (d.provisionedExternalId)
        throw statusError(400, 'BadRequest', 'provisioned dashboard cannot be deleted');
      o.dashboards.delete(d.uid);
      return {
        status: 200,
        body: {
          kind: 'Status',
          apiVersion: 'v1',
          metadata: {},
          status: 'Success',
          details: { name: d.uid, group, kind: 'dashboards', uid: `k8s-${d.id}` },
        },
      };
    }
    throw statusError(
      405,
      'MethodNotAllowed',
      `the server does not allow this method on the requested resource`,
    );
  }

  /** Validates and stores one resource write (validateCreate / validateUpdate, then the legacy save). */
  private storeResource(
    o: OrgState,
    name: string,
    r: { metadata?: Record<string, unknown>; spec?: unknown },
    version: string,
    user: string,
    existing: StoredDashboard | undefined,
  ): StoredDashboard {
    if (!UID_RE.test(name) || name.length > 40)
      throw statusError(400, 'BadRequest', 'uid contains illegal characters');
    const spec =
      r.spec && typeof r.spec === 'object' && !Array.isArray(r.spec)
        ? structuredClone(r.spec as Record<string, unknown>)
        : {};
    const annotations = (r.metadata?.annotations ?? {}) as Record<string, unknown>;
    const v2 = version.startsWith('v2');
    const title = String(spec.title ?? '').trim();
    if (!title) throw statusError(400, 'BadRequest', 'Dashboard title cannot be empty');
    const message =
      typeof annotations['grafana.app/message'] === 'string'
        ? (annotations['grafana.app/message'] as string)
        : '';
    if (message.length > 500)
      throw statusError(400, 'BadRequest', 'dashboard message too long, max 500 characters');
    const refresh = v2
      ? (spec.timeSettings as { autoRefresh?: unknown } | undefined)?.autoRefresh
      : spec.refresh;
    if (typeof refresh === 'string' && refresh) {
      const min = seconds(this.opts.minRefreshInterval ?? '5s');
      const rs = seconds(refresh);
      if (rs !== undefined && min !== undefined && rs < min)
        throw statusError(400, 'BadRequest', 'Dashboard refresh interval is too low');
    }
    const folderUid =
      typeof annotations['grafana.app/folder'] === 'string'
        ? (annotations['grafana.app/folder'] as string)
        : '';
    if (folderUid && !o.folders.has(folderUid) && folderUid !== existing?.folderUid)
      throw statusError(404, 'NotFound', `folders.folder.grafana.app "${folderUid}" not found`, folderUid);
    const now = new Date().toISOString();
    const next = existing ? existing.version + 1 : 1;
    // Legacy storage keeps the spec as the dashboard JSON; a v2 one with its apiVersion.
    const data = v2 ? spec : { ...spec, uid: name };
    const stored: StoredDashboard = {
      id: existing?.id ?? o.nextId++,
      uid: name,
      title,
      data,
      version: next,
      folderUid,
      created: existing?.created ?? now,
      updated: now,
      createdBy: existing?.createdBy ?? user,
      updatedBy: user,
      versions: [
        ...(existing?.versions ?? []),
        {
          version: next,
          parentVersion: existing ? existing.version : 0,
          message,
          created: now,
          createdBy: user,
        },
      ],
      ...(v2 ? { apiVersion: version } : {}),
    };
    o.dashboards.set(name, stored);
    return stored;
  }

  private resourceDto(o: OrgState, d: StoredDashboard, version: string): Record<string, unknown> {
    const group = 'dashboard.grafana.app';
    const identity = (u: string) => (u.startsWith('sa-') ? `service-account:${u}` : `user:${u}`);
    const latest = d.versions[d.versions.length - 1];
    const annotations: Record<string, string> = {
      'grafana.app/createdBy': identity(d.createdBy),
      'grafana.app/updatedBy': identity(d.updatedBy),
      'grafana.app/updatedTimestamp': d.updated.replace(/\.\d+Z$/, 'Z'),
      ...(d.folderUid ? { 'grafana.app/folder': d.folderUid } : {}),
      ...(latest?.message ? { 'grafana.app/message': latest.message } : {}),
      ...(d.provisionedExternalId
        ? { 'grafana.app/managedBy': 'classic-file-provisioning', 'grafana.app/managerId': 'dashboards' }
        : {}),
    };
    const stored = d.apiVersion ?? 'v0alpha1';
    const sameFamily = stored.startsWith('v2') === version.startsWith('v2');
    let spec: Record<string, unknown>;
    let status: Record<string, unknown> = {};
    if (stored.startsWith('v2') && stored === version) spec = typedV2(structuredClone(d.data));
    else if (!stored.startsWith('v2') && sameFamily) {
      const { id: _i, uid: _u, version: _v, ...rest } = structuredClone(d.data);
      spec = rest;
    } else {
      spec = version.startsWith('v2') ? typedV2({ title: d.title }) : { title: d.title };
      status = {
        conversion: { failed: true, storedVersion: stored, error: 'not converted by the test double' },
      };
    }
    return {
      kind: 'Dashboard',
      apiVersion: `${group}/${version}`,
      metadata: {
        name: d.uid,
        namespace: this.namespaceOf(o.orgId),
        uid: `k8s-${d.id}`,
        resourceVersion: String(d.version),
        generation: d.version,
        creationTimestamp: d.created.replace(/\.\d+Z$/, 'Z'),
        labels: { 'grafana.app/deprecatedInternalID': String(d.id) },
        annotations,
      },
      spec,
      status,
    };
  }

  // ---------------------------------------------------------------- library elements
  //
  // GG pkg/services/libraryelements/api.go and database.go; the same on the points used in 10.4, 11.x
  // and 12.x (12.x routes them to the k8s store only behind the kubernetesLibraryPanels toggle):
  // answers {result: LibraryElementDTO}; 404 "library element could not be found"; a name or uid
  // already used (unique per org, folder, name and kind) 400; PATCH needs the stored version (else 412
  // "the library element has been changed by someone else"), keeps name/model/folder when omitted
  // (FolderID -1 = unchanged), "" moves to the root; a connected element cannot be deleted (403 "the
  // library element has connections"). The model gets `type` and `description` ("" when absent,
  // syncFieldsWithModel). A dashboard save connects the library panels its panels name; one that does not
  // exist fails the save after the dashboard was stored (500 "Error while connecting library panels").

  private routeLibraryElements(
    method: string,
    p: string,
    q: URLSearchParams,
    body: unknown,
    o: OrgState,
    user: string,
  ): { status: number; body: unknown } {
    const ok = (b: unknown) => ({ status: 200, body: b });
    const notFound = () => err(404, 'library element could not be found');
    if (p === '/api/library-elements' && method === 'POST') {
      const b = (body ?? {}) as Record<string, unknown>;
      if (typeof b.kind !== 'number' || b.kind === 0) throw err(400, 'bad request data');
      return ok({ result: this.elementDto(o, this.createLibraryElement(o, b, user)) });
    }
    if (p === '/api/library-elements' && method === 'GET') {
      const perPage = Number(q.get('perPage') ?? 100) || 100;
      const page = Math.max(1, Number(q.get('page') ?? 1) || 1);
      const kind = Number(q.get('kind') ?? 0);
      const all = [...o.libraryElements.values()]
        .filter((e) => !kind || e.kind === kind)
        .sort((a, b) => a.name.localeCompare(b.name));
      return ok({
        result: {
          totalCount: all.length,
          elements: all.slice((page - 1) * perPage, page * perPage).map((e) => this.elementDto(o, e)),
          page,
          perPage,
        },
      });
    }
    let m: RegExpExecArray | null;
    if ((m = /^\/api\/library-elements\/name\/([^/]+)$/.exec(p)) && method === 'GET') {
      const name = dec(m[1]!);
      const found = [...o.libraryElements.values()].filter((e) => e.name === name);
      if (!found.length) throw notFound();
      return ok({ result: found.map((e) => this.elementDto(o, e)) });
    }
    if (!(m = /^\/api\/library-elements\/([^/]+)$/.exec(p))) throw err(404, 'Not found');
    const uid = dec(m[1]!);
    const e = o.libraryElements.get(uid);
    if (method === 'GET') {
      if (!e) throw notFound();
      return ok({ result: this.elementDto(o, e) });
    }
    if (method === 'DELETE') {
      if (!e) throw notFound();
      if (this.connectionsOf(o, uid) > 0) throw err(403, 'the library element has connections');
      o.libraryElements.delete(uid);
      return ok({ message: 'Library element deleted', id: e.id });
    }
    if (method === 'PATCH') {
      const b = (body ?? {}) as Record<string, unknown>;
      if (typeof b.kind !== 'number' || b.kind === 0 || typeof b.version !== 'number' || b.version === 0)
        throw err(400, 'bad request data');
      if (!e) throw notFound();
      if (e.version !== b.version) throw err(412, 'the library element has been changed by someone else');
      let folderUid = e.folderUid;
      if (typeof b.folderUid === 'string') {
        if (b.folderUid !== '' && !o.folders.has(b.folderUid)) throw err(400, 'failed to get folder');
        folderUid = b.folderUid;
      }
      const name = typeof b.name === 'string' && b.name !== '' ? b.name : e.name;
      if (
        [...o.libraryElements.values()].some(
          (x) => x !== e && x.name === name && x.folderUid === folderUid && x.kind === e.kind,
        )
      )
        throw err(400, 'library element with that name or UID already exists');
      const model =
        b.model && typeof b.model === 'object'
          ? syncModel(structuredClone(b.model as Record<string, unknown>))
          : e.model;
      Object.assign(e, {
        name,
        folderUid,
        model,
        type: String(model.type ?? ''),
        description: String(model.description ?? ''),
        version: e.version + 1,
        updated: new Date().toISOString(),
        updatedBy: user,
      });
      return ok({ result: this.elementDto(o, e) });
    }
    throw err(404, 'Not found');
  }

  private createLibraryElement(o: OrgState, b: Record<string, unknown>, user: string): StoredLibraryElement {
    const kind = Number(b.kind);
    if (kind !== 1 && kind !== 2) throw err(500, 'Failed to create library element');
    const uid = typeof b.uid === 'string' && b.uid ? b.uid : randomUid();
    if (!UID_RE.test(uid)) throw err(400, 'uid contains illegal characters');
    if (uid.length > 40) throw err(400, 'uid too long, max 40 characters');
    const folderUid = typeof b.folderUid === 'string' ? b.folderUid : '';
    if (folderUid && !o.folders.has(folderUid)) throw err(400, 'failed to get folder');
    const name = String(b.name ?? '');
    if (
      o.libraryElements.has(uid) ||
      [...o.libraryElements.values()].some(
        (x) => x.name === name && x.folderUid === folderUid && x.kind === kind,
      )
    )
      throw err(400, 'library element with that name or UID already exists');
    const model = syncModel(structuredClone((b.model ?? {}) as Record<string, unknown>));
    const lp = model.libraryPanel as Record<string, unknown> | undefined;
    if (lp && typeof lp === 'object' && lp.uid === '') lp.uid = uid;
    const now = new Date().toISOString();
    const e: StoredLibraryElement = {
      id: o.nextId++,
      uid,
      name,
      kind,
      type: String(model.type ?? ''),
      description: String(model.description ?? ''),
      model,
      version: 1,
      folderUid,
      created: now,
      updated: now,
      createdBy: user,
      updatedBy: user,
    };
    o.libraryElements.set(uid, e);
    return e;
  }

  private elementDto(o: OrgState, e: StoredLibraryElement): Record<string, unknown> {
    const f = e.folderUid ? o.folders.get(e.folderUid) : undefined;
    const person = (name: string) => ({ id: 1, name, avatarUrl: '/avatar/0' });
    return {
      id: e.id,
      orgId: o.orgId,
      folderId: f?.id ?? 0,
      folderUid: e.folderUid,
      uid: e.uid,
      name: e.name,
      kind: e.kind,
      type: e.type,
      description: e.description,
      model: structuredClone(e.model),
      version: e.version,
      meta: {
        folderName: f?.title ?? 'General',
        folderUid: e.folderUid,
        connectedDashboards: this.connectionsOf(o, e.uid),
        created: e.created,
        updated: e.updated,
        createdBy: person(e.createdBy),
        updatedBy: person(e.updatedBy),
      },
    };
  }

  private connectionsOf(o: OrgState, uid: string): number {
    return [...o.dashboards.values()].filter((d) => d.libraryPanels?.includes(uid)).length;
  }

  /** ConnectLibraryPanelsForDashboard: every libraryPanel.uid of its panels, rows' panels included. */
  private connectLibraryPanels(o: OrgState, dashboardUid: string, strict = true): void {
    const d = o.dashboards.get(dashboardUid)!;
    const uids = new Set<string>();
    const walk = (panels: unknown) => {
      if (!Array.isArray(panels)) return;
      for (const p of panels as Record<string, unknown>[]) {
        const lp = p?.libraryPanel as { uid?: unknown } | undefined;
        if (lp && typeof lp.uid === 'string' && lp.uid) uids.add(lp.uid);
        walk(p?.panels);
      }
    };
    walk(d.data.panels);
    d.libraryPanels = [...uids];
    if (strict && [...uids].some((u) => !o.libraryElements.has(u))) {
      d.libraryPanels = [...uids].filter((u) => o.libraryElements.has(u));
      throw new HttpError(500, { message: 'Error while connecting library panels', traceID: '' });
    }
  }

  // ---------------------------------------------------------------- folders

  private createFolder(o: OrgState, b: Record<string, unknown>): unknown {
    const title = String(b?.title ?? '').trim();
    if (!title) throw err(400, 'folder title cannot be empty');
    const uid = b.uid === undefined || b.uid === null || b.uid === '' ? randomUid() : String(b.uid);
    if (!UID_RE.test(uid)) throw err(400, 'uid contains illegal characters');
    if (uid.length > 40) throw err(400, 'uid too long, max 40 characters');
    const parentUid = typeof b.parentUid === 'string' ? b.parentUid : '';
    if (parentUid) {
      if (!o.folders.has(parentUid)) throw err(404, 'folder not found', 'not-found');
      if (this.depth(o, parentUid) + 1 >= this.opts.maxFolderDepth)
        throw err(400, 'Maximum nested folder depth reached');
    }
    if (o.folders.has(uid) || o.dashboards.has(uid))
      throw err(409, 'a folder/dashboard with the same uid already exists');
    if ([...o.folders.values()].some((f) => f.parentUid === parentUid && f.title === title))
      throw err(409, 'a folder or dashboard in the general folder with the same name already exists');
    const now = new Date().toISOString();
    const f: StoredFolder = { id: o.nextId++, uid, title, parentUid, version: 1, created: now, updated: now };
    o.folders.set(uid, f);
    return this.folderDto(o, f);
  }

  private folderDto(o: OrgState, f: StoredFolder): Record<string, unknown> {
    const parents: Record<string, unknown>[] = [];
    let p = f.parentUid ? o.folders.get(f.parentUid) : undefined;
    while (p) {
      parents.unshift({ uid: p.uid, title: p.title, id: p.id });
      p = p.parentUid ? o.folders.get(p.parentUid) : undefined;
    }
    return {
      id: f.id,
      uid: f.uid,
      orgId: o.orgId,
      title: f.title,
      url: `/dashboards/f/${f.uid}/${slug(f.title)}`,
      hasAcl: false,
      canSave: true,
      canEdit: true,
      canAdmin: true,
      canDelete: true,
      createdBy: 'admin',
      created: f.created,
      updatedBy: 'admin',
      updated: f.updated,
      version: f.version,
      // parentUid and parents only for nested folders.
      ...(f.parentUid ? { parentUid: f.parentUid, parents } : {}),
    };
  }

  private depth(o: OrgState, uid: string): number {
    let d = 0;
    let f = o.folders.get(uid);
    while (f?.parentUid) {
      d++;
      f = o.folders.get(f.parentUid);
    }
    return d;
  }

  private descendants(o: OrgState, uid: string): string[] {
    const out: string[] = [];
    const walk = (u: string) => {
      for (const f of o.folders.values()) {
        if (f.parentUid === u) {
          out.push(f.uid);
          walk(f.uid);
        }
      }
    };
    walk(uid);
    return out;
  }

  // ---------------------------------------------------------------- datasources

  private dsDto(o: OrgState, d: StoredDatasource): Record<string, unknown> {
    return {
      id: d.id,
      uid: d.uid,
      orgId: o.orgId,
      name: d.name,
      type: d.type,
      typeLogoUrl: `public/plugins/${d.type}/img/logo.svg`,
      access: d.access || 'proxy',
      url: d.url,
      user: d.user,
      database: d.database,
      basicAuth: d.basicAuth,
      basicAuthUser: d.basicAuthUser,
      withCredentials: d.withCredentials,
      isDefault: d.isDefault,
      jsonData: structuredClone(d.jsonData),
      // Secrets never come back: only which keys are set.
      secureJsonFields: Object.fromEntries(Object.keys(d.secure).map((k) => [k, true])),
      version: d.version,
      readOnly: d.readOnly,
      apiVersion: '',
    };
  }

  private validateDs(b: Record<string, unknown>): void {
    if (!b || typeof b !== 'object') throw err(400, 'bad request data');
    if (typeof b.name !== 'string' || !b.name) throw err(400, 'bad request data: Name is required');
    if (typeof b.type !== 'string' || !b.type) throw err(400, 'bad request data: Type is required');
    if (
      typeof b.url === 'string' &&
      b.url !== '' &&
      /^(?!https?:\/\/|[a-z]+:\/\/)/i.test(b.url) &&
      !/^[\w.-]+(:\d+)?$/.test(b.url)
    ) {
      throw err(400, `Validation error, invalid URL: "${b.url}"`);
    }
    const jd = b.jsonData as Record<string, unknown> | undefined;
    if (jd && typeof jd === 'object' && 'teamHttpHeaders' in jd)
      throw err(403, 'Cannot create datasource with team HTTP headers, need to be admin');
  }

  private addDatasource(o: OrgState, b: Record<string, unknown>): unknown {
    this.validateDs(b);
    const uid = typeof b.uid === 'string' && b.uid ? b.uid : randomUid();
    if ([...o.datasources.values()].some((d) => d.name === b.name))
      throw err(409, 'data source with the same name already exists');
    if (o.datasources.has(uid)) throw err(409, 'data source with the same uid already exists');
    const d: StoredDatasource = {
      id: o.nextId++,
      uid,
      ...dsFields(b),
      secure: stringRecord(b.secureJsonData),
      version: 1,
      readOnly: false,
      health: { ok: true, message: 'Data source is working' },
    };
    if (d.isDefault) for (const x of o.datasources.values()) x.isDefault = false;
    o.datasources.set(uid, d);
    return { message: 'Datasource added', id: d.id, name: d.name, datasource: this.dsDto(o, d) };
  }

  private updateDatasource(o: OrgState, uid: string, b: Record<string, unknown>): unknown {
    const d = o.datasources.get(uid);
    if (!d) throw err(404, 'Data source not found');
    if (d.readOnly) throw err(403, 'Cannot update read-only data source');
    this.validateDs(b);
    if ([...o.datasources.values()].some((x) => x.uid !== uid && x.name === b.name))
      throw err(409, 'Failed to update datasource: data source with the same name already exists');
    const sentVersion = typeof b.version === 'number' ? b.version : 0;
    // Optimistic lock only when a version is sent; a newer version than stored is allowed.
    if (sentVersion !== 0 && d.version > sentVersion)
      throw err(409, 'Datasource has already been updated by someone else. Please reload and try again');
    Object.assign(d, dsFields(b));
    // Secret keys omitted from an update keep their stored values.
    d.secure = { ...d.secure, ...stringRecord(b.secureJsonData) };
    d.version = (sentVersion || d.version) + 1;
    if (d.isDefault) for (const x of o.datasources.values()) if (x !== d) x.isDefault = false;
    return { message: 'Datasource updated', id: d.id, name: d.name, datasource: this.dsDto(o, d) };
  }

  // ---------------------------------------------------------------- alerting

  private replaceGroup(
    o: OrgState,
    folderUid: string,
    title: string,
    b: Record<string, unknown>,
    provenance: string,
    /** A rule written whatever its content (PUT alert-rules/:uid). */
    force?: string,
  ): unknown {
    if (!b || typeof b !== 'object') throw err(400, 'bad request data');
    if (!o.folders.has(folderUid)) throw err(400, `invalid alert rule: folder ${folderUid} does not exist`);
    const interval = Number(b.interval);
    if (!Number.isInteger(interval) || interval <= 0 || interval % 10 !== 0)
      throw err(
        400,
        `invalid alert rule: interval (${String(b.interval)}s) should be non-zero and divided exactly by scheduler interval: 10s`,
      );
    if (!Array.isArray(b.rules)) throw err(400, 'invalid alert rule: rules are required');
    const now = new Date().toISOString();
    const incoming: StoredRule[] = b.rules.map((raw: unknown, i: number) => {
      const r = (raw ?? {}) as Record<string, unknown>;
      const uid = typeof r.uid === 'string' && r.uid ? r.uid : randomUid();
      if (!UID_RE.test(uid) || uid.length > 40) throw err(400, `invalid alert rule: invalid uid "${uid}"`);
      const ruleTitle = String(r.title ?? '').trim();
      if (!ruleTitle) throw err(400, 'invalid alert rule: title is required');
      const data = Array.isArray(r.data) ? (r.data as Record<string, unknown>[]) : [];
      if (data.length === 0) throw err(400, `invalid alert rule: rule "${ruleTitle}" has no queries`);
      const condition = String(r.condition ?? '');
      if (!data.some((q) => q.refId === condition))
        throw err(
          400,
          `invalid alert rule: condition ${condition} does not exist, must be one of [${data.map((q) => q.refId).join(' ')}]`,
        );
      const noDataState = String(r.noDataState ?? '');
      if (!NO_DATA.includes(noDataState))
        throw err(400, `invalid alert rule: unknown NoData state "${noDataState}"`);
      const execErrState = String(r.execErrState ?? '');
      if (!EXEC_ERR.includes(execErrState))
        throw err(400, `invalid alert rule: unknown Error state "${execErrState}"`);
      const forSec = seconds(String(r.for ?? ''));
      if (forSec === undefined) throw err(400, `invalid alert rule: invalid duration "${String(r.for)}"`);
      const prior = o.rules.get(uid);
      return {
        id: prior?.id ?? o.nextId++,
        uid,
        folderUID: folderUid,
        ruleGroup: title,
        title: ruleTitle,
        condition,
        data: data.map((q) => storeQuery(q, ruleTitle)),
        noDataState,
        execErrState,
        for: promDuration(forSec),
        annotations: stringRecord(r.annotations),
        labels: stringRecord(r.labels),
        isPaused: r.isPaused === true,
        ...(r.notification_settings ? { notification_settings: r.notification_settings } : {}),
        ...(r.record ? { record: r.record } : {}),
        ...(this.atLeast(12, 0) && typeof r.keep_firing_for === 'string' && seconds(r.keep_firing_for)
          ? { keep_firing_for: promDuration(seconds(r.keep_firing_for)!) }
          : {}),
        provenance,
        updated: now,
        groupIndex: i + 1,
      };
    });
    // ReplaceRuleGroup writes the delta only: a rule whose content is unchanged (interval included)
    // keeps its provenance and its `updated`.
    const before0 = o.groups.get(`${folderUid}\u0000${title}`);
    const sameInterval = before0?.interval === interval;
    for (let k = 0; k < incoming.length; k++) {
      const r = incoming[k]!;
      const prior = o.rules.get(r.uid);
      if (!prior || r.uid === force || !sameInterval) continue;
      const content = (x: StoredRule) =>
        JSON.stringify([
          x.folderUID,
          x.ruleGroup,
          x.title,
          x.condition,
          x.data,
          x.noDataState,
          x.execErrState,
          x.for,
          x.annotations,
          x.labels,
          x.isPaused,
          x.notification_settings ?? null,
          x.record ?? null,
          x.keep_firing_for ?? null,
        ]);
      if (content(prior) === content(r))
        incoming[k] = { ...r, provenance: prior.provenance, updated: prior.updated };
    }
    const key = `${folderUid}\u0000${title}`;
    const before = o.groups.get(key);
    const keep = new Set(incoming.map((r) => r.uid));
    // The body replaces the group: rules missing from it are deleted.
    for (const uid of before?.ruleUids ?? []) if (!keep.has(uid)) o.rules.delete(uid);
    for (const r of incoming) {
      const prior = o.rules.get(r.uid);
      if (prior && (prior.folderUID !== folderUid || prior.ruleGroup !== title)) {
        const other = o.groups.get(`${prior.folderUID}\u0000${prior.ruleGroup}`);
        if (other) other.ruleUids = other.ruleUids.filter((u) => u !== r.uid);
      }
      o.rules.set(r.uid, r);
    }
    const g: StoredGroup = { folderUid, title, interval, ruleUids: incoming.map((r) => r.uid) };
    o.groups.set(key, g);
    return this.groupDto(o, g);
  }

  // ---------------------------------------------------------------- contact points
  //
  // GG pkg/services/ngalert/api/api_provisioning.go (RouteGetContactPoints, RoutePostContactPoint,
  // RoutePutContactPoint, RouteDeleteContactPoint) and pkg/services/ngalert/provisioning/contactpoints.go,
  // read at the 10.x, 11.x and 12.x revisions the code index holds:
  // - GET: every receiver, sorted by name (then uid from 11), `?name=` filters; a secure setting of the
  //   type is answered "[REDACTED]", an empty one left out (GetContactPoints / Redact); provenance when set.
  // - POST: ValidateContactPoint → 400 {"message"} (ErrValidation); a uid in use → 409
  //   ErrContactPointUidExists from 11, 500 with the error text in 10.4; else 202 with the receiver
  //   (secrets redacted); provenance "api", none with X-Disable-Provenance (determineProvenance).
  // - PUT /:uid: settings null → 400; unknown uid → 404; "[REDACTED]" keeps the stored secret; a
  //   stored provenance other than none and the new one → 500 "cannot change provenance"; 202.
  // - DELETE /:uid: 202 {"message": "contactpoint deleted"}, an unknown uid too; removing the last
  //   receiver of a name a policy routes to → 409 alerting.notifications.contact-points.referenced
  //   (errutil.Conflict, 11.x/12.x) or 500 "contact point '<name>' is currently used by a notification
  //   policy" (10.4: fmt.Errorf through ErrResp(500)); one an alert rule's notification_settings
  //   names → 409 alerting.notifications.contact-points.used-by-rule (11+) / 500 (10.4).

  private routeContactPoints(
    method: string,
    p: string,
    q: URLSearchParams,
    body: unknown,
    o: OrgState,
    headers: http.IncomingHttpHeaders,
  ): { status: number; body: unknown } {
    const provenance = headers['x-disable-provenance'] !== undefined ? '' : 'api';
    const since11 = this.atLeast(11, 0);
    if (p === '/api/v1/provisioning/contact-points') {
      if (method === 'GET') {
        const name = q.get('name');
        const list = [...o.contactPoints.values()]
          .filter((r) => !name || r.name === name)
          .sort((a, b) => a.name.localeCompare(b.name) || (since11 ? a.uid.localeCompare(b.uid) : 0));
        return { status: 200, body: list.map((r) => this.receiverDto(r)) };
      }
      if (method === 'POST') {
        const b = (body ?? {}) as Record<string, unknown>;
        this.validateReceiver(b);
        const uid = typeof b.uid === 'string' && b.uid ? b.uid : randomUid();
        if (!UID_RE.test(uid) || uid.length > 40)
          throw err(400, `cannot create contact point with UID '${uid}': invalid uid`);
        const prior = o.contactPoints.get(uid);
        if (prior) {
          if (since11)
            throw new HttpError(409, {
              message: `Receiver configuration with UID '${uid}' already exists in contact point '${prior.name}'. Please use unique identifiers for receivers across all contact points.`,
              messageId: 'alerting.notifications.contact-points.uidInUse',
              statusCode: 409,
            });
          throw err(
            500,
            `receiver configuration with UID '${uid}' already exist in contact point '${prior.name}'. Please use unique identifiers for receivers across all contact points`,
          );
        }
        const type = String(b.type);
        const { plain, secure } = splitSecure(type, b.settings as Record<string, unknown>);
        const r: StoredReceiver = {
          uid,
          name: String(b.name ?? ''),
          type,
          settings: plain,
          secure,
          disableResolveMessage: b.disableResolveMessage === true,
          provenance,
        };
        o.contactPoints.set(uid, r);
        return { status: 202, body: this.receiverDto(r) };
      }
    }
    const m = /^\/api\/v1\/provisioning\/contact-points\/([^/]+)$/.exec(p);
    if (!m) throw err(404, 'Not found');
    const uid = dec(m[1]!);
    if (method === 'PUT') {
      const b = (body ?? {}) as Record<string, unknown>;
      if (b.settings === undefined || b.settings === null) throw err(400, 'settings should not be empty');
      const stored = o.contactPoints.get(uid);
      if (!stored) throw err(404, `contact point with uid '${uid}' not found`);
      const type = String(b.type ?? '');
      const merged: Record<string, unknown> = { ...(b.settings as Record<string, unknown>) };
      for (const k of secureKeysOf(type)) if (merged[k] === '[REDACTED]') merged[k] = stored.secure[k] ?? '';
      this.validateReceiver({ ...b, settings: merged });
      if (stored.provenance !== provenance && stored.provenance !== '')
        throw err(500, `cannot change provenance from '${stored.provenance}' to '${provenance}'`);
      const { plain, secure } = splitSecure(type, merged);
      Object.assign(stored, {
        name: String(b.name ?? ''),
        type,
        settings: plain,
        secure,
        disableResolveMessage: b.disableResolveMessage === true,
        provenance,
      });
      return { status: 202, body: { message: 'contactpoint updated' } };
    }
    if (method === 'DELETE') {
      const stored = o.contactPoints.get(uid);
      if (stored) {
        const last = ![...o.contactPoints.values()].some((r) => r.uid !== uid && r.name === stored.name);
        if (last && o.policyReceivers.has(stored.name)) {
          if (since11)
            throw new HttpError(409, {
              message: 'Contact point is currently referenced by a notification policy.',
              messageId: 'alerting.notifications.contact-points.referenced',
              statusCode: 409,
            });
          throw err(500, `contact point '${stored.name}' is currently used by a notification policy`);
        }
        const byRule = [...o.rules.values()].some(
          (r) => (r.notification_settings as { receiver?: unknown } | undefined)?.receiver === stored.name,
        );
        if (last && byRule) {
          if (since11)
            throw new HttpError(409, {
              message:
                'Contact point is currently used in the notification settings of one or many alert rules.',
              messageId: 'alerting.notifications.contact-points.used-by-rule',
              statusCode: 409,
            });
          throw err(
            500,
            `contact point '${stored.name}' is currently used in notification settings by one or many alert rules`,
          );
        }
        o.contactPoints.delete(uid);
      }
      return { status: 202, body: { message: 'contactpoint deleted' } };
    }
    throw err(405, 'Method Not Allowed');
  }

  // GG api_provisioning.go RouteGetTemplates / RouteGetTemplate / RoutePutTemplate / RouteDeleteTemplate
  // and definitions NotificationTemplate.Validate (10.4 → 12.x): the content is trimmed and wrapped in
  // {{ define "<name>" }} … {{ end }} (lines indented by two) when it has no define; empty or unparsable
  // → 400; PUT → 202 with the stored template; DELETE → 204; GET /:name of none → 404.
  private routeTemplates(
    method: string,
    p: string,
    body: unknown,
    o: OrgState,
    headers: http.IncomingHttpHeaders,
  ): { status: number; body: unknown } {
    const dto = (name: string, t: { template: string; provenance: string }) => ({
      name,
      template: t.template,
      ...(t.provenance ? { provenance: t.provenance } : {}),
    });
    if (p === '/api/v1/provisioning/templates' && method === 'GET')
      return {
        status: 200,
        body: [...o.templates.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([n, t]) => dto(n, t)),
      };
    const m = /^\/api\/v1\/provisioning\/templates\/([^/]+)$/.exec(p);
    if (!m) throw err(404, 'Not found');
    const name = dec(m[1]!);
    if (method === 'GET') {
      const t = o.templates.get(name);
      if (!t) throw err(404, 'template not found');
      return { status: 200, body: dto(name, t) };
    }
    if (method === 'PUT') {
      const raw = (body as { template?: unknown } | undefined)?.template;
      if (typeof raw !== 'string' || raw === '') throw err(400, 'template must have content');
      let content = raw.trim();
      if (!/\{\{\s*define/.test(content))
        content = `{{ define "${name}" }}\n${content
          .split('\n')
          .map((l) => `  ${l}`)
          .join('\n')}\n{{ end }}`;
      const opens = content.split('{{').length - 1;
      const closes = content.split('}}').length - 1;
      if (opens !== closes) throw err(400, `invalid template: template: ${name}: unclosed action`);
      const t = { template: content, provenance: headers['x-disable-provenance'] !== undefined ? '' : 'api' };
      o.templates.set(name, t);
      return { status: 202, body: dto(name, t) };
    }
    if (method === 'DELETE') {
      o.templates.delete(name);
      return { status: 204, body: undefined };
    }
    throw err(405, 'Method Not Allowed');
  }

  /**
   * ValidateContactPoint: a type, settings, a known notifier, and the notifier's own required
   * settings (grafana/alerting receivers/*: email `addresses`, webhook `url`, Slack `url` or `token`).
   */
  private validateReceiver(b: Record<string, unknown>): void {
    const type = typeof b.type === 'string' ? b.type : '';
    if (!type) throw err(400, 'type should not be an empty string');
    if (!b.settings || typeof b.settings !== 'object') throw err(400, 'settings should not be empty');
    const s = b.settings as Record<string, unknown>;
    if (!KNOWN_NOTIFIERS.includes(type)) throw err(400, `notifier ${type} is not supported`);
    if (!b.name) throw err(400, 'contact point is not valid: name should not be empty');
    if (type === 'email' && !s.addresses) throw err(400, 'could not find addresses in settings');
    if (type === 'webhook' && !s.url) throw err(400, "required field 'url' is not specified");
    if (type === 'slack' && !s.url && !s.token)
      throw err(400, 'token must be specified when using the Slack chat API');
  }

  private receiverDto(r: StoredReceiver): Record<string, unknown> {
    const settings: Record<string, unknown> = structuredClone(r.settings);
    for (const [k, v] of Object.entries(r.secure)) if (v !== '') settings[k] = '[REDACTED]';
    return {
      uid: r.uid,
      name: r.name,
      type: r.type,
      settings,
      disableResolveMessage: r.disableResolveMessage,
      ...(r.provenance ? { provenance: r.provenance } : {}),
    };
  }

  /** ProvisionedAlertRule as the API answers it; provenance only where Grafana sets it. */
  private ruleDto(r: StoredRule, orgId: number, withProvenance: boolean): Record<string, unknown> {
    return {
      id: r.id,
      uid: r.uid,
      orgID: orgId,
      folderUID: r.folderUID,
      ruleGroup: r.ruleGroup,
      title: r.title,
      condition: r.condition,
      data: structuredClone(r.data),
      updated: r.updated,
      noDataState: r.noDataState,
      execErrState: r.execErrState,
      for: r.for,
      ...(this.atLeast(12, 0) ? { keep_firing_for: r.keep_firing_for ?? '0s' } : {}),
      ...(Object.keys(r.annotations).length ? { annotations: r.annotations } : {}),
      ...(Object.keys(r.labels).length ? { labels: r.labels } : {}),
      isPaused: r.isPaused,
      ...(r.notification_settings ? { notification_settings: r.notification_settings } : {}),
      ...(r.record ? { record: r.record } : {}),
      ...(withProvenance && r.provenance ? { provenance: r.provenance } : {}),
    };
  }

  /** ngalert/api/authorization.go: what a provisioning write needs, per version. */
  private authorizeAlertWrite(): void {
    const have = this.opts.permissions;
    if (!have) return;
    const accepted = this.atLeast(11, 2)
      ? ['alert.provisioning:write', 'alert.rules.provisioning:write']
      : ['alert.provisioning:write'];
    if (accepted.some((a) => have.includes(a))) return;
    throw new HttpError(403, {
      accessErrorId: 'ACE0123456789',
      message: `You'll need additional permissions to perform this action. Permissions needed: ${accepted.length > 1 ? `any of ${accepted.join(', ')}` : accepted[0]}`,
      title: 'Access denied',
    });
  }

  private groupDto(o: OrgState, g: StoredGroup): Record<string, unknown> {
    return {
      title: g.title,
      folderUid: g.folderUid,
      interval: g.interval,
      rules: g.ruleUids
        .map((u) => o.rules.get(u))
        .filter((r): r is StoredRule => !!r)
        // GetRuleGroup: the group's provenance is never set, so no rule of the answer carries one.
        .map((r) => this.ruleDto(r, o.orgId, false)),
    };
  }
}

/** Notifier types Grafana knows (channels_config GetAvailableNotifiers, 10.4 → 12.x). */
const KNOWN_NOTIFIERS = [
  'alertmanager',
  'prometheus-alertmanager',
  'dingding',
  'discord',
  'email',
  'googlechat',
  'kafka',
  'line',
  'oncall',
  'opsgenie',
  'pagerduty',
  'pushover',
  'sensugo',
  'slack',
  'sns',
  'teams',
  'telegram',
  'threema',
  'victorops',
  'webex',
  'webhook',
  'wecom',
];

/** `Secure: true` options (channels_config/available_channels.go): stored apart, answered "[REDACTED]". */
function secureKeysOf(type: string): string[] {
  const table: Record<string, string[]> = {
    kafka: ['password'],
    oncall: ['password', 'authorization_credentials'],
    opsgenie: ['apiKey'],
    pagerduty: ['integrationKey'],
    'prometheus-alertmanager': ['basicAuthPassword'],
    pushover: ['apiToken', 'userKey'],
    sensugo: ['apikey'],
    slack: ['token', 'url'],
    telegram: ['bottoken'],
    webhook: ['password', 'authorization_credentials'],
    wecom: ['url', 'secret'],
  };
  return table[type] ?? [];
}

/** RemoveSecretsForContactPoint: the type's secure keys move out of the settings (even when empty). */
function splitSecure(
  type: string,
  settings: Record<string, unknown> | undefined,
): { plain: Record<string, unknown>; secure: Record<string, string> } {
  const plain: Record<string, unknown> = structuredClone(settings ?? {});
  const secure: Record<string, string> = {};
  for (const k of secureKeysOf(type)) {
    if (!Object.hasOwn(plain, k)) continue;
    secure[k] = typeof plain[k] === 'string' ? (plain[k] as string) : '';
    delete plain[k];
  }
  return { plain, secure };
}

interface SaveCmd {
  dashboard?: Record<string, unknown>;
  folderUid?: string;
  overwrite?: boolean;
  message?: string;
}

function dsFields(b: Record<string, unknown>) {
  return {
    name: String(b.name),
    type: String(b.type),
    access: typeof b.access === 'string' ? b.access : '',
    url: typeof b.url === 'string' ? b.url : '',
    user: typeof b.user === 'string' ? b.user : '',
    database: typeof b.database === 'string' ? b.database : '',
    basicAuth: b.basicAuth === true,
    basicAuthUser: typeof b.basicAuthUser === 'string' ? b.basicAuthUser : '',
    withCredentials: b.withCredentials === true,
    isDefault: b.isDefault === true,
    jsonData:
      b.jsonData && typeof b.jsonData === 'object'
        ? structuredClone(b.jsonData as Record<string, unknown>)
        : {},
  };
}

/** As ngalert stores a query: model defaults filled in, queryType taken from the model. */
function storeQuery(q: Record<string, unknown>, rule: string): Record<string, unknown> {
  const model = { ...((q.model as Record<string, unknown>) ?? {}) };
  if (!(typeof model.maxDataPoints === 'number' && model.maxDataPoints > 0)) model.maxDataPoints = 43200;
  if (!(typeof model.intervalMs === 'number' && model.intervalMs > 0)) model.intervalMs = 1000;
  const rtr = (q.relativeTimeRange ?? {}) as { from?: number; to?: number };
  const from = Number(rtr.from ?? 0);
  const to = Number(rtr.to ?? 0);
  if (q.datasourceUid !== '__expr__' && !(from > to))
    throw err(
      400,
      `invalid alert rule: rule "${rule}": invalid relative time range [From: ${from}s, To: ${to}s]`,
    );
  return {
    refId: q.refId,
    queryType:
      typeof model.queryType === 'string' && model.queryType ? model.queryType : String(q.queryType ?? ''),
    relativeTimeRange: { from, to },
    datasourceUid: q.datasourceUid,
    model,
  };
}

function versionMeta(d: StoredDashboard, v: StoredVersion, message: string): Record<string, unknown> {
  return {
    id: d.id * 1000 + v.version,
    dashboardId: d.id,
    uid: d.uid,
    parentVersion: v.parentVersion,
    restoredFrom: 0,
    version: v.version,
    created: v.created,
    createdBy: v.createdBy,
    message,
  };
}

function stringRecord(v: unknown): Record<string, string> {
  if (!v || typeof v !== 'object') return {};
  return Object.fromEntries(
    Object.entries(v)
      .filter(([, x]) => x !== undefined && x !== null)
      .map(([k, x]) => [k, String(x)]),
  );
}

/** Seconds of a Go/Prometheus duration (`1h30m`, `90s`, `0s`); undefined when unreadable. */
function seconds(text: string): number | undefined {
  const t = text.trim();
  if (!t) return undefined;
  const re = /(\d+)(ms|y|w|d|h|m|s)/g;
  const unit: Record<string, number> = { y: 31536000, w: 604800, d: 86400, h: 3600, m: 60, s: 1, ms: 0.001 };
  let total = 0;
  let consumed = 0;
  for (const m of t.matchAll(re)) {
    total += Number(m[1]) * unit[m[2]!]!;
    consumed += m[0].length;
  }
  return consumed === t.length ? total : undefined;
}

function promDuration(sec: number): string {
  if (sec === 0) return '0s';
  let rest = Math.round(sec * 1000);
  let out = '';
  for (const [u, ms] of [
    ['y', 31536000000],
    ['w', 604800000],
    ['d', 86400000],
    ['h', 3600000],
    ['m', 60000],
    ['s', 1000],
    ['ms', 1],
  ] as const) {
    const n = Math.floor(rest / ms);
    if (n) {
      out += `${n}${u}`;
      rest -= n * ms;
    }
  }
  return out;
}

function slug(title: string): string {
  return title
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
}

function randomUid(): string {
  return randomBytes(7).toString('hex');
}

function dec(s: string): string {
  return decodeURIComponent(s);
}

function readAll(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** A k8s Status error body (k8s.io/apimachinery metav1.Status), as /apis answers failures. */
function statusError(code: number, reason: string, message: string, name?: string): HttpError {
  return new HttpError(code, {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message,
    reason,
    details: name ? { name, group: 'dashboard.grafana.app', kind: 'dashboards' } : {},
    code,
  });
}

/** syncFieldsWithModel: `type` and `description` filled with "" when the model has none. */
function syncModel(model: Record<string, unknown>): Record<string, unknown> {
  if (model.type === undefined || model.type === null) model.type = '';
  if (model.description === undefined || model.description === null) model.description = '';
  return model;
}

/** A v2 spec as the typed structs give it back: fields without omitempty present, zero when unsent. */
function typedV2(spec: Record<string, unknown>): Record<string, unknown> {
  const fill = (o: Record<string, unknown>, defaults: Record<string, unknown>) => {
    for (const [k, v] of Object.entries(defaults)) if (o[k] === undefined) o[k] = v;
  };
  fill(spec, {
    title: '',
    cursorSync: '',
    preload: false,
    links: [],
    tags: [],
    variables: [],
    annotations: [],
    elements: {},
  });
  for (const el of Object.values(spec.elements as Record<string, Record<string, unknown>>)) {
    if (el?.kind !== 'Panel' || !el.spec || typeof el.spec !== 'object') continue;
    const ps = el.spec as Record<string, unknown>;
    fill(ps, { id: 0, title: '', description: '', links: [] });
    const data = ps.data as { spec?: Record<string, unknown> } | undefined;
    if (data?.spec) {
      fill(data.spec, { queries: [], transformations: [], queryOptions: {} });
      for (const q of data.spec.queries as { spec?: Record<string, unknown> }[]) {
        if (q?.spec) fill(q.spec, { refId: '', hidden: false });
      }
    }
  }
  return spec;
}
