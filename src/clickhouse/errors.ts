import type { EngineErrorInfo } from '../core/types.js';

/** chdb cannot be loaded here (Windows, musl, a missing or broken install): use a ClickHouse server. */
export class EngineUnavailableError extends Error {
  override readonly name = 'EngineUnavailableError';
}

/** A ClickHouse error outside an EXPLAIN verdict: a schema/seed statement failed, a server refused us. */
export class EngineError extends Error {
  override readonly name: string = 'EngineError';
  constructor(
    message: string,
    readonly info?: EngineErrorInfo,
  ) {
    super(message);
  }
}

/** What the schema/seed policy refused: the statement kind and why (schema-policy.ts). */
export interface StatementRefusal {
  kind: string;
  reason: string;
}

/**
 * A schema or seed statement failed or was refused (`refusal`: nothing of it ran); `index` is 0-based
 * within its list.
 */
export class EnginePrepareError extends EngineError {
  override readonly name = 'EnginePrepareError';
  constructor(
    message: string,
    readonly list: 'schema' | 'seed',
    readonly index: number,
    info?: EngineErrorInfo,
    readonly refusal?: StatementRefusal,
  ) {
    super(message, info);
  }
}

/** The server could not be reached, or it rejected the credentials (info.code 516 and friends). */
export class EngineConnectionError extends EngineError {
  override readonly name = 'EngineConnectionError';
}

/** A worker process of the pool died (chdb crashed) while it held this query. */
export class EngineCrashedError extends EngineError {
  override readonly name = 'EngineCrashedError';
}

/** Thrown by the SQL runners with ClickHouse's parsed error; the explain pipeline turns it into an outcome. */
export class ClickHouseQueryError extends Error {
  override readonly name = 'ClickHouseQueryError';
  constructor(readonly info: EngineErrorInfo) {
    super(`${info.code} ${info.name}: ${info.message}`);
  }
}

const CODE_RE = /Code: (\d+)\./;
// The innermost exception's text: a server in a cluster (and chdb for readonly errors) nests
// "Code: N. DB::Exception: Code: N. DB::Exception: <message>. (NAME) (version ...). (NAME)".
const EXCEPTION_MARK = 'DB::Exception: ';
// `(version 24.8.4.13 (official build))` nests one level of parentheses.
const VERSION = String.raw`\(version [^()]*(?:\([^()]*\))?[^()]*\)`;
const TRAILER_RE = new RegExp(String.raw`(?:\s*(?:\([A-Z][A-Z0-9_]*\)|${VERSION})\.?)+\s*$`);
const NAME_AT_END_RE = new RegExp(String.raw`\(([A-Z][A-Z0-9_]*)\)(?:\s*${VERSION})?\.?\s*$`);

/**
 * Parses `Code: 47. DB::Exception: <message>. (UNKNOWN_IDENTIFIER) (version 26.7.2.1)` as ClickHouse
 * writes it (chdb's sync errors carry no code field, only this text). undefined when it is not that shape.
 */
export function parseEngineError(text: string): EngineErrorInfo | undefined {
  const code = CODE_RE.exec(text);
  const name = NAME_AT_END_RE.exec(text);
  if (!code || !name) return undefined;
  const at = text.lastIndexOf(EXCEPTION_MARK);
  const body = at >= 0 ? text.slice(at + EXCEPTION_MARK.length) : text;
  return { code: Number(code[1]), name: name[1]!, message: cleanMessage(body) };
}

/** The message without ClickHouse's `(NAME) (version ...)` trailer and final full stop. */
export function cleanMessage(message: string): string {
  // Line and column count in the text we sent (with our EXPLAIN prefix): positions are rewritten
  // for the caller's SQL instead.
  return message
    .replace(TRAILER_RE, '')
    .replace(/ \(line \d+, col \d+\)/g, '')
    .trim()
    .replace(/\.$/, '');
}

/**
 * A syntax error's `failed at position N` (1-based, in UTF-8 bytes of the text ClickHouse parsed) as a
 * 0-based character offset in `sql`, which was sent after `prefixBytes` bytes of our own text.
 */
export function syntaxErrorPosition(message: string, sql: string, prefixBytes: number): number | undefined {
  const m = /failed at position (\d+)/.exec(message);
  if (!m) return undefined;
  const byteOffset = Number(m[1]) - 1 - prefixBytes;
  if (byteOffset < 0) return 0;
  return charOffsetOfByte(sql, byteOffset);
}

/** Rewrites `failed at position N` to the 1-based character position in the caller's SQL. */
export function rewritePosition(message: string, position: number | undefined): string {
  if (position === undefined) return message;
  return message.replace(/failed at position \d+/, `failed at position ${position + 1}`);
}

function charOffsetOfByte(text: string, byteOffset: number): number {
  let bytes = 0;
  let i = 0;
  while (i < text.length && bytes < byteOffset) {
    const cp = text.codePointAt(i)!;
    bytes += cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
    i += cp >= 0x10000 ? 2 : 1;
  }
  return i;
}

/** Longest engine message a report carries; longer ones are cut (they can quote whole values). */
export const MAX_MESSAGE_LENGTH = 500;

/**
 * The forms a secret can take in text that quotes it: raw, JSON-escaped, URL-encoded, base64 and hex
 * (an error can quote a value the query encoded on purpose to get it past a raw-text mask).
 */
export function secretForms(secret: string): string[] {
  const forms = new Set([secret, JSON.stringify(secret).slice(1, -1), encodeURIComponent(secret)]);
  const bytes = Buffer.from(secret, 'utf8');
  forms.add(bytes.toString('base64').replace(/=+$/, ''));
  forms.add(bytes.toString('hex'));
  forms.add(bytes.toString('hex').toUpperCase());
  return [...forms];
}

/**
 * An engine message fit for a report: every form of each secret masked, control characters (NUL,
 * ESC: the engine quotes data raw) replaced by spaces, and at most MAX_MESSAGE_LENGTH characters.
 */
export function scrubMessage(message: string, secrets: readonly (string | undefined)[]): string {
  const forms = secrets.flatMap((s) => (s && s.length >= 3 ? secretForms(s) : []));
  // eslint-disable-next-line no-control-regex
  const clean = redact(message, forms).replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, ' ');
  return clean.length > MAX_MESSAGE_LENGTH ? `${clean.slice(0, MAX_MESSAGE_LENGTH - 3)}...` : clean;
}

/** Replaces every occurrence of each secret in `text` (URLs, server messages) with `***`. */
export function redact(text: string, secrets: readonly (string | undefined)[]): string {
  let out = text;
  for (const s of secrets) {
    if (s && s.length >= 3) out = out.split(s).join('***');
  }
  return out;
}
