import type { Finding, Position } from '../core/types.js';

// Limits on what a file may be before anything recursive touches it. A pull request controls the
// files: a dashboard nested 100,000 levels deep must cost one finding, not the run (momoa, ajv, the
// model builder and every rule walk values recursively and would overflow the stack).

/** Files over this size are reported, never read. Real dashboards are kilobytes; the largest public ones about 1 MB. */
export const DEFAULT_MAX_BYTES = 10 * 1024 * 1024;

/**
 * Deepest nesting of objects and arrays a dashboard document may have. The deepest of the 26 real
 * dashboards in the reference set nests 13 levels; a v2 resource adds about 8 (spec, elements, spec,
 * data, spec, queries, spec, query) and each nested row or tab layout about 4 more.
 */
export const MAX_DEPTH = 64;

/** YAML aliases a document may expand (the yaml library's own guard against "billion laughs"). */
export const MAX_YAML_ALIASES = 100;

export function formatMegabytes(bytes: number): string {
  const mb = bytes / (1024 * 1024);
  return `${mb >= 10 ? Math.round(mb) : Math.round(mb * 10) / 10} MB`;
}

export function tooLarge(file: string, size: number, maxBytes: number): Finding {
  return {
    rule: 'file-too-large',
    severity: 'error',
    message: `file is ${formatMegabytes(size)}, over the ${formatMegabytes(maxBytes)} limit for a dashboard`,
    file,
    line: 1,
    column: 1,
  };
}

export function tooDeep(file: string, at: Position, limit: number): Finding {
  return {
    rule: 'json-too-deep',
    severity: 'error',
    message: `objects and arrays nest deeper than ${limit} levels here; no dashboard does, so the file is not checked`,
    file,
    line: at.line,
    column: at.column,
  };
}

/**
 * Where JSON text first opens a bracket deeper than `limit`, or undefined. One pass, no recursion,
 * strings (with their escapes) skipped; the text need not be valid JSON.
 */
export function jsonDepthExceeded(text: string, limit: number): Position | undefined {
  let depth = 0;
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22 /* " */) {
      for (i++; i < text.length; i++) {
        const d = text.charCodeAt(i);
        if (d === 0x5c /* \ */) i++;
        else if (d === 0x22) break;
        else if (d === 0x0a) {
          line++;
          lineStart = i + 1;
        }
      }
    } else if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
      if (++depth > limit) return { line, column: i - lineStart + 1 };
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
      depth--;
    } else if (c === 0x0a) {
      line++;
      lineStart = i + 1;
    }
  }
  return undefined;
}

/** True when a value nests deeper than `limit` (walked with an explicit stack). */
export function valueDepthExceeds(value: unknown, limit: number): boolean {
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [v, d] = stack.pop()!;
    if (typeof v !== 'object' || v === null) continue;
    if (d + 1 > limit) return true;
    for (const child of Array.isArray(v) ? v : Object.values(v)) {
      if (typeof child === 'object' && child !== null) stack.push([child, d + 1]);
    }
  }
  return false;
}
