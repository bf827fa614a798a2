import { describe, expect, it } from 'vitest';
import { timeFilterInsertion, timePartitionColumn } from '../../../src/sql/time-filter-fix.js';

const EVENTS = { database: 'default', table: 'events' };

function fixed(sql: string): string | undefined {
  const ins = timeFilterInsertion(sql, EVENTS, 'timestamp');
  return ins && sql.slice(0, ins.at) + ins.text + sql.slice(ins.at);
}

describe('timePartitionColumn', () => {
  it.each([
    [['toDate(timestamp)'], 'timestamp'],
    [['toYYYYMM(event_time)'], 'event_time'],
    [['toStartOfHour(ts)'], 'ts'],
  ])('%j is by time on %s', (keys, column) => {
    expect(timePartitionColumn(keys)).toBe(column);
  });
  it.each([[[]], [['user_id']], [['intDiv(user_id, 1000)']], [['toDate(ts)', 'region']]])(
    '%j is not a calendar partition of one column',
    (keys) => {
      expect(timePartitionColumn(keys)).toBeUndefined();
    },
  );
});

describe('timeFilterInsertion', () => {
  it.each([
    [
      'no WHERE, before GROUP BY on its own line',
      'SELECT count() FROM events\nGROUP BY x',
      'SELECT count() FROM events\nWHERE $__timeFilter(timestamp)\nGROUP BY x',
    ],
    [
      'no WHERE, at the end',
      'SELECT count() FROM events',
      'SELECT count() FROM events WHERE $__timeFilter(timestamp)',
    ],
    [
      'at the end, before a trailing comment',
      'SELECT count() FROM events -- all of it',
      'SELECT count() FROM events WHERE $__timeFilter(timestamp) -- all of it',
    ],
    [
      'a WHERE with ANDs',
      'SELECT count() FROM default.events AS e WHERE a = 1 AND b IN (1, 2) ORDER BY 1',
      'SELECT count() FROM default.events AS e WHERE $__timeFilter(timestamp) AND a = 1 AND b IN (1, 2) ORDER BY 1',
    ],
    [
      'an OR inside parentheses',
      'SELECT 1 FROM events FINAL WHERE (a OR b) LIMIT 5',
      'SELECT 1 FROM events FINAL WHERE $__timeFilter(timestamp) AND (a OR b) LIMIT 5',
    ],
    [
      'a variable as a compared value',
      'SELECT 1 FROM events WHERE event_type = $type AND x IN ($ids)',
      'SELECT 1 FROM events WHERE $__timeFilter(timestamp) AND event_type = $type AND x IN ($ids)',
    ],
  ])('%s', (_name, sql, want) => {
    expect(fixed(sql)).toBe(want);
  });

  it.each([
    ['a top-level OR (the AND would bind to one side)', 'SELECT 1 FROM events WHERE a = 1 OR b = 2'],
    ['a variable standing alone as the condition', 'SELECT 1 FROM events WHERE $condition'],
    ['a time macro already', 'SELECT 1 FROM events WHERE $__timeFilter(other)'],
    ['$__from already', 'SELECT 1 FROM events WHERE ts > $__from / 1000'],
    ['a join', 'SELECT 1 FROM events JOIN users USING id'],
    ['a subquery', 'SELECT 1 FROM events WHERE id IN (SELECT id FROM x)'],
    ['a union', 'SELECT 1 FROM events UNION ALL SELECT 2 FROM events'],
    ['another table', 'SELECT 1 FROM users'],
    ['another database', 'SELECT 1 FROM other.events'],
    ['a WITH clause', 'WITH 1 AS x SELECT x FROM events'],
    ['PREWHERE', 'SELECT 1 FROM events PREWHERE a = 1'],
    ['a table function', 'SELECT 1 FROM numbers(10)'],
    ['two statements', 'SELECT 1 FROM events; SELECT 2'],
    ['a ternary in the condition', 'SELECT 1 FROM events WHERE a ? b : c'],
  ])('no fix: %s', (_name, sql) => {
    expect(timeFilterInsertion(sql, EVENTS, 'timestamp')).toBeUndefined();
  });

  it('keeps FROM in EXTRACT and words inside strings out of the structure', () => {
    expect(fixed("SELECT extract(DAY FROM ts), 'a FROM b OR c' FROM events WHERE s = 'x OR y'")).toBe(
      "SELECT extract(DAY FROM ts), 'a FROM b OR c' FROM events WHERE $__timeFilter(timestamp) AND s = 'x OR y'",
    );
  });

  it('refuses a column that is not a plain name', () => {
    expect(timeFilterInsertion('SELECT 1 FROM events', EVENTS, 'a b')).toBeUndefined();
  });
});
