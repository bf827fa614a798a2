// One plain closing line, `N passed, N failed, N skipped`, after vitest's own summary: the form CI
// tools read to count tests whatever the runner.

import type { Reporter } from 'vitest/reporters';

type Task = { type: string; mode?: string; result?: { state?: string }; tasks?: Task[] };

function count(tasks: readonly Task[], totals: { passed: number; failed: number; skipped: number }): void {
  for (const t of tasks) {
    if (t.tasks) {
      // A file or suite that failed before its tests ran (an import error) is a failure too.
      if (t.type === 'suite' && t.result?.state === 'fail' && t.tasks.length === 0) totals.failed++;
      count(t.tasks, totals);
      continue;
    }
    if (t.result?.state === 'pass') totals.passed++;
    else if (t.result?.state === 'fail') totals.failed++;
    else totals.skipped++;
  }
}

export default class SummaryReporter implements Reporter {
  onFinished(files: readonly Task[] = []): void {
    const totals = { passed: 0, failed: 0, skipped: 0 };
    count(files, totals);
    process.stdout.write(`\n${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped\n`);
  }
}
