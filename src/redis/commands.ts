// What a redis-datasource target runs (CONTRACTS.md E) and which Redis commands only read.
// Two-word commands (CONFIG GET, XINFO STREAM, ...) are named "CONTAINER SUB".

const words = (s: string): string[] => s.trim().split(/\s+/);

/** Commands whose first word needs the second to tell what runs. */
export const CONTAINER_COMMANDS: ReadonlySet<string> = new Set(
  words(`ACL CLIENT CLUSTER COMMAND CONFIG DEBUG FUNCTION LATENCY MEMORY MODULE OBJECT PUBSUB SCRIPT SLOWLOG
    XGROUP XINFO`),
);

/** Commands a dashboard may run on every refresh without changing anything. */
export const READ_ONLY_COMMANDS: ReadonlySet<string> = new Set([
  ...words(`
    EXISTS TYPE TTL PTTL EXPIRETIME PEXPIRETIME KEYS SCAN RANDOMKEY DBSIZE DUMP SORT_RO LCS
    GET MGET GETRANGE SUBSTR STRLEN GETBIT BITCOUNT BITPOS BITFIELD_RO
    HGET HMGET HGETALL HKEYS HVALS HLEN HEXISTS HSTRLEN HSCAN HRANDFIELD
    LRANGE LLEN LINDEX LPOS
    SMEMBERS SCARD SISMEMBER SMISMEMBER SRANDMEMBER SSCAN SINTER SUNION SDIFF SINTERCARD
    ZRANGE ZRANGEBYSCORE ZRANGEBYLEX ZREVRANGE ZREVRANGEBYSCORE ZREVRANGEBYLEX ZCARD ZCOUNT ZLEXCOUNT
    ZSCORE ZMSCORE ZRANK ZREVRANK ZSCAN ZRANDMEMBER ZINTER ZUNION ZDIFF ZINTERCARD
    XRANGE XREVRANGE XLEN XREAD XPENDING
    GEORADIUS_RO GEORADIUSBYMEMBER_RO GEOSEARCH GEOPOS GEODIST GEOHASH PFCOUNT
    INFO TIME LASTSAVE ROLE PING ECHO EVAL_RO EVALSHA_RO FCALL_RO
    TS.GET TS.MGET TS.RANGE TS.REVRANGE TS.MRANGE TS.MREVRANGE TS.INFO TS.QUERYINDEX
    FT.SEARCH FT.AGGREGATE FT.INFO FT._LIST FT.EXPLAIN FT.EXPLAINCLI FT.TAGVALS FT.SPELLCHECK
    JSON.GET JSON.MGET JSON.TYPE JSON.STRLEN JSON.ARRLEN JSON.OBJKEYS JSON.OBJLEN JSON.RESP JSON.ARRINDEX
    GRAPH.RO_QUERY GRAPH.EXPLAIN GRAPH.LIST GRAPH.SLOWLOG
    RG.PYSTATS RG.DUMPREGISTRATIONS RG.PYDUMPREQS RG.DUMPEXECUTIONS
  `),
  'ACL WHOAMI',
  'ACL CAT',
  'ACL USERS',
  'ACL LIST',
  'CLIENT LIST',
  'CLIENT INFO',
  'CLIENT GETNAME',
  'CLIENT ID',
  'CLUSTER INFO',
  'CLUSTER NODES',
  'CLUSTER SLOTS',
  'CLUSTER SHARDS',
  'CLUSTER MYID',
  'CLUSTER KEYSLOT',
  'CLUSTER COUNTKEYSINSLOT',
  'COMMAND COUNT',
  'COMMAND INFO',
  'COMMAND DOCS',
  'COMMAND LIST',
  'CONFIG GET',
  'FUNCTION LIST',
  'FUNCTION STATS',
  'LATENCY LATEST',
  'LATENCY HISTORY',
  'LATENCY DOCTOR',
  'MEMORY USAGE',
  'MEMORY STATS',
  'MEMORY DOCTOR',
  'MODULE LIST',
  'OBJECT ENCODING',
  'OBJECT FREQ',
  'OBJECT IDLETIME',
  'OBJECT REFCOUNT',
  'PUBSUB CHANNELS',
  'PUBSUB NUMSUB',
  'PUBSUB NUMPAT',
  'SCRIPT EXISTS',
  'SLOWLOG GET',
  'SLOWLOG LEN',
  'XINFO STREAM',
  'XINFO GROUPS',
  'XINFO CONSUMERS',
]);

/** redis-datasource `command` ids → the Redis command they run (RD pkg/models). */
export const PLUGIN_COMMANDS: Readonly<Record<string, string>> = {
  clientList: 'CLIENT LIST',
  clusterInfo: 'CLUSTER INFO',
  clusterNodes: 'CLUSTER NODES',
  get: 'GET',
  hget: 'HGET',
  hgetall: 'HGETALL',
  hkeys: 'HKEYS',
  hlen: 'HLEN',
  hmget: 'HMGET',
  info: 'INFO',
  llen: 'LLEN',
  scard: 'SCARD',
  slowlogGet: 'SLOWLOG GET',
  smembers: 'SMEMBERS',
  ttl: 'TTL',
  type: 'TYPE',
  zrange: 'ZRANGE',
  xinfoStream: 'XINFO STREAM',
  xlen: 'XLEN',
  xrange: 'XRANGE',
  xrevrange: 'XREVRANGE',
  // The plugin's own SCAN loop (with TYPE and MEMORY USAGE per key): SCAN is what decides.
  tmscan: 'SCAN',
  'ts.get': 'TS.GET',
  'ts.mget': 'TS.MGET',
  'ts.info': 'TS.INFO',
  'ts.queryindex': 'TS.QUERYINDEX',
  'ts.range': 'TS.RANGE',
  'ts.mrange': 'TS.MRANGE',
  'ft.info': 'FT.INFO',
  'ft.search': 'FT.SEARCH',
  'rg.pystats': 'RG.PYSTATS',
  'rg.dumpregistrations': 'RG.DUMPREGISTRATIONS',
  'rg.pyexecute': 'RG.PYEXECUTE',
  'rg.pydumpreqs': 'RG.PYDUMPREQS',
  'graph.config': 'GRAPH.CONFIG',
  'graph.explain': 'GRAPH.EXPLAIN',
  'graph.profile': 'GRAPH.PROFILE',
  'graph.query': 'GRAPH.QUERY',
  'graph.slowlog': 'GRAPH.SLOWLOG',
  'json.type': 'JSON.TYPE',
  'json.get': 'JSON.GET',
  'json.objkeys': 'JSON.OBJKEYS',
  'json.objlen': 'JSON.OBJLEN',
  'json.arrlen': 'JSON.ARRLEN',
};

/** Splits a command line as a shell would: whitespace-separated, '…' and "…" quoting, backslash escapes. */
export function shellSplit(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let has = false;
  let quote: '"' | "'" | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quote) {
      if (c === quote) quote = undefined;
      else if (c === '\\' && quote === '"' && i + 1 < line.length) cur += line[++i];
      else cur += c;
      continue;
    }
    if (c === '"' || c === "'") {
      quote = c;
      has = true;
    } else if (c === '\\' && i + 1 < line.length) {
      cur += line[++i];
      has = true;
    } else if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      if (has) out.push(cur);
      cur = '';
      has = false;
    } else {
      cur += c;
      has = true;
    }
  }
  if (has) out.push(cur);
  return out;
}

export function isReadOnlyRedisCommand(name: string): boolean {
  return READ_ONLY_COMMANDS.has(name.toUpperCase());
}
