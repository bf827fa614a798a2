// Structural equality and a readable diff: one line per changed JSON path, `path: old → new`,
// long values shortened. Arrays of objects keyed by id / refId / uid / name (panels, targets,
// rules) are matched by that key, so inserting one panel is one line, not one per shifted panel.

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== 'object') return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    return a.length === bb.length && a.every((v, i) => deepEqual(v, bb[i]));
  }
  const ao = a as Record<string, unknown>;
  const bo = b as Record<string, unknown>;
  const ak = Object.keys(ao).filter((k) => ao[k] !== undefined);
  const bk = Object.keys(bo).filter((k) => bo[k] !== undefined);
  return ak.length === bk.length && ak.every((k) => Object.hasOwn(bo, k) && deepEqual(ao[k], bo[k]));
}

export interface DiffOptions {
  /** Lines kept; the rest is summarised as "… and N more changes" (default 20). */
  maxLines?: number;
  /** Characters per shown value (default 60). */
  maxValue?: number;
}

/** `path: old → new` lines from `before` (Grafana) to `after` (the repository). */
export function jsonDiff(before: unknown, after: unknown, opts: DiffOptions = {}, prefix = ''): string[] {
  const lines: string[] = [];
  walk(before, after, prefix, lines, opts.maxValue ?? 60);
  const max = opts.maxLines ?? 20;
  if (lines.length > max) {
    const more = lines.length - max;
    return [...lines.slice(0, max), `… and ${more} more change${more === 1 ? '' : 's'}`];
  }
  return lines;
}

const KEYS = ['id', 'refId', 'uid', 'name'] as const;

function walk(a: unknown, b: unknown, path: string, out: string[], maxValue: number): void {
  if (deepEqual(a, b)) return;
  if (isObject(a) && isObject(b)) {
    const keys = [...Object.keys(b), ...Object.keys(a).filter((k) => !Object.hasOwn(b, k))];
    for (const k of keys) walk(a[k], b[k], join(path, k), out, maxValue);
    return;
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    const key = matchKey(a, b);
    if (key) {
      const before = new Map(a.map((v) => [(v as Record<string, unknown>)[key], v]));
      const seen = new Set<unknown>();
      for (const v of b) {
        const id = (v as Record<string, unknown>)[key];
        seen.add(id);
        walk(before.get(id), v, `${path}[${key}=${fmtKey(id)}]`, out, maxValue);
      }
      for (const v of a) {
        const id = (v as Record<string, unknown>)[key];
        if (!seen.has(id)) walk(v, undefined, `${path}[${key}=${fmtKey(id)}]`, out, maxValue);
      }
      const order = (arr: unknown[]) => arr.map((v) => (v as Record<string, unknown>)[key]);
      const ao = order(a).filter((id) => seen.has(id));
      const bo = order(b).filter((id) => before.has(id));
      if (!deepEqual(ao, bo))
        out.push(`${path || '(root)'}: order ${short(ao, maxValue)} → ${short(bo, maxValue)}`);
      return;
    }
    // Scalar lists of another length (tags) read best whole; anything else element by element.
    const scalars = a.every(isScalar) && b.every(isScalar);
    if (a.length === b.length || !scalars) {
      const n = Math.max(a.length, b.length);
      for (let i = 0; i < n; i++) walk(a[i], b[i], `${path}[${i}]`, out, maxValue);
      return;
    }
  }
  out.push(`${path || '(root)'}: ${short(a, maxValue)} → ${short(b, maxValue)}`);
}

function matchKey(a: unknown[], b: unknown[]): string | undefined {
  const all = [...a, ...b];
  if (all.length === 0 || !all.every(isObject)) return undefined;
  for (const k of KEYS) {
    const ok = (arr: unknown[]) => {
      const ids = arr.map((v) => (v as Record<string, unknown>)[k]);
      return (
        ids.every((id) => typeof id === 'string' || typeof id === 'number') &&
        new Set(ids).size === ids.length
      );
    };
    if (ok(a) && ok(b)) return k;
  }
  return undefined;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isScalar(v: unknown): boolean {
  return v === null || typeof v !== 'object';
}

function join(path: string, key: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(key) ? (path ? `${path}.${key}` : key) : `${path}[${JSON.stringify(key)}]`;
}

function fmtKey(id: unknown): string {
  return typeof id === 'string' ? JSON.stringify(id) : String(id);
}

/** A value as shown in a diff: JSON, cut to `max` characters. */
export function short(v: unknown, max = 60): string {
  if (v === undefined) return '(absent)';
  const text = JSON.stringify(v) ?? String(v);
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
