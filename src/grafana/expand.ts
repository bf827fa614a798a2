// Environment expansion in provisioning files, as Grafana's file provisioning does it
// (pkg/services/provisioning/values): `$$` is a literal `$`; `$VAR` and `${VAR}` come from the
// environment; `$__env{VAR}` too, and `$__file{path}` is the content of a file. One difference, on
// purpose: Grafana turns an unset variable into an empty string; dashboard-ci refuses it, because an
// empty password or URL deployed silently is worse than a failed datasource.

import { readFileSync } from 'node:fs';
import path from 'node:path';

export class ExpansionError extends Error {
  override readonly name = 'ExpansionError';
  constructor(
    message: string,
    readonly variable: string,
  ) {
    super(message);
  }
}

export interface ExpandContext {
  env: Record<string, string | undefined>;
  /** Base directory for relative `$__file{...}` paths. */
  cwd: string;
  /** Values that came from the environment or files (so they can be masked when secret). */
  used?: Set<string>;
}

const TOKEN = /\$__env\{([^}]*)\}|\$__file\{([^}]*)\}|\$\{([^}]*)\}|\$([A-Za-z0-9_]+)/g;

export function expandString(text: string, ctx: ExpandContext): string {
  if (!text.includes('$')) return text;
  return text
    .split('$$')
    .map((part) =>
      part.replace(TOKEN, (_m, envName?: string, fileName?: string, braced?: string, bare?: string) => {
        if (fileName !== undefined) {
          const file = path.resolve(ctx.cwd, fileName.trim());
          try {
            const value = readFileSync(file, 'utf8').trim();
            ctx.used?.add(value);
            return value;
          } catch {
            throw new ExpansionError(`file "${fileName.trim()}" named by $__file{} cannot be read`, fileName);
          }
        }
        const name = (envName ?? braced ?? bare ?? '').trim();
        if (name === '') throw new ExpansionError('empty variable name in ${}', '');
        const value = ctx.env[name];
        if (value === undefined) throw new ExpansionError(`environment variable ${name} is not set`, name);
        ctx.used?.add(value);
        return value;
      }),
    )
    .join('$');
}

/** Expands every string inside a parsed YAML value (keys stay as written). */
export function expandDeep<T>(value: T, ctx: ExpandContext): T {
  if (typeof value === 'string') return expandString(value, ctx) as T;
  if (Array.isArray(value)) return value.map((v) => expandDeep(v, ctx)) as T;
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = expandDeep(v, ctx);
    return out as T;
  }
  return value;
}
