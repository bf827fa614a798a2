import { stat } from 'node:fs/promises';
import path from 'node:path';
import type { Config } from '../config/types.js';
import { Excludes, readTextFile } from './files.js';
import { DEFAULT_MAX_BYTES } from './limits.js';

// Which files a run takes: the config's and the command line's excludes, and explicit paths split
// into dashboards and alert rule files (both may be YAML now).

/** `exclude:` of dashboard-ci.yml (relative to its folder) and `--exclude` (relative to the working directory). */
export function configExcludes(config: Pick<Config, 'exclude' | 'file'>, cwd: string, cli: readonly string[]): Excludes {
  const configDir = config.file ? path.dirname(path.resolve(cwd, config.file)) : cwd;
  return new Excludes([
    { base: configDir, patterns: config.exclude },
    { base: cwd, patterns: cli },
  ]);
}

function inside(abs: string, roots: readonly string[], cwd: string): boolean {
  return roots.some((r) => {
    const rel = path.relative(path.resolve(cwd, r), abs);
    return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
  });
}

/** Grafana's alerting file-provisioning format: `apiVersion: 1` and `groups:` at the top. */
const ALERT_PROVISIONING = /^(?:groups\s*:|apiVersion\s*:\s*["']?1["']?\s*(?:#.*)?$)/m;
const YAML_FILE = /\.ya?ml$/i;

/**
 * Explicit paths into dashboards and alert rule files. A YAML file is an alert file when it is under
 * the config's alert folders, or holds Grafana's alert provisioning format; any other YAML (gcx,
 * grafanactl resources) and every folder outside the alert folders is for the dashboard loader.
 */
export async function splitExplicitPaths(
  paths: readonly string[],
  config: Pick<Config, 'alerts'>,
  cwd: string,
): Promise<{ dashboards: string[]; alerts: string[] }> {
  const dashboards: string[] = [];
  const alerts: string[] = [];
  for (const p of paths) {
    const abs = path.resolve(cwd, p);
    if (!YAML_FILE.test(p)) {
      const isDir = await stat(abs).then((s) => s.isDirectory(), () => false);
      (isDir && inside(abs, config.alerts, cwd) ? alerts : dashboards).push(p);
      continue;
    }
    if (inside(abs, config.alerts, cwd)) {
      alerts.push(p);
      continue;
    }
    const read = await readTextFile(abs, p, DEFAULT_MAX_BYTES);
    (('text' in read && ALERT_PROVISIONING.test(read.text)) ? alerts : dashboards).push(p);
  }
  return { dashboards, alerts };
}
