import { describe, expect, it } from 'vitest';
import {
  StatsCatalogue,
  buildQueryCost,
  mergeTreeReads,
  parseStats,
  splitKeyList,
} from '../../../src/clickhouse/cost.js';

// Shapes of `EXPLAIN json = 1, indexes = 1` output from ClickHouse 26.7 (chdb 3.4.0).
function read(description: string, indexes: unknown[] | undefined): Record<string, unknown> {
  return {
    'Node Type': 'ReadFromMergeTree',
    'Node Id': 'ReadFromMergeTree_0',
    Description: description,
    ...(indexes ? { Indexes: indexes } : {}),
  };
}

const ix = (type: string, keys: string[] | undefined, ip: number, sp: number, ig: number, sg: number) => ({
  Type: type,
  ...(keys ? { Keys: keys } : {}),
  Condition: keys ? 'and(...)' : 'true',
  'Initial Parts': ip,
  'Selected Parts': sp,
  'Initial Granules': ig,
  'Selected Granules': sg,
});

const timeFiltered = read('default.events', [
  ix('Min-Max', ['timestamp'], 60, 7, 600, 70),
  ix('Partition', ['toDate(timestamp)'], 7, 7, 70, 70),
  ix('PrimaryKey', ['event_type', 'timestamp'], 7, 7, 70, 21),
]);
const fullScan = read('default.events', [
  ix('Min-Max', undefined, 60, 60, 600, 600),
  ix('Partition', undefined, 60, 60, 600, 600),
  ix('PrimaryKey', undefined, 60, 60, 600, 600),
]);

function plan(...reads: unknown[]): unknown {
  return [{ Plan: { 'Node Type': 'Expression', Plans: [{ 'Node Type': 'Join', Plans: reads }] } }];
}

function catalogue(): StatsCatalogue {
  return parseStats(
    [
      '["table","default","events","","6000000","60","660",""]',
      '["table","default","notes","","1000","1","2",""]',
      '["projection","default","events","by_type","25","60","120",""]',
      '["keys","default","events","toDate(timestamp)","0","0","0","event_type, timestamp"]',
    ].join('\n'),
  );
}

describe('mergeTreeReads', () => {
  it('finds every ReadFromMergeTree, nested at any depth, with normalised index types', () => {
    const reads = mergeTreeReads(plan(timeFiltered, { 'Node Type': 'ReadFromSystemNumbers' }, fullScan));
    expect(reads).toHaveLength(2);
    expect(reads[0]!.description).toBe('default.events');
    expect(reads[0]!.indexes.map((i) => i.type)).toEqual(['MinMax', 'Partition', 'PrimaryKey']);
    expect(reads[0]!.indexes[2]).toMatchObject({
      keys: ['event_type', 'timestamp'],
      initialGranules: 70,
      selectedGranules: 21,
    });
  });
});

describe('buildQueryCost', () => {
  it('says the partition key and the primary key pruned, and estimates rows per granule', () => {
    const cost = buildQueryCost(mergeTreeReads(plan(timeFiltered)), catalogue());
    expect(cost.tables).toHaveLength(1);
    const t = cost.tables[0]!;
    expect(t).toMatchObject({
      database: 'default',
      table: 'events',
      parts: 7,
      marks: 21,
      granules: { selected: 21, total: 600 },
      partitionPruned: true,
      primaryKeyPruned: true,
    });
    // 6,000,000 rows in 600 granules: 10,000 a granule.
    expect(t.rows).toBe(210_000);
    expect(cost).toMatchObject({
      rows: 210_000,
      marks: 21,
      parts: 7,
      granules: { selected: 21, total: 600 },
    });
  });

  it('reports a full scan exactly and names the keys the plan left unnamed', () => {
    const cost = buildQueryCost(mergeTreeReads(plan(fullScan)), catalogue());
    const t = cost.tables[0]!;
    expect(t.rows).toBe(6_000_000);
    expect(t.partitionPruned).toBe(false);
    expect(t.primaryKeyPruned).toBe(false);
    expect(t.indexes.find((i) => i.type === 'Partition')!.keys).toEqual(['toDate(timestamp)']);
    expect(t.indexes.find((i) => i.type === 'PrimaryKey')!.keys).toEqual(['event_type', 'timestamp']);
  });

  it('counts a table read twice (self-join) twice, pruned only when both reads are', () => {
    const cost = buildQueryCost(mergeTreeReads(plan(timeFiltered, fullScan)), catalogue());
    expect(cost.tables).toHaveLength(1);
    const t = cost.tables[0]!;
    expect(t.granules).toEqual({ selected: 621, total: 1200 });
    expect(t.partitionPruned).toBe(false);
    expect(t.indexes.find((i) => i.type === 'PrimaryKey')).toMatchObject({
      initialGranules: 670,
      selectedGranules: 621,
    });
  });

  it('uses system.parts figures for a table without keys (no Indexes in the plan)', () => {
    const cost = buildQueryCost(mergeTreeReads(plan(read('default.notes', undefined))), catalogue());
    expect(cost.tables[0]).toMatchObject({
      rows: 1000,
      parts: 1,
      granules: { selected: 1, total: 1 },
      indexes: [],
    });
  });

  it('attributes a projection read (Description is its bare name) to its table', () => {
    const cost = buildQueryCost(
      mergeTreeReads(plan(read('by_type', [ix('PrimaryKey', undefined, 60, 60, 60, 60)]))),
      catalogue(),
    );
    expect(cost.tables[0]).toMatchObject({ database: 'default', table: 'events', rows: 25 });
  });

  it('costs nothing for a plan without MergeTree reads (trivial count, numbers())', () => {
    expect(buildQueryCost([], catalogue())).toEqual({
      rows: 0,
      marks: 0,
      parts: 0,
      granules: { selected: 0, total: 0 },
      tables: [],
    });
  });
});

describe('parseStats and splitKeyList', () => {
  it('turns marks into granules (each part has a final mark)', () => {
    expect(catalogue().resolve('default.events')).toMatchObject({
      rows: 6_000_000,
      parts: 60,
      granules: 600,
    });
  });
  it('splits key lists at top-level commas only', () => {
    expect(splitKeyList('a, cityHash64(b, c), [d, e]')).toEqual(['a', 'cityHash64(b, c)', '[d, e]']);
  });
});
