import { describe, expect, it } from 'vitest';
import { mapClusters } from '../../../src/clickhouse/clusters.js';

const MAIN = new Set(['main']);

describe('mapClusters (on formatQuerySingleLine text)', () => {
  it.each([
    ["SELECT count() FROM cluster('main', default, events)", 'SELECT count() FROM default.events'],
    ["SELECT count() FROM cluster('main', 'db', 'events')", 'SELECT count() FROM `db`.`events`'],
    [
      'SELECT count() FROM clusterAllReplicas(main, db.events) WHERE x = 1',
      'SELECT count() FROM db.events WHERE x = 1',
    ],
    ["SELECT count() FROM cluster('main', currentDatabase(), 'events')", 'SELECT count() FROM `events`'],
    [
      "SELECT * FROM cluster('main', system, query_log) AS q JOIN cluster('main', db, t) AS t USING (k)",
      'SELECT * FROM system.query_log AS q JOIN db.t AS t USING (k)',
    ],
    ["SELECT count() FROM cluster('main', db, events, rand())", 'SELECT count() FROM db.events'],
    [
      "SELECT event_time FROM clusterAllReplicas(main, merge('system', '^metric_log')) WHERE 1",
      "SELECT event_time FROM merge('system', '^metric_log') WHERE 1",
    ],
  ])('%s', (input, output) => {
    expect(mapClusters(input, MAIN)?.text).toBe(output);
  });

  it('leaves clusters the configuration does not name, and shapes it cannot read', () => {
    expect(mapClusters("SELECT 1 FROM cluster('other', db, t)", MAIN)).toBeUndefined();
    expect(mapClusters("SELECT 1 FROM cluster('main', db, t)", new Set())).toBeUndefined();
    // A table given by an expression is not a name.
    expect(mapClusters("SELECT 1 FROM cluster('main', db, concat('a', 'b'))", MAIN)).toBeUndefined();
    expect(mapClusters("SELECT 1 FROM cluster('main', 'd`b', 't')", MAIN)).toBeUndefined();
  });

  it('names the clusters it mapped', () => {
    expect(mapClusters("SELECT 1 FROM cluster('main', db, t)", MAIN)?.mapped).toEqual(['main']);
  });
});
