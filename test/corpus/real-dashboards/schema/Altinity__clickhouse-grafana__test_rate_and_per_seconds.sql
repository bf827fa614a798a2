-- Inferred for Altinity/clickhouse-grafana docker/grafana/dashboards/delta_deltaColumns_increase_increaseColumns.json
-- @ a9facca83546b8726f6c240261b7a517563da540: the columns its targets name (dateTimeColDataType `d`,
-- `category`, `counter`), with the types the plugin's saved expansions imply (toUInt32("d"): DateTime).
CREATE TABLE IF NOT EXISTS default.test_rate_and_per_seconds (
    d DateTime,
    category LowCardinality(String),
    counter UInt64
) ENGINE = MergeTree ORDER BY (category, d);
