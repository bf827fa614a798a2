// Inline review comments on the lines a pull request changed (the pull request review API), with a
// GitHub suggested change where the finding carries a mechanical fix. Only lines GitHub shows as
// added in the PR's diff are commented (any other line is a 422 "must be part of the diff").
//
// One review is not piled on another at every push: the comments dashboard-ci left before are found
// again (a hidden key at the start of the body, and the author); a comment still wanted is left as
// it is (or its text edited in place), one no longer wanted (fixed, or outdated by a push) is deleted,
// and only new ones are posted, in one review. An unchanged re-run writes nothing.

import { createHash } from 'node:crypto';
import { hasUnsafeText } from '../core/safe-text.js';
import { compareFindings, type Finding } from '../core/types.js';
import { escapeInline, MAX_MESSAGE, ruleCell } from '../report/md.js';
import { ACTIONS_BOT_LOGIN } from './comment.js';
import { GitHubApiError, type GitHubApi, type NewReviewComment, type ReviewComment } from './github-api.js';
import { suggestionBlock, suggestionFor } from './suggestion.js';

export const REVIEW_MARKER = '<!-- dashboard-ci:review';
/** GitHub shows a review with many comments poorly, and a flood helps nobody: the rest is in the PR comment. */
export const MAX_REVIEW_COMMENTS = 25;

export interface ReviewFile {
  /** Lines of the head's version GitHub's diff shows as added (the `+` lines of the patch). */
  added: ReadonlySet<number>;
  /** The file's text (the head's version), to turn a fix into a suggestion. */
  text?: string;
}

export interface PlannedComment extends NewReviewComment {
  key: string;
}

/** The head's line numbers of the `+` lines of a unified diff (GitHub's `patch` of a PR file). */
export function addedLines(patch: string): Set<number> {
  const added = new Set<number>();
  let line = 0;
  for (const text of patch.split('\n')) {
    const hunk = /^@@ -\d+(?:,\d+)? \+(\d+)(?:,\d+)? @@/.exec(text);
    if (hunk) {
      line = Number(hunk[1]);
      continue;
    }
    if (line === 0 || text.startsWith('\\')) continue;
    if (text.startsWith('+')) added.add(line++);
    else if (text.startsWith(' ') || text === '') line++;
  }
  return added;
}

const ICON = { error: '❌', warning: '⚠️', info: 'ℹ️' } as const;

function keyOf(parts: readonly (string | number)[]): string {
  return createHash('sha256').update(parts.join('\0')).digest('hex').slice(0, 16);
}

/**
 * The comments the findings call for: errors and warnings on added lines, errors first, at most
 * `max`; a fix becomes a suggestion when every line it spans was added.
 */
export function planReviewComments(
  findings: readonly Finding[],
  files: ReadonlyMap<string, ReviewFile>,
  max = MAX_REVIEW_COMMENTS,
): { comments: PlannedComment[]; leftOut: number } {
  const order = { error: 0, warning: 1, info: 2 } as const;
  const sorted = findings
    .filter((f) => f.severity !== 'info')
    .sort((a, b) => order[a.severity] - order[b.severity] || compareFindings(a, b));
  const comments: PlannedComment[] = [];
  const seen = new Set<string>();
  let leftOut = 0;
  for (const f of sorted) {
    const file = files.get(f.file);
    if (!file) continue;
    const s = f.fix && file.text !== undefined ? suggestionFor(file.text, f.fix) : undefined;
    // A suggestion replaces the lines the comment spans: all of them must be added lines.
    // A suggestion is the file's own text, shown as is: never one that carries a control or bidi
    // character (it would show the reviewer something other than what Commit writes).
    const fits =
      s !== undefined && !hasUnsafeText(s.replacement) && rangeAdded(file.added, s.startLine, s.endLine);
    if (!fits && !file.added.has(f.line)) continue;
    const line = fits ? s.endLine : f.line;
    const suggestion = fits ? suggestionBlock(s) : undefined;
    // The key is where and what kind: a message that only words things differently (ClickHouse quotes
    // the expanded SQL) updates the comment in place instead of replacing it.
    const key = keyOf([f.rule, f.file, line, f.panelId ?? '', f.refId ?? '', suggestion ?? '']);
    if (seen.has(key)) continue;
    seen.add(key);
    if (comments.length >= max) {
      leftOut++;
      continue;
    }
    const body = [
      `${REVIEW_MARKER} ${key} -->`,
      `${ICON[f.severity]} **dashboard-ci** ${ruleCell(f.rule)}: ${escapeInline(f.message, MAX_MESSAGE)}`,
      ...(suggestion ? ['', suggestion] : []),
    ].join('\n');
    const c: PlannedComment = { key, path: f.file, line, side: 'RIGHT', body };
    if (fits && s.startLine < s.endLine) {
      c.start_line = s.startLine;
      c.start_side = 'RIGHT';
    }
    comments.push(c);
  }
  return { comments, leftOut };
}

function rangeAdded(added: ReadonlySet<number>, from: number, to: number): boolean {
  for (let l = from; l <= to; l++) if (!added.has(l)) return false;
  return true;
}

export type ReviewResult =
  | { action: 'synced'; created: number; kept: number; updated: number; deleted: number; reviewId?: number }
  | { action: 'failed'; status: number; message: string; forbidden: boolean };

function ourKey(c: ReviewComment, login: string): string | undefined {
  if (c.user?.login !== login || typeof c.body !== 'string' || !c.body.startsWith(REVIEW_MARKER))
    return undefined;
  return /^<!-- dashboard-ci:review ([0-9a-f]{16}) -->/.exec(c.body)?.[1];
}

/** Brings the PR's dashboard-ci review comments to `planned`: keep, delete, and one review of new ones. */
export async function syncReview(
  api: GitHubApi,
  t: { owner: string; repo: string; pull: number; headSha: string },
  planned: readonly PlannedComment[],
): Promise<ReviewResult> {
  try {
    const login = (await api.authenticatedLogin()) ?? ACTIONS_BOT_LOGIN;
    const existing = await api.listReviewComments(t.owner, t.repo, t.pull);
    const wanted = new Map(planned.map((c) => [c.key, c]));
    const kept = new Set<string>();
    const stale: number[] = [];
    const edits: { id: number; body: string }[] = [];
    for (const c of existing) {
      const key = ourKey(c, login);
      if (key === undefined) continue;
      // Still wanted and still on a line of the head (not outdated by a later push): leave it.
      const want = wanted.get(key);
      if (want && !kept.has(key) && typeof c.line === 'number') {
        kept.add(key);
        if (c.body !== want.body) edits.push({ id: c.id, body: want.body });
      } else stale.push(c.id);
    }
    const fresh = planned.filter((c) => !kept.has(c.key));
    let reviewId: number | undefined;
    if (fresh.length > 0) {
      const review = await api.createReview(t.owner, t.repo, t.pull, {
        commit_id: t.headSha,
        event: 'COMMENT',
        body: `${REVIEW_MARKER} -->\n**dashboard-ci**: ${fresh.length} finding${fresh.length === 1 ? '' : 's'} on the lines this pull request changed. The verdict is in the pull request's comment.`,
        comments: fresh.map(({ key: _key, ...c }) => c),
      });
      reviewId = review.id;
    }
    for (const e of edits) await api.updateReviewComment(t.owner, t.repo, e.id, e.body);
    for (const id of stale) {
      try {
        await api.deleteReviewComment(t.owner, t.repo, id);
      } catch (err) {
        // Already gone (deleted by a person, or a concurrent run): nothing to do.
        if (!(err instanceof GitHubApiError && err.status === 404)) throw err;
      }
    }
    const out: ReviewResult = {
      action: 'synced',
      created: fresh.length,
      kept: kept.size - edits.length,
      updated: edits.length,
      deleted: stale.length,
    };
    if (reviewId !== undefined) out.reviewId = reviewId;
    return out;
  } catch (err) {
    if (err instanceof GitHubApiError)
      return { action: 'failed', status: err.status, message: err.message, forbidden: err.status === 403 };
    throw err;
  }
}
