import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';

// Panel SQL shapes the product dashboards use, over clickhouse/schema.sql's frontend_events:
// time series, top-N, funnels, percentiles, a variable filter, a subquery. Varied by a seed so
// the benchmark does not measure one cached plan.
const SHAPES: ((i: number) => string)[] = [
  (i) =>
    `SELECT $__timeInterval(timestamp) AS time, count() AS events FROM frontend_events WHERE $__timeFilter(timestamp) AND event_type = 'prompt_submitted' AND prompt_tokens > ${i % 50} GROUP BY time ORDER BY time`,
  (i) =>
    `SELECT model, count() AS responses, avg(response_time_ms) AS avg_ms FROM frontend_events WHERE $__timeFilter(timestamp) AND event_type = 'response_received' AND $__conditionalAll(model IN (\${model:singlequote}), $model) GROUP BY model ORDER BY responses DESC LIMIT ${5 + (i % 10)}`,
  (i) =>
    `SELECT $__timeInterval(timestamp) AS time, quantile(0.${90 + (i % 9)})(response_time_ms) AS p FROM frontend_events WHERE $__timeFilter(timestamp) AND event_type = 'response_received' GROUP BY time ORDER BY time`,
  (i) =>
    `SELECT feature, uniqExact(user_id) AS users FROM frontend_events WHERE $__timeFilter(timestamp) AND event_type = 'feature_used' AND feature != '' GROUP BY feature ORDER BY users DESC LIMIT ${10 + (i % 5)}`,
  (i) =>
    `SELECT countIf(is_error = 1) / count() AS error_rate FROM frontend_events WHERE $__timeFilter(timestamp) AND event_type = 'response_received' AND response_time_ms > ${i % 100}`,
  (i) =>
    `SELECT prompt_category, sum(prompt_tokens + completion_tokens) AS tokens, sum(cost_usd) AS cost FROM frontend_events WHERE $__timeFilter(timestamp) AND event_type = 'response_received' GROUP BY prompt_category ORDER BY cost DESC LIMIT ${3 + (i % 7)}`,
  (i) =>
    `SELECT toStartOfDay(timestamp) AS day, uniq(user_id) AS dau FROM frontend_events WHERE $__timeFilter(timestamp) AND user_id != '' AND turn_index >= ${i % 3} GROUP BY day ORDER BY day`,
  (i) =>
    `SELECT session_id, dateDiff('second', min(timestamp), max(timestamp)) AS duration FROM frontend_events WHERE $__timeFilter(timestamp) GROUP BY session_id HAVING duration > ${i % 60} ORDER BY duration DESC LIMIT 20`,
  (i) =>
    `SELECT user_id, count() AS prompts FROM frontend_events WHERE $__timeFilter(timestamp) AND event_type = 'prompt_submitted' AND user_id IN (SELECT user_id FROM frontend_events WHERE $__timeFilter(timestamp) AND is_error = 1 AND response_time_ms > ${1000 + i}) GROUP BY user_id ORDER BY prompts DESC LIMIT 10`,
  (i) =>
    `SELECT toHour(timestamp) AS hour, toDayOfWeek(timestamp) AS weekday, count() AS events FROM frontend_events WHERE $__timeFilter(timestamp) AND event_type IN ('prompt_submitted', 'chat_started') AND rating >= ${-1 + (i % 2)} GROUP BY hour, weekday ORDER BY hour, weekday`,
];

const DS = { type: 'grafana-clickhouse-datasource', uid: 'clickhouse' };

export function benchDashboard(n: number, panelsPer: number): object {
  const panels = Array.from({ length: panelsPer }, (_, p) => ({
    id: p + 1,
    type: 'timeseries',
    title: `Panel ${p + 1}`,
    description: 'Generated for the benchmark.',
    gridPos: { x: (p % 2) * 12, y: Math.floor(p / 2) * 8, w: 12, h: 8 },
    datasource: DS,
    fieldConfig: { defaults: { unit: 'short' }, overrides: [] },
    targets: [
      { refId: 'A', datasource: DS, editorType: 'sql', format: 1, rawSql: SHAPES[p % SHAPES.length]!(n) },
    ],
  }));
  return {
    uid: `bench-${n}`,
    title: `Bench ${n}`,
    schemaVersion: 39,
    refresh: '1m',
    time: { from: 'now-7d', to: 'now' },
    annotations: { list: [] },
    templating: {
      list: [
        {
          name: 'model',
          type: 'custom',
          query: 'gpt-4o,claude-3.5-sonnet,gemini-1.5-pro',
          multi: true,
          includeAll: true,
          current: { text: ['All'], value: ['$__all'] },
          options: [],
        },
      ],
    },
    panels,
  };
}

/** Writes `count` dashboards of `panelsPer` panels into `dir`. */
export async function generateDashboards(dir: string, count: number, panelsPer = 10): Promise<void> {
  await mkdir(dir, { recursive: true });
  for (let n = 0; n < count; n++) {
    await writeFile(
      path.join(dir, `bench-${String(n).padStart(5, '0')}.json`),
      JSON.stringify(benchDashboard(n, panelsPer)),
    );
  }
}
