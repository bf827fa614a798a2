// The sticky PR comment: one per PR, found by the marker at the START of its body AND by author
// (the token's user), across every page of comments. A person's comment that quotes the marker is
// never touched. Exactly one write per run: POST the first time, PATCH after.

import { GitHubApiError, type GitHubApi, type IssueComment } from './github-api.js';

/**
 * Author assumed when GET /user is refused. The workflow's GITHUB_TOKEN is an installation token of
 * the GitHub Actions app: GET /user answers 403 and its comments are authored by this login. With
 * another GitHub App's installation token the author would be `<app-slug>[bot]`; use a PAT or the
 * GITHUB_TOKEN for the comment (docs/action.md).
 */
export const ACTIONS_BOT_LOGIN = 'github-actions[bot]';

export interface StickyTarget {
  owner: string;
  repo: string;
  issue: number;
  marker: string;
}

export type StickyResult =
  | { action: 'created' | 'updated'; id: number; url?: string }
  /** Nothing to update and told not to create (nothing was checked). */
  | { action: 'none' }
  /** The API refused (403 for a fork's read-only token) or failed: the caller falls back. */
  | { action: 'failed'; status: number; message: string; forbidden: boolean };

export function isOurs(c: IssueComment, marker: string, login: string): boolean {
  return typeof c.body === 'string' && c.body.startsWith(marker) && c.user?.login === login;
}

export async function findSticky(api: GitHubApi, t: StickyTarget): Promise<IssueComment | undefined> {
  const login = (await api.authenticatedLogin()) ?? ACTIONS_BOT_LOGIN;
  const comments = await api.listIssueComments(t.owner, t.repo, t.issue);
  // The oldest one wins if a race ever made two.
  return comments.filter((c) => isOurs(c, t.marker, login)).sort((a, b) => a.id - b.id)[0];
}

export async function upsertSticky(
  api: GitHubApi,
  t: StickyTarget,
  body: string,
  opts: { createIfMissing: boolean } = { createIfMissing: true },
): Promise<StickyResult> {
  if (!body.startsWith(t.marker)) throw new Error('sticky comment body must start with its marker');
  try {
    const existing = await findSticky(api, t);
    if (existing) {
      try {
        const c = await api.updateIssueComment(t.owner, t.repo, existing.id, body);
        return c.html_url
          ? { action: 'updated', id: c.id, url: c.html_url }
          : { action: 'updated', id: c.id };
      } catch (err) {
        // Deleted between the listing and the PATCH: create a new one instead.
        if (!(err instanceof GitHubApiError && err.status === 404)) throw err;
      }
    } else if (!opts.createIfMissing) {
      return { action: 'none' };
    }
    const c = await api.createIssueComment(t.owner, t.repo, t.issue, body);
    return c.html_url ? { action: 'created', id: c.id, url: c.html_url } : { action: 'created', id: c.id };
  } catch (err) {
    if (err instanceof GitHubApiError) {
      return { action: 'failed', status: err.status, message: err.message, forbidden: err.status === 403 };
    }
    throw err;
  }
}
