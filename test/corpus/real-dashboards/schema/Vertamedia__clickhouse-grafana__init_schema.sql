-- The CREATE TABLE statements of Vertamedia/clickhouse-grafana docker/clickhouse/init_schema.sql
-- @ 45213d8dc52dd2c8a1ae1c468b2878a4b2d35379 (MIT), verbatim. Its DROP TABLE statements and its
-- INSERT ... SELECT seeds (built from now() and rand(), so they would tie the test to the clock)
-- are left out. One change: test_depends_on_variable is ordered by (event_time, bulk_id, service_name),
-- as the project's later init_schema.sql has it (Altinity/clickhouse-grafana @ 05cf6a76): its first
-- sorting key included the Nullable `city`, which ClickHouse now refuses (44 ILLEGAL_COLUMN, setting
-- allow_nullable_key).

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
