import { describe, expect, it } from 'vitest';
import { deepEqual, jsonDiff, short } from '../../../src/grafana/diff.js';
import { formatDuration, parseDuration } from '../../../src/grafana/duration.js';
import {
  ExpansionError,
  expandBraced,
  expandString,
  parseBoolValue,
  parseIntValue,
} from '../../../src/grafana/expand.js';
import { Redactor, stripUserinfo } from '../../../src/grafana/redact.js';
import { createLimiter } from '../../../src/grafana/limit.js';
import { versionMessage } from '../../../src/grafana/apply.js';
import {
  datasourceView,
  libraryFolder,
  libraryModelView,
  modelWithDefaults,
  versionsOf,
  withoutAddedZeros,
} from '../../../src/grafana/normalize.js';
import { orgNamespace, unsupportedReason, versionOf } from '../../../src/grafana/resources.js';

describe('jsonDiff', () => {
  it('lists changed paths, old → new', () => {
    expect(jsonDiff({ a: 1, b: { c: 'x' }, gone: true }, { a: 2, b: { c: 'y' }, added: [1] })).toEqual([
      'a: 1 → 2',
      'b.c: "x" → "y"',
      'added: (absent) → [1]',
      'gone: true → (absent)',
    ]);
  });

  it('matches panels by id and targets by refId, and reports a reorder once', () => {
    const before = {
      panels: [
        { id: 1, title: 'A' },
        { id: 2, title: 'B' },
      ],
    };
    const after = {
      panels: [
        { id: 2, title: 'B' },
        { id: 3, title: 'C' },
        { id: 1, title: 'A2' },
      ],
    };
    expect(jsonDiff(before, after)).toEqual([
      'panels[id=3]: (absent) → {"id":3,"title":"C"}',
      'panels[id=1].title: "A" → "A2"',
      'panels: order [1,2] → [2,1]',
    ]);
  });

  it('shows a tag list whole, quotes odd keys, shortens long values and caps the lines', () => {
    expect(jsonDiff({ tags: ['a'] }, { tags: ['a', 'b'] })).toEqual(['tags: ["a"] → ["a","b"]']);
    expect(jsonDiff({ 'odd key': 1 }, { 'odd key': 2 })).toEqual(['["odd key"]: 1 → 2']);
    expect(short('x'.repeat(100), 20)).toBe(`"${'x'.repeat(18)}…`);
    const many = jsonDiff(
      Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`k${i}`, i])),
      {},
      { maxLines: 5 },
    );
    expect(many).toHaveLength(6);
    expect(many[5]).toBe('… and 25 more changes');
  });

  it('treats undefined members as absent and key order as irrelevant', () => {
    expect(deepEqual({ a: 1, b: undefined }, { a: 1 })).toBe(true);
    expect(deepEqual({ a: 1, b: 2 }, { b: 2, a: 1 })).toBe(true);
    expect(deepEqual([1, 2], [2, 1])).toBe(false);
    expect(jsonDiff({ a: [1] }, { a: [1] })).toEqual([]);
  });
});

describe('durations', () => {
  it.each([
    ['1m', 60_000, '1m'],
    ['300s', 300_000, '5m'],
    ['1h30m', 5_400_000, '1h30m'],
    ['90s', 90_000, '1m30s'],
    ['0s', 0, '0s'],
    ['2d', 172_800_000, '2d'],
    ['1500ms', 1500, '1s500ms'],
    ['60', 60_000, '1m'],
  ])('%s = %i ms, printed %s', (text, ms, printed) => {
    expect(parseDuration(text)).toBe(ms);
    expect(formatDuration(ms)).toBe(printed);
  });

  it.each(['', 'soon', '1x', 'm5', '5m1h'])('refuses %j', (text) => {
    expect(parseDuration(text)).toBeUndefined();
  });
});

describe('environment expansion', () => {
  const ctx = { env: { A: 'alpha', B: 'beta', EMPTY: '' }, cwd: '/' };
  it.each([
    ['$A', 'alpha'],
    ['${A}-${B}', 'alpha-beta'],
    ['x$A.y', 'xalpha.y'],
    ['$$A', '$A'],
    ['cost $$5', 'cost $5'],
    ['$__env{B}', 'beta'],
    ['[$EMPTY]', '[]'],
    ['no dollar', 'no dollar'],
    ['trailing $', 'trailing $'],
  ])('%s → %s', (text, out) => {
    expect(expandString(text, ctx)).toBe(out);
  });

  // Go's os.ExpandEnv after setting.ExpandVar, as pkg/services/provisioning/values interpolateValue.
  it.each([
    ['${}x', 'x'],
    ['${A', 'A'],
    ['$1x', 'x'],
    ['a $ b', 'a $ b'],
    ['$A$B', 'alphabeta'],
    ['$__file{/definitely/not/here}x', 'error'],
    ['$__vault{x}', '{x}'],
  ])('Go semantics: %s → %s', (text, out) => {
    if (out === 'error') expect(() => expandString(text, ctx)).toThrow(ExpansionError);
    else expect(expandString(text, ctx)).toBe(out);
  });

  it('expands an unset variable to "" and reports it; strict refuses it', () => {
    const unset: string[] = [];
    expect(expandString('[${MISSING_ONE}|$MISSING_TWO]', { ...ctx, onUnset: (n) => unset.push(n) })).toBe(
      '[|]',
    );
    expect(unset).toEqual(['MISSING_ONE', 'MISSING_TWO']);
    expect(() => expandString('${MISSING_ONE}', { ...ctx, strict: true })).toThrow(
      new ExpansionError(
        'environment variable MISSING_ONE is not set (grafana.strictVariables: true)',
        'MISSING_ONE',
      ),
    );
  });

  it('expands only ${NAME} in alert annotations, and parses booleans and integers after expansion', () => {
    expect(expandBraced('{{ $labels.host }} on ${A} ($value)', ctx)).toBe(
      '{{ $labels.host }} on alpha ($value)',
    );
    expect(parseBoolValue(expandString('$T', { ...ctx, env: { T: 'True' } }), 'x', false)).toBe(true);
    expect(parseBoolValue('0', 'x', true)).toBe(false);
    expect(() => parseBoolValue('', 'isDefault', false)).toThrow('isDefault must be true or false');
    expect(parseIntValue('', 'orgId')).toBeUndefined();
    expect(parseIntValue(expandString('$N', { ...ctx, env: { N: '2' } }), 'orgId')).toBe(2);
  });
});

describe('redaction', () => {
  it('masks secrets, their URL-encoded form and URL userinfo', () => {
    const r = new Redactor();
    r.add('s3cr3t/value', 'abc', undefined);
    expect(r.redact('a s3cr3t/value b s3cr3t%2Fvalue c abc')).toBe('a *** b *** c abc');
    expect(r.redact('see http://user:pw@host:3000/x and https://tok@h')).toBe(
      'see http://***@host:3000/x and https://***@h',
    );
    expect(r.redactValue({ m: ['s3cr3t/value'], n: 1 })).toEqual({ m: ['***'], n: 1 });
  });

  it('strips userinfo from a URL and returns it decoded', () => {
    expect(stripUserinfo('https://admin:p%40ss@grafana.example.com/sub/')).toEqual({
      url: 'https://grafana.example.com/sub',
      user: 'admin',
      password: 'p@ss',
    });
    expect(stripUserinfo('http://localhost:3000')).toEqual({
      url: 'http://localhost:3000',
      user: undefined,
      password: undefined,
    });
  });
});

describe('limiter', () => {
  it('runs at most n tasks at once, all of them, failures included', async () => {
    const limit = createLimiter(2);
    let active = 0;
    let peak = 0;
    const task = (i: number) =>
      limit(async () => {
        active++;
        peak = Math.max(peak, active);
        await new Promise((r) => setImmediate(r));
        active--;
        if (i === 3) throw new Error('boom');
        return i;
      });
    const results = await Promise.allSettled([0, 1, 2, 3, 4, 5].map(task));
    expect(peak).toBe(2);
    expect(results.map((r) => r.status)).toEqual([
      'fulfilled',
      'fulfilled',
      'fulfilled',
      'rejected',
      'fulfilled',
      'fulfilled',
    ]);
  });
});

describe('normalisation of what Grafana returns', () => {
  it('fills datasource defaults', () => {
    expect(datasourceView({ uid: 'u', name: 'N', type: 't', jsonData: null, access: '' })).toEqual({
      name: 'N',
      type: 't',
      access: 'proxy',
      url: '',
      user: '',
      database: '',
      basicAuth: false,
      basicAuthUser: '',
      withCredentials: false,
      isDefault: false,
      jsonData: {},
    });
  });

  it('fills alert query model defaults like ngalert', () => {
    expect(modelWithDefaults({ maxDataPoints: 100, intervalMs: 0 })).toEqual({
      maxDataPoints: 100,
      intervalMs: 1000,
    });
    expect(modelWithDefaults(undefined)).toEqual({ maxDataPoints: 43200, intervalMs: 1000 });
  });

  it('reads both shapes of the versions list', () => {
    const v = [{ version: 2, message: 'm' }];
    expect(versionsOf(v)).toEqual(v);
    expect(versionsOf({ continueToken: '', versions: v })).toEqual(v);
    expect(versionsOf(null)).toEqual([]);
  });

  it('writes the version message with the short sha and subject, within 500 characters', () => {
    expect(versionMessage({ sha: '0123456789abcdef', subject: '  Fix   the\nfunnel ' })).toBe(
      'dashboard-ci: 0123456 Fix the funnel',
    );
    expect(versionMessage()).toBe('dashboard-ci');
    expect(versionMessage({ sha: 'abcdefabc', subject: 'x'.repeat(1000) })).toHaveLength(500);
  });
});

describe('comparing with what Grafana stores', () => {
  it('leaves out only the zero values Grafana added to fields the repository never sent', () => {
    const sent = {
      title: 'T',
      elements: { p: { kind: 'Panel', spec: { title: 'P', links: [{ url: 'u' }] } } },
    };
    const read = {
      title: 'T',
      preload: false,
      links: [],
      cursorSync: '',
      elements: {
        p: { kind: 'Panel', spec: { title: 'P', description: '', id: 0, links: [{ url: 'u', title: '' }] } },
      },
    };
    expect(jsonDiff(withoutAddedZeros(read, sent), sent)).toEqual([]);
    // A value the repository removed still shows: it is not a zero.
    expect(jsonDiff(withoutAddedZeros({ ...read, description: 'old' }, sent), sent)).toEqual([
      'description: "old" → (absent)',
    ]);
    // A key the repository has is always compared, zero or not.
    expect(jsonDiff(withoutAddedZeros(read, { ...sent, preload: true }), { ...sent, preload: true })).toEqual(
      ['preload: false → true'],
    );
  });

  it("reads a library panel's model and folder as Grafana stores them", () => {
    expect(libraryModelView({ title: 'x', libraryPanel: { uid: '' } }, 'lib-1')).toEqual({
      title: 'x',
      type: '',
      description: '',
      libraryPanel: { uid: 'lib-1' },
    });
    expect(libraryModelView({ type: 'stat', description: 'd' }, 'u')).toEqual({
      type: 'stat',
      description: 'd',
    });
    expect(libraryFolder({ uid: 'a', name: 'A', folderUid: 'general' })).toBe('');
    expect(libraryFolder({ uid: 'a', name: 'A', meta: { folderUid: 'f1' } })).toBe('f1');
  });

  it('names the namespace of an org, and what a Grafana cannot take', () => {
    expect([orgNamespace(undefined), orgNamespace(1), orgNamespace(7)]).toEqual([
      'default',
      'default',
      'org-7',
    ]);
    expect(versionOf('dashboard.grafana.app/v2beta1')).toBe('v2beta1');
    const g12 = { versions: ['v1alpha1', 'v0alpha1', 'v2alpha1'], namespace: 'default' };
    expect(unsupportedReason(g12, 'dashboard.grafana.app/v2alpha1', '12.0')).toBeUndefined();
    expect(unsupportedReason(g12, 'dashboard.grafana.app/v2beta1', '12.0')).toBe(
      'Grafana 12.0 serves dashboard.grafana.app v1alpha1, v0alpha1, v2alpha1, not v2beta1',
    );
    expect(
      unsupportedReason({ versions: [], namespace: 'default' }, 'dashboard.grafana.app/v2', undefined),
    ).toBe(
      'this Grafana does not serve the /apis/dashboard.grafana.app API that stores schema v2 dashboards (Grafana 12 does)',
    );
  });
});
