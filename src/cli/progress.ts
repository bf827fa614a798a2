import type { CheckStage } from '../check/types.js';

/**
 * Progress of a check on stderr, with the stages named. On a terminal one line is rewritten in place
 * and erased at the end; elsewhere (a CI log, a pipe) each stage is one line, and the EXPLAIN count is
 * repeated at most once per `intervalMs`, so a 10,000-query run writes a handful of lines, not 10,000.
 *
 * Like git's progress meters it is delayed: nothing is written before `delayMs` (a quick run, or one
 * that stops at once with a usage error, keeps stderr to its one line); then the current stage is
 * shown and every later one. `--progress` sets the delay to 0, `--quiet` turns it off.
 */
export interface ProgressStream {
  write(s: string): unknown;
  isTTY?: boolean;
}

export interface ProgressOptions {
  stream: ProgressStream;
  /** Milliseconds between two EXPLAIN count lines off a terminal (default 5 s; 100 ms on a terminal). */
  intervalMs?: number;
  /** Milliseconds before the first line (default 2 s); 0 shows every stage from the start. */
  delayMs?: number;
  /** The clock, for tests. */
  now?: () => number;
}

export interface Progress {
  stage(stage: CheckStage): void;
  explained(done: number, total: number): void;
  /** Erases the live line on a terminal; prints nothing otherwise. */
  end(): void;
}

const LABELS: Record<CheckStage, string> = {
  loading: 'loading files',
  linting: 'linting',
  engine: 'starting the ClickHouse engine (schema and seed)',
  explain: 'EXPLAIN',
  execute: 'running the panel queries on the test data',
  reporting: 'reporting',
};

export function createProgress(opts: ProgressOptions): Progress {
  const tty = Boolean(opts.stream.isTTY);
  const now = opts.now ?? Date.now;
  const interval = opts.intervalMs ?? (tty ? 100 : 5000);
  const delay = opts.delayMs ?? 2000;
  let live = false;
  let lastCount = -Infinity;
  let current: CheckStage | undefined;
  let started = delay <= 0;
  /** What would be on screen now, shown when the delay is over. */
  let pending: string | undefined;
  // A stage without callbacks (the seed load) may outlast the delay: a timer shows it then.
  const timer = started
    ? undefined
    : setTimeout(() => {
        started = true;
        if (pending !== undefined) write(pending);
        pending = undefined;
      }, delay);
  timer?.unref?.();

  const show = (text: string): void => {
    if (!started) {
      pending = text;
      return;
    }
    write(text);
  };

  const write = (text: string): void => {
    if (tty) {
      opts.stream.write(`\r\x1b[K${text}`);
      live = true;
    } else {
      opts.stream.write(`dashboard-ci: ${text}\n`);
    }
  };

  return {
    stage(stage) {
      if (stage === current) return;
      current = stage;
      // The EXPLAIN stage is shown with its first count.
      if (stage !== 'explain') show(LABELS[stage]);
    },
    explained(done, total) {
      const t = now();
      const last = done === 0 || done === total;
      if (!last && t - lastCount < interval) return;
      lastCount = t;
      show(`${LABELS.explain} ${done}/${total}`);
    },
    end() {
      if (timer) clearTimeout(timer);
      started = false;
      if (tty && live) opts.stream.write('\r\x1b[K');
      live = false;
    },
  };
}
