// Plain log output of untrusted text (panel titles, SQL, ClickHouse and Grafana messages, file
// names from a PR). The runner treats any stdout line starting with `::` as a workflow command, so
// such text is only written between `::stop-commands::<token>` and `::<token>::`, with a token
// nobody can guess. Annotation messages need no window: @actions/core escapes % CR LF in the
// message (and also : , in properties), so they stay one line that starts with our own `::error`.

export interface LogSink {
  /** Raw stdout: every call is one or more whole lines ending in '\n'. */
  write(text: string): void;
}

export class SafeLog {
  private depth = 0;
  private token = '';

  constructor(
    private readonly sink: LogSink,
    private readonly newToken: () => string,
  ) {}

  /** Text we wrote ourselves (no untrusted part). */
  trusted(line: string): void {
    this.sink.write(line.endsWith('\n') ? line : line + '\n');
  }

  /** Untrusted text, in its own stop-commands window unless one is already open. */
  untrusted(text: string): void {
    const body = text.endsWith('\n') ? text : text + '\n';
    if (this.depth > 0) {
      this.sink.write(body);
      return;
    }
    const token = this.newToken();
    this.sink.write(`::stop-commands::${token}\n${body}::${token}::\n`);
  }

  /**
   * Runs fn with workflow commands stopped, for phases that stream untrusted lines (provisioning's
   * progress). No annotation or mask may be issued inside: the runner would ignore it.
   */
  async window<T>(fn: () => Promise<T>): Promise<T> {
    if (this.depth === 0) {
      this.token = this.newToken();
      this.sink.write(`::stop-commands::${this.token}\n`);
    }
    this.depth++;
    try {
      return await fn();
    } finally {
      this.depth--;
      if (this.depth === 0) this.sink.write(`::${this.token}::\n`);
    }
  }

  get inWindow(): boolean {
    return this.depth > 0;
  }
}
