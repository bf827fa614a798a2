import { describe, expect, it } from 'vitest';
import { ClickHouseQueryError } from '../../../src/clickhouse/errors.js';
import { schemaDrift } from '../../../src/schema/drift.js';
import { pullSchema } from '../../../src/schema/pull.js';
import type { SchemaSource } from '../../../src/schema/source.js';
import {
  astReads,
  normalizeType,
  parseCreate,
  rewriteForTestEngine,
  splitName,
} from '../../../src/schema/ddl.js';

describe('astReads', () => {
  it('finds table identifiers and the dictionaries dictGet names, as EXPLAIN AST prints them', () => {
    // EXPLAIN AST of `WITH x AS (SELECT 1) SELECT * FROM x, e JOIN otel.l USING ts
    //   WHERE s IN (SELECT s FROM v) AND dictGet('default.d', 'name', 1) != ''` (ClickHouse 26.7).
    const ast = [
      'SelectWithUnionQuery (children 1)',
      '   TablesInSelectQuery (children 3)',
      '      TableIdentifier x',
      '      TableIdentifier e',
      '      TableIdentifier otel.l',
      '              TableIdentifier v',
      '       Function dictGet (children 1)',
      '        ExpressionList (children 3)',
      "         Literal 'default.d'",
      "         Literal 'name'",
    ].join('\n');
    expect(astReads(ast)).toEqual(['x', 'e', 'otel.l', 'v', 'default.d']);
  });

  it('splits names, quoted or not', () => {
    expect(splitName('otel.otel_logs')).toEqual({ database: 'otel', name: 'otel_logs' });
    expect(splitName('`my db`.`t-1`')).toEqual({ database: 'my db', name: 't-1' });
    expect(splitName('events')).toEqual({ name: 'events' });
  });
});

describe('parseCreate', () => {
  it('reads the columns of a CREATE TABLE up to DEFAULT, CODEC, COMMENT and friends', () => {
    const sql = `CREATE TABLE IF NOT EXISTS default.beacon_api_eth_v1_events_attestation
(
    \`updated_date_time\` DateTime COMMENT 'When this row was last updated' CODEC(DoubleDelta, ZSTD(1)),
    \`slot\` UInt32 CODEC(DoubleDelta, ZSTD(1)),
    \`aggregation_bits\` String COMMENT 'a, b (c)' CODEC(ZSTD(1)),
    \`meta_client_ip\` Nullable(IPv6) CODEC(ZSTD(1)),
    kind Enum8('a, b' = 1, 'c' = 2) DEFAULT 'c',
    price Decimal(18, 2),
    TimestampTime DateTime DEFAULT toDateTime(Timestamp),
    INDEX idx_trace_id TraceId TYPE bloom_filter(0.001) GRANULARITY 1
)
ENGINE = ReplacingMergeTree(updated_date_time) ORDER BY slot`;
    expect(parseCreate(sql)).toEqual({
      kind: 'table',
      name: 'default.beacon_api_eth_v1_events_attestation',
      columns: [
        { name: 'updated_date_time', type: 'DateTime' },
        { name: 'slot', type: 'UInt32' },
        { name: 'aggregation_bits', type: 'String' },
        { name: 'meta_client_ip', type: 'Nullable(IPv6)' },
        { name: 'kind', type: "Enum8('a, b' = 1, 'c' = 2)" },
        { name: 'price', type: 'Decimal(18, 2)' },
        { name: 'TimestampTime', type: 'DateTime' },
      ],
    });
    expect(normalizeType('Decimal(18, 2)')).toBe(normalizeType('Decimal(18,2)'));
    expect(parseCreate('CREATE VIEW v AS SELECT 1')).toEqual({ kind: 'view', name: 'v', columns: [] });
    expect(parseCreate('SELECT 1')).toBeUndefined();
  });
});

describe('rewriteForTestEngine', () => {
  it('turns Replicated*MergeTree into its one-node engine, keeping the keys', () => {
    // The shape of ethpandaops/xatu's *_local tables (deploy/migrations/clickhouse/xatu/001_init.up.sql).
    const r = rewriteForTestEngine(`CREATE TABLE default.beacon_api_slot_local
(
    \`slot\` UInt32,
    \`updated_date_time\` DateTime
)
ENGINE = ReplicatedReplacingMergeTree('/clickhouse/{installation}/{cluster}/tables/{shard}/{database}/{table}', '{replica}', updated_date_time)
PARTITION BY toStartOfMonth(updated_date_time)
ORDER BY slot
SETTINGS index_granularity = 8192`);
    expect(r.sql).toContain(
      'ENGINE = ReplacingMergeTree(updated_date_time)\nPARTITION BY toStartOfMonth(updated_date_time)\nORDER BY slot',
    );
    expect(r.note).toBe('ReplicatedReplacingMergeTree → ReplacingMergeTree (one node, no replication)');
    expect(
      rewriteForTestEngine('CREATE TABLE t (x UInt8)\nENGINE = ReplicatedMergeTree\nORDER BY x').sql,
    ).toBe('CREATE TABLE t (x UInt8)\nENGINE = MergeTree\nORDER BY x');
  });

  it('reads a Distributed table through a Merge over its local table', () => {
    const r = rewriteForTestEngine(`CREATE TABLE default.beacon_api_slot
(
    \`slot\` UInt32
)
ENGINE = Distributed('{cluster}', 'default', 'beacon_api_slot_local', cityHash64(slot))`);
    expect(r.sql).toBe(
      "CREATE TABLE default.beacon_api_slot\n(\n    `slot` UInt32\n)\nENGINE = Merge('default', '^beacon_api_slot_local$')",
    );
    expect(r.note).toContain('Distributed over cluster');
  });

  it("reads a dictionary's ClickHouse source locally and drops the credentials", () => {
    const r = rewriteForTestEngine(`CREATE DICTIONARY default.d
(
    \`id\` UInt64,
    \`name\` String
)
PRIMARY KEY id
SOURCE(CLICKHOUSE(HOST 'ch-1' PORT 9000 USER 'default' PASSWORD '[HIDDEN]' TABLE 'src' DB 'default'))
LIFETIME(MIN 0 MAX 0)
LAYOUT(HASHED())`);
    expect(r.sql).toContain("SOURCE(CLICKHOUSE(TABLE 'src' DB 'default'))");
    expect(r.sql).not.toMatch(/PASSWORD|HIDDEN|HOST|USER/);
  });

  it('gives a table read from outside the server an empty MergeTree with the same columns', () => {
    const r = rewriteForTestEngine(
      "CREATE TABLE default.s3_logs\n(\n    `x` UInt8\n)\nENGINE = S3('https://bucket/logs/*.parquet', '[HIDDEN]', '[HIDDEN]', 'Parquet')",
    );
    expect(r.sql).toBe(
      'CREATE TABLE default.s3_logs\n(\n    `x` UInt8\n)\nENGINE = MergeTree\nORDER BY tuple()',
    );
    expect(r.note).toBe('S3 reads outside the server → an empty MergeTree with the same columns');
  });

  it('leaves MergeTree tables and views as they are', () => {
    const t = 'CREATE TABLE t\n(\n    `x` UInt8\n)\nENGINE = MergeTree\nORDER BY x';
    expect(rewriteForTestEngine(t)).toEqual({ sql: t });
    const v = 'CREATE VIEW v\n(\n    `x` UInt8\n)\nAS SELECT x FROM t';
    expect(rewriteForTestEngine(v)).toEqual({ sql: v });
  });
});

describe('pullSchema', () => {
  it('never sends text that could hold a second statement, and never writes a secret the server echoes', async () => {
    const sent: string[] = [];
    const source: SchemaSource = {
      description: 'ClickHouse server http://127.0.0.1:8123',
      async rows<T>(sql: string): Promise<T[]> {
        sent.push(sql);
        if (sql.startsWith('SELECT currentDatabase()')) return [{ db: 'default' }] as T[];
        return [
          {
            database: 'default',
            name: 'events',
            engine: 'MergeTree',
            engine_full: 'MergeTree ORDER BY ts',
            as_select: '',
            loading_dependencies_database: [],
            loading_dependencies_table: [],
            create_table_query: '',
          },
        ] as T[];
      },
      async text(sql: string): Promise<string> {
        sent.push(sql);
        if (sql.startsWith('EXPLAIN AST')) return 'SelectWithUnionQuery\n TableIdentifier events';
        return "CREATE TABLE default.events\n(\n    `ts` DateTime COMMENT 'pw hunter2-secret'\n)\nENGINE = MergeTree\nORDER BY ts";
      },
      close: async () => undefined,
    };
    const r = await pullSchema({
      source,
      queries: ['SELECT 1 FROM events; DROP TABLE events', 'SELECT count() FROM events'],
      secrets: ['hunter2-secret'],
    });
    expect(sent.filter((s) => s.includes('DROP'))).toEqual([]);
    expect(r.unparsed).toBe(1);
    expect(r.objects.map((o) => `${o.database}.${o.name}`)).toEqual(['default.events']);
    expect(r.text).not.toContain('hunter2-secret');
    expect(r.text).toContain("COMMENT 'pw ***'");
  });
});

describe('schemaDrift', () => {
  const statements = [
    {
      sql: 'CREATE TABLE events (ts DateTime, n INT) ENGINE = MergeTree ORDER BY ts',
      file: 'clickhouse/schema.sql',
      line: 3,
    },
  ];
  const source = (columns: { name: string; type: string }[] | Error): SchemaSource => ({
    description: 'ClickHouse server http://127.0.0.1:8123',
    async rows<T>(sql: string, params?: Record<string, unknown>): Promise<T[]> {
      if (sql.startsWith('SELECT currentDatabase()')) return [{ db: 'default' }] as T[];
      if (sql.includes('defaultValueOfTypeName'))
        return [{ t: params!.type === 'INT' ? 'Int32' : params!.type }] as T[];
      if (sql.includes('system.tables')) return [{ n: 1 }] as T[];
      if (columns instanceof Error) throw columns;
      return columns as T[];
    },
    text: async () => '',
    close: async () => undefined,
  });

  it('compares types as the server spells them (INT is Int32)', async () => {
    const same = await schemaDrift(
      source([
        { name: 'ts', type: 'DateTime' },
        { name: 'n', type: 'Int32' },
      ]),
      statements,
    );
    expect(same).toEqual([]);
    const drifted = await schemaDrift(source([{ name: 'ts', type: 'DateTime64(3)' }]), statements);
    expect(drifted.map((f) => [f.line, f.message])).toEqual([
      [
        3,
        'table default.events differs from ClickHouse server http://127.0.0.1:8123: column ts is DateTime here, DateTime64(3) on the server; column n is not on the server',
      ],
    ]);
  });

  it('is one warning, not a failure, when the server refuses system.columns', async () => {
    const refused = new ClickHouseQueryError({
      code: 497,
      name: 'ACCESS_DENIED',
      message: 'reader: Not enough privileges',
    });
    const r = await schemaDrift(source(refused), statements);
    expect(r).toEqual([
      {
        rule: 'schema-drift',
        severity: 'warning',
        message:
          'the schema files could not be compared with ClickHouse server http://127.0.0.1:8123: 497 ACCESS_DENIED: reader: Not enough privileges',
        file: 'clickhouse/schema.sql',
        line: 3,
        column: 1,
      },
    ]);
  });
});
