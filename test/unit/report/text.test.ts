/* eslint-disable no-control-regex -- finding control characters in the output is the point */
import { describe, expect, it } from 'vitest';
import { renderText, terminalSafe } from '../../../src/report/text.js';
import { finding, makeReport, query } from '../action/sample-report.js';

// What a pull request can put in a title, a file name or SQL that ClickHouse quotes back.
const HOSTILE = [
  '\x1b[2J\x1b[H', // clear the screen, cursor home
  '\x1b]8;;https://evil.example/\x1b\\click me\x1b]8;;\x1b\\', // OSC 8 hyperlink
  '\x1b]0;owned\x07', // window title
  '\x1b]52;c;Y3VybCBldmlsIHwgc2g=\x07', // OSC 52: write the clipboard
  '\x9b31m', // C1 CSI
  '\u202eevil\u202c', // right-to-left override
  '\u2066isolate\u2069',
  'bell\x07 back\x08space del\x7f',
  'two\u2028lines',
].join(' ');

/** Every escape sequence the output holds, and the other control characters. */
function escapes(text: string): { sequences: string[]; controls: string[] } {
  const sequences = text.match(/\x1b[^a-zA-Z]*[a-zA-Z]?/g) ?? [];
  const rest = text
    .replace(/\x1b\[[0-9;]*m/g, '')
    .match(
      /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g,
    );
  return { sequences, controls: rest ?? [] };
}

function hostileReport() {
  return makeReport(
    [
      finding({
        file: `dashboards/\x1b]8;;x\x1b\\evil\u202e.json`,
        message: `dashboard "${HOSTILE}", panel 1: ClickHouse rejected the query: 62 SYNTAX_ERROR: ${HOSTILE}`,
      }),
    ],
    [
      query({
        file: `dashboards/\x1b[31mred.json`,
        panelTitle: HOSTILE,
        refId: '\x1b[5mA',
        status: 'invalid',
        reason: HOSTILE,
      }),
    ],
  );
}

describe('text output', () => {
  it('strips escape sequences, C0/C1 and bidi controls from everything that came from a file (piped)', () => {
    const out = renderText(hostileReport(), { color: false, queries: true });
    const { sequences, controls } = escapes(out);
    expect(sequences).toEqual([]);
    expect(controls).toEqual([]);
    // The text of the title and the message is still there, minus what a terminal would act on.
    expect(out).toContain('click me');
    expect(out).toContain('evil');
    expect(out).not.toContain('https://evil.example/');
    expect(out).not.toContain('Y3VybCBldmlsIHwgc2g=');
  });

  it('keeps its own colours on a terminal, and only those', () => {
    const out = renderText(hostileReport(), { color: true, queries: true });
    const { sequences, controls } = escapes(out);
    expect(controls).toEqual([]);
    // Only SGR colour sequences (picocolors'), never the file's screen clears, links or titles.
    expect(sequences.length).toBeGreaterThan(0);
    for (const s of sequences) expect(s).toMatch(/^\x1b\[[0-9;]*m$/);
    expect(out).toContain('\x1b[31merror');
    expect(out).not.toContain('\x1b[2J');
    expect(out).not.toContain('\x1b[5m');
  });

  it('terminalSafe leaves ordinary text, tabs aside, as it is', () => {
    expect(terminalSafe('Chat volume — by model (p95) $__interval')).toBe(
      'Chat volume — by model (p95) $__interval',
    );
    expect(terminalSafe('a\tb\nc')).toBe('a b c');
    expect(terminalSafe('x\x1b[1;31my\x1b]8;;u\x07z')).toBe('xyz');
  });
});
