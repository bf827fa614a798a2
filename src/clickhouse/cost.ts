import type { IndexPruning, QueryCost, TableCost } from '../core/types.js';
import { ClickHouseQueryError } from './errors.js';

/** One ReadFromMergeTree node of an `EXPLAIN json = 1, indexes = 1` plan. */
export interface MergeTreeRead {
  /** The node's Description: `db.table`, or a projection's name. */
  description: string;
  indexes: IndexPruning[];
}

/** Active parts of one table (or projection) as system.parts counts them. */
export interface TableStats {
  database: string;
  table: string;
  rows: number;
  parts: number;
  /** Granules; system.parts `marks` minus each part's final mark. */
  granules: number;
  /** system.tables partition_key / primary_key, for naming indexes a plan leaves unnamed. */
  partitionKey?: string;
  primaryKey?: string;
}

/** Looks up stats by `db.table` description, or a projection name, as the plan spells them. */
export interface StatsLookup {
  /** The table a Description names, when known: `d2.we.ird` needs the catalogue to split. */
  resolve(description: string): TableStats | undefined;
}

const INDEX_TYPES: Record<string, string> = {
  'Min-Max': 'MinMax',
  MinMax: 'MinMax',
  Partition: 'Partition',
  PrimaryKey: 'PrimaryKey',
  Skip: 'Skip',
};

/**
 * Does the plan leave a choice to execution time? An AggregatingProjection node holds the plain read
 * and an alternative (a projection, or `_exact_count_projection` for count() filtered on key columns)
 * that reads far less: the plain read's granules are then not what runs, EXPLAIN ESTIMATE is.
 */
export function hasRuntimeChoice(planJson: unknown): boolean {
  let found = false;
  const visit = (node: unknown): void => {
    if (found || !node || typeof node !== 'object') return;
    if (Array.isArray(node)) {
      node.forEach(visit);
      return;
    }
    const n = node as Record<string, unknown>;
    if (n['Node Type'] === 'AggregatingProjection') found = true;
    if (n['Plan']) visit(n['Plan']);
    if (Array.isArray(n['Plans'])) n['Plans'].forEach(visit);
  };
  visit(planJson);
  return found;
}

/** Walks the plan JSON (the text EXPLAIN json = 1 prints) and returns every MergeTree read. */
export function mergeTreeReads(planJson: unknown): MergeTreeRead[] {
  const reads: MergeTreeRead[] = [];
  const visit = (node: unknown): void => {
    if (!node || typeof node !== 'object') return;
    if (Array.isArray(node)) {
      node.forEach(visit);
      return;
    }
    const n = node as Record<string, unknown>;
    if (n['Plan']) visit(n['Plan']);
    if (n['Node Type'] === 'ReadFromMergeTree') {
      reads.push({
        description: typeof n['Description'] === 'string' ? n['Description'] : '',
        indexes: Array.isArray(n['Indexes']) ? n['Indexes'].map(toIndexPruning) : [],
      });
    }
    if (Array.isArray(n['Plans'])) n['Plans'].forEach(visit);
  };
  visit(planJson);
  return reads;
}

function toIndexPruning(raw: unknown): IndexPruning {
  const r = (raw ?? {}) as Record<string, unknown>;
  const type = String(r['Type'] ?? '');
  const num = (k: string): number => (typeof r[k] === 'number' ? (r[k] as number) : Number(r[k] ?? 0));
  const out: IndexPruning = {
    type: INDEX_TYPES[type] ?? type,
    keys: Array.isArray(r['Keys']) ? r['Keys'].map(String) : typeof r['Name'] === 'string' ? [r['Name']] : [],
    initialParts: num('Initial Parts'),
    selectedParts: num('Selected Parts'),
    initialGranules: num('Initial Granules'),
    selectedGranules: num('Selected Granules'),
  };
  if (typeof r['Condition'] === 'string') out.condition = r['Condition'];
  return out;
}

/** Splits a Description into database and table when the catalogue does not know it. */
function splitDescription(description: string): { database: string; table: string } {
  const dot = description.indexOf('.');
  if (dot < 0) return { database: '', table: description };
  return { database: description.slice(0, dot), table: description.slice(dot + 1) };
}

interface ReadCost {
  database: string;
  table: string;
  rows: number;
  parts: { selected: number; total: number };
  granules: { selected: number; total: number };
  indexes: IndexPruning[];
  partitionPruned: boolean;
  primaryKeyPruned: boolean;
}

/**
 * Cost of one read. Indexes run in order (MinMax, Partition, PrimaryKey, Skip), each starting from what
 * the previous one kept: the first one's Initial figures are the table's, the last one's Selected
 * figures are what is read. Rows are estimated as selected granules × the table's rows per granule,
 * exact for full scans (EXPLAIN ESTIMATE rounds to whole granules too, at twice the time per query).
 */
/** Top-level comma split of a key expression list: `a, cityHash64(b, c)` is two keys. */
export function splitKeyList(list: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of list) {
    if (ch === '(' || ch === '[') depth++;
    else if (ch === ')' || ch === ']') depth--;
    if (ch === ',' && depth === 0) {
      if (cur.trim()) out.push(cur.trim());
      cur = '';
    } else cur += ch;
  }
  if (cur.trim()) out.push(cur.trim());
  return out;
}

/** A plan names an index's keys only when the query has a condition on them: name them anyway. */
function withKeyNames(indexes: IndexPruning[], st: TableStats | undefined): IndexPruning[] {
  if (!st) return indexes;
  return indexes.map((ix) => {
    if (ix.keys.length > 0) return ix;
    if (ix.type === 'Partition' && st.partitionKey) return { ...ix, keys: [st.partitionKey] };
    if (ix.type === 'PrimaryKey' && st.primaryKey) return { ...ix, keys: splitKeyList(st.primaryKey) };
    return ix;
  });
}

function readCost(read: MergeTreeRead, stats: StatsLookup): ReadCost {
  const st = stats.resolve(read.description);
  const { database, table } = st ?? splitDescription(read.description);
  const first = read.indexes[0];
  const last = read.indexes[read.indexes.length - 1];
  const totalGranules = first ? first.initialGranules : (st?.granules ?? 0);
  const totalParts = first ? first.initialParts : (st?.parts ?? 0);
  const selectedGranules = last ? last.selectedGranules : totalGranules;
  const selectedParts = last ? last.selectedParts : totalParts;
  const tableRows = st?.rows;
  let rows: number;
  if (tableRows === undefined) rows = 0;
  else if (selectedGranules >= totalGranules) rows = tableRows;
  else if (totalGranules === 0) rows = 0;
  else rows = Math.round((selectedGranules * tableRows) / totalGranules);
  const partitionPruned = read.indexes.some(
    (i) => (i.type === 'MinMax' || i.type === 'Partition') && i.selectedParts < i.initialParts,
  );
  const primaryKeyPruned = read.indexes.some(
    (i) => i.type === 'PrimaryKey' && i.selectedGranules < i.initialGranules,
  );
  return {
    database,
    table,
    rows,
    parts: { selected: selectedParts, total: totalParts },
    granules: { selected: selectedGranules, total: totalGranules },
    indexes: withKeyNames(read.indexes, st),
    partitionPruned,
    primaryKeyPruned,
  };
}

/** Sums index figures of several reads of one table (a self-join reads it twice). */
function mergeIndexes(lists: IndexPruning[][]): IndexPruning[] {
  const out: IndexPruning[] = [];
  for (const list of lists) {
    for (const ix of list) {
      const same = out.find((o) => o.type === ix.type && o.keys.join('\0') === ix.keys.join('\0'));
      if (!same) {
        out.push({ ...ix, keys: [...ix.keys] });
        continue;
      }
      same.initialParts += ix.initialParts;
      same.selectedParts += ix.selectedParts;
      same.initialGranules += ix.initialGranules;
      same.selectedGranules += ix.selectedGranules;
      if (same.condition !== ix.condition) delete same.condition;
    }
  }
  return out;
}

/**
 * QueryCost from the MergeTree reads of a plan. A table read twice counts twice; it is pruned only
 * when every read of it is. Non-MergeTree reads (numbers(), system tables) cost nothing here.
 */
export function buildQueryCost(reads: readonly MergeTreeRead[], stats: StatsLookup): QueryCost {
  const byTable = new Map<string, ReadCost[]>();
  for (const read of reads) {
    const c = readCost(read, stats);
    const key = `${c.database}.${c.table}`;
    const list = byTable.get(key);
    if (list) list.push(c);
    else byTable.set(key, [c]);
  }
  const tables: TableCost[] = [];
  for (const list of byTable.values()) {
    const first = list[0]!;
    tables.push({
      database: first.database,
      table: first.table,
      rows: sum(list.map((c) => c.rows)),
      marks: sum(list.map((c) => c.granules.selected)),
      parts: sum(list.map((c) => c.parts.selected)),
      granules: {
        selected: sum(list.map((c) => c.granules.selected)),
        total: sum(list.map((c) => c.granules.total)),
      },
      indexes: mergeIndexes(list.map((c) => c.indexes)),
      partitionPruned: list.every((c) => c.partitionPruned),
      primaryKeyPruned: list.every((c) => c.primaryKeyPruned),
    });
  }
  return {
    rows: sum(tables.map((t) => t.rows)),
    marks: sum(tables.map((t) => t.marks)),
    parts: sum(tables.map((t) => t.parts)),
    granules: {
      selected: sum(tables.map((t) => t.granules.selected)),
      total: sum(tables.map((t) => t.granules.total)),
    },
    tables,
  };
}

/** One row of EXPLAIN ESTIMATE: what a table's read will really cost. */
export interface EstimateRow {
  database: string;
  table: string;
  parts: number;
  rows: number;
  marks: number;
}

/** EXPLAIN ESTIMATE's TabSeparatedRaw output: database, table, parts, rows, marks. */
export function parseEstimate(tsv: string): EstimateRow[] {
  const out: EstimateRow[] = [];
  for (const line of tsv.split('\n')) {
    const [database, table, parts, rows, marks] = line.split('\t');
    if (database === undefined || table === undefined || marks === undefined) continue;
    out.push({ database, table, parts: Number(parts), rows: Number(rows), marks: Number(marks) });
  }
  return out;
}

/** Replaces each table's read figures by EXPLAIN ESTIMATE's (pruning flags stay the plan's). */
export function applyEstimate(cost: QueryCost, estimate: readonly EstimateRow[]): QueryCost {
  const tables = cost.tables.map((t) => {
    const e = estimate.find((r) => r.database === t.database && r.table === t.table);
    if (!e) return t;
    return {
      ...t,
      rows: e.rows,
      marks: e.marks,
      parts: e.parts,
      granules: { ...t.granules, selected: e.marks },
    };
  });
  return {
    ...cost,
    rows: sum(tables.map((t) => t.rows)),
    marks: sum(tables.map((t) => t.marks)),
    parts: sum(tables.map((t) => t.parts)),
    granules: { selected: sum(tables.map((t) => t.granules.selected)), total: cost.granules.total },
    tables,
  };
}

function sum(xs: readonly number[]): number {
  let s = 0;
  for (const x of xs) s += x;
  return s;
}

/** A StatsLookup over rows of system.parts / system.projection_parts. */
export class StatsCatalogue implements StatsLookup {
  private readonly tables = new Map<string, TableStats>();
  private readonly projections = new Map<string, TableStats>();

  addTable(s: TableStats): void {
    this.tables.set(`${s.database}.${s.table}`, s);
  }

  /** Keys arrive on their own rows (a table with no parts has keys but no part figures). */
  addKeys(database: string, table: string, partitionKey: string, primaryKey: string): void {
    const key = `${database}.${table}`;
    const s = this.tables.get(key) ?? { database, table, rows: 0, parts: 0, granules: 0 };
    if (partitionKey) s.partitionKey = partitionKey;
    if (primaryKey) s.primaryKey = primaryKey;
    this.tables.set(key, s);
  }

  /** Projection parts are read under the projection's bare name. */
  addProjection(name: string, s: TableStats): void {
    if (!this.projections.has(name)) this.projections.set(name, s);
  }

  has(description: string): boolean {
    return this.resolve(description) !== undefined;
  }

  resolve(description: string): TableStats | undefined {
    return this.tables.get(description) ?? this.projections.get(description);
  }
}

/**
 * The query that fills a StatsCatalogue (JSONCompactEachRow): rows of
 * `[kind, database, table, name, rows, parts, marks, extra]` for tables, projections and keys.
 */
const STATS_TABLES = `SELECT 'table', database, table, '', sum(rows), count(), sum(marks), '' FROM system.parts WHERE active GROUP BY database, table`;
const STATS_PROJECTIONS = `SELECT 'projection', database, table, name, sum(rows), count(), sum(marks), '' FROM system.projection_parts WHERE active GROUP BY database, table, name`;
const STATS_KEYS = `SELECT 'keys', database, name, partition_key, 0, 0, 0, primary_key FROM system.tables WHERE engine LIKE '%MergeTree' AND database NOT IN ('system', 'INFORMATION_SCHEMA', 'information_schema')`;

export const STATS_QUERY = [STATS_TABLES, STATS_PROJECTIONS, STATS_KEYS].join('\nUNION ALL\n');

/** For a server too old for system.projection_parts (or a user who may not read it). */
export const STATS_QUERY_WITHOUT_PROJECTIONS = [STATS_TABLES, STATS_KEYS].join('\nUNION ALL\n');

/** Reads STATS_QUERY's JSONCompactEachRow output into a catalogue. */
export function parseStats(text: string, into: StatsCatalogue = new StatsCatalogue()): StatsCatalogue {
  const keys: string[][] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    const row = (JSON.parse(line) as unknown[]).map(String);
    const [kind, database, table, name] = row;
    if (database === undefined || table === undefined) continue;
    if (kind === 'keys') {
      keys.push(row);
      continue;
    }
    const parts = Number(row[5]);
    // Every part written with adaptive granularity (the default since 19.x) ends with a final mark.
    const s: TableStats = {
      database,
      table,
      rows: Number(row[4]),
      parts,
      granules: Math.max(0, Number(row[6]) - parts),
    };
    if (kind === 'projection' && name) into.addProjection(name, s);
    else into.addTable(s);
  }
  for (const [, database, table, partitionKey, , , , primaryKey] of keys) {
    into.addKeys(database!, table!, partitionKey ?? '', primaryKey ?? '');
  }
  return into;
}

/**
 * Statistics loaded with STATS_QUERY through `run`, and loaded again when a plan names a table they
 * lack (a server's tables change; an empty table has no parts and is asked about only once). Where
 * the server refuses the query, a smaller one, then none: rows are then estimated as 0.
 */
export class LiveStats implements StatsLookup {
  private catalogue = new StatsCatalogue();
  private readonly asked = new Set<string>();

  constructor(private readonly run: (sql: string) => Promise<string>) {}

  async reload(): Promise<void> {
    for (const sql of [STATS_QUERY, STATS_QUERY_WITHOUT_PROJECTIONS]) {
      try {
        this.catalogue = parseStats(await this.run(sql));
        return;
      } catch (e) {
        if (!(e instanceof ClickHouseQueryError)) throw e;
      }
    }
  }

  resolve(description: string): TableStats | undefined {
    return this.catalogue.resolve(description);
  }

  async refresh(unknown: readonly string[]): Promise<void> {
    const fresh = unknown.filter((d) => !this.asked.has(d));
    if (fresh.length === 0) return;
    for (const d of fresh) this.asked.add(d);
    await this.reload();
  }
}
