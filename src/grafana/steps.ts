// What every planned object is, and how a failed Grafana call becomes a step error: shared by the plan,
// apply, and the modules that plan one kind of object (library panels, dashboard resources).

import type { ProvisionAction, ProvisionKind, ProvisionOutcome } from './types.js';
import { GrafanaApiError } from './client.js';

export interface StepError {
  status?: number;
  /** A stable word for the kind of failure: version-mismatch, read-only, conflict, invalid, drift... */
  code: string;
  message: string;
}

export interface BaseStep {
  kind: ProvisionKind;
  uid: string;
  title?: string;
  file?: string;
  action: ProvisionAction;
  diff: string[];
  drift?: boolean;
  warning?: string;
  /** Set when the object cannot be planned or applied; the step then fails without a write. */
  error?: StepError;
  /** Set by apply. */
  result?: ProvisionOutcome;
}

/** A GET through the plan's guard (a 401 stops the plan). */
export type Get = <T>(
  path: string,
  opts?: { query?: Record<string, string | number>; allow?: number[] },
) => Promise<{ status: number; data: T }>;

/** A failed call as a step error naming the object, with a distinct code per kind of failure. */
export function failure(name: string, err: unknown, fallbackCode = 'error'): StepError {
  if (!(err instanceof GrafanaApiError))
    return { code: fallbackCode, message: `${name}: ${(err as Error)?.message ?? String(err)}` };
  const s = err.status;
  const g = err.grafanaStatus;
  const said = err.grafanaMessage ?? '';
  const with_ = (code: string, text: string): StepError => ({
    ...(s !== undefined ? { status: s } : {}),
    code,
    message: `${name}: ${text}`,
  });
  if (err.code === 'not-json') return with_('not-json', err.message);
  if (s === undefined) return with_(err.code === 'ETIMEDOUT' ? 'timeout' : 'unreachable', err.message);
  if (s === 401)
    return with_('unauthorized', `Grafana refused the credentials (401${said ? `: ${said}` : ''})`);
  if (s === 403)
    return with_(
      'forbidden',
      `access denied (403${said ? `: ${said}` : ''}); the token lacks a permission this needs`,
    );
  if (s === 404) return with_('not-found', `not found (404${said ? `: ${said}` : ''})`);
  if (s === 409) return with_('conflict', `conflicts with an existing object (409: ${said || 'conflict'})`);
  if (s === 412) {
    if (g === 'version-mismatch')
      return with_(
        'version-mismatch',
        `changed by someone else while dashboard-ci was writing it (412 version-mismatch: ${said})`,
      );
    if (g === 'plugin-dashboard')
      return with_(
        'plugin-dashboard',
        `belongs to a plugin; Grafana refuses to overwrite it (412 plugin-dashboard: ${said})`,
      );
    if (g === 'name-exists')
      return with_(
        'name-exists',
        `another dashboard in the same folder has this title (412 name-exists: ${said})`,
      );
    return with_('precondition-failed', `precondition failed (412${g ? ` ${g}` : ''}: ${said})`);
  }
  if (s === 400 || s === 422) return with_('invalid', `Grafana rejected it (${s}: ${said || 'bad request'})`);
  if (s === 429) return with_('rate-limited', err.message);
  if (s >= 500) return with_('server-error', err.message);
  return with_('error', err.message);
}

/** `prior; next`, or `next` alone. */
export function appendNote(prior: string | undefined, next: string): string {
  return prior ? `${prior}; ${next}` : next;
}

/** A prune that cannot run, as one failed step of that kind. */
export function pruneBlockedStep<K extends ProvisionKind>(kind: K, message: string) {
  return {
    kind,
    uid: '',
    action: 'skip' as const,
    diff: [] as string[],
    error: { code: 'prune-blocked', message },
  };
}

/**
 * A delete of something dashboard-ci found gone from the repository; one that Grafana's own file
 * provisioning made (provenance "file") is reported and never deleted.
 */
export function pruneStep<K extends ProvisionKind, C extends { provenance?: string }>(
  kind: K,
  uid: string,
  title: string | undefined,
  current: C,
  file?: string,
) {
  const fromFile = current.provenance === 'file';
  return {
    kind,
    uid,
    ...(title ? { title } : {}),
    ...(file ? { file } : {}),
    action: fromFile ? ('skip' as const) : ('delete' as const),
    diff: [] as string[],
    current,
    ...(fromFile
      ? {
          warning:
            'provisioned from a file on the Grafana server (provenance "file"): never deleted by dashboard-ci',
        }
      : {}),
  };
}

/**
 * The deletes of a notification-side kind (contact points, templates) that lives in alert files: the
 * files' explicit deletes (deleteContactPoints, deleteTemplates), then, unless an input could not be
 * read (what it holds would look gone), everything listed that dashboard-ci owns and the repository no
 * longer has. Only with prune; a key both deleted and desired stays (Grafana's file provisioning deletes
 * before it creates). Never a file-provisioned one (pruneStep says so).
 */
export function planOwnedPrune<K extends ProvisionKind, T extends { provenance?: string }>(opts: {
  kind: K;
  /** Plural, for messages: "contact points". */
  what: string;
  listed: readonly T[];
  key: (item: T) => string;
  title: (item: T) => string | undefined;
  owned: (item: T) => boolean;
  /** Keys the repository wants. */
  wanted: Iterable<string>;
  explicit: readonly { key: string; file: string }[];
  /** The files' key that lists explicit deletes, for the note without prune. */
  explicitKey: string;
  /** Inputs of this kind (or whole alert files) that could not be read. */
  broken: number;
  prune: boolean;
  log: (line: string) => void;
}): (ReturnType<typeof pruneStep<K, T>> | ReturnType<typeof pruneBlockedStep<K>>)[] {
  if (!opts.prune) {
    if (opts.explicit.length)
      opts.log(
        `${opts.explicit.length} ${opts.what} listed in ${opts.explicitKey}: deleted only with --prune`,
      );
    return [];
  }
  const wanted = new Set(opts.wanted);
  const byKey = new Map(opts.listed.map((t) => [opts.key(t), t]));
  const out: (ReturnType<typeof pruneStep<K, T>> | ReturnType<typeof pruneBlockedStep<K>>)[] = [];
  for (const del of opts.explicit) {
    const current = byKey.get(del.key);
    if (wanted.has(del.key) || !current) continue;
    out.push(pruneStep(opts.kind, del.key, opts.title(current), current, del.file));
    wanted.add(del.key);
  }
  if (opts.broken > 0) {
    out.push(
      pruneBlockedStep(
        opts.kind,
        `prune of ${opts.what} skipped: ${opts.broken} input(s) of ${opts.what} or alert files could not be read, and what a broken file holds would look gone from the repository`,
      ),
    );
    return out;
  }
  for (const t of opts.listed) {
    const key = opts.key(t);
    if (!wanted.has(key) && opts.owned(t) && t.provenance !== 'file')
      out.push(pruneStep(opts.kind, key, opts.title(t), t));
  }
  return out;
}

/** Grafana reads X-Disable-Provenance by its presence, not its value (api_provisioning.go determineProvenance). */
export function provenanceHeaders(disableProvenance: boolean): Record<string, string> {
  return disableProvenance ? { 'X-Disable-Provenance': 'true' } : {};
}

/**
 * Reads back what was written with one listing: a written object missing from it fails
 * (verify-failed), one that differs gets a warning (the next run will try again).
 */
export async function verifyByListing<S extends BaseStep, T>(
  written: S[],
  list: () => Promise<T[]>,
  find: (s: S, items: T[]) => T | undefined,
  differences: (s: S, item: T) => string[],
  name: (s: S) => string,
): Promise<void> {
  if (written.length === 0) return;
  let items: T[];
  try {
    items = await list();
  } catch (err) {
    for (const s of written) {
      s.result = 'failed';
      s.error = { ...failure(`${name(s)} was written but cannot be read back`, err), code: 'verify-failed' };
    }
    return;
  }
  for (const s of written) {
    const item = find(s, items);
    if (item === undefined) {
      s.result = 'failed';
      s.error = { code: 'verify-failed', message: `${name(s)} was written but Grafana does not list it` };
      continue;
    }
    const diff = differences(s, item);
    if (diff.length)
      s.warning = appendNote(
        s.warning,
        `read back differs from what was sent (Grafana rewrote it; the next run will try again): ${diff.slice(0, 3).join('; ')}`,
      );
  }
}

/**
 * A listing a kind is planned from failed: each of the repository's objects of that kind fails with
 * Grafana's answer (and the permission a 403 lacks), and so does their prune. Returns the deletes.
 */
export function failListing<K extends ProvisionKind>(
  kind: K,
  what: string,
  err: unknown,
  planned: { step: BaseStep; name: string }[],
  opts: { prune: boolean; permissionHint?: string },
): ReturnType<typeof pruneBlockedStep<K>>[] {
  const error = failure(what, err);
  if (err instanceof GrafanaApiError && err.status === 403 && opts.permissionHint)
    error.message += `; ${opts.permissionHint}`;
  for (const { step, name } of planned) {
    step.action = 'skip';
    step.error = { ...error, message: `${name}: ${error.message}` };
  }
  return opts.prune
    ? [pruneBlockedStep(kind, `prune of ${what} skipped: the listing it needs failed (${error.message})`)]
    : [];
}
