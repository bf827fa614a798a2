-- Inferred for Vertamedia/clickhouse-grafana's `clickhouse-ontime` datasource (docker/clickhouse/
-- load_ontime.sh @ 45213d8d unpacks ClickHouse's public OnTime partitions into datasets.ontime): the
-- columns the date_instead_of_datetime_issue_117 panel reads, with the types of ClickHouse's OnTime
-- example table (FlightDate Date, Cancelled UInt8, DepDel15 Int32).
CREATE DATABASE IF NOT EXISTS datasets;
CREATE TABLE IF NOT EXISTS datasets.ontime (
    Year UInt16,
    FlightDate Date,
    Cancelled UInt8,
    DepDel15 Int32
) ENGINE = MergeTree
PARTITION BY Year
ORDER BY (Year, FlightDate);
