import { describe, expect, it } from 'vitest';
import {
  describePruning,
  evaluateBudget,
  projectRows,
  resolveBudget,
  tableMatches,
} from '../../../src/clickhouse/budget.js';
import type { QueryCost, TableCost } from '../../../src/core/types.js';

function table(over: Partial<TableCost> = {}): TableCost {
  return {
    database: 'default',
    table: 'frontend_events',
    rows: 3_375_104,
    marks: 412,
    parts: 60,
    granules: { selected: 412, total: 420 },
    indexes: [
      {
        type: 'MinMax',
        keys: [],
        initialParts: 60,
        selectedParts: 60,
        initialGranules: 420,
        selectedGranules: 420,
      },
      {
        type: 'Partition',
        keys: ['toDate(timestamp)'],
        initialParts: 60,
        selectedParts: 60,
        initialGranules: 420,
        selectedGranules: 420,
      },
      {
        type: 'PrimaryKey',
        keys: ['event_type', 'timestamp'],
        initialParts: 60,
        selectedParts: 60,
        initialGranules: 420,
        selectedGranules: 412,
      },
    ],
    partitionPruned: false,
    primaryKeyPruned: true,
    ...over,
  };
}

function cost(...tables: TableCost[]): QueryCost {
  const sum = (f: (t: TableCost) => number) => tables.reduce((a, t) => a + f(t), 0);
  return {
    rows: sum((t) => t.rows),
    marks: sum((t) => t.marks),
    parts: sum((t) => t.parts),
    granules: { selected: sum((t) => t.granules.selected), total: sum((t) => t.granules.total) },
    tables,
  };
}

describe('resolveBudget', () => {
  const budgets = {
    default: { maxRows: 1_000_000, maxGranuleFraction: 0.5, requirePartitionPruning: ['frontend_events'] },
    overrides: [
      { dashboard: 'exec', panel: 3, maxRows: 10 },
      { dashboard: 'exec', maxRows: 5_000_000, requirePartitionPruning: [] },
      { dashboard: 'other', maxRows: 1 },
    ],
  };

  it('applies dashboard-level overrides, then panel-level ones, whatever their order in config', () => {
    expect(resolveBudget(budgets, 'exec', 3)).toEqual({
      maxRows: 10,
      maxGranuleFraction: 0.5,
      requirePartitionPruning: [],
    });
    expect(resolveBudget(budgets, 'exec', 4)).toEqual({
      maxRows: 5_000_000,
      maxGranuleFraction: 0.5,
      requirePartitionPruning: [],
    });
  });

  it('gives the default to a query outside any dashboard (alert rules) and does not alias it', () => {
    const b = resolveBudget(budgets, undefined, 3);
    expect(b).toEqual(budgets.default);
    b.requirePartitionPruning!.push('x');
    expect(budgets.default.requirePartitionPruning).toEqual(['frontend_events']);
  });
});

describe('evaluateBudget', () => {
  it('says which index failed to prune when a table is read almost whole', () => {
    const [v, ...rest] = evaluateBudget(cost(table()), { maxGranuleFraction: 0.5 }, {});
    expect(rest).toEqual([]);
    expect(v).toMatchObject({ rule: 'max-granule-fraction', table: 'default.frontend_events', limit: 0.5 });
    expect(v!.message).toBe(
      'reads 412 of 420 granules (98%) of default.frontend_events, over the budget of 50%: the partition key toDate(timestamp) pruned nothing; the primary key (event_type, timestamp) pruned 8 granules',
    );
  });

  it('requires partition pruning only of the listed tables, and explains the miss', () => {
    const users = table({ table: 'users', indexes: [], partitionPruned: false });
    const violations = evaluateBudget(
      cost(table(), users),
      { requirePartitionPruning: ['default.frontend_events'] },
      {},
    );
    expect(violations).toHaveLength(1);
    expect(violations[0]!.rule).toBe('require-partition-pruning');
    expect(violations[0]!.message).toContain('the partition key toDate(timestamp) pruned nothing');
    const pruned = table({
      partitionPruned: true,
      indexes: [
        {
          type: 'MinMax',
          keys: ['timestamp'],
          initialParts: 60,
          selectedParts: 7,
          initialGranules: 420,
          selectedGranules: 49,
        },
      ],
    });
    expect(evaluateBudget(cost(pruned), { requirePartitionPruning: ['frontend_events'] }, {})).toEqual([]);
  });

  it('flags max rows with the largest table explained', () => {
    const [v] = evaluateBudget(cost(table()), { maxRows: 1_000_000 }, {});
    expect(v).toMatchObject({ rule: 'max-rows', actual: 3_375_104, limit: 1_000_000 });
    expect(v!.message).toMatch(
      /^reads about 3,375,104 rows, over the budget of 1,000,000: reads 412 of 420 granules/,
    );
  });

  it('projects rows at production scale from the fraction of granules read', () => {
    const c = cost(table());
    expect(projectRows(c, { 'default.frontend_events': 1_000_000_000 })).toBe(980_952_381);
    expect(projectRows(c, { other: 5 })).toBeUndefined();
    const [v] = evaluateBudget(c, { maxProjectedRows: 100_000_000 }, { frontend_events: 1_000_000_000 });
    expect(v).toMatchObject({ rule: 'max-projected-rows', actual: 980_952_381 });
    expect(v!.message).toContain(
      'default.frontend_events: 1,000,000,000 rows × 98% read; the partition key toDate(timestamp) pruned nothing',
    );
  });

  it('is silent within budget and for an empty budget', () => {
    expect(evaluateBudget(cost(table()), {}, { frontend_events: 10 })).toEqual([]);
    expect(evaluateBudget(cost(table()), { maxRows: 4_000_000, maxGranuleFraction: 0.99 }, {})).toEqual([]);
  });
});

describe('describePruning and tableMatches', () => {
  it('describes a table with neither a partition key nor a primary key', () => {
    expect(describePruning(table({ indexes: [] }))).toBe('it has no partition key; it has no primary key');
  });
  it('matches db.table, the bare table, and a server scratch database for any database', () => {
    expect(tableMatches('default.frontend_events', table())).toBe(true);
    expect(tableMatches('frontend_events', table())).toBe(true);
    expect(tableMatches('analytics.frontend_events', table())).toBe(false);
    expect(tableMatches('analytics.frontend_events', table({ database: 'dashboard_ci_0a1b2c' }))).toBe(true);
  });
});
