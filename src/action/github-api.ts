// The slice of GitHub's REST API the Action uses, behind a small interface so tests can replace
// it; the real one is @actions/github's octokit (honours GITHUB_API_URL and the runner's proxy).

import type { getOctokit } from '@actions/github';

export interface IssueComment {
  id: number;
  body?: string | null;
  user?: { login: string; type?: string } | null;
  html_url?: string;
}

export interface PullFile {
  filename: string;
  status: string;
  previous_filename?: string;
  /** The file's unified diff as GitHub shows it; absent for binary or very large diffs. */
  patch?: string;
}

/** A pull request review comment (GET /repos/{o}/{r}/pulls/{n}/comments). */
export interface ReviewComment {
  id: number;
  body?: string | null;
  path: string;
  /** The line on the head, or null once the comment is outdated (its line changed since). */
  line?: number | null;
  start_line?: number | null;
  side?: string | null;
  user?: { login: string; type?: string } | null;
  pull_request_review_id?: number | null;
}

/** One comment of a new review: on `line` (or `start_line`..`line`) of the head's version of `path`. */
export interface NewReviewComment {
  path: string;
  line: number;
  start_line?: number;
  side: 'RIGHT';
  start_side?: 'RIGHT';
  body: string;
}

export class GitHubApiError extends Error {
  override readonly name = 'GitHubApiError';
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export interface GitHubApi {
  /** Login of the token's user; undefined when GET /user is refused (installation tokens: 403). */
  authenticatedLogin(): Promise<string | undefined>;
  /** Every comment of an issue or PR, following the Link header across all pages. */
  listIssueComments(owner: string, repo: string, issue: number): Promise<IssueComment[]>;
  createIssueComment(owner: string, repo: string, issue: number, body: string): Promise<IssueComment>;
  updateIssueComment(owner: string, repo: string, commentId: number, body: string): Promise<IssueComment>;
  /** Every file of a PR (GitHub lists at most 3,000), following the Link header. */
  listPullFiles(owner: string, repo: string, pull: number): Promise<PullFile[]>;
  /** Every review comment of a PR, following the Link header. */
  listReviewComments(owner: string, repo: string, pull: number): Promise<ReviewComment[]>;
  /** POST /pulls/{n}/reviews: one submitted review (event COMMENT) carrying its comments. */
  createReview(
    owner: string,
    repo: string,
    pull: number,
    review: { commit_id: string; body: string; event: 'COMMENT'; comments: NewReviewComment[] },
  ): Promise<{ id: number }>;
  updateReviewComment(owner: string, repo: string, commentId: number, body: string): Promise<ReviewComment>;
  deleteReviewComment(owner: string, repo: string, commentId: number): Promise<void>;
}

type Octokit = ReturnType<typeof getOctokit>;

interface OctokitLikeError {
  status?: number;
  message?: string;
  response?: { data?: unknown };
}

function toApiError(err: unknown): GitHubApiError {
  const e = err as OctokitLikeError;
  const data = e.response?.data as { message?: unknown; errors?: unknown } | undefined;
  let message = typeof data?.message === 'string' ? data.message : (e.message ?? String(err));
  // A 422 says what was wrong in `errors` (strings, or objects with a message): keep it.
  if (Array.isArray(data?.errors)) {
    const details = data.errors
      .map((x) => (typeof x === 'string' ? x : typeof x?.message === 'string' ? x.message : undefined))
      .filter((x): x is string => x !== undefined);
    if (details.length > 0) message = `${message}: ${details.join('; ')}`;
  }
  return new GitHubApiError(typeof e.status === 'number' ? e.status : 0, message);
}

/** The `rel="next"` URL of a Link header, if any. */
export function nextLink(link: string | undefined): string | undefined {
  if (!link) return undefined;
  for (const part of link.split(',')) {
    const m = /<([^>]+)>\s*;\s*rel="?next"?/.exec(part);
    if (m) return m[1];
  }
  return undefined;
}

// A bound on pages, so a double (or a server) that keeps answering rel="next" cannot loop forever.
const MAX_PAGES = 1_000;

export function octokitGitHubApi(octokit: Octokit): GitHubApi {
  async function call<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      throw toApiError(err);
    }
  }

  async function all<T>(first: () => Promise<{ data: unknown; headers: { link?: string } }>): Promise<T[]> {
    const out: T[] = [];
    let res = await call(first);
    for (let page = 1; ; page++) {
      out.push(...(res.data as T[]));
      const next = nextLink(res.headers.link);
      if (!next || page >= MAX_PAGES) return out;
      res = await call(() => octokit.request({ method: 'GET', url: next }));
    }
  }

  return {
    async authenticatedLogin() {
      try {
        const res = await octokit.request('GET /user');
        return res.data.login;
      } catch (err) {
        const e = toApiError(err);
        if (e.status === 401 || e.status === 403) return undefined;
        throw e;
      }
    },
    listIssueComments(owner, repo, issue) {
      return all<IssueComment>(() =>
        octokit.request('GET /repos/{owner}/{repo}/issues/{issue_number}/comments', {
          owner,
          repo,
          issue_number: issue,
          per_page: 100,
        }),
      );
    },
    async createIssueComment(owner, repo, issue, body) {
      const res = await call(() =>
        octokit.request('POST /repos/{owner}/{repo}/issues/{issue_number}/comments', {
          owner,
          repo,
          issue_number: issue,
          body,
        }),
      );
      return res.data as IssueComment;
    },
    async updateIssueComment(owner, repo, commentId, body) {
      const res = await call(() =>
        octokit.request('PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}', {
          owner,
          repo,
          comment_id: commentId,
          body,
        }),
      );
      return res.data as IssueComment;
    },
    listPullFiles(owner, repo, pull) {
      return all<PullFile>(() =>
        octokit.request('GET /repos/{owner}/{repo}/pulls/{pull_number}/files', {
          owner,
          repo,
          pull_number: pull,
          per_page: 100,
        }),
      );
    },
    listReviewComments(owner, repo, pull) {
      return all<ReviewComment>(() =>
        octokit.request('GET /repos/{owner}/{repo}/pulls/{pull_number}/comments', {
          owner,
          repo,
          pull_number: pull,
          per_page: 100,
        }),
      );
    },
    async createReview(owner, repo, pull, review) {
      const res = await call(() =>
        octokit.request('POST /repos/{owner}/{repo}/pulls/{pull_number}/reviews', {
          owner,
          repo,
          pull_number: pull,
          ...review,
        }),
      );
      return { id: (res.data as { id: number }).id };
    },
    async updateReviewComment(owner, repo, commentId, body) {
      const res = await call(() =>
        octokit.request('PATCH /repos/{owner}/{repo}/pulls/comments/{comment_id}', {
          owner,
          repo,
          comment_id: commentId,
          body,
        }),
      );
      return res.data as ReviewComment;
    },
    async deleteReviewComment(owner, repo, commentId) {
      await call(() =>
        octokit.request('DELETE /repos/{owner}/{repo}/pulls/comments/{comment_id}', {
          owner,
          repo,
          comment_id: commentId,
        }),
      );
    },
  };
}
