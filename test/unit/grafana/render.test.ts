import { describe, expect, it } from 'vitest';
import { provisionJson, renderProvisionText } from '../../../src/grafana/render.js';
import type { ProvisionResult } from '../../../src/grafana/types.js';

const result: ProvisionResult = {
  grafanaVersion: '11.6.1',
  grafanaUrl: 'https://grafana.example.com',
  dryRun: false,
  failures: 1,
  warnings: 2,
  requests: 42,
  writes: 4,
  retries: 1,
  durationMs: 1234,
  items: [
    {
      kind: 'datasource',
      uid: 'ch',
      title: 'ClickHouse',
      file: 'datasources/ds.yaml',
      action: 'unchanged',
      result: 'unchanged',
      warning: 'health check failed: dial tcp',
    },
    { kind: 'folder', uid: 'dci-team-a-1', title: 'team-a', action: 'create', result: 'created' },
    {
      kind: 'dashboard',
      uid: 'sales',
      title: 'Sales',
      file: 'dashboards/sales.json',
      action: 'update',
      result: 'updated',
      drift: true,
      diff: ['refresh: "1m" → "5m"'],
      warning: 'changed in Grafana since dashboard-ci last wrote it: overwritten',
    },
    {
      kind: 'dashboard',
      uid: 'ops',
      title: 'Ops',
      file: 'dashboards/ops.json',
      action: 'create',
      result: 'failed',
      error: {
        status: 400,
        code: 'invalid',
        message:
          'dashboard "Ops" (uid ops, dashboards/ops.json): Grafana rejected it (400: folder not found)',
      },
    },
    { kind: 'dashboard', uid: 'old', title: 'Old', action: 'delete', result: 'deleted' },
  ],
};

describe('renderProvisionText', () => {
  it('prints the table, the changes with diffs, the warnings, the failures and the counts', () => {
    expect(renderProvisionText(result)).toBe(
      [
        'Grafana 11.6.1 at https://grafana.example.com',
        '',
        '            created  updated  unchanged  deleted  skipped  failed',
        'datasource        0        0          1        0        0       0',
        'folder            1        0          0        0        0       0',
        'dashboard         0        1          0        1        0       1',
        'total             1        1          1        1        0       1',
        '',
        'Changes:',
        '  + folder dci-team-a-1 "team-a": created',
        '  ~ dashboard sales "Sales" (dashboards/sales.json): updated (drift)',
        '      refresh: "1m" → "5m"',
        '  - dashboard old "Old": deleted',
        '',
        'Warnings:',
        '  ! datasource ch "ClickHouse" (datasources/ds.yaml): health check failed: dial tcp',
        '  ! dashboard sales "Sales" (dashboards/sales.json): changed in Grafana since dashboard-ci last wrote it: overwritten',
        '',
        'Failures (1):',
        '  ✗ dashboard "Ops" (uid ops, dashboards/ops.json): Grafana rejected it (400: folder not found)',
        '',
        '1 failure, 2 warnings, 42 requests, 4 writes, 1 retries, 1.2 s',
        '',
      ].join('\n'),
    );
  });

  it('says a dry run wrote nothing, with planned columns', () => {
    const text = renderProvisionText({
      ...result,
      dryRun: true,
      items: [{ kind: 'dashboard', uid: 'a', action: 'create', result: 'planned' }],
      failures: 0,
      warnings: 0,
    });
    expect(text).toContain('dry run: the plan below; nothing was written');
    expect(text).toContain('to create  to update  unchanged  to delete  skipped  failed');
    expect(text).toContain('  + dashboard a: create planned');
  });

  it('prints a run that stopped early in one line', () => {
    const text = renderProvisionText({
      ...result,
      items: [],
      fatal: { status: 401, message: 'Grafana refused the credentials (401)' },
    });
    expect(text.split('\n')[1]).toBe('✗ Grafana refused the credentials (401)');
  });
});

describe('provisionJson', () => {
  it('lists every object with kind, uid, action, result and error', () => {
    const doc = JSON.parse(provisionJson(result));
    expect(doc.summary).toEqual({
      create: 1,
      update: 1,
      unchanged: 1,
      delete: 1,
      skip: 0,
      failed: 1,
      failures: 1,
      warnings: 2,
      requests: 42,
      writes: 4,
      retries: 1,
      durationMs: 1234,
    });
    expect(doc.items).toHaveLength(5);
    for (const i of doc.items)
      expect(Object.keys(i)).toEqual(expect.arrayContaining(['kind', 'uid', 'action', 'result', 'error']));
    expect(doc.items[3].error).toEqual(result.items[3]!.error);
    expect(doc.items[0].error).toBeNull();
  });
});
