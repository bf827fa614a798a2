import { getOctokit } from '@actions/github';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ACTIONS_BOT_LOGIN, upsertSticky } from '../../../src/action/comment.js';
import { octokitGitHubApi } from '../../../src/action/github-api.js';
import { COMMENT_MARKER } from '../../../src/report/markdown.js';
import { GitHubDouble } from '../../support/github-double.js';

let double: GitHubDouble;
const target = { owner: 'acme', repo: 'dash', issue: 12, marker: COMMENT_MARKER };
const api = (token: string) => octokitGitHubApi(getOctokit(token, { baseUrl: double.url }));
const body = (n: number) => `${COMMENT_MARKER}\n\nrun ${n}`;

beforeEach(async () => {
  double = new GitHubDouble({
    gha: { kind: 'installation' },
    pat: { kind: 'user', login: 'ci-bot' },
    fork: { kind: 'installation', readOnly: true },
  });
  await double.start();
});
afterEach(() => double.stop());

describe('upsertSticky', () => {
  it('creates on the first run, then updates the same comment in place (one write per run)', async () => {
    const first = await upsertSticky(api('gha'), target, body(1));
    expect(first.action).toBe('created');
    expect(double.writes().map((r) => r.method)).toEqual(['POST']);
    const second = await upsertSticky(api('gha'), target, body(2));
    expect(second).toMatchObject({ action: 'updated', id: (first as { id: number }).id });
    expect(double.writes().map((r) => r.method)).toEqual(['POST', 'PATCH']);
    const comments = double.commentsOf('acme', 'dash', 12);
    expect(comments).toHaveLength(1);
    expect(comments[0]!.body).toBe(body(2));
  });

  it('finds its comment on the last of several pages', async () => {
    for (let i = 0; i < 230; i++) double.addComment('acme', 'dash', 12, `chatter ${i}`, 'someone');
    const mine = double.addComment('acme', 'dash', 12, body(0), ACTIONS_BOT_LOGIN, 'Bot');
    const r = await upsertSticky(api('gha'), target, body(1));
    expect(r).toMatchObject({ action: 'updated', id: mine.id });
    expect(
      double.requests.filter((q) => q.path.endsWith('/issues/12/comments') && q.method === 'GET'),
    ).toHaveLength(3);
  });

  it("never touches a person's comment that carries the marker, nor a bot comment that only quotes it", async () => {
    const person = double.addComment('acme', 'dash', 12, `${COMMENT_MARKER}\nI copied this`, 'alice');
    const quoted = double.addComment('acme', 'dash', 12, `see ${COMMENT_MARKER}`, ACTIONS_BOT_LOGIN, 'Bot');
    const r = await upsertSticky(api('gha'), target, body(1));
    expect(r.action).toBe('created');
    expect(double.commentsOf('acme', 'dash', 12).find((c) => c.id === person.id)!.body).toBe(
      `${COMMENT_MARKER}\nI copied this`,
    );
    expect(double.commentsOf('acme', 'dash', 12).find((c) => c.id === quoted.id)!.body).toBe(
      `see ${COMMENT_MARKER}`,
    );
    expect(double.writes().filter((w) => w.method === 'PATCH')).toHaveLength(0);
  });

  it("with a PAT, matches the token's own login (GET /user), not github-actions[bot]", async () => {
    double.addComment('acme', 'dash', 12, body(0), ACTIONS_BOT_LOGIN, 'Bot');
    const r = await upsertSticky(api('pat'), target, body(1));
    expect(r.action).toBe('created');
    const again = await upsertSticky(api('pat'), target, body(2));
    expect(again.action).toBe('updated');
    expect(double.commentsOf('acme', 'dash', 12).map((c) => c.user.login)).toEqual([
      ACTIONS_BOT_LOGIN,
      'ci-bot',
    ]);
  });

  it('a read-only token (fork PR) gets 403: reported as forbidden, nothing written', async () => {
    const r = await upsertSticky(api('fork'), target, body(1));
    expect(r).toEqual({
      action: 'failed',
      status: 403,
      message: 'Resource not accessible by integration',
      forbidden: true,
    });
    expect(double.writes()).toHaveLength(0);
    expect(double.commentsOf('acme', 'dash', 12)).toHaveLength(0);
  });

  it('creates nothing when told not to and no comment exists', async () => {
    const r = await upsertSticky(api('gha'), target, body(1), { createIfMissing: false });
    expect(r.action).toBe('none');
    expect(double.writes()).toHaveLength(0);
  });

  it('refuses a body that does not start with the marker', async () => {
    await expect(upsertSticky(api('gha'), target, 'no marker')).rejects.toThrow(/marker/);
  });
});
