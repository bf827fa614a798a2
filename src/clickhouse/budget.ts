import type { CostBudget, Config } from '../config/types.js';
import type { IndexPruning, QueryCost, TableCost } from '../core/types.js';

export type BudgetRule =
  'max-rows' | 'max-granule-fraction' | 'require-partition-pruning' | 'max-projected-rows';

export interface BudgetViolation {
  rule: BudgetRule;
  /** `db.table` the violation is about; absent for the whole query (max-rows, max-projected-rows). */
  table?: string;
  actual: number;
  limit: number;
  /** One line, saying which index failed to prune. */
  message: string;
}

type Budgets = Pick<Config['budgets'], 'default' | 'overrides'>;

function merge(base: CostBudget, over: CostBudget): CostBudget {
  const out: CostBudget = { ...base };
  if (over.maxRows !== undefined) out.maxRows = over.maxRows;
  if (over.maxGranuleFraction !== undefined) out.maxGranuleFraction = over.maxGranuleFraction;
  if (over.requirePartitionPruning !== undefined)
    out.requirePartitionPruning = [...over.requirePartitionPruning];
  if (over.maxProjectedRows !== undefined) out.maxProjectedRows = over.maxProjectedRows;
  return out;
}

/**
 * The budget for one query: the default, then every override for its dashboard (without a panel),
 * then every override for its panel, in config order; a later value replaces an earlier one
 * (a table list included, so an override can also relax it).
 */
export function resolveBudget(budgets: Budgets, dashboardUid?: string, panelId?: number): CostBudget {
  let out = merge({}, budgets.default);
  if (dashboardUid === undefined) return out;
  const mine = budgets.overrides.filter((o) => o.dashboard === dashboardUid);
  for (const o of mine) if (o.panel === undefined) out = merge(out, o);
  if (panelId !== undefined) for (const o of mine) if (o.panel === panelId) out = merge(out, o);
  return out;
}

function tableName(t: TableCost): string {
  return t.database ? `${t.database}.${t.table}` : t.table;
}

/**
 * Does a config key (`db.table` or `table`) name this table? A server scratch database
 * (dashboard_ci_<random>) stands in for any database the config names.
 */
export function tableMatches(key: string, t: TableCost): boolean {
  if (key === t.table || key === tableName(t)) return true;
  const dot = key.lastIndexOf('.');
  return dot > 0 && key.slice(dot + 1) === t.table && t.database.startsWith('dashboard_ci_');
}

function fraction(t: { granules: { selected: number; total: number } }): number {
  return t.granules.total > 0 ? t.granules.selected / t.granules.total : 0;
}

function productionRowsOf(t: TableCost, productionRows: Record<string, number>): number | undefined {
  const exact = productionRows[tableName(t)] ?? productionRows[t.table];
  if (exact !== undefined) return exact;
  for (const [key, rows] of Object.entries(productionRows)) if (tableMatches(key, t)) return rows;
  return undefined;
}

/**
 * Rows at production scale: per table with a production row count in config, that count × the
 * fraction of its granules the query reads. undefined when config gives no count for any table read.
 */
export function projectRows(cost: QueryCost, productionRows: Record<string, number>): number | undefined {
  let total: number | undefined;
  for (const t of cost.tables) {
    const prod = productionRowsOf(t, productionRows);
    if (prod === undefined) continue;
    total = (total ?? 0) + Math.round(prod * fraction(t));
  }
  return total;
}

const n = (x: number): string => Math.round(x).toLocaleString('en-US');
const pct = (x: number): string => `${Math.round(x * 100)}%`;

function dropped(ix: IndexPruning, unit: 'parts' | 'granules'): number {
  return unit === 'parts' ? ix.initialParts - ix.selectedParts : ix.initialGranules - ix.selectedGranules;
}

/** What each index did for one table: `the partition key toDate(ts) pruned nothing; the primary key ...`. */
export function describePruning(t: TableCost): string {
  const minMax = t.indexes.find((i) => i.type === 'MinMax');
  const partition = t.indexes.find((i) => i.type === 'Partition');
  const primary = t.indexes.find((i) => i.type === 'PrimaryKey');
  const skips = t.indexes.filter((i) => i.type === 'Skip');
  const parts: string[] = [];
  if (!minMax && !partition) {
    parts.push('it has no partition key');
  } else {
    const name = partition?.keys.length
      ? `the partition key ${partition.keys.join(', ')}`
      : 'the partition key';
    const initial = (minMax ?? partition)!.initialParts;
    const kept = (partition ?? minMax)!.selectedParts;
    parts.push(
      initial > kept
        ? `${name} pruned ${n(initial - kept)} of ${n(initial)} parts`
        : `${name} pruned nothing`,
    );
  }
  if (!primary) {
    parts.push('it has no primary key');
  } else {
    const name = primary.keys.length ? `the primary key (${primary.keys.join(', ')})` : 'the primary key';
    const d = dropped(primary, 'granules');
    parts.push(d > 0 ? `${name} pruned ${n(d)} granules` : `${name} pruned nothing`);
  }
  for (const s of skips) {
    const d = dropped(s, 'granules');
    const name = `the skip index ${s.keys.join(', ') || '(unnamed)'}`;
    parts.push(d > 0 ? `${name} pruned ${n(d)} granules` : `${name} pruned nothing`);
  }
  return parts.join('; ');
}

function readsOf(t: TableCost): string {
  return `reads ${n(t.granules.selected)} of ${n(t.granules.total)} granules (${pct(fraction(t))}) of ${tableName(t)}`;
}

/** Budget violations of one query's cost; each message names the index that failed to prune. */
export function evaluateBudget(
  cost: QueryCost,
  budget: CostBudget,
  productionRows: Record<string, number>,
): BudgetViolation[] {
  const out: BudgetViolation[] = [];
  const largest = [...cost.tables].sort((a, b) => b.rows - a.rows)[0];

  if (budget.maxRows !== undefined && cost.rows > budget.maxRows) {
    const why = largest ? `: ${readsOf(largest)}; ${describePruning(largest)}` : '';
    out.push({
      rule: 'max-rows',
      actual: cost.rows,
      limit: budget.maxRows,
      message: `reads about ${n(cost.rows)} rows, over the budget of ${n(budget.maxRows)}${why}`,
    });
  }

  if (budget.maxGranuleFraction !== undefined) {
    for (const t of cost.tables) {
      const f = fraction(t);
      if (f <= budget.maxGranuleFraction) continue;
      out.push({
        rule: 'max-granule-fraction',
        table: tableName(t),
        actual: f,
        limit: budget.maxGranuleFraction,
        message: `${readsOf(t)}, over the budget of ${pct(budget.maxGranuleFraction)}: ${describePruning(t)}`,
      });
    }
  }

  for (const key of budget.requirePartitionPruning ?? []) {
    for (const t of cost.tables) {
      if (!tableMatches(key, t) || t.partitionPruned) continue;
      out.push({
        rule: 'require-partition-pruning',
        table: tableName(t),
        actual: t.parts,
        limit: 0,
        message: `${tableName(t)} must be pruned by partition (budget requirePartitionPruning), but ${readsOf(t).replace(/^reads/, 'the query reads')}: ${describePruning(t)}`,
      });
    }
  }

  if (budget.maxProjectedRows !== undefined) {
    const projected = projectRows(cost, productionRows);
    if (projected !== undefined && projected > budget.maxProjectedRows) {
      const terms = cost.tables
        .map((t) => ({ t, prod: productionRowsOf(t, productionRows) }))
        .filter((x): x is { t: TableCost; prod: number } => x.prod !== undefined)
        .map(
          ({ t, prod }) =>
            `${tableName(t)}: ${n(prod)} rows × ${pct(fraction(t))} read; ${describePruning(t)}`,
        );
      out.push({
        rule: 'max-projected-rows',
        actual: projected,
        limit: budget.maxProjectedRows,
        message: `would read about ${n(projected)} rows at production scale, over the budget of ${n(budget.maxProjectedRows)} (${terms.join(' | ')})`,
      });
    }
  }
  return out;
}
