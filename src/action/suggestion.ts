// A rule's mechanical fix (Finding.fix: replace a range of the file's text) as a GitHub suggested
// change: a suggestion replaces whole lines of the head's file, so the fix is widened to the lines it
// touches. `dashboard-ci check --fix` applies the same Fix locally.

import type { Fix } from '../core/types.js';
import { fenceFor } from '../report/md.js';

export interface Suggestion {
  /** 1-based lines of the file the suggestion replaces, inclusive. */
  startLine: number;
  endLine: number;
  /** The new text of those lines, without the final line break ('' deletes them). */
  replacement: string;
}

function lineOf(text: string, index: number): number {
  let line = 1;
  for (let i = text.indexOf('\n'); i !== -1 && i < index; i = text.indexOf('\n', i + 1)) line++;
  return line;
}

/** The suggestion of a fix on `text`, or undefined when the fix does not fit the text. */
export function suggestionFor(text: string, fix: Fix): Suggestion | undefined {
  const [start, end] = fix.range;
  if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || end < start || end > text.length)
    return undefined;
  const lineStart = text.lastIndexOf('\n', start - 1) + 1;
  // The last character the fix touches decides the last line (a removed line break belongs to its line).
  const last = end > start ? end - 1 : start;
  let lineEnd = text.indexOf('\n', last);
  if (lineEnd === -1) lineEnd = text.length;
  const through = lineEnd < text.length ? lineEnd + 1 : lineEnd;
  let replacement = text.slice(lineStart, start) + fix.text + text.slice(end, through);
  if (through > lineEnd && replacement.endsWith('\n')) replacement = replacement.slice(0, -1);
  return {
    startLine: lineOf(text, lineStart),
    endLine: lineOf(text, Math.min(last, text.length)),
    replacement,
  };
}

/** The markdown of a suggested change (a fence GitHub renders as "Suggested change", with Commit). */
export function suggestionBlock(s: Suggestion): string {
  const fence = fenceFor(s.replacement);
  return s.replacement === ''
    ? `${fence}suggestion\n${fence}`
    : `${fence}suggestion\n${s.replacement}\n${fence}`;
}
