// Everything a report holds may come from a file a pull request controls: titles, messages (which quote
// SQL and ClickHouse errors), paths, SQL. Wherever such text is shown (a terminal or CI log, the PR
// comment, the job summary, annotations, review comments) control characters must not act: escape
// sequences (colours, cursor moves, OSC 8 hyperlinks, OSC 52 clipboard writes), C0/C1 controls, and the
// bidi controls that reorder what a reader sees ("Trojan Source", CVE-2021-42574). One function, so
// every edge strips the same set.

/* eslint-disable no-control-regex -- escape sequences and controls are exactly what must not get through */
const ESCAPE_SEQUENCE =
  /\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)?|[PX^_][^\x1b]*(?:\x1b\\)?|[\s\S]?)/g;
// C0, DEL, C1, Unicode's line and paragraph separators, and its bidi controls: marks (U+061C, U+200E,
// U+200F), embeddings and overrides (U+202A–U+202E), isolates (U+2066–U+2069).
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]+/g;
// The same, line feeds and tabs kept (a code block of SQL keeps its lines).
const CONTROL_IN_LINES =
  /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]+/g;
/* eslint-enable no-control-regex */

/**
 * Untrusted text made inert: escape sequences removed, every other control character (C0, C1, bidi)
 * a space. One line, unless `lines` keeps its line breaks (CRLF and CR become LF) and tabs.
 */
export function safeText(text: string, opts: { lines?: boolean } = {}): string {
  const plain = text.replace(ESCAPE_SEQUENCE, '');
  if (!opts.lines) return plain.replace(CONTROL, ' ');
  return plain.replace(/\r\n?/g, '\n').replace(CONTROL_IN_LINES, ' ');
}

/** True when `text` holds a character safeText would change (a suggestion must then not be offered). */
export function hasUnsafeText(text: string): boolean {
  return safeText(text, { lines: true }) !== text.replace(/\r\n?/g, '\n');
}
