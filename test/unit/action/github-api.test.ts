import { getOctokit } from '@actions/github';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GitHubApiError, nextLink, octokitGitHubApi } from '../../../src/action/github-api.js';
import { GitHubDouble } from '../../support/github-double.js';

const double = new GitHubDouble({
  pat: { kind: 'user', login: 'octocat' },
  gha: { kind: 'installation' },
  fork: { kind: 'installation', readOnly: true },
});
const api = (token: string) => octokitGitHubApi(getOctokit(token, { baseUrl: double.url }));

beforeAll(async () => {
  await double.start();
  for (let i = 0; i < 250; i++) double.addComment('acme', 'dash', 7, `comment ${i}`, 'someone');
  double.setPullFiles(
    'acme',
    'dash',
    7,
    Array.from({ length: 130 }, (_, i) => ({
      filename: `dashboards/d${i}.json`,
      status: i === 0 ? 'removed' : 'modified',
    })),
  );
});
afterAll(() => double.stop());

describe('octokitGitHubApi against the GitHub double', () => {
  it('follows Link headers across every page, 100 per page', async () => {
    const before = double.requests.length;
    const comments = await api('pat').listIssueComments('acme', 'dash', 7);
    expect(comments).toHaveLength(250);
    expect(comments[249]!.body).toBe('comment 249');
    const gets = double.requests.slice(before);
    expect(gets.map((r) => `${r.query.page ?? '1'}/${r.query.per_page}`)).toEqual([
      '1/100',
      '2/100',
      '3/100',
    ]);
  });

  it('lists every PR file', async () => {
    const files = await api('gha').listPullFiles('acme', 'dash', 7);
    expect(files).toHaveLength(130);
  });

  it('GET /user: the login for a PAT, undefined for an installation token (403)', async () => {
    expect(await api('pat').authenticatedLogin()).toBe('octocat');
    expect(await api('gha').authenticatedLogin()).toBeUndefined();
    const last = double.requests[double.requests.length - 1]!;
    expect([last.path, last.status]).toEqual(['/user', 403]);
  });

  it('errors carry the status and GitHub’s message with its details: 422 body too long, 403 read-only', async () => {
    const tooLong = await api('gha')
      .createIssueComment('acme', 'dash', 7, 'x'.repeat(65_537))
      .catch((e: unknown) => e);
    expect(tooLong).toBeInstanceOf(GitHubApiError);
    expect((tooLong as GitHubApiError).status).toBe(422);
    expect((tooLong as GitHubApiError).message).toBe(
      'Validation Failed: body is too long (maximum is 65536 characters)',
    );
    const denied = await api('fork')
      .createIssueComment('acme', 'dash', 7, 'hello')
      .catch((e: unknown) => e);
    expect((denied as GitHubApiError).status).toBe(403);
    expect((denied as GitHubApiError).message).toBe('Resource not accessible by integration');
    const ok = await api('gha').createIssueComment('acme', 'dash', 7, 'x'.repeat(65_536));
    expect(ok.user?.login).toBe('github-actions[bot]');
  });

  it('parses rel="next" from a Link header', () => {
    expect(nextLink('<https://a/x?page=2>; rel="next", <https://a/x?page=5>; rel="last"')).toBe(
      'https://a/x?page=2',
    );
    expect(nextLink('<https://a/x?page=1>; rel="prev"')).toBeUndefined();
    expect(nextLink(undefined)).toBeUndefined();
  });
});
