import { getOctokit } from '@actions/github';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { octokitGitHubApi } from '../../../src/action/github-api.js';
import {
  addedLines,
  MAX_REVIEW_COMMENTS,
  planReviewComments,
  REVIEW_MARKER,
  syncReview,
  type ReviewFile,
} from '../../../src/action/review.js';
import { suggestionBlock, suggestionFor } from '../../../src/action/suggestion.js';
import type { Finding } from '../../../src/core/types.js';
import { GitHubDouble } from '../../support/github-double.js';
import { finding } from './sample-report.js';

// A real `git diff` hunk: lines 3-4 added, 2 and 5 context.
const PATCH = ['@@ -1,4 +1,6 @@', ' {', '   "a": 1,', '+  "b": 2,', '+  "c": 3,', '   "d": 4', ' }'].join(
  '\n',
);

describe('addedLines', () => {
  it('reads the head line numbers of the + lines, across hunks, ignoring "\\ No newline"', () => {
    expect([...addedLines(PATCH)]).toEqual([3, 4]);
    const two = '@@ -1,2 +1,2 @@\n-a\n+A\n b\n@@ -10,1 +10,2 @@\n x\n+y\n\\ No newline at end of file';
    expect([...addedLines(two)]).toEqual([1, 11]);
  });
});

describe('suggestionFor', () => {
  const text = '{\n  "refresh": "5s",\n  "title": "x"\n}\n';
  it('widens a fix to the whole lines it touches', () => {
    const at = text.indexOf('"5s"');
    const s = suggestionFor(text, { range: [at, at + 4], text: '"1m"' })!;
    expect(s).toEqual({ startLine: 2, endLine: 2, replacement: '  "refresh": "1m",' });
    expect(suggestionBlock(s)).toBe('```suggestion\n  "refresh": "1m",\n```');
  });
  it('a fix removing a whole line (its line break too) suggests deleting it', () => {
    const start = text.indexOf('  "refresh"');
    const end = text.indexOf('  "title"');
    expect(suggestionFor(text, { range: [start, end], text: '' })).toEqual({
      startLine: 2,
      endLine: 2,
      replacement: '',
    });
  });
  it('spans several lines; a fence longer than any backtick run inside', () => {
    const s = suggestionFor(text, { range: [text.indexOf('"5s"'), text.indexOf('"x"') + 3], text: '"```"' })!;
    expect(s.startLine).toBe(2);
    expect(s.endLine).toBe(3);
    expect(suggestionBlock(s).startsWith('````suggestion\n')).toBe(true);
  });
  it('a range outside the text is no suggestion', () => {
    expect(suggestionFor(text, { range: [5, 500], text: '' })).toBeUndefined();
    expect(suggestionFor(text, { range: [9, 3], text: '' })).toBeUndefined();
  });
});

describe('planReviewComments', () => {
  const file: ReviewFile = {
    added: new Set([3, 4]),
    text: '{\n  "a": 1,\n  "b": 2,\n  "c": 3,\n  "d": 4\n}\n',
  };
  const files = new Map([['dashboards/a.json', file]]);
  const at = (line: number, over: Partial<Finding> = {}) =>
    finding({ file: 'dashboards/a.json', line, message: `problem at ${line}`, ...over });

  it('comments only added lines, errors first, infos never; each with its key', () => {
    const { comments } = planReviewComments(
      [
        at(2),
        at(3, { severity: 'warning' }),
        at(4),
        at(4, { severity: 'info', rule: 'x' }),
        at(3, { file: 'other.json' }),
      ],
      files,
    );
    expect(comments.map((c) => [c.line, c.body.split('\n')[1]])).toEqual([
      [4, '❌ **dashboard-ci** `sql-invalid`: problem at 4'],
      [3, '⚠️ **dashboard-ci** `sql-invalid`: problem at 3'],
    ]);
    expect(comments[0]!.body.startsWith(`${REVIEW_MARKER} ${comments[0]!.key} -->\n`)).toBe(true);
  });

  it('a fix becomes a suggested change when its lines were added; otherwise a plain comment', () => {
    const text = file.text!;
    const b = text.indexOf('2,');
    const fixed = at(3, { fix: { range: [b, b + 1], text: '20' } });
    const [c] = planReviewComments([fixed], files).comments;
    expect(c!.body).toContain('```suggestion\n  "b": 20,\n```');
    expect(c!.start_line).toBeUndefined();
    const a = text.indexOf('1,');
    const outside = at(3, { fix: { range: [a, a + 1], text: '10' } });
    expect(planReviewComments([outside], files).comments[0]!.body).not.toContain('suggestion');
  });

  it('escapes the message (no mention, no markup) and caps the number of comments', () => {
    const many = Array.from({ length: 40 }, (_, i) =>
      at(3, { rule: `rule-${i}`, message: `@octocat <b>${i}</b>` }),
    );
    const { comments, leftOut } = planReviewComments(many, files);
    expect(comments).toHaveLength(MAX_REVIEW_COMMENTS);
    expect(leftOut).toBe(40 - MAX_REVIEW_COMMENTS);
    expect(comments[0]!.body).toContain('@\u200boctocat &lt;b&gt;0&lt;/b&gt;');
  });
});

describe('syncReview against the GitHub double', () => {
  const double = new GitHubDouble({
    gha: { kind: 'installation' },
    fork: { kind: 'installation', readOnly: true },
    pat: { kind: 'user', login: 'alice' },
  });
  const api = (token: string) => octokitGitHubApi(getOctokit(token, { baseUrl: double.url }));
  const t = { owner: 'acme', repo: 'dash', pull: 3, headSha: 'c'.repeat(40) };
  const files = new Map([['dashboards/a.json', { added: addedLines(PATCH) }]]);
  const plan = (fs: Finding[]) => planReviewComments(fs, files).comments;
  const f3 = finding({ file: 'dashboards/a.json', line: 3, message: 'three' });
  const f4 = finding({ file: 'dashboards/a.json', line: 4, message: 'four' });

  beforeAll(async () => {
    await double.start();
    double.setPullFiles('acme', 'dash', 3, [
      { filename: 'dashboards/a.json', status: 'modified', patch: PATCH },
    ]);
  });
  afterAll(() => double.stop());

  it('posts one review with the comments; an unchanged re-run writes nothing', async () => {
    const r = await syncReview(api('gha'), t, plan([f3, f4]));
    expect(r).toMatchObject({ action: 'synced', created: 2, kept: 0, deleted: 0 });
    expect(double.reviews).toHaveLength(1);
    expect(double.reviews[0]!.event).toBe('COMMENT');
    expect(double.reviews[0]!.commit_id).toBe(t.headSha);
    expect(double.reviewCommentsOf('acme', 'dash', 3).map((c) => c.line)).toEqual([3, 4]);
    const writes = double.writes().length;
    expect(await syncReview(api('gha'), t, plan([f3, f4]))).toMatchObject({
      created: 0,
      kept: 2,
      deleted: 0,
    });
    expect(double.writes().length).toBe(writes);
    // Worded differently (ClickHouse quotes the expanded SQL, with its timestamps): edited in place.
    const reworded = { ...f3, message: 'three, said otherwise' };
    expect(await syncReview(api('gha'), t, plan([reworded, f4]))).toMatchObject({
      created: 0,
      kept: 1,
      updated: 1,
    });
    expect(
      double
        .writes()
        .slice(writes)
        .map((w) => w.method),
    ).toEqual(['PATCH']);
    expect(double.reviewCommentsOf('acme', 'dash', 3)[0]!.body).toContain('three, said otherwise');
  });

  it('a fixed finding has its comment removed; an outdated one is replaced; a person’s comment is never touched', async () => {
    double.addComment('acme', 'dash', 3, 'not a review comment', 'bob');
    const mine = double.reviewCommentsOf('acme', 'dash', 3);
    const four = mine.find((c) => c.line === 4)!;
    double.outdate(four.id);
    // A person quoting the marker in a review comment of their own.
    await api('pat').createReview('acme', 'dash', 3, {
      commit_id: t.headSha,
      event: 'COMMENT',
      body: 'looks off',
      comments: [
        {
          path: 'dashboards/a.json',
          line: 3,
          side: 'RIGHT',
          body: `${REVIEW_MARKER} 0123456789abcdef -->\nme`,
        },
      ],
    });
    const r = await syncReview(api('gha'), t, plan([f4]));
    expect(r).toMatchObject({ action: 'synced', created: 1, kept: 0, deleted: 2 });
    const after = double.reviewCommentsOf('acme', 'dash', 3);
    expect(after.map((c) => [c.user.login, c.line])).toEqual([
      ['alice', 3],
      ['github-actions[bot]', 4],
    ]);
  });

  it('a line outside the diff is GitHub’s 422; a fork’s read-only token a 403 (forbidden)', async () => {
    const bad = plan([f3]).map((c) => ({ ...c, line: 1, key: 'ffffffffffffffff' }));
    expect(await syncReview(api('gha'), t, bad)).toMatchObject({ action: 'synced' });
    const outside = [{ ...plan([f3])[0]!, line: 40, key: 'eeeeeeeeeeeeeeee' }];
    const r = await syncReview(api('gha'), t, outside);
    expect(r).toMatchObject({ action: 'failed', status: 422, forbidden: false });
    expect((r as { message: string }).message).toContain(
      'Pull request review thread line must be part of the diff',
    );
    const fromFork = finding({ file: 'dashboards/a.json', line: 3, message: 'from a fork' });
    expect(await syncReview(api('fork'), t, plan([fromFork]))).toMatchObject({
      action: 'failed',
      status: 403,
      forbidden: true,
    });
  });
});
