// Text after commander's generated usage: examples, the environment read, and what the exit code means.
// Commander lists the flags itself; this says what a user needs beyond them.

const EXIT_CODES = `Exit codes:
  0  clean
  1  findings at or above --fail-on (check), or provisioning failures (provision)
  2  usage, config or internal error (one line on stderr)`;

export const PROGRAM_HELP = `
Examples:
  $ dashboard-ci check                          check dashboard-ci.yml's paths (else dashboards/)
  $ dashboard-ci check dashboards/x.json --verbose
  $ dashboard-ci provision --dry-run --grafana-url https://grafana.example.com

Run "dashboard-ci help <command>" for a command's flags, environment and examples.

${EXIT_CODES}
`;

export const CHECK_HELP = `
Examples:
  $ dashboard-ci check                          lint + EXPLAIN every query with the embedded engine
  $ dashboard-ci check --no-explain             lint only: no engine is started
  $ dashboard-ci check --fix                    write the mechanical fixes into the files, check again
  $ dashboard-ci check --format sarif --output dashboard-ci.sarif
  $ dashboard-ci check --base origin/main       flag queries that read more than on origin/main
  $ dashboard-ci check --base origin/main --filter changed
                                                count only what changed since origin/main; list the rest
  $ dashboard-ci check --clickhouse http://localhost:8123 --schema clickhouse/schema.sql
  $ curl -s $GRAFANA/api/dashboards/uid/abc | dashboard-ci check -   one dashboard from stdin (<stdin>)

Environment:
  CLICKHOUSE_USER, CLICKHOUSE_PASSWORD   credentials for --clickhouse URL (never put them in the URL)
  REDIS_URL                              live Redis check, as --redis
  NO_COLOR, FORCE_COLOR                  colour of the text output
  DASHBOARD_CI_DEBUG                     print the stack of an internal error

Progress goes to stderr once a run takes over 2 s (--progress: from the start; --quiet: never), one
line per stage off a terminal; the report goes to stdout or --output.

${EXIT_CODES}
`;

export const PROVISION_HELP = `
Examples:
  $ GRAFANA_TOKEN=... dashboard-ci provision --grafana-url https://grafana.example.com --dry-run
  $ GRAFANA_TOKEN=... dashboard-ci provision --grafana-url https://grafana.example.com --prune

Environment:
  GRAFANA_URL                        Grafana base URL, as --grafana-url
  GRAFANA_TOKEN                      service account token (Bearer)
  GRAFANA_USER, GRAFANA_PASSWORD     basic auth instead of a token
  Any $VAR named in datasources/*.yaml (secrets for secureJsonData)

${EXIT_CODES}
`;
