// The provisioning result as text (a summary table, then changes, warnings and failures) and as
// JSON (every object with kind, uid, action, result and error).

import type { ProvisionItem, ProvisionKind, ProvisionResult } from './types.js';

const KINDS: ProvisionKind[] = [
  'datasource',
  'folder',
  'library-panel',
  'dashboard',
  'notification-template',
  'contact-point',
  'alert-rule-group',
];
const COLUMNS = ['create', 'update', 'unchanged', 'delete', 'skip', 'failed'] as const;
type Column = (typeof COLUMNS)[number];

function column(i: ProvisionItem): Column {
  return i.result === 'failed' ? 'failed' : i.action;
}

export function renderProvisionText(result: ProvisionResult): string {
  const out: string[] = [];
  const where = `${result.environment ? `Environment ${result.environment}: ` : ''}Grafana${result.grafanaVersion ? ` ${result.grafanaVersion}` : ''}${result.grafanaUrl ? ` at ${result.grafanaUrl}` : ''}`;
  out.push(result.dryRun ? `${where} — dry run: the plan below; nothing was written` : where);
  if (result.fatal) {
    out.push(`✗ ${result.fatal.message}`);
    out.push(footer(result));
    return out.join('\n') + '\n';
  }

  const headers = result.dryRun
    ? ['to create', 'to update', 'unchanged', 'to delete', 'skipped', 'failed']
    : ['created', 'updated', 'unchanged', 'deleted', 'skipped', 'failed'];
  const rows: string[][] = [];
  const totals = COLUMNS.map(() => 0);
  for (const kind of KINDS) {
    const items = result.items.filter((i) => i.kind === kind);
    if (items.length === 0) continue;
    const counts = COLUMNS.map((c) => items.filter((i) => column(i) === c).length);
    counts.forEach((n, k) => (totals[k]! += n));
    rows.push([kind, ...counts.map(String)]);
  }
  rows.push(['total', ...totals.map(String)]);
  const table = [['', ...headers], ...rows];
  const widths = table[0]!.map((_, c) => Math.max(...table.map((r) => r[c]!.length)));
  out.push('');
  for (const r of table)
    out.push(
      r
        .map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!)))
        .join('  ')
        .trimEnd(),
    );

  const label = (i: ProvisionItem) =>
    `${i.kind} ${i.uid || '(no uid)'}${i.title && i.title !== i.uid ? ` "${i.title}"` : ''}${i.file ? ` (${i.file})` : ''}`;
  const changes = result.items.filter(
    (i) => i.result !== 'failed' && (i.action === 'create' || i.action === 'update' || i.action === 'delete'),
  );
  if (changes.length) {
    out.push('', result.dryRun ? 'Planned changes:' : 'Changes:');
    for (const i of changes) {
      const sign = i.action === 'create' ? '+' : i.action === 'delete' ? '-' : '~';
      out.push(
        `  ${sign} ${label(i)}: ${i.result === 'planned' ? `${i.action} planned` : i.result}${i.drift ? ' (drift)' : ''}`,
      );
      for (const line of i.diff ?? []) out.push(`      ${line}`);
    }
  }
  const warned = result.items.filter((i) => i.warning);
  if (warned.length) {
    out.push('', 'Warnings:');
    for (const i of warned) out.push(`  ! ${label(i)}: ${i.warning}`);
  }
  const failed = result.items.filter((i) => i.result === 'failed');
  if (failed.length) {
    out.push('', `Failures (${failed.length}):`);
    for (const i of failed) {
      // Error messages name their object already (file, uid, title); the label only when one does not.
      const msg = i.error?.message ?? 'failed';
      const named = (i.uid && msg.includes(i.uid)) || (i.file && msg.includes(i.file));
      out.push(`  ✗ ${named ? msg : `${label(i)}: ${msg}`}`);
      if (i.drift) for (const line of i.diff ?? []) out.push(`      ${line}`);
    }
  }
  out.push('', footer(result));
  return out.join('\n') + '\n';
}

function footer(r: ProvisionResult): string {
  const parts = [
    `${r.failures} failure${r.failures === 1 ? '' : 's'}`,
    `${r.warnings ?? 0} warning${r.warnings === 1 ? '' : 's'}`,
    `${r.requests} requests`,
    `${r.writes} writes`,
    ...(r.retries ? [`${r.retries} retries`] : []),
    ...(r.durationMs !== undefined ? [`${(r.durationMs / 1000).toFixed(1)} s`] : []),
  ];
  return parts.join(', ');
}

/** The JSON document of `--format json` (newline-terminated). */
export function provisionJson(result: ProvisionResult): string {
  const count = (c: Column) => result.items.filter((i) => column(i) === c).length;
  const doc = {
    ...(result.environment ? { environment: result.environment } : {}),
    grafana: { url: result.grafanaUrl, version: result.grafanaVersion },
    dryRun: result.dryRun,
    summary: {
      create: count('create'),
      update: count('update'),
      unchanged: count('unchanged'),
      delete: count('delete'),
      skip: count('skip'),
      failed: count('failed'),
      failures: result.failures,
      warnings: result.warnings ?? result.items.filter((i) => i.warning).length,
      requests: result.requests,
      writes: result.writes,
      retries: result.retries ?? 0,
      ...(result.durationMs !== undefined ? { durationMs: result.durationMs } : {}),
    },
    ...(result.fatal ? { fatal: result.fatal } : {}),
    items: result.items.map((i) => ({
      kind: i.kind,
      uid: i.uid,
      ...(i.title !== undefined ? { title: i.title } : {}),
      ...(i.file !== undefined ? { file: i.file } : {}),
      action: i.action,
      result: i.result,
      ...(i.drift ? { drift: true } : {}),
      ...(i.diff ? { diff: i.diff } : {}),
      ...(i.warning ? { warning: i.warning } : {}),
      error: i.error ?? null,
    })),
  };
  return JSON.stringify(doc, null, 2) + '\n';
}
