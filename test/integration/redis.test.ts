import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:net';
import { createClient } from '@redis/client';
import { checkRedisTargets } from '../../src/redis/check.js';
import { startRedisServer, type RedisServer } from '../support/redis-server.js';

let redis: RedisServer;

beforeAll(async () => {
  redis = await startRedisServer();
});

afterAll(async () => {
  await redis?.stop();
});

describe('checkRedisTargets against a real redis-server', () => {
  it('passes read-only commands, from the query or the plugin command id', async () => {
    const verdicts = await checkRedisTargets(
      [
        { query: 'HGETALL user:1' },
        { command: 'info', query: '' },
        { command: 'xinfoStream', keyName: 'events' },
        { query: 'CONFIG GET maxmemory' },
        { command: 'tmscan' },
      ],
      { url: redis.url },
    );
    expect(verdicts.map((v) => [v.index, v.kind, v.via, v.command])).toEqual([
      [0, 'ok', 'server', 'HGETALL'],
      [1, 'ok', 'server', 'INFO'],
      [2, 'ok', 'server', 'XINFO STREAM'],
      [3, 'ok', 'server', 'CONFIG GET'],
      [4, 'ok', 'server', 'SCAN'],
    ]);
    expect(verdicts[0]!.flags).toContain('readonly');
  });

  it('flags SET, DEL, FLUSHALL and CONFIG SET as not read-only, by the server flags', async () => {
    const verdicts = await checkRedisTargets(
      [{ query: 'SET k v' }, { query: 'del k' }, { query: 'FLUSHALL' }, { query: 'CONFIG SET maxmemory 1' }],
      { url: redis.url },
    );
    expect(verdicts.map((v) => [v.kind, v.severity])).toEqual([
      ['not-read-only', 'error'],
      ['not-read-only', 'error'],
      ['not-read-only', 'error'],
      ['not-read-only', 'error'],
    ]);
    expect(verdicts[0]!.flags).toContain('write');
    expect(verdicts[2]!.message).toMatch(
      /^Redis command FLUSHALL is not read-only on redis:\/\/127\.0\.0\.1:\d+/,
    );
  });

  it('never runs the target command itself', async () => {
    const c = createClient({ url: redis.url });
    await c.connect();
    await c.set('canary', 'alive');
    await checkRedisTargets([{ query: 'FLUSHALL' }, { query: 'DEL canary' }], { url: redis.url });
    expect(await c.get('canary')).toBe('alive');
    await c.close();
  });

  it('reports a module command absent from plain Redis as unknown on that server', async () => {
    const verdicts = await checkRedisTargets(
      [{ command: 'ts.range', keyName: 'x' }, { query: 'NOSUCHCMD a' }],
      {
        url: redis.url,
      },
    );
    expect(verdicts.map((v) => [v.kind, v.command])).toEqual([
      ['unknown-command', 'TS.RANGE'],
      ['unknown-command', 'NOSUCHCMD'],
    ]);
    expect(verdicts[0]!.message).toContain('does not exist on redis://127.0.0.1:');
  });
});

describe('checkRedisTargets with a server it cannot use', () => {
  let closed: Server;
  let port: number;

  beforeAll(async () => {
    // A port that was free a moment ago and has nothing listening.
    closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', () => r()));
    port = (closed.address() as { port: number }).port;
    await new Promise<void>((r) => closed.close(() => r()));
  });

  it('gives one unreachable verdict and falls back to the static check', async () => {
    const verdicts = await checkRedisTargets([{ query: 'GET a' }, { query: 'SET a b' }], {
      url: `redis://user:s3cret@127.0.0.1:${port}`,
      timeoutMs: 2000,
    });
    const unreachable = verdicts.filter((v) => v.kind === 'unreachable');
    expect(unreachable).toHaveLength(1);
    expect(unreachable[0]!.index).toBeUndefined();
    expect(unreachable[0]!.message).toContain(`redis://127.0.0.1:${port}`);
    expect(unreachable[0]!.message).not.toContain('s3cret');
    expect(verdicts.filter((v) => v.index !== undefined).map((v) => [v.index, v.kind, v.via])).toEqual([
      [0, 'ok', 'static'],
      [1, 'not-read-only', 'static'],
    ]);
  });

  it('gives one unreachable verdict when the peer is not Redis and never answers', async () => {
    const silent = createServer((sock) => sock.on('data', () => undefined));
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', () => r()));
    const p = (silent.address() as { port: number }).port;
    try {
      const verdicts = await checkRedisTargets([{ query: 'GET a' }], {
        url: `redis://127.0.0.1:${p}`,
        timeoutMs: 300,
      });
      expect(verdicts[0]!.kind).toBe('unreachable');
      expect(verdicts[1]).toMatchObject({ index: 0, kind: 'ok', via: 'static' });
    } finally {
      silent.close();
    }
  });
});
