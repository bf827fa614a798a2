// Which Grafana answers, and what differs between the versions dashboard-ci supports (10.4, 11.x,
// 12.x). The version comes from GET /api/health; when it is hidden (hide_version) the careful
// choice is taken on each point.

export interface GrafanaVersion {
  major: number;
  minor: number;
}

export function parseGrafanaVersion(text: string | undefined): GrafanaVersion | undefined {
  const m = /^v?(\d+)\.(\d+)/.exec(text ?? '');
  return m ? { major: Number(m[1]), minor: Number(m[2]) } : undefined;
}

function before(v: GrafanaVersion | undefined, major: number, minor: number): boolean | undefined {
  if (!v) return undefined;
  return v.major < major || (v.major === major && v.minor < minor);
}

/**
 * Grafana before 11.3 takes over a dashboard of the same title in the same folder when saving with
 * overwrite: true (pkg/services/dashboards/database/database.go getExistingDashboardByTitleAndFolder,
 * v10.4 / v11.2; gone in 11.3). Unknown version: assume it may.
 */
export function titleClashOverwrites(v: GrafanaVersion | undefined): boolean {
  return before(v, 11, 3) ?? true;
}

/**
 * The permission the alerting provisioning API asks for (pkg/services/ngalert/api/authorization.go):
 * 10.4 and 11.0–11.1 only alert.provisioning:write (fixed role of Admin); later versions also accept
 * alert.rules.provisioning:write, or alert.rules:write on the folder with
 * alert.provisioning.provenance:write.
 */
export function alertProvisioningPermission(v: GrafanaVersion | undefined): string {
  const old = before(v, 11, 2);
  if (old === true)
    return 'this Grafana (before 11.2) needs alert.provisioning:write, which only the Admin role has';
  if (old === false)
    return 'it needs alert.provisioning:write (Admin), or alert.rules.provisioning:write, or alert.rules:write on the folder with alert.provisioning.provenance:write';
  return 'Grafana 10.4 and 11.0–11.1 need alert.provisioning:write (Admin role); 11.2 and later also accept alert.rules.provisioning:write';
}
