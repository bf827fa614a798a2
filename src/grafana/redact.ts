// Every string that leaves provisioning (log lines, errors, diffs, the result) passes through one
// Redactor, so a secret that leaks into an unexpected place (a Grafana error echoing a datasource URL,
// a proxy's HTML error page) is still masked.

import { maskUserinfo } from '../core/url.js';

const MASK = '***';
/** Secrets shorter than this are not masked by value: masking "a" would mangle every message. */
const MIN_SECRET_LENGTH = 4;

export class Redactor {
  private readonly secrets = new Set<string>();
  private ordered: string[] = [];

  add(...values: (string | undefined)[]): void {
    let changed = false;
    for (const value of values) {
      if (!value || value.length < MIN_SECRET_LENGTH || this.secrets.has(value)) continue;
      this.secrets.add(value);
      // The encoded forms travel too: a token inside a URL or a basic-auth header.
      const encoded = encodeURIComponent(value);
      if (encoded !== value) this.secrets.add(encoded);
      changed = true;
    }
    // Longest first, so a secret that contains another is masked whole.
    if (changed) this.ordered = [...this.secrets].sort((a, b) => b.length - a.length);
  }

  redact(text: string): string {
    let out = maskUserinfo(text);
    for (const secret of this.ordered) {
      if (out.includes(secret)) out = out.split(secret).join(MASK);
    }
    return out;
  }

  /** Masks every string inside a JSON-like value (error bodies). */
  redactValue<T>(value: T): T {
    if (typeof value === 'string') return this.redact(value) as T;
    if (Array.isArray(value)) return value.map((v) => this.redactValue(v)) as T;
    if (value && typeof value === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) out[k] = this.redactValue(v);
      return out as T;
    }
    return value;
  }
}

export { stripUserinfo } from '../core/url.js';
