-- The CREATE DATABASE / CREATE TABLE statements of Altinity/clickhouse-grafana
-- docker/clickhouse/init_schema.sql as Altinity last changed it (read from the fork
-- base-14/clickhouse-grafana @ ea0089713ef999981cf2a124b14aa51a5d0e7d5a, MIT), verbatim. Its CREATE USER /
-- GRANT statements and its INSERT seeds (built from now() and rand(), which would tie the test to the
-- clock) are left out.

CREATE TABLE IF NOT EXISTS default.test_grafana
(
    event_time    DateTime,
    service_name  LowCardinality(String),
    from_user     LowCardinality(String),
    country       LowCardinality(String),
    too_big_value Float64
)
    ENGINE = MergeTree()
        PARTITION BY toYYYYMM(event_time)
        ORDER BY (event_time, service_name);

CREATE TABLE IF NOT EXISTS default.test_grafana_random
(
    event_time    DateTime,
    service_name  LowCardinality(String),
    from_user     LowCardinality(String),
    country       LowCardinality(String),
    too_big_value Float64,
    random        UInt32
)
    ENGINE = MergeTree()
        PARTITION BY toYYYYMM(event_time)
        ORDER BY (event_time, service_name);

CREATE TABLE IF NOT EXISTS default.test_logs
(
    event_time    DateTime,
    content  LowCardinality(String),
    level     LowCardinality(String),
    id       UUID,
    label    LowCardinality(String),
    detected_field Float64
)
    ENGINE = MergeTree()
        PARTITION BY toYYYYMM(event_time)
        ORDER BY (event_time, level);

CREATE TABLE default.test_logs_with_complex_labels(
  `_raw` String CODEC(ZSTD(1)),
  `_time` DateTime64(3, 'Asia/Yekaterinburg') CODEC(ZSTD(1)),
  `_map` Map(String, String),
  `_db_time` DateTime DEFAULT now() CODEC(ZSTD(1)),
  `_time_dec` Float64 DEFAULT toFloat64(_time) CODEC(DoubleDelta, Default),
  `cluster_name` LowCardinality(String) DEFAULT JSONExtractString(_raw, 'cluster_name') CODEC(ZSTD(1)),
  `host` LowCardinality(String) DEFAULT JSONExtractString(_raw, 'host') CODEC(ZSTD(1)),
  `pod_namespace` LowCardinality(String) DEFAULT JSONExtractString(_raw, 'pod_namespace') CODEC(ZSTD(1)),
  `pod_name` String DEFAULT JSONExtractString(_raw, 'pod_name') CODEC(ZSTD(1)),
  `container_name` String DEFAULT JSONExtractString(_raw, 'container_name') CODEC(ZSTD(1)),
  `container_image` String DEFAULT JSONExtractString(_raw, 'container_image') CODEC(ZSTD(1)),
  `stream` LowCardinality(String) DEFAULT JSONExtractString(_raw, 'stream') CODEC(ZSTD(1)),
  `source` LowCardinality(String) DEFAULT JSONExtractString(_raw, 'source') CODEC(ZSTD(1)),
  `sourcetype` String DEFAULT JSONExtractString(_raw, 'source_type') CODEC(ZSTD(1)),
  `message` String DEFAULT JSONExtractString(_raw, 'message') CODEC(ZSTD(1)),
  `bu` LowCardinality(String) DEFAULT JSON_VALUE(_raw, '$.namespace_labels."business-unit-code"'),
  INDEX message_ngram_bf message TYPE ngrambf_v1(4, 1024, 2, 0) GRANULARITY 1,
  INDEX pod_name_token_bf pod_name TYPE tokenbf_v1(2048, 4, 0) GRANULARITY 4
)
ENGINE = MergeTree
PARTITION BY toDate(_time)
ORDER BY (cluster_name, bu, pod_namespace, pod_name, container_name, _time);

CREATE TABLE IF NOT EXISTS default.test_alerts
(
    `Name` String,
    `EventDate` Date,
    `EventTime` DateTime,
    `Value` UInt64
) ENGINE = MergeTree()
  PARTITION BY toYYYYMM(EventTime)
  ORDER BY (EventTime, Name);

CREATE TABLE IF NOT EXISTS default.test_depends_on_variable(
    event_time DateTime,
    bulk_id LowCardinality(String),
    city LowCardinality(Nullable(String)),
    service_name LowCardinality(String),
    too_big_value UInt64
)
    ENGINE = MergeTree()
        PARTITION BY toYYYYMM(event_time)
        ORDER BY (event_time, bulk_id, service_name);

CREATE TABLE IF NOT EXISTS default.test_interval
(
    d DateTime,
    x UInt32
) ENGINE = MergeTree() ORDER BY (d);

CREATE TABLE IF NOT EXISTS default.test_interval_64
(
    d64 DateTime64,
    x UInt32
) ENGINE = MergeTree() ORDER BY (d64);

CREATE TABLE IF NOT EXISTS default.test_array_join_nested(
    d DateTime,
    JobName LowCardinality(String),
    Metrics Nested (
        Name LowCardinality(String),
        Value UInt64
    )
) ENGINE = MergeTree() ORDER BY (d);

CREATE TABLE IF NOT EXISTS default.test_datetime64
(
    d DateTime64(6),
    x UInt32
) ENGINE = MergeTree() ORDER BY (d);

CREATE TABLE IF NOT EXISTS default.test_rate_and_per_seconds (
    d DateTime,
    category LowCardinality(String),
    counter Int64
) ENGINE = MergeTree() ORDER BY (d);

CREATE TABLE IF NOT EXISTS default.test_alerts_low_frequency (
    eventTime DateTime64(6),
    eventDate Date,
    category LowCardinality(String),
    counter Int64
) ENGINE = MergeTree() ORDER BY (eventDate, category);

CREATE TABLE IF NOT EXISTS default.nested_array_join_example
(
    time DateTime,
    dataMap Nested (
        key String,
        value UInt64
    )
) ENGINE = MergeTree
PARTITION BY toYYYYMMDD(time)
ORDER BY time;

CREATE TABLE IF NOT EXISTS nodes_graph_example (
    source LowCardinality(String),
    target LowCardinality(String),
    bytes UInt64
) ENGINE=MergeTree() ORDER BY (source, target);

CREATE TABLE traffic (
  event_date Date,
  event_time DateTime,
  datacenter LowCardinality(String),
  interface LowCardinality(String),
  rx_bytes UInt64,
  tx_bytes UInt64
) ENGINE=MergeTree
ORDER BY (event_date, datacenter);

CREATE TABLE oses (
  OS LowCardinality(String),
  OSName LowCardinality(String)
) ENGINE=MergeTree()
ORDER BY OS;

CREATE TABLE requests (
    EventTime DateTime,
    OS LowCardinality(String),
    UserName LowCardinality(String),
    req_count UInt64
) ENGINE=MergeTree()
ORDER BY EventTime;

CREATE DATABASE test;

CREATE TABLE test.map_table
(
    `time` DateTime,
    `id` String,
    `attributes` Map(LowCardinality(String), String)
)
ENGINE = MergeTree
PARTITION BY toYYYYMM(time)
PRIMARY KEY (toDate(time), id)
ORDER BY (toDate(time), id)
TTL toStartOfMonth(time) + toIntervalMonth(12 * 5)
SETTINGS index_granularity = 8192, ttl_only_drop_parts = 1;

CREATE TABLE test.test_timezone
(
  dt   Date,
  tm   DateTime('Europe/Moscow'),
  tm64 DateTime64(3, 'Europe/Moscow'),
  v   UInt64,
  log String
) ENGINE=MergeTree
PARTITION BY toYYYYMM(dt)
ORDER BY (dt, tm);

CREATE TABLE default.test_barchart
(
  _time DateTime,
  user_metadata_map   Map(String, String),
  alloc_cost          Float64,
  cluster             String,
  hpcod_resource_name String
) ENGINE = MergeTree()
ORDER BY _time;

CREATE TABLE default.test_timestamp_formats (
  t DateTime64(3),
  tFloat Float64,
  tDecimal Decimal64(3),
  tUInt64_3 UInt64,
  tUInt64_6 UInt64,
  tUInt64_9 UInt64,
  value UInt64
) ENGINE = MergeTree()
ORDER BY (t, tFloat, tDecimal, tUInt64_3, tUInt64_6, tUInt64_9);

CREATE TABLE default.test_lttb(
  event_time DateTime,
  event_time_ms DateTime64(3),
  category LowCardinality(String),
  requests UInt64
) ENGINE=MergeTree() ORDER BY event_time;
