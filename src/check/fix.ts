import { lstat, readFile, realpath, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Finding, Fix } from '../core/types.js';
import { inside } from '../dashboards/files.js';
import { runCheck } from './run.js';
import type { CheckOptions, CheckResult } from './types.js';

// `dashboard-ci check --fix`: the mechanical fixes the rules attach to their findings (Finding.fix, the
// same ones the PR review offers as suggested changes), written into the files the check read. Each fix
// replaces a range of the file's text, so the rest of the file keeps its formatting byte for byte.

/** ESLint's bound: a fix that keeps making new fixable findings is a bug, not a reason to loop forever. */
export const MAX_FIX_PASSES = 10;

export interface FileFixes {
  file: string;
  /** The fixes applied, in file order (overlapping ones left for the next pass). */
  applied: Finding[];
}

export interface FixOutcome {
  files: FileFixes[];
  /** Files with fixes that were not written, each with why (one line). */
  refused: string[];
}

/**
 * The text with every fix that does not overlap an earlier one applied, and the fixes that were.
 * Two insertions at one place also count as overlapping: their order would be a guess.
 */
export function applyToText(text: string, fixes: readonly Fix[]): { text: string; applied: Fix[] } {
  const sorted = fixes
    .filter(
      (f) =>
        Number.isInteger(f.range[0]) &&
        Number.isInteger(f.range[1]) &&
        f.range[0] >= 0 &&
        f.range[0] <= f.range[1] &&
        f.range[1] <= text.length,
    )
    .map((f, i) => ({ f, i }))
    .sort((a, b) => a.f.range[0] - b.f.range[0] || a.f.range[1] - b.f.range[1] || a.i - b.i);
  const applied: Fix[] = [];
  let out = '';
  let at = 0;
  let lastStart = -1;
  for (const { f } of sorted) {
    const [start, end] = f.range;
    if (start < at || start === lastStart) continue;
    // Already as the fix would make it: nothing to do (a second --fix run changes nothing).
    if (text.slice(start, end) === f.text) continue;
    out += text.slice(at, start) + f.text;
    at = end;
    lastStart = start;
    applied.push(f);
  }
  return { text: out + text.slice(at), applied };
}

/**
 * Writes the fixes of `findings` into their files. Only files the check read (`texts`) are touched,
 * only when they still hold the text that was checked, and only inside the working directory: a file
 * reached through a link is written at its real path, and never when that path is outside.
 */
export async function writeFixes(
  cwd: string,
  findings: readonly Finding[],
  texts: ReadonlyMap<string, string>,
): Promise<FixOutcome> {
  const byFile = new Map<string, Finding[]>();
  for (const f of findings) {
    if (!f.fix || !texts.has(f.file)) continue;
    const list = byFile.get(f.file);
    if (list) list.push(f);
    else byFile.set(f.file, [f]);
  }
  const outcome: FixOutcome = { files: [], refused: [] };
  const root = await realpath(cwd);
  for (const [file, list] of byFile) {
    const abs = path.resolve(cwd, file);
    let real: string;
    try {
      real = await realpath(abs);
    } catch (err) {
      outcome.refused.push(`${file}: not fixed: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
      continue;
    }
    if (!inside(abs, path.resolve(cwd)) || !inside(real, root)) {
      outcome.refused.push(`${file}: not fixed: it is outside the working directory`);
      continue;
    }
    const current = await readFile(real, 'utf8').catch(() => undefined);
    // The loader reads a BOM as a space (same offsets): compared the same way, written back as it was.
    const seen = current?.charCodeAt(0) === 0xfeff ? ' ' + current.slice(1) : current;
    if (current === undefined || seen !== texts.get(file)) {
      outcome.refused.push(`${file}: not fixed: it changed while it was checked`);
      continue;
    }
    // The same Fix object may stand in two findings (one range): applied once, counted for both.
    const unique = [...new Set(list.map((f) => f.fix!))];
    const { text, applied } = applyToText(current, unique);
    if (applied.length === 0) continue;
    await replaceFile(real, text);
    const done = new Set(applied);
    outcome.files.push({ file, applied: list.filter((f) => done.has(f.fix!)) });
  }
  return outcome;
}

/** Write beside, then rename over: a reader never sees half a file; the file keeps its mode. */
async function replaceFile(real: string, text: string): Promise<void> {
  const info = await stat(real);
  const tmp = path.join(path.dirname(real), `.${path.basename(real)}.dashboard-ci-fix-${process.pid}`);
  // A leftover of a killed run (or a planted link) in the temporary name's place goes first.
  if (await lstat(tmp).catch(() => undefined)) await rm(tmp, { force: true });
  try {
    await writeFile(tmp, text, { mode: info.mode & 0o7777, flag: 'wx' });
    await rename(tmp, real);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}

export interface FixRun extends CheckResult {
  /** Findings fixed, over every pass. */
  fixed: number;
  /** Files written, in the order first written. */
  fixedFiles: string[];
  refused: string[];
}

/**
 * Check, write the fixes of the findings that count (with a base and filter `changed`, only those
 * about the change), check again; until nothing more is fixed. The result is the last check's.
 */
export async function runCheckAndFix(
  opts: CheckOptions,
  check: (o: CheckOptions) => Promise<CheckResult> = runCheck,
): Promise<FixRun> {
  let fixed = 0;
  const fixedFiles: string[] = [];
  const refused = new Set<string>();
  let result = await check(opts);
  for (let pass = 0; pass < MAX_FIX_PASSES; pass++) {
    if (!result.texts || !result.report.findings.some((f) => f.fix)) break;
    const outcome = await writeFixes(opts.cwd, result.report.findings, result.texts);
    for (const r of outcome.refused) refused.add(r);
    if (outcome.files.length === 0) break;
    for (const f of outcome.files) {
      fixed += f.applied.length;
      if (!fixedFiles.includes(f.file)) fixedFiles.push(f.file);
    }
    result = await check(opts);
  }
  return { ...result, fixed, fixedFiles, refused: [...refused] };
}
