-- From Flockky/nginx_access.log-parsing-Visualization-Grafana README.md
-- @ a194831fbbb8a95e494f6769d307e77bda067413 (step 3: the table Vector writes; no licence file in the
-- repository), verbatim, with the CREATE DATABASE the README asks for before it.
CREATE DATABASE IF NOT EXISTS zabbix_logs;

CREATE TABLE zabbix_logs.nginx_access_extended (
    timestamp DateTime,
    remote_addr String,
    remote_user String,
    request String,
    status UInt16,
    body_bytes_sent UInt64,
    http_referer String,
    http_user_agent String,
    request_time Float32,
    upstream_response_time String
) ENGINE = MergeTree()
ORDER BY (timestamp)
TTL timestamp + INTERVAL 2 DAY
SETTINGS index_granularity = 8192;
