-- go-faster/oteldb internal/chstorage/_golden/schema.{traces_spans,logs,metrics_points}.sql
-- @ 047f8e88afcea2afb79c5e584239bbbb27b68cd8 (Apache-2.0): the DDL oteldb creates (its golden test
-- files), concatenated, each statement closed with ";". The tables the oteldb dashboard counts.
CREATE TABLE IF NOT EXISTS `traces_spans`
(
	`service_instance_id` LowCardinality(String) COMMENT 'service.instance.id',
	`service_name`        LowCardinality(String) COMMENT 'service.name',
	`service_namespace`   LowCardinality(String) COMMENT 'service.namespace',
	`trace_id`            FixedString(16),
	`span_id`             FixedString(8),
	`trace_state`         String,
	`parent_span_id`      FixedString(8),
	`name`                LowCardinality(String),
	`kind`                Enum8('KIND_UNSPECIFIED' = 0,'KIND_INTERNAL' = 1,'KIND_SERVER' = 2,'KIND_CLIENT' = 3,'KIND_PRODUCER' = 4,'KIND_CONSUMER' = 5),
	`start`               DateTime64(9)          CODEC(Delta, ZSTD(1)),
	`end`                 DateTime64(9)          CODEC(Delta, ZSTD(1)),
	`duration_ns`         UInt64                 MATERIALIZED toUnixTimestamp64Nano(end)-toUnixTimestamp64Nano(start) CODEC(T64, ZSTD(1)),
	`status_code`         UInt8,
	`status_message`      LowCardinality(String),
	`batch_id`            UUID,
	`attribute`           LowCardinality(String),
	`resource`            LowCardinality(String),
	`scope`               LowCardinality(String),
	`scope_name`          LowCardinality(String),
	`scope_version`       LowCardinality(String),
	`events_timestamps`   Array(DateTime64(9)),
	`events_names`        Array(String),
	`events_attributes`   Array(String),
	`links_trace_ids`     Array(FixedString(16)),
	`links_span_ids`      Array(FixedString(8)),
	`links_tracestates`   Array(String),
	`links_attributes`    Array(String),

	INDEX `idx_trace_id` trace_id TYPE bloom_filter(0.001) GRANULARITY 1
)
ENGINE = MergeTree
ORDER BY (`service_namespace`, `service_name`, `resource`, `start`)
PRIMARY KEY (`service_namespace`, `service_name`, `resource`)
TTL toDateTime(`start`) + toIntervalSecond(259200);

CREATE TABLE IF NOT EXISTS `logs`
(
	`service_instance_id` LowCardinality(String) COMMENT 'service.instance.id',
	`service_name`        LowCardinality(String) COMMENT 'service.name',
	`service_namespace`   LowCardinality(String) COMMENT 'service.namespace',
	`timestamp`           DateTime64(9)          CODEC(Delta, ZSTD(1)),
	`severity_number`     UInt8,
	`severity_text`       LowCardinality(String),
	`trace_id`            FixedString(16),
	`span_id`             FixedString(8),
	`trace_flags`         UInt8,
	`body`                String,
	`attribute`           String,
	`resource`            LowCardinality(String),
	`scope_name`          LowCardinality(String),
	`scope_version`       LowCardinality(String),
	`scope`               LowCardinality(String),

	INDEX `idx_trace_id`   trace_id TYPE bloom_filter(0.001) GRANULARITY 1,
	INDEX `idx_body`       body TYPE tokenbf_v1(32768, 3, 0) GRANULARITY 1,
	INDEX `idx_ts`         timestamp TYPE minmax GRANULARITY 8192,
	INDEX `attribute_keys` arrayConcat(JSONExtractKeys(attribute), JSONExtractKeys(scope), JSONExtractKeys(resource)) TYPE set(100)
)
ENGINE = MergeTree
PARTITION BY toYYYYMMDD(timestamp)
ORDER BY (`severity_number`, `service_namespace`, `service_name`, `resource`, `timestamp`)
PRIMARY KEY (`severity_number`, `service_namespace`, `service_name`, `resource`)
TTL toDateTime(`timestamp`) + toIntervalSecond(259200);

CREATE TABLE IF NOT EXISTS `metrics_points`
(
	`hash`      FixedString(16),
	`timestamp` DateTime64(9)   CODEC(Delta, ZSTD(1)),
	`value`     Float64         CODEC(FPC, ZSTD(1)),
	`mapping`   Enum8(
		'NO_MAPPING' = 0,
		'HISTOGRAM_COUNT' = 1,
		'HISTOGRAM_SUM' = 2,
		'HISTOGRAM_MIN' = 3,
		'HISTOGRAM_MAX' = 4,
		'HISTOGRAM_BUCKET' = 5,
		'SUMMARY_COUNT' = 6,
		'SUMMARY_SUM' = 7,
		'SUMMARY_QUANTILE' = 8
		) CODEC(T64, ZSTD(1)),
	`flags`     UInt8           CODEC(T64, ZSTD(1))
)
ENGINE = MergeTree
PARTITION BY toYYYYMMDD(timestamp)
ORDER BY (toStartOfHour(timestamp), `hash`, `timestamp`)
TTL toDateTime(`timestamp`) + toIntervalSecond(259200);

