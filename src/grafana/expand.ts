// Environment expansion in provisioning files, as Grafana's file provisioning does it
// (grafana/grafana pkg/services/provisioning/values/values.go `interpolateValue`, the same from
// 10.4 to 12.x):
//   1. the text is split on `$$` (a literal `$`);
//   2. each part goes through setting.ExpandVar (pkg/setting/expanders.go): `$__env{NAME}` and
//      `${NAME}` from the environment, `$__file{path}` is the file's content with surrounding white
//      space trimmed (an unreadable file is an error);
//   3. then Go's os.ExpandEnv: `$NAME` (letters, digits, `_`), `${NAME}`, and the one-character
//      shell names `$1`, `$*`, `$#`, ... An unset variable is the empty string; a `$` followed by
//      anything else stays as written; `${}` and an unclosed `${` are dropped (Go's "bad syntax").
// Booleans and integers are parsed after expansion (values.BoolValue / IntValue), so
// `isDefault: $IS_DEFAULT` works. Alert annotations only expand `${NAME}` (values.StringMapValue
// ValueWithBracedVars), so `{{ $labels.x }}` and `$value` stay; query models are taken raw (rules_types.go
// uses Model.Raw, so `$__timeFilter` survives).
//
// Grafana turns an unset variable into "" silently; dashboard-ci does the same but says so (a
// warning naming the variable and the file), or refuses it with grafana.strictVariables: true.

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
  /** Called once per unset variable (expanded to ""). */
  onUnset?: (name: string) => void;
  /** An unset variable is an error instead of "". */
  strict?: boolean;
}

// setting.ExpandVar's pattern: `$` then nothing or `__word`, then `{...}` with at least one character.
const EXPANDER = /\$(|__\w+)\{([^}]+)\}/g;
const SHELL_SPECIAL = '*#$@!?-0123456789';
const ALNUM = /[A-Za-z0-9_]/;

function lookup(name: string, ctx: ExpandContext): string {
  const value = ctx.env[name];
  if (value === undefined || value === '') {
    if (value === undefined) {
      if (ctx.strict)
        throw new ExpansionError(
          `environment variable ${name} is not set (grafana.strictVariables: true)`,
          name,
        );
      ctx.onUnset?.(name);
    }
    return '';
  }
  ctx.used?.add(value);
  return value;
}

function expandVars(part: string, ctx: ExpandContext): string {
  return part.replace(EXPANDER, (match, kind: string, arg: string) => {
    if (kind === '' || kind === '__env') return lookup(arg, ctx);
    if (kind === '__file') {
      const file = path.resolve(ctx.cwd, arg);
      try {
        const value = readFileSync(file, 'utf8').trim();
        ctx.used?.add(value);
        return value;
      } catch {
        throw new ExpansionError(`file "${arg}" named by $__file{} cannot be read`, arg);
      }
    }
    // Another expander (Enterprise's $__vault{...}) is not known here: left for os.ExpandEnv, as in Grafana.
    return match;
  });
}

/** Go's os.Expand with os.Getenv as the mapping. */
function expandEnv(s: string, ctx: ExpandContext): string {
  let out = '';
  let i = 0;
  while (i < s.length) {
    const c = s[i]!;
    if (c !== '$' || i + 1 >= s.length) {
      out += c;
      i++;
      continue;
    }
    const rest = s.slice(i + 1);
    if (rest[0] === '{') {
      if (rest.length > 2 && SHELL_SPECIAL.includes(rest[1]!) && rest[2] === '}') {
        out += lookup(rest[1]!, ctx);
        i += 4;
        continue;
      }
      const close = rest.indexOf('}');
      if (close === 1) {
        i += 3; // "${}": bad syntax, eaten
        continue;
      }
      if (close < 0) {
        i += 2; // "${" unclosed: eaten
        continue;
      }
      out += lookup(rest.slice(1, close), ctx);
      i += close + 2;
      continue;
    }
    if (SHELL_SPECIAL.includes(rest[0]!)) {
      out += lookup(rest[0]!, ctx);
      i += 2;
      continue;
    }
    let n = 0;
    while (n < rest.length && ALNUM.test(rest[n]!)) n++;
    if (n === 0) {
      out += '$'; // "$" not followed by a name: kept
      i++;
      continue;
    }
    out += lookup(rest.slice(0, n), ctx);
    i += n + 1;
  }
  return out;
}

export function expandString(text: string, ctx: ExpandContext): string {
  if (!text.includes('$')) return text;
  return text
    .split('$$')
    .map((part) => expandEnv(expandVars(part, ctx), ctx))
    .join('$');
}

/** Only `${NAME}`, as Grafana expands alert rule annotations (templates keep their `$labels`). */
export function expandBraced(text: string, ctx: ExpandContext): string {
  if (!text.includes('${')) return text;
  return text.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_m, name: string) => lookup(name, ctx));
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

/**
 * A boolean after expansion, as Go's strconv.ParseBool reads it (values.BoolValue): 1 t T TRUE true
 * True, 0 f F FALSE false False. A YAML boolean is taken as is; an absent value is `fallback`.
 */
export function parseBoolValue(v: unknown, what: string, fallback: boolean): boolean {
  if (v === undefined || v === null) return fallback;
  if (typeof v === 'boolean') return v;
  const t = String(v);
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(t)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(t)) return false;
  throw new ExpansionError(`${what} must be true or false, found ${JSON.stringify(t)}`, what);
}

/** An integer after expansion (values.IntValue): "" means not set. */
export function parseIntValue(v: unknown, what: string): number | undefined {
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v === 'number' && Number.isInteger(v)) return v;
  const t = String(v).trim();
  if (/^[+-]?\d+$/.test(t)) return Number(t);
  throw new ExpansionError(`${what} must be an integer, found ${JSON.stringify(String(v))}`, what);
}
