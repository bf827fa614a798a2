import { describe, expect, it } from 'vitest';
import { staticRedisVerdict } from '../../../src/redis/check.js';
import { PLUGIN_COMMANDS, redisCommandAccess, shellSplit } from '../../../src/redis/commands.js';

const access = (query: string) => redisCommandAccess({ query })?.access;

describe('redisCommandAccess', () => {
  it('splits like a shell, quotes grouping', () => {
    expect(shellSplit(`HGET "my key" 'field x' plain`)).toEqual(['HGET', 'my key', 'field x', 'plain']);
  });

  it('tells reads, writes and unknowns apart, two-word commands included', () => {
    expect(access('get k')).toBe('read');
    expect(access('XINFO STREAM s')).toBe('read');
    expect(access('config get maxmemory')).toBe('read');
    expect(access('config set maxmemory 1')).toBe('write');
    expect(access('CONFIG RESETSTAT')).toBe('write');
    expect(access('SLOWLOG RESET')).toBe('write');
    expect(access('DEL k')).toBe('write');
    expect(access('FLUSHDB')).toBe('write');
    expect(access('DEBUG SLEEP 0')).toBe('write');
    expect(access('EVALSHA abc 0')).toBe('write');
    expect(access('EVALSHA_RO abc 0')).toBe('read');
    expect(access('GRAPH.CONFIG GET *')).toBe('read');
    expect(access('GRAPH.CONFIG SET TIMEOUT 1')).toBe('write');
    expect(access('MYMODULE.THING')).toBe('unknown');
    expect(access('CLIENT FROB')).toBe('unknown');
  });

  it('reads the arguments where they decide: STORE, and the Cypher of a graph query', () => {
    expect(access('GEORADIUS g 0 0 5 km STOREDIST d')).toBe('write');
    expect(access('GEORADIUS g 0 0 5 km')).toBe('read');
    expect(access('sort mylist LIMIT 0 10')).toBe('read');
    expect(access('SORT mylist STORE other')).toBe('write');
    expect(access(`GRAPH.QUERY g "CREATE (n)"`)).toBe('write');
    expect(access(`GRAPH.QUERY g "MATCH (n) RETURN n"`)).toBe('read');
    expect(redisCommandAccess({ command: 'graph.query', cypher: 'MATCH (n) DETACH DELETE n' })).toMatchObject(
      {
        access: 'write',
        cypher: true,
      },
    );
    expect(redisCommandAccess({ command: 'graph.profile', cypher: 'MATCH (n) RETURN n' })?.access).toBe(
      'read',
    );
    expect(redisCommandAccess({ command: 'graph.query' })).toMatchObject({ access: 'unknown', cypher: true });
  });

  it('knows what every plugin command id runs: all read except rg.pyexecute and the graph queries', () => {
    const notRead = Object.keys(PLUGIN_COMMANDS).filter(
      (id) => redisCommandAccess({ command: id })?.access !== 'read',
    );
    expect(notRead.sort()).toEqual(['graph.profile', 'graph.query', 'rg.pyexecute']);
    expect(redisCommandAccess({ command: 'rg.pyexecute' })?.access).toBe('write');
    expect(redisCommandAccess({ command: 'graph.config' })?.command.name).toBe('GRAPH.CONFIG GET');
  });

  it('takes only the plugin own ids: an inherited property name is no command', () => {
    expect(redisCommandAccess({ command: 'constructor' })).toMatchObject({
      access: 'unknown',
      command: { known: false, name: 'CONSTRUCTOR' },
    });
  });

  it('gives the static verdict the same answer', () => {
    expect(staticRedisVerdict({ query: 'sort mylist LIMIT 0 10' }).kind).toBe('ok');
    expect(staticRedisVerdict({ command: 'graph.config' }).kind).toBe('ok');
    expect(staticRedisVerdict({ command: 'graph.query', cypher: 'MATCH (n) RETURN n' }).kind).toBe('ok');
    expect(staticRedisVerdict({ command: 'graph.query', cypher: 'CREATE (n)' }).kind).toBe('not-read-only');
    expect(staticRedisVerdict({ query: 'FROBNICATE x' }).kind).toBe('not-read-only');
  });
});
