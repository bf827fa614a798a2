-- The OpenTelemetry ClickHouse exporter's trace-id lookup table (open-telemetry/opentelemetry-collector-
-- contrib exporter/clickhouseexporter/internal/sqltemplates/traces_id_ts_lookup_table.sql @ 1b085030,
-- Apache-2.0; the exporter names it <traces table>_trace_id_ts), template filled with the exporter
-- defaults, as in ZJUSCT__obs.sql: read by the plugin's trace dashboards beside otel.sql's tables.
CREATE TABLE IF NOT EXISTS default.otel_traces_trace_id_ts (
    TraceId String CODEC(ZSTD(1)),
    Start SimpleAggregateFunction(min, DateTime) CODEC(ZSTD(1)),
    End SimpleAggregateFunction(max, DateTime) CODEC(ZSTD(1))
) ENGINE = AggregatingMergeTree()
PARTITION BY toStartOfWeek(Start)
ORDER BY (TraceId)
SETTINGS index_granularity = 8192, ttl_only_drop_parts = 1;
