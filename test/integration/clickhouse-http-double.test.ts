// The ClickHouse HTTP double itself: enough of the real server that @clickhouse/client works unchanged.
import { createClient } from '@clickhouse/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startClickHouseHttp, type ClickHouseHttpDouble } from '../support/clickhouse-http.js';

let double: ClickHouseHttpDouble;

beforeAll(async () => {
  double = await startClickHouseHttp({
    users: [{ name: 'ci', password: 'pw-123' }],
    schema: ['CREATE TABLE t (a UInt32, s String) ENGINE = MergeTree ORDER BY a'],
    seed: ["INSERT INTO t VALUES (1, 'x'), (2, 'y')"],
  });
});

afterAll(async () => {
  await double?.close();
});

const basic = (user: string, password: string) => ({
  Authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`,
});

describe('ClickHouse HTTP double', () => {
  it('answers /ping like the server', async () => {
    const res = await fetch(`${double.url}/ping`);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('Ok.\n');
  });

  it('serves @clickhouse/client: ping, JSON query with query_params, command', async () => {
    const client = createClient({ url: double.url, username: 'ci', password: 'pw-123' });
    try {
      expect((await client.ping()).success).toBe(true);
      const rs = await client.query({
        query: 'SELECT a, s FROM t WHERE a >= {min:UInt32} AND s != {skip:String} ORDER BY a',
        query_params: { min: 1, skip: "it's\ttabbed" },
        format: 'JSONEachRow',
      });
      expect(await rs.json()).toEqual([
        { a: 1, s: 'x' },
        { a: 2, s: 'y' },
      ]);
      const cmd = await client.command({ query: 'CREATE TABLE u (a UInt8) ENGINE = Memory' });
      expect(cmd.summary).toMatchObject({ read_rows: expect.any(String), elapsed_ns: expect.any(String) });
    } finally {
      await client.close();
    }
  });

  it('keeps SET within a session_id, and only there', async () => {
    const client = createClient({
      url: double.url,
      username: 'ci',
      password: 'pw-123',
      session_id: 'sess-1',
    });
    const other = createClient({ url: double.url, username: 'ci', password: 'pw-123' });
    try {
      await client.command({ query: 'SET max_rows_to_read = 1' });
      await expect(
        client.query({ query: 'SELECT count() FROM numbers(10)', format: 'JSONEachRow' }),
      ).rejects.toMatchObject({
        code: '158',
        type: 'TOO_MANY_ROWS',
      });
      const rs = await other.query({ query: 'SELECT count() AS n FROM numbers(10)', format: 'JSONEachRow' });
      const rows = await rs.json<{ n: string | number }>();
      expect(rows.map((r) => Number(r.n))).toEqual([10]);
    } finally {
      await client.close();
      await other.close();
    }
  });

  it('authenticates with X-ClickHouse-User/Key and refuses a wrong password with 516', async () => {
    const ok = await fetch(`${double.url}/?query=SELECT%201`, {
      method: 'POST',
      headers: { 'X-ClickHouse-User': 'ci', 'X-ClickHouse-Key': 'pw-123' },
    });
    expect(ok.status).toBe(200);
    expect(await ok.text()).toBe('1\n');
    const bad = await fetch(`${double.url}/`, {
      method: 'POST',
      body: 'SELECT 1',
      headers: basic('ci', 'nope'),
    });
    expect(bad.status).toBe(403);
    expect(bad.headers.get('x-clickhouse-exception-code')).toBe('516');
    expect(await bad.text()).toMatch(
      /^Code: 516\. DB::Exception: ci: Authentication failed: password is incorrect, or there is no user with such name\. \(AUTHENTICATION_FAILED\) \(version [\d.]+\)\n$/,
    );
  });

  it.each([
    ['SELECT * FROM nope', 404, 60],
    ['SELECT nope FROM t', 404, 47],
    ['SELEC 1', 400, 62],
    ['SELECT 1; SELECT 2', 400, 62],
  ])('maps %s to HTTP %i with code %i, as the server does', async (sql, status, code) => {
    const res = await fetch(`${double.url}/`, { method: 'POST', body: sql, headers: basic('ci', 'pw-123') });
    expect(res.status).toBe(status);
    expect(res.headers.get('x-clickhouse-exception-code')).toBe(String(code));
    expect(await res.text()).toMatch(
      new RegExp(`^Code: ${code}\\. DB::Exception: .*\\(version [\\d.]+\\)\\n$`),
    );
  });

  it('sends the format and summary headers, and honours default_format', async () => {
    const res = await fetch(`${double.url}/?default_format=JSONCompactEachRow`, {
      method: 'POST',
      body: 'SELECT a FROM t ORDER BY a',
      headers: basic('ci', 'pw-123'),
    });
    expect(res.headers.get('x-clickhouse-format')).toBe('JSONCompactEachRow');
    expect(JSON.parse(res.headers.get('x-clickhouse-summary')!)).toHaveProperty('read_rows');
    expect(await res.text()).toBe('[1]\n[2]\n');
  });

  it('logs requests without the password', async () => {
    await fetch(`${double.url}/?user=ci&password=pw-123&query=SELECT%202`, { method: 'POST' });
    const log = await double.requests();
    const last = log[log.length - 1]!;
    expect(last).toMatchObject({ user: 'ci', query: 'SELECT 2', status: 200 });
    expect(JSON.stringify(log)).not.toContain('pw-123');
  });
});
