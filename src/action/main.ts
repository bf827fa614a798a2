// The Action's entry (dist/index.js): run, catch, setFailed. The logic is in run.ts.

import * as core from '@actions/core';
import { UsageError } from '../core/types.js';
import { realEdges } from './edges.js';
import { runAction } from './run.js';

function oneLine(err: unknown): string {
  if (err instanceof UsageError) return err.message;
  const e = err as Error;
  if (e?.stack) core.debug(e.stack);
  return `internal error: ${e?.message ?? String(err)}`;
}

try {
  const outcome = await runAction(realEdges());
  if (outcome.failed) core.setFailed(outcome.message ?? 'dashboard-ci failed');
} catch (err) {
  core.setFailed(oneLine(err));
}
