// The CLI driven in-process, its streams captured: what the CLI tests and the security tests share.

import { runCli } from '../../src/cli/run.js';
import type { Report } from '../../src/core/types.js';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * `dashboard-ci …argv` in `cwd` with an empty environment. `check` runs get --quiet: a slow machine
 * would otherwise put progress lines on stderr (they are tested on their own).
 */
export async function cli(cwd: string, ...argv: string[]): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv[0] === 'check' ? [...argv, '--quiet'] : argv, {
    cwd,
    env: {},
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
  });
  return { code, stdout, stderr };
}

/** The JSON report of a `--format json` run. */
export function json(run: CliRun): Report {
  return JSON.parse(run.stdout) as Report;
}
