import { describe, expect, it } from 'vitest';
import {
  cleanMessage,
  parseEngineError,
  redact,
  rewritePosition,
  syntaxErrorPosition,
} from '../../../src/clickhouse/errors.js';

describe('parseEngineError', () => {
  it('reads chdb sync error text (no code field, a "Query failed:" prefix)', () => {
    const info = parseEngineError(
      'Query failed: Code: 47. DB::Exception: Unknown expression identifier `nope` in scope SELECT nope FROM t. (UNKNOWN_IDENTIFIER)',
    );
    expect(info).toEqual({
      code: 47,
      name: 'UNKNOWN_IDENTIFIER',
      message: 'Unknown expression identifier `nope` in scope SELECT nope FROM t',
    });
  });

  it('takes the innermost message of a nested exception and drops the version trailer', () => {
    const info = parseEngineError(
      "Query failed: Code: 164. DB::Exception: Code: 164. DB::Exception: Cannot modify 'max_threads' setting in readonly mode. (READONLY) (version 26.7.2.1). (READONLY)",
    );
    expect(info).toEqual({
      code: 164,
      name: 'READONLY',
      message: "Cannot modify 'max_threads' setting in readonly mode",
    });
  });

  it('reads the server HTTP body form', () => {
    const info = parseEngineError(
      "Code: 60. DB::Exception: Unknown table expression identifier 'nope' in scope SELECT * FROM nope. (UNKNOWN_TABLE) (version 24.8.4.13 (official build))\n",
    );
    expect(info?.code).toBe(60);
    expect(info?.name).toBe('UNKNOWN_TABLE');
    expect(info?.message).toBe("Unknown table expression identifier 'nope' in scope SELECT * FROM nope");
  });

  it('returns undefined for text that is not a ClickHouse exception', () => {
    expect(parseEngineError('connect ECONNREFUSED 127.0.0.1:8123')).toBeUndefined();
  });

  it('cleanMessage drops line/column of the text we sent', () => {
    expect(cleanMessage('Syntax error: failed at position 14 (x) (line 2, col 5): x. ')).toBe(
      'Syntax error: failed at position 14 (x): x',
    );
  });
});

describe('syntax error positions', () => {
  it('maps a 1-based byte position after our prefix to a 0-based character offset', () => {
    const sql = "SELECT 'ééé' FRM x";
    // ClickHouse counts bytes: é is two.
    const position = syntaxErrorPosition(
      'Syntax error: failed at position 33 (x): x',
      sql,
      'EXPLAIN AST '.length,
    );
    expect(position).toBe(sql.indexOf(' x') + 1);
    expect(rewritePosition('failed at position 33 (x)', position)).toBe(
      `failed at position ${position! + 1} (x)`,
    );
  });

  it('is undefined when the message has no position', () => {
    expect(syntaxErrorPosition('Empty query', 'SELECT', 0)).toBeUndefined();
  });
});

describe('redact', () => {
  it('replaces every occurrence of a secret', () => {
    expect(redact('user:hunter22@host and hunter22 again', ['hunter22'])).toBe('user:***@host and *** again');
  });
  it('leaves text alone for an empty or very short secret', () => {
    expect(redact('a b', ['', 'a'])).toBe('a b');
  });
});

describe('scrubMessage', () => {
  it('masks every form of a secret, drops control characters and bounds the length', async () => {
    const { MAX_MESSAGE_LENGTH, scrubMessage } = await import('../../../src/clickhouse/errors.js');
    const secret = 'p@ss"word\\1';
    const hex = Buffer.from(secret).toString('hex');
    const b64 = Buffer.from(secret).toString('base64').replace(/=+$/, '');
    const text = `a ${secret} b ${JSON.stringify(secret)} c ${encodeURIComponent(secret)} d ${hex} e ${b64}\u0000\u001b[31m`;
    const out = scrubMessage(text, [secret]);
    for (const form of [secret, hex, b64, encodeURIComponent(secret)]) expect(out).not.toContain(form);
    expect(out.includes('\u0000') || out.includes('\u001b')).toBe(false);
    expect(scrubMessage('x'.repeat(5000), []).length).toBe(MAX_MESSAGE_LENGTH);
  });
});
