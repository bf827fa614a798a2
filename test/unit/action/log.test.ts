import { describe, expect, it } from 'vitest';
import { SafeLog } from '../../../src/action/log.js';

function capture() {
  const out: string[] = [];
  let n = 0;
  const log = new SafeLog({ write: (t) => void out.push(t) }, () => `tok${++n}`);
  return { log, text: () => out.join('') };
}

describe('SafeLog', () => {
  it('wraps untrusted text in a stop-commands window with a fresh token', () => {
    const { log, text } = capture();
    log.untrusted('panel "x"\n::set-output name=x::y\n::add-mask::oops');
    log.untrusted('second');
    expect(text()).toBe(
      '::stop-commands::tok1\npanel "x"\n::set-output name=x::y\n::add-mask::oops\n::tok1::\n::stop-commands::tok2\nsecond\n::tok2::\n',
    );
  });

  it('one window around a phase: lines inside are not re-wrapped, and it closes on a throw', async () => {
    const { log, text } = capture();
    await expect(
      log.window(async () => {
        log.untrusted('::error::fake');
        expect(log.inWindow).toBe(true);
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(log.inWindow).toBe(false);
    expect(text()).toBe('::stop-commands::tok1\n::error::fake\n::tok1::\n');
  });
});
