// `dashboard-ci schema pull --clickhouse URL [--tables a,b] [--output FILE] [PATH...]`: writes the
// test schema (clickhouse/schema.sql) from a real server, for the tables the dashboards read.

import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { UsageError } from '../core/types.js';
import type { Config } from '../config/types.js';
import { loadDashboards } from '../dashboards/load.js';
import { loadAlertFiles, loadDatasourceFiles } from '../dashboards/provisioning-files.js';
import { datasourceTypeMap } from '../sql/extract.js';
import { prepareQueries } from '../check/prepare.js';
import { pullSchema } from '../schema/pull.js';
import type { SchemaSource } from '../schema/source.js';

export interface SchemaPullOptions {
  cwd: string;
  config: Config;
  source: SchemaSource;
  /** `--tables a,b` (repeatable): pulled in addition to what the dashboards read. */
  tables: string[];
  /** Dashboard paths; empty = config.paths. */
  paths: string[];
  output?: string;
  now: Date;
  /** Never written to the file (the password). */
  secrets?: string[];
}

export interface SchemaPullSummary {
  file: string;
  objects: number;
  notFound: string[];
  unparsed: number;
  notes: string[];
}

/** Reads the dashboards (and alert rules) as `check` does, pulls what their queries read, writes the file. */
export async function runSchemaPull(opts: SchemaPullOptions): Promise<SchemaPullSummary> {
  const { config, cwd } = opts;
  let queries: string[] = [];
  const explicitTables = opts.tables
    .flatMap((t) => t.split(','))
    .map((t) => t.trim())
    .filter(Boolean);
  if (explicitTables.length === 0 || opts.paths.length > 0) {
    const loaded = await loadDashboards(opts.paths.length ? opts.paths : config.paths, { cwd });
    if (loaded.usageErrors.length) throw new UsageError(loaded.usageErrors.join('; '));
    const datasources = await loadDatasourceFiles(config.datasources, { cwd, optional: true });
    const alerts = config.alerts.length
      ? await loadAlertFiles(config.alerts, { cwd, optional: true })
      : { groups: [] };
    const prepared = await prepareQueries(
      loaded.dashboards,
      alerts.groups,
      datasourceTypeMap(datasources.datasources),
      opts.now,
    );
    queries = [...new Set(prepared.filter((q) => !q.blocked).map((q) => q.sql))];
  }
  const result = await pullSchema({
    source: opts.source,
    tables: explicitTables,
    queries,
    secrets: opts.secrets ?? [],
  });
  const file = opts.output ?? config.clickhouse.schema[0] ?? 'clickhouse/schema.sql';
  const abs = path.resolve(cwd, file);
  await mkdir(path.dirname(abs), { recursive: true });
  await writeFile(abs, result.text);
  return {
    file,
    objects: result.objects.length,
    notFound: result.notFound,
    unparsed: result.unparsed,
    notes: result.objects.flatMap((o) => (o.note ? [`${o.database}.${o.name}: ${o.note}`] : [])),
  };
}
