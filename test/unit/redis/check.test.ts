import { describe, expect, it } from 'vitest';
import {
  checkRedisTargets,
  makeRedisVerdict,
  redactRedisUrl,
  staticRedisVerdict,
  type RedisCommandSender,
} from '../../../src/redis/check.js';
import { effectiveRedisCommand, shellSplit } from '../../../src/redis/commands.js';

describe('effectiveRedisCommand', () => {
  it.each([
    [{ query: 'HGETALL user:1' }, 'HGETALL', 'query'],
    [{ query: '  xinfo stream events' }, 'XINFO STREAM', 'query'],
    [{ query: `"CONFIG" 'get' maxmemory` }, 'CONFIG GET', 'query'],
    [{ query: 'client' }, 'CLIENT', 'query'],
    [{ command: 'get', query: 'SET a b' }, 'SET', 'query'],
    [{ command: 'hgetall', query: '' }, 'HGETALL', 'command'],
    [{ command: 'ts.range' }, 'TS.RANGE', 'command'],
    [{ command: 'xinfoStream' }, 'XINFO STREAM', 'command'],
    [{ command: 'tmscan' }, 'SCAN', 'command'],
    [{ command: 'clientList' }, 'CLIENT LIST', 'command'],
    [{ command: 'slowlogGet' }, 'SLOWLOG GET', 'command'],
    [{ command: 'clusterInfo' }, 'CLUSTER INFO', 'command'],
    [{ command: 'info', section: 'stats' }, 'INFO', 'command'],
  ])('%j → %s from %s', (target, name, source) => {
    expect(effectiveRedisCommand(target)).toMatchObject({ name, source, known: true });
  });

  it('knows no command for an empty target, and flags unknown plugin ids', () => {
    expect(effectiveRedisCommand({})).toBeUndefined();
    expect(effectiveRedisCommand({ query: '   ', command: '' })).toBeUndefined();
    expect(effectiveRedisCommand({ command: 'flushall' })).toEqual({
      name: 'FLUSHALL',
      source: 'command',
      raw: 'flushall',
      known: false,
    });
  });

  it.each([
    ['GET a', ['GET', 'a']],
    [`SET "a b" 'c d'`, ['SET', 'a b', 'c d']],
    ['HGET a\\ b f', ['HGET', 'a b', 'f']],
    [`GET ""`, ['GET', '']],
    ['  ', []],
  ])('shellSplit(%j) = %j', (line, want) => {
    expect(shellSplit(line)).toEqual(want);
  });
});

describe('static verdicts', () => {
  it.each([
    [{ query: 'GET a' }, 'ok', 'info'],
    [{ command: 'xinfoStream' }, 'ok', 'info'],
    [{ command: 'tmscan' }, 'ok', 'info'],
    [{ command: 'ts.mrange' }, 'ok', 'info'],
    [{ query: 'SET a b' }, 'not-read-only', 'error'],
    [{ query: 'del a' }, 'not-read-only', 'error'],
    [{ query: 'FLUSHALL' }, 'not-read-only', 'error'],
    [{ query: 'CONFIG SET maxmemory 1' }, 'not-read-only', 'error'],
    [{ command: 'graph.query' }, 'not-read-only', 'error'],
    [{ command: 'rg.pyexecute' }, 'not-read-only', 'error'],
    [{ command: 'bogus' }, 'unknown-command', 'error'],
    [{}, 'no-command', 'warning'],
  ])('%j → %s (%s)', (target, kind, severity) => {
    const v = staticRedisVerdict(target, 3);
    expect(v).toMatchObject({ kind, severity, via: 'static', index: 3 });
  });

  it('says what is wrong in one line', () => {
    expect(staticRedisVerdict({ query: 'SET a b' }).message).toBe(
      'Redis command SET is not a read-only command: a dashboard would run it on every refresh',
    );
    expect(staticRedisVerdict({ command: 'bogus' }).message).toBe(
      '"bogus" is not a command of redis-datasource: the plugin runs nothing for it',
    );
    expect(
      makeRedisVerdict('unreachable', { server: 'redis://h:6379', reason: 'ECONNREFUSED' }).message,
    ).toBe('cannot reach Redis at redis://h:6379: ECONNREFUSED; Redis targets were checked statically only');
  });

  it('redacts credentials from URLs', () => {
    expect(redactRedisUrl('redis://user:pw@host:6379/0')).toBe('redis://host:6379/0');
    expect(redactRedisUrl('rediss://:pw@host:6380')).toBe('rediss://host:6380');
    expect(redactRedisUrl('not a url')).toBe('the given Redis URL');
  });
});

/** A connection double that answers COMMAND INFO like a server of the given version. */
function fakeServer(info: Record<string, unknown[] | null>): {
  connect: () => Promise<RedisCommandSender>;
  sent: string[][];
} {
  const sent: string[][] = [];
  return {
    sent,
    connect: async () => ({
      send: async (args) => {
        sent.push(args);
        if (args[0] !== 'COMMAND' || args[1] !== 'INFO') throw new Error('only COMMAND INFO may be sent');
        return [info[args[2]!] ?? null];
      },
      close: async () => undefined,
    }),
  };
}

describe('checkRedisTargets with a server double', () => {
  it('decides by the server flags and asks once per command', async () => {
    const server = fakeServer({
      get: ['get', 2, ['readonly', 'fast'], 1, 1, 1, ['@read', '@string', '@fast']],
      set: ['set', -3, ['write', 'denyoom'], 1, 1, 1, ['@write', '@string', '@slow']],
      info: ['info', -1, ['loading', 'stale'], 0, 0, 0, ['@slow', '@dangerous']],
      shutdown: [
        'shutdown',
        -1,
        ['admin', 'noscript', 'loading', 'stale'],
        0,
        0,
        0,
        ['@admin', '@slow', '@dangerous'],
      ],
    });
    const verdicts = await checkRedisTargets(
      [
        { query: 'GET a' },
        { query: 'GET b' },
        { query: 'SET a b' },
        { command: 'info' },
        { query: 'SHUTDOWN' },
        { command: 'nope' },
      ],
      { url: 'redis://u:p@h:1', connect: server.connect },
    );
    expect(verdicts.map((v) => [v.index, v.kind, v.via])).toEqual([
      [0, 'ok', 'server'],
      [1, 'ok', 'server'],
      [2, 'not-read-only', 'server'],
      [3, 'ok', 'server'],
      [4, 'not-read-only', 'server'],
      [5, 'unknown-command', 'static'],
    ]);
    expect(server.sent.map((a) => a[2])).toEqual(['get', 'set', 'info', 'shutdown']);
    expect(verdicts[2]!.message).toBe(
      'Redis command SET is not read-only on redis://h:1 (flags: write, denyoom): a dashboard would run it on every refresh',
    );
  });

  it('asks for subcommands as container|sub and falls back to the container on Redis < 7', async () => {
    const v7 = fakeServer({
      'xinfo|stream': ['xinfo|stream', -3, ['readonly'], 2, 2, 1, ['@read', '@stream', '@slow']],
    });
    const [a] = await checkRedisTargets([{ command: 'xinfoStream' }], {
      url: 'redis://h:1',
      connect: v7.connect,
    });
    expect(a).toMatchObject({ kind: 'ok', via: 'server', flags: ['readonly'] });
    expect(v7.sent).toEqual([['COMMAND', 'INFO', 'xinfo|stream']]);

    const v6 = fakeServer({
      config: [
        'config',
        -2,
        ['admin', 'noscript', 'loading', 'stale'],
        0,
        0,
        0,
        ['@admin', '@slow', '@dangerous'],
      ],
    });
    const verdicts = await checkRedisTargets(
      [{ query: 'CONFIG GET maxmemory' }, { query: 'CONFIG SET maxmemory 1' }],
      {
        url: 'redis://h:1',
        connect: v6.connect,
      },
    );
    expect(verdicts.map((v) => v.kind)).toEqual(['ok', 'not-read-only']);
  });

  it('turns a connection failure into one unreachable verdict, never a throw', async () => {
    const verdicts = await checkRedisTargets([{ query: 'GET a' }], {
      url: 'redis://h:1',
      connect: async () => {
        throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' });
      },
    });
    expect(verdicts.map((v) => [v.kind, v.index])).toEqual([
      ['unreachable', undefined],
      ['ok', 0],
    ]);
    expect(verdicts[0]!.message).toBe(
      'cannot reach Redis at redis://h:1: connect ECONNREFUSED 127.0.0.1:1; Redis targets were checked statically only',
    );
  });

  it('checks statically without a URL and never connects', async () => {
    let connected = false;
    const verdicts = await checkRedisTargets([{ query: 'SET a b' }], {
      connect: async () => {
        connected = true;
        throw new Error('no');
      },
    });
    expect(connected).toBe(false);
    expect(verdicts).toEqual([staticRedisVerdict({ query: 'SET a b' }, 0)]);
  });
});
