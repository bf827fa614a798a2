// What dashboard-ci wrote, told apart by what Grafana really keeps.
//
// Grafana lists a dashboard's first save (ParentVersion 0) as "Initial save" whatever message it was
// saved with (pkg/api/dashboard.go GetDashboardVersions, 10.4 → 12.x), but keeps the real message:
// GET /api/dashboards/uid/:uid/versions/:version returns it unchanged (GetDashboardVersion). Each
// version dashboard-ci writes carries its message `dashboard-ci: <sha> <subject> [content <hash>]`,
// where the hash is of the dashboard as sent. So:
// - drift: Grafana's content differs from the repository AND the latest version is not one
//   dashboard-ci wrote AND Grafana's content is not what dashboard-ci last wrote (a save without
//   change, or a restore of dashboard-ci's version, is not drift);
// - ownership (prune): a version in the history was written by dashboard-ci. A tag can be removed by
//   anyone and is copied by "Save as"; the version history cannot be edited from the UI, and a copy
//   starts a history of its own.
// Alert rules carry the annotation `dashboard_ci: managed`; written with provenance "api" (the
// default), the UI cannot edit or remove it.

import { createHash } from 'node:crypto';
import { versionsOf, type DashboardVersion } from './normalize.js';

export const MESSAGE_PREFIX = 'dashboard-ci';
export const MARKER_ANNOTATION = 'dashboard_ci';
export const MARKER_ANNOTATION_VALUE = 'managed';
const MAX_MESSAGE = 500;
const HASH_RE = /\[content ([0-9a-f]{16})\]$/;

function canonical(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(canonical);
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return Object.fromEntries(
      Object.keys(o)
        .filter((k) => o[k] !== undefined)
        .sort()
        .map((k) => [k, canonical(o[k])]),
    );
  }
  return v;
}

/** 16 hex characters of the SHA-256 of the value's canonical JSON (keys sorted). */
export function contentHash(value: unknown): string {
  return createHash('sha256')
    .update(JSON.stringify(canonical(value)))
    .digest('hex')
    .slice(0, 16);
}

/** `dashboard-ci: <short sha> <subject> [content <hash>]`, at most 500 characters (Grafana's limit). */
export function versionMessage(commit?: { sha: string; subject: string }, hash?: string): string {
  const tail = hash ? ` [content ${hash}]` : '';
  if (!commit) return `${MESSAGE_PREFIX}${tail}`;
  const subject = commit.subject.replace(/\s+/g, ' ').trim();
  let head = `${MESSAGE_PREFIX}: ${commit.sha.slice(0, 7)}${subject ? ` ${subject}` : ''}`;
  if (head.length + tail.length > MAX_MESSAGE) head = `${head.slice(0, MAX_MESSAGE - tail.length - 1)}…`;
  return head + tail;
}

export function isOwnMessage(message: string | undefined): boolean {
  return (message ?? '').startsWith(MESSAGE_PREFIX);
}

export function messageHash(message: string | undefined): string | undefined {
  return HASH_RE.exec(message ?? '')?.[1];
}

type Get = <T>(
  path: string,
  opts?: { query?: Record<string, string | number>; allow?: number[] },
) => Promise<{ status: number; data: T }>;

export interface History {
  latest?: DashboardVersion;
  /** The latest version's real message (the first save's fetched on its own). */
  latestMessage?: string;
  /** Content hashes of dashboard-ci's versions, newest first. */
  ownHashes: string[];
  /** A version of the listed history was written by dashboard-ci. */
  everOwn: boolean;
}

function isFirstSave(v: DashboardVersion): boolean {
  return v.parentVersion === 0 || v.message === 'Initial save';
}

/** The last `limit` versions of a dashboard, with the first save's real message. */
export async function readHistory(get: Get, uid: string, limit = 20): Promise<History> {
  const enc = encodeURIComponent;
  const res = await get<unknown>(`/api/dashboards/uid/${enc(uid)}/versions`, {
    query: { limit },
    allow: [404],
  });
  if (res.status === 404) return { ownHashes: [], everOwn: false };
  const versions = versionsOf(res.data).sort((a, b) => (b.version ?? 0) - (a.version ?? 0));
  const messages: string[] = [];
  for (const v of versions) {
    let message = v.message ?? '';
    if (isFirstSave(v) && v.version !== undefined) {
      const one = await get<{ message?: string }>(`/api/dashboards/uid/${enc(uid)}/versions/${v.version}`, {
        allow: [404, 403],
      });
      if (one.status === 200 && typeof one.data?.message === 'string') message = one.data.message;
    }
    messages.push(message);
  }
  const own = messages.filter(isOwnMessage);
  return {
    ...(versions[0] ? { latest: versions[0], latestMessage: messages[0] } : {}),
    ownHashes: own.map(messageHash).filter((h): h is string => !!h),
    everOwn: own.length > 0,
  };
}
