// Every string that leaves provisioning (log lines, errors, diffs, the result) passes through one
// Redactor, so a secret that leaks into an unexpected place (a Grafana error echoing a datasource URL,
// a proxy's HTML error page) is still masked.
//
// A secret travels in more than one spelling: Grafana's error bodies quote the request as JSON (a
// password holding `"` or `\` comes back as `\"` or `\\`, and a body quoted inside another JSON
// string doubles that), URLs and form bodies carry it percent-encoded (`%20` or `+` for a space),
// and basic auth carries it in base64. Each of these forms is masked, not only the raw value.

import { maskUserinfo } from '../core/url.js';

const MASK = '***';
/** Secrets shorter than this are not masked by value: masking "a" would mangle every message. */
const MIN_SECRET_LENGTH = 4;

/** The spellings under which a value can appear in a message, a body or a URL. */
export function secretForms(value: string): string[] {
  const json = JSON.stringify(value).slice(1, -1);
  const jsonTwice = JSON.stringify(json).slice(1, -1);
  const uri = encodeURIComponent(value);
  const form = new URLSearchParams({ v: value }).toString().slice(2);
  // Grafana's Go encoder escapes <, > and & as \u003c, \u003e, \u0026 (encoding/json HTML-safe default).
  const goJson = json.replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026');
  return [...new Set([value, json, jsonTwice, goJson, uri, form, JSON.stringify(uri).slice(1, -1)])];
}

export class Redactor {
  private readonly secrets = new Set<string>();
  private ordered: string[] = [];

  add(...values: (string | undefined)[]): void {
    let changed = false;
    for (const value of values) {
      if (!value || value.length < MIN_SECRET_LENGTH) continue;
      for (const form of secretForms(value)) {
        if (form.length < MIN_SECRET_LENGTH || this.secrets.has(form)) continue;
        this.secrets.add(form);
        changed = true;
      }
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

  /** Masks every string inside a JSON-like value (error bodies), keys included. */
  redactValue<T>(value: T): T {
    if (typeof value === 'string') return this.redact(value) as T;
    if (Array.isArray(value)) return value.map((v) => this.redactValue(v)) as T;
    if (value && typeof value === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) out[this.redact(k)] = this.redactValue(v);
      return out as T;
    }
    return value;
  }
}

export { stripUserinfo } from '../core/url.js';
