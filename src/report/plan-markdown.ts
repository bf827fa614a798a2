// The deploy plan in the PR comment: what merging would change in each Grafana environment (the same
// plan `provision --dry-run` prints), read with a read-only token. Titles, uids, diffs and Grafana's
// messages are untrusted: escaped, diffs in fences.

import type { EnvironmentPlan } from '../grafana/environments.js';
import type { ProvisionItem } from '../grafana/types.js';
import { clip, codeBlock, escapeInline, plural } from './md.js';

const MAX_ROWS = 50;
const MAX_DIFF_LINES = 20;
const MAX_DIFF_LINE = 200;

const SIGN: Record<string, string> = {
  create: '+ create',
  update: '~ update',
  delete: '− delete',
  skip: 'skip',
};

function changeCell(i: ProvisionItem): string {
  if (i.result === 'failed') return `❌ ${escapeInline(i.error?.message ?? 'failed', 300)}`;
  const what = SIGN[i.action] ?? i.action;
  const drift = i.drift ? ' · ⚠️ drift: edited in Grafana since dashboard-ci wrote it' : '';
  const warning = i.warning && !i.drift ? ` · ${escapeInline(i.warning, 200)}` : '';
  return `${what}${drift}${warning}`;
}

function environmentBlock(p: EnvironmentPlan, diffs: boolean): { markdown: string; diffsLeftOut: number } {
  const name = p.environment ? `\`${escapeInline(p.environment, 60).replace(/`/g, '')}\`` : 'Grafana';
  const where = p.grafanaUrl ? ` — ${escapeInline(p.grafanaUrl, 120)}` : '';
  const r = p.result;
  if (!r || p.error || r.fatal) {
    const why = p.error ?? r?.fatal?.message ?? 'no result';
    return {
      markdown: `#### ${name}${where}\n\n❌ Could not plan: ${escapeInline(why, 500)}`,
      diffsLeftOut: 0,
    };
  }
  const version = r.grafanaVersion ? ` (Grafana ${escapeInline(r.grafanaVersion, 40)})` : '';
  const count = (a: string) => r.items.filter((i) => i.result !== 'failed' && i.action === a).length;
  const failed = r.items.filter((i) => i.result === 'failed').length;
  const drift = r.items.filter((i) => i.drift).length;
  const facts = [
    `**${count('create')}** to create`,
    `**${count('update')}** to update`,
    `**${count('delete')}** to delete`,
    `**${count('unchanged')}** unchanged`,
  ];
  if (drift > 0) facts.push(`⚠️ **${drift}** drifted`);
  if (failed > 0) facts.push(`❌ **${failed}** would fail`);
  const parts = [`#### ${name}${where}${version}`, facts.join(' · ')];
  const changing = r.items.filter((i) => i.action !== 'unchanged' || i.drift || i.result === 'failed');
  if (changing.length === 0) {
    parts.push('_Nothing to change._');
    return { markdown: parts.join('\n\n'), diffsLeftOut: 0 };
  }
  const rows = ['| Kind | UID | Title | Change |', '| --- | --- | --- | --- |'];
  for (const i of changing.slice(0, MAX_ROWS))
    rows.push(
      `| ${i.kind} | ${escapeInline(i.uid || '—', 80)} | ${escapeInline(i.title ?? '', 120)} | ${changeCell(i)} |`,
    );
  if (changing.length > MAX_ROWS) rows.push('', `_…and ${changing.length - MAX_ROWS} more._`);
  parts.push(rows.join('\n'));
  const withDiff = changing.filter((i) => i.action === 'update' && i.diff && i.diff.length > 0);
  if (withDiff.length > 0 && diffs) {
    const text = withDiff
      .slice(0, MAX_ROWS)
      .map((i) => {
        const lines = i.diff!.slice(0, MAX_DIFF_LINES).map((l) => clip(l, MAX_DIFF_LINE));
        if (i.diff!.length > MAX_DIFF_LINES) lines.push(`… ${i.diff!.length - MAX_DIFF_LINES} more lines`);
        return [`${i.kind} ${i.uid}${i.title ? ` "${i.title}"` : ''}`, ...lines.map((l) => `  ${l}`)].join(
          '\n',
        );
      })
      .join('\n\n');
    parts.push(
      `<details><summary>What the updates change</summary>\n\n${codeBlock(text, 'diff')}\n\n</details>`,
    );
  }
  return { markdown: parts.join('\n\n'), diffsLeftOut: diffs ? 0 : withDiff.length };
}

/** The plan of every environment: one `###` section; diffs collapsed (or left out, counted). */
export function renderPlanSection(
  plans: readonly EnvironmentPlan[],
  opts: { diffs: boolean },
): { markdown: string; diffsLeftOut: number } {
  const head = `### 🚀 Deploy plan: what merging would change in Grafana`;
  if (plans.length === 0) return { markdown: `${head}\n\n_No environment to plan._`, diffsLeftOut: 0 };
  let diffsLeftOut = 0;
  const blocks = plans.map((p) => {
    const b = environmentBlock(p, opts.diffs);
    diffsLeftOut += b.diffsLeftOut;
    return b.markdown;
  });
  const note = `<sub>Read with the read-only plan token (${plural(plans.length, 'environment')}); nothing was written.</sub>`;
  return { markdown: [head, ...blocks, note].join('\n\n'), diffsLeftOut };
}
