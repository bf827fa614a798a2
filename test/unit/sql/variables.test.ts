import { describe, expect, it } from 'vitest';
import type { JsonObject } from '../../../src/dashboards/model.js';
import type { InterpolationContext } from '../../../src/sql/types.js';
import {
  findVariableRefs,
  isIdentifierPosition,
  interpolateVariables,
  isLeftToDatasource,
  variableIndex,
  wholeVariableRef,
  type DefaultFormatter,
  type VariableStageOptions,
} from '../../../src/sql/variables.js';

// 2023-11-14T22:13:20Z → 2023-11-16T02:00:00Z (100,000 s), 30 s interval.
const FROM = 1700000000000;
const TO = 1700100000000;

const variables: JsonObject[] = [
  {
    name: 'single',
    type: 'custom',
    current: { text: 'a', value: 'a' },
    options: [{ text: 'a', value: 'a' }],
  },
  {
    name: 'multi',
    type: 'query',
    multi: true,
    current: { text: ['a', 'b'], value: ['a', 'b'] },
    options: [
      { text: 'a', value: 'a' },
      { text: 'b', value: 'b' },
      { text: "it's", value: "it's" },
    ],
  },
  { name: 'quote', type: 'textbox', current: { text: `it's "x"`, value: `it's "x"` } },
  { name: 'dotted', type: 'textbox', current: { value: 'a.b*' } },
  { name: 'spaced', type: 'textbox', current: { value: 'a b(c)' } },
  { name: 'path', type: 'textbox', current: { value: 'a b/c?' } },
  { name: 'markup', type: 'textbox', current: { value: `<a href="x">'` } },
  {
    name: 'allNo',
    type: 'query',
    multi: true,
    includeAll: true,
    allValue: null,
    current: { text: ['All'], value: ['$__all'] },
    options: [
      { text: 'All', value: '$__all' },
      { text: 'x', value: 'x' },
      { text: 'y', value: 'y' },
    ],
  },
  {
    name: 'allCustom',
    type: 'query',
    multi: true,
    includeAll: true,
    allValue: '.*',
    current: { text: 'All', value: '$__all' },
    options: [
      { text: 'x', value: 'x' },
      { text: 'y', value: 'y' },
    ],
  },
  {
    name: 'allNested',
    type: 'custom',
    includeAll: true,
    allValue: '$single',
    current: { text: 'All', value: '$__all' },
    query: 'p,q',
  },
  { name: 'noCurrent', type: 'custom', query: 'first,second' },
  { name: 'keyValue', type: 'custom', query: 'Label One : v1,Label Two : v2' },
  {
    name: 'optFirst',
    type: 'query',
    current: {},
    options: [
      { text: 'o1', value: 'o1' },
      { text: 'o2', value: 'o2' },
    ],
  },
  {
    name: 'optSelected',
    type: 'query',
    options: [
      { text: 'o1', value: 'o1' },
      { text: 'o2', value: 'o2', selected: true },
    ],
  },
  {
    name: 'blankSelection',
    type: 'query',
    includeAll: true,
    current: { text: '', value: '' },
    options: [
      { text: 'All', value: '$__all' },
      { text: 'a', value: 'a' },
    ],
  },
  { name: 'empty', type: 'query', current: {}, options: [] },
  { name: 'emptyMulti', type: 'query', multi: true, includeAll: true, current: {}, options: [] },
  { name: 'const', type: 'constant', query: 'events_local', current: { value: 'stale' } },
  { name: 'period', type: 'interval', query: '1m,10m,1h', current: { text: '10m', value: '10m' } },
  {
    name: 'auto',
    type: 'interval',
    query: '1m,10m',
    auto: true,
    auto_count: 30,
    auto_min: '10s',
    current: { value: '$__auto' },
  },
  { name: 'nested', type: 'constant', query: '$single' },
  { name: 'nestedUnknown', type: 'constant', query: '$ghost' },
  {
    name: 'nums',
    type: 'query',
    multi: true,
    current: { value: ['1', '2'] },
    options: [
      { text: '1', value: '1' },
      { text: '2', value: '2' },
    ],
  },
  { name: 'numSingle', type: 'custom', current: { value: '7' } },
];

const ctx: InterpolationContext = {
  fromMs: FROM,
  toMs: TO,
  intervalMs: 30000,
  variables,
  dashboard: { uid: 'dash-uid', title: 'Executive overview' },
};

function run(
  text: string,
  formatter: DefaultFormatter = 'clickhouse',
  extra: Partial<VariableStageOptions> = {},
) {
  return interpolateVariables(text, ctx, {
    formatter,
    reserved: new Set(['__timeFilter']),
    deferDunder: true,
    origin: 'panel',
    ...extra,
  });
}

const sql = (text: string, formatter?: DefaultFormatter): string => run(text, formatter).text;

describe('variable syntaxes', () => {
  it.each([
    ['$single', 'a'],
    ['${single}', 'a'],
    ['${single:raw}', 'a'],
    ['[[single]]', 'a'],
    ['[[multi:csv]]', 'a,b'],
    ['${multi:csv}', 'a,b'],
    ['${multi.1}', 'b'],
    ['${multi.0}', 'a'],
    ['x=$single;', 'x=a;'],
    ['$single$single', 'aa'],
    ['${__from:date:seconds}', '1700000000'],
    ['${multi:join: - }', 'a - b'],
  ])('%s → %s', (text, want) => {
    expect(sql(text)).toBe(want);
  });

  it('takes the longest \\w run after $ (no partial match of a shorter variable)', () => {
    const r = run('SELECT $singlex');
    expect(r.text).toBe('SELECT $singlex');
    expect(r.problems).toEqual([
      {
        offset: 7,
        message: 'cannot expand $singlex: no variable, built-in or macro of that name',
        kind: 'unknown-variable',
        blocking: true,
      },
    ]);
  });
});

describe('formats (CONTRACTS D)', () => {
  const multi: [string, string][] = [
    ['csv', 'a,b'],
    ['raw', 'a,b'],
    ['regex', '(a|b)'],
    ['pipe', 'a|b'],
    ['distributed', 'a,multi=b'],
    ['glob', '{a,b}'],
    ['json', '["a","b"]'],
    ['lucene', '("a" OR "b")'],
    ['percentencode', '%7Ba%2Cb%7D'],
    ['uriencode', '%7Ba,b%7D'],
    ['singlequote', "'a','b'"],
    ['doublequote', '"a","b"'],
    ['sqlstring', "'a','b'"],
    ['text', 'a + b'],
    ['queryparam', 'var-multi=a&var-multi=b'],
    ['customqueryparam:p:x-', 'p=x-a&p=x-b'],
    ['join:|', 'a|b'],
    ['html', 'a, b'],
    ['date', 'NaN'],
    ['nosuchformat', '{a,b}'],
  ];
  it.each(multi)('multi-value ${multi:%s} → %s', (fmt, want) => {
    expect(sql(`\${multi:${fmt}}`)).toBe(want);
  });

  const single: [string, string, string][] = [
    ['single', 'csv', 'a'],
    ['single', 'glob', 'a'],
    ['single', 'regex', 'a'],
    ['single', 'pipe', 'a'],
    ['single', 'distributed', 'a'],
    ['single', 'json', 'a'],
    ['single', 'text', 'a'],
    ['single', 'join:|', 'a'],
    ['single', 'queryparam', 'var-single=a'],
    ['dotted', 'regex', 'a\\.b\\*'],
    ['dotted', 'lucene', 'a.b\\*'],
    ['spaced', 'lucene', 'a\\ b\\(c\\)'],
    ['spaced', 'percentencode', 'a%20b%28c%29'],
    ['spaced', 'queryparam', 'var-spaced=a%20b%28c%29'],
    ['path', 'uriencode', 'a%20b/c?'],
    ['quote', 'singlequote', `'it\\'s "x"'`],
    ['quote', 'doublequote', `"it's \\"x\\""`],
    ['quote', 'sqlstring', `'it''s \\"x\\"'`],
    ['quote', 'raw', `it's "x"`],
    ['markup', 'html', '&lt;a href=&quot;x&quot;&gt;&#39;'],
    ['numSingle', 'lucene', '7'],
    ['numSingle', 'json', '7'],
  ];
  it.each(single)('${%s:%s} → %s', (name, fmt, want) => {
    expect(sql(`\${${name}:${fmt}}`)).toBe(want);
  });

  it.each([
    ['${__from:date}', '2023-11-14T22:13:20.000Z'],
    ['${__from:date:iso}', '2023-11-14T22:13:20.000Z'],
    ['${__from:date:seconds}', '1700000000'],
    ['${__from:date:ms}', '1700000000000'],
    ['${__from:date:YYYY-MM-DD HH:mm:ss}', '2023-11-14 22:13:20'],
    ['${__to:date:YYYY-MM}', '2023-11'],
    ['${__to:date:X}', '1700100000'],
    ['${single:date}', 'NaN'],
  ])('date format %s → %s', (text, want) => {
    expect(sql(text)).toBe(want);
  });
});

describe('multi-value and All', () => {
  it.each([
    ['$allNo', "'x','y'"],
    ['${allNo:csv}', 'x,y'],
    ['${allNo:sqlstring}', "'x','y'"],
    ['${allNo:text}', 'All'],
    ['${allNo:queryparam}', 'var-allNo=$__all'],
    ['$allCustom', '.*'],
    ['${allCustom:csv}', '.*'],
    ['${allCustom:sqlstring}', '.*'],
    ['${allCustom:regex}', '.*'],
    ['${allCustom:text}', 'All'],
    ['${allCustom:percentencode}', '.%2A'],
    ['${allCustom:queryparam}', 'var-allCustom=$__all'],
    ['$allNested', 'a'],
    // A query variable with no stored value and no options: Grafana would run its query; a stand-in here.
    ['$emptyMulti', 'NULL'],
  ])('%s → %s', (text, want) => {
    expect(sql(text)).toBe(want);
  });
});

describe('which value a variable has', () => {
  it.each([
    ['$noCurrent', 'first'],
    ['${noCurrent:text}', 'first'],
    ['$keyValue', 'v1'],
    ['${keyValue:text}', 'Label One'],
    ['$optFirst', 'o1'],
    ['$optSelected', 'o2'],
    // A blank stored selection: Grafana selects the first option (All here) when the dashboard loads.
    ['$blankSelection', "'a'"],
    ['$empty', 'NULL'],
    ['$const', 'events_local'],
    ['$period', '10m'],
    // auto: 100,000 s / 30 steps → 3,333 s → the 1h rung; the 10s floor does not bite.
    ['$auto', '1h'],
  ])('%s → %s', (text, want) => {
    expect(sql(text)).toBe(want);
  });

  it('re-interpolates a value that is itself a variable reference, once', () => {
    expect(sql('$nested')).toBe('a');
    const r = run('SELECT $nestedUnknown');
    expect(r.text).toBe('SELECT $ghost');
    expect(r.problems).toHaveLength(1);
    expect(r.problems[0]).toMatchObject({ offset: 7, kind: 'unknown-variable' });
    expect(r.problems[0]!.message).toBe(
      'cannot expand $ghost in the value of $nestedUnknown: no such variable',
    );
  });

  it('reads templating.list once per array (memoised index)', () => {
    expect(variableIndex(variables)).toBe(variableIndex(variables));
    expect(variableIndex(variables).byName.get('allNo')).toMatchObject({
      isAll: true,
      optionValues: ['x', 'y'],
    });
  });
});

describe('datasource formatters for unformatted variables', () => {
  it.each([
    ['clickhouse', '$multi', "'a','b'"],
    ['clickhouse', '$single', 'a'],
    ['clickhouse', '$quote', `it's "x"`],
    ['clickhouse', '$nums', "'1','2'"],
    ['clickhouse', '${multi:raw}', 'a,b'],
    // Altinity: by where the variable stands (helpers/index.ts interpolateQueryExprWithContext).
    ['altinity', '$single', "'a'"],
    ['altinity', 'x IN ($multi)', "x IN ('a','b')"],
    ['altinity', 'has($multi, x)', "has(['a', 'b'], x)"],
    ['altinity', 'x IN (${nums})', 'x IN (1,2)'],
    ['altinity', 'x GLOBAL NOT IN ($allNo)', "x GLOBAL NOT IN ('x','y')"],
    ['altinity', "x LIKE '%$single%'", "x LIKE '%a%'"],
    ['altinity', 'FROM $single.t', 'FROM a.t'],
    ['altinity', 'x = $numSingle', 'x = 7'],
    ['glob', '$multi', '{a,b}'],
  ] as [DefaultFormatter, string, string][])('%s: %s → %s', (formatter, text, want) => {
    expect(sql(text, formatter)).toBe(want);
  });

  it('escapes quotes and backslashes per value for Altinity multi-values', () => {
    const r = interpolateVariables(
      'x IN ($m)',
      {
        ...ctx,
        variables: [
          { name: 'm', type: 'query', multi: true, current: { value: ["it's", 'a\\b'] }, options: [] },
        ],
      },
      { formatter: 'altinity', reserved: new Set(), deferDunder: false, origin: 'panel' },
    );
    expect(r.text).toBe("x IN ('it\\'s','a\\\\b')");
  });

  it('Altinity leaves a variable declared single-valued raw, and quotes one whose JSON says nothing', () => {
    // Grafana's scenes pass the format function multi / includeAll as the dashboard JSON has them.
    const list: JsonObject[] = [
      { name: 'declared', type: 'query', multi: false, includeAll: false, current: { value: 'events' } },
      { name: 'silent', type: 'query', current: { value: 'events' } },
      { name: 'box', type: 'textbox', current: { value: '42' } },
    ];
    const r = interpolateVariables(
      'SELECT $declared, $silent, $box',
      { ...ctx, variables: list },
      { formatter: 'altinity', reserved: new Set(), deferDunder: false, origin: 'panel' },
    );
    expect(r.text).toBe("SELECT events, 'events', 42");
  });
});

describe('built-in variables', () => {
  it.each([
    ['$__from', '1700000000000'],
    ['$__to', '1700100000000'],
    ['${__to}', '1700100000000'],
    ['$__interval', '30s'],
    ['$__interval_ms', '30000'],
    ['$__range', '100000s'],
    ['$__range_s', '100000'],
    ['$__range_ms', '100000000'],
    ['$__dashboard', 'Executive overview'],
    ['${__dashboard.uid}', 'dash-uid'],
    ['${__dashboard.name}', 'Executive overview'],
    ['$__user', '1'],
    ['${__user.login}', 'dashboard-ci'],
    ['${__user.email}', 'dashboard-ci@localhost'],
    ['$__org', '1'],
    ['${__org.name}', 'Main Org.'],
    ['$__timezone', 'UTC'],
    ['$__url_time_range', 'from=1700000000000&to=1700100000000'],
  ])('%s → %s', (text, want) => {
    expect(sql(text)).toBe(want);
  });

  it('names the dashboard time zone when it is an IANA zone', () => {
    const r = interpolateVariables(
      '$__timezone',
      { ...ctx, timezone: 'Europe/Paris' },
      {
        formatter: 'clickhouse',
        reserved: new Set(),
        deferDunder: false,
        origin: 'panel',
      },
    );
    expect(r.text).toBe('Europe/Paris');
  });
});

describe('unknown variables', () => {
  it('leaves them unchanged and reports each at its raw offset', () => {
    const text = 'SELECT ${nope:csv} FROM t WHERE a = [[gone]] AND b = $missing';
    const r = run(text);
    expect(r.text).toBe(text);
    expect(r.problems.map((p) => [p.offset, p.message])).toEqual([
      [7, 'cannot expand ${nope:csv}: no variable, built-in or macro of that name'],
      [36, 'cannot expand [[gone]]: no variable, built-in or macro of that name'],
      [53, 'cannot expand $missing: no variable, built-in or macro of that name'],
    ]);
  });

  it('does not report names inside comments, and marks those inside strings as not blocking', () => {
    const r = run("SELECT 1 -- $nope\n/* $gone */ WHERE x = '$quoted'");
    expect(r.problems).toHaveLength(1);
    expect(r.problems[0]).toMatchObject({ offset: 41, blocking: false });
  });

  it('leaves reserved macro names and deferred $__names alone', () => {
    const r = run('WHERE $__timeFilter(ts) AND $__somethingElse');
    expect(r.text).toBe('WHERE $__timeFilter(ts) AND $__somethingElse');
    expect(r.problems).toEqual([]);
  });

  it('reports every variable in report-only mode (alert queries)', () => {
    const r = run('SELECT $single, $__timeFilter(ts)', 'clickhouse', { noVariables: true });
    expect(r.text).toBe('SELECT $single, $__timeFilter(ts)');
    expect(r.problems).toHaveLength(1);
    expect(r.problems[0]!.message).toMatch(
      /^cannot expand \$single: alert queries get no template-variable interpolation/,
    );
  });

  it('maps offsets after a replacement back to the raw text', () => {
    const r = run('SELECT $multi, $nope');
    expect(r.text).toBe("SELECT 'a','b', $nope");
    expect(r.problems[0]!.offset).toBe(15);
    // "$nope" starts at 16 in the output and at 15 in the input.
    expect(r.map.map(16)).toBe(15);
    // Inside a replacement: the start of the replaced token.
    expect(r.map.map(9)).toBe(7);
  });
});

describe('findVariableRefs', () => {
  it('finds every Grafana syntax with name, offset, format and field path', () => {
    const text =
      'a=$x b=${y} c=${z:csv} d=${w.text} e=[[v]] f=[[u:raw]] g=${__from:date:seconds} h=$__timeFilter(ts)';
    expect(
      findVariableRefs(text).map((r) => [r.name, r.offset, r.syntax, r.format ?? null, r.fieldPath ?? null]),
    ).toEqual([
      ['x', 2, '$', null, null],
      ['y', 7, '${}', null, null],
      ['z', 14, '${}', 'csv', null],
      ['w', 25, '${}', null, '.text'],
      ['v', 37, '[[]]', null, null],
      ['u', 45, '[[]]', 'raw', null],
      ['__from', 57, '${}', 'date:seconds', null],
      ['__timeFilter', 82, '$', null, null],
    ]);
  });

  it('takes the longest name, skips numeric names and text without references', () => {
    expect(findVariableRefs('$service_name').map((r) => r.name)).toEqual(['service_name']);
    expect(findVariableRefs('replace "$1" and $2x')).toEqual([expect.objectContaining({ name: '2x' })]);
    expect(findVariableRefs("match(x, '^a$') AND y = 'US$'")).toEqual([]);
    expect(findVariableRefs('plain SELECT 1')).toEqual([]);
  });

  it('is safe to call repeatedly (the regex is shared)', () => {
    expect(findVariableRefs('$a $b').length).toBe(2);
    expect(findVariableRefs('$a $b').length).toBe(2);
  });

  it('recognises a whole-string reference (a datasource uid)', () => {
    expect(wholeVariableRef('${ds}')).toBe('ds');
    expect(wholeVariableRef('$ds')).toBe('ds');
    expect(wholeVariableRef('[[ds]]')).toBe('ds');
    expect(wholeVariableRef('ds-$env')).toBeUndefined();
    expect(wholeVariableRef('clickhouse')).toBeUndefined();
  });
});

describe('isLeftToDatasource', () => {
  const ref = (text: string) => findVariableRefs(text)[0]!;

  it('leaves only bare $names to a plugin: its macros, and $__ names when its backend reports them', () => {
    const clickhouse = { reserved: new Set(['__timeFilter']), deferDunder: true };
    expect(isLeftToDatasource(ref('$__timeFilter(ts)'), clickhouse)).toBe(true);
    expect(isLeftToDatasource(ref('$__nope'), clickhouse)).toBe(true);
    expect(isLeftToDatasource(ref('${__timeFilter}'), clickhouse)).toBe(false);
    expect(isLeftToDatasource(ref('$timeFilter'), clickhouse)).toBe(false);

    const altinity = { reserved: new Set(['table']), deferDunder: false };
    expect(isLeftToDatasource(ref('$table'), altinity)).toBe(true);
    expect(isLeftToDatasource(ref('${table}'), altinity)).toBe(false);
    expect(isLeftToDatasource(ref('$__nope'), altinity)).toBe(false);
  });

  it('leaves every __ name, in any syntax, to a datasource with scoped variables of its own', () => {
    const other = { reserved: new Set<string>(), deferDunder: true, anyDunder: true };
    expect(isLeftToDatasource(ref('${__rate_interval}'), other)).toBe(true);
    expect(isLeftToDatasource(ref('[[__rate_interval]]'), other)).toBe(true);
    expect(isLeftToDatasource(ref('$rate_interval'), other)).toBe(false);
  });
});

describe('a query variable without a value gets a stand-in, never an empty hole', () => {
  it.each([
    // grafana.com 22037: `server_ip in (${server_ip})` and `WHERE path = '$uri'`.
    ['SELECT 1 FROM t WHERE ip IN (${emptyMulti})', 'SELECT 1 FROM t WHERE ip IN (NULL)'],
    ["SELECT 1 FROM t WHERE path = '$empty'", "SELECT 1 FROM t WHERE path = ''"],
    ['SELECT $empty AS x', 'SELECT NULL AS x'],
    ['SELECT 1 FROM t WHERE a = ${empty:sqlstring}', 'SELECT 1 FROM t WHERE a = NULL'],
    ['SELECT 1 FROM t LIMIT $empty', 'SELECT 1 FROM t LIMIT 1'],
    ['SELECT 1 FROM t LIMIT 10, $empty', 'SELECT 1 FROM t LIMIT 10, 1'],
  ])('%s → %s', (text, want) => {
    const r = run(text);
    expect(r.text).toBe(want);
    expect(r.problems).toEqual([]);
    expect(r.unresolved).toEqual([text.includes('emptyMulti') ? 'emptyMulti' : 'empty']);
  });

  it.each([
    'SELECT count() FROM ${empty} WHERE x',
    'SELECT count() FROM $empty.events',
    'SELECT count() FROM db.$empty',
    'SELECT 1 FROM a JOIN $empty USING (id)',
    'DESCRIBE TABLE $empty',
  ])('blocks the query where the variable names a table: %s', (text) => {
    const r = run(text);
    expect(r.problems).toHaveLength(1);
    expect(r.problems[0]).toMatchObject({ kind: 'unresolved-variable', variable: 'empty', blocking: true });
    expect(r.problems[0]!.message).toMatch(
      /names a table or database here, and the query variable \$empty has no value/,
    );
    expect(r.unresolved).toEqual(['empty']);
  });

  it('All of a query variable saved without options is as unknown as no selection', () => {
    // Vertamedia/clickhouse-grafana docker/grafana/dashboards/clickhouse_dashboard.json @ 45213d8d:
    // `[service_name, ' test array'] IN (${array_var})` with All stored and no options; Grafana runs the
    // query on load and All becomes every row. An empty `IN ()` would be a 53 TYPE_MISMATCH of our own.
    const list: JsonObject[] = [
      {
        name: 'all',
        type: 'query',
        multi: true,
        includeAll: true,
        current: { value: ['$__all'] },
        options: [],
      },
      {
        name: 'custom',
        type: 'query',
        includeAll: true,
        allValue: '.*',
        current: { value: '$__all' },
        options: [],
      },
    ];
    const r = interpolateVariables(
      'SELECT 1 WHERE a IN (${all}) AND b IN ($custom)',
      { ...ctx, variables: list },
      { formatter: 'altinity', reserved: new Set(), deferDunder: false, origin: 'panel' },
    );
    // A custom all value needs no option: it goes in verbatim, as Grafana sends it.
    expect(r.text).toBe('SELECT 1 WHERE a IN (NULL) AND b IN (.*)');
    expect(r.unresolved).toEqual(['all']);
  });

  it('knows a table position from a value position', () => {
    expect(isIdentifierPosition('SELECT * FROM $t', 14, 16)).toBe(true);
    expect(isIdentifierPosition('SELECT * FROM (SELECT $t)', 22, 24)).toBe(false);
    expect(isIdentifierPosition('SELECT $t FROM x', 7, 9)).toBe(false);
    expect(isIdentifierPosition('SELECT * FROM x WHERE a IN ($t)', 28, 30)).toBe(false);
  });
});
