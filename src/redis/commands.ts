// What a redis-datasource target runs (CONTRACTS.md E) and whether it only reads. A panel runs its
// query on every refresh of every viewer, so a write there is a write on a timer. The linter's
// redis-write-command rule and the Redis check both decide here.
// Two-word commands (CONFIG GET, XINFO STREAM, ...) are named "CONTAINER SUB".

const words = (s: string): string[] => s.trim().split(/\s+/);

/** Commands whose first word needs the second to tell what runs. */
export const CONTAINER_COMMANDS: ReadonlySet<string> = new Set(
  words(`ACL CLIENT CLUSTER COMMAND CONFIG DEBUG FUNCTION LATENCY MEMORY MODULE OBJECT PUBSUB SCRIPT SLOWLOG
    XGROUP XINFO GRAPH.CONFIG`),
);

/** Commands a dashboard may run on every refresh without changing anything. */
export const READ_ONLY_COMMANDS: ReadonlySet<string> = new Set([
  ...words(`
    EXISTS TYPE TTL PTTL EXPIRETIME PEXPIRETIME KEYS SCAN RANDOMKEY DBSIZE DUMP TOUCH SORT_RO LCS
    GET MGET GETRANGE SUBSTR STRLEN GETBIT BITCOUNT BITPOS BITFIELD_RO
    HGET HMGET HGETALL HKEYS HVALS HLEN HEXISTS HSTRLEN HSCAN HRANDFIELD HTTL HPTTL HEXPIRETIME HPEXPIRETIME
    LRANGE LLEN LINDEX LPOS
    SMEMBERS SCARD SISMEMBER SMISMEMBER SRANDMEMBER SSCAN SINTER SUNION SDIFF SINTERCARD
    ZRANGE ZRANGEBYSCORE ZRANGEBYLEX ZREVRANGE ZREVRANGEBYSCORE ZREVRANGEBYLEX ZCARD ZCOUNT ZLEXCOUNT
    ZSCORE ZMSCORE ZRANK ZREVRANK ZSCAN ZRANDMEMBER ZINTER ZUNION ZDIFF ZINTERCARD
    XRANGE XREVRANGE XLEN XREAD XPENDING
    GEORADIUS_RO GEORADIUSBYMEMBER_RO GEOSEARCH GEOPOS GEODIST GEOHASH PFCOUNT
    INFO TIME LASTSAVE ROLE PING ECHO EVAL_RO EVALSHA_RO FCALL_RO
    TS.GET TS.MGET TS.RANGE TS.REVRANGE TS.MRANGE TS.MREVRANGE TS.INFO TS.QUERYINDEX
    FT.SEARCH FT.AGGREGATE FT.INFO FT._LIST FT.EXPLAIN FT.EXPLAINCLI FT.TAGVALS FT.SPELLCHECK FT.SYNDUMP FT.DICTDUMP
    JSON.GET JSON.MGET JSON.TYPE JSON.STRLEN JSON.ARRLEN JSON.OBJKEYS JSON.OBJLEN JSON.RESP JSON.ARRINDEX
    GRAPH.RO_QUERY GRAPH.EXPLAIN GRAPH.LIST GRAPH.SLOWLOG
    BF.EXISTS BF.MEXISTS BF.INFO BF.CARD CF.EXISTS CF.MEXISTS CF.COUNT CF.INFO CMS.QUERY CMS.INFO
    TOPK.QUERY TOPK.LIST TOPK.INFO TDIGEST.INFO TDIGEST.QUANTILE TDIGEST.CDF TDIGEST.MIN TDIGEST.MAX
    RG.PYSTATS RG.DUMPREGISTRATIONS RG.PYDUMPREQS RG.DUMPEXECUTIONS RG.INFOCLUSTER
  `),
  'ACL WHOAMI',
  'ACL CAT',
  'ACL USERS',
  'ACL LIST',
  'CLIENT LIST',
  'CLIENT INFO',
  'CLIENT GETNAME',
  'CLIENT ID',
  'CLIENT TRACKINGINFO',
  'CLUSTER INFO',
  'CLUSTER NODES',
  'CLUSTER SLOTS',
  'CLUSTER SHARDS',
  'CLUSTER MYID',
  'CLUSTER KEYSLOT',
  'CLUSTER COUNTKEYSINSLOT',
  'CLUSTER GETKEYSINSLOT',
  'COMMAND COUNT',
  'COMMAND INFO',
  'COMMAND DOCS',
  'COMMAND LIST',
  'COMMAND GETKEYS',
  'CONFIG GET',
  'FUNCTION LIST',
  'FUNCTION DUMP',
  'FUNCTION STATS',
  'LATENCY LATEST',
  'LATENCY HISTORY',
  'LATENCY DOCTOR',
  'LATENCY GRAPH',
  'MEMORY USAGE',
  'MEMORY STATS',
  'MEMORY DOCTOR',
  'MEMORY MALLOC-STATS',
  'MODULE LIST',
  'OBJECT ENCODING',
  'OBJECT FREQ',
  'OBJECT IDLETIME',
  'OBJECT REFCOUNT',
  'PUBSUB CHANNELS',
  'PUBSUB NUMSUB',
  'PUBSUB NUMPAT',
  'PUBSUB SHARDCHANNELS',
  'PUBSUB SHARDNUMSUB',
  'SCRIPT EXISTS',
  'SLOWLOG GET',
  'SLOWLOG LEN',
  'XINFO STREAM',
  'XINFO GROUPS',
  'XINFO CONSUMERS',
  'GRAPH.CONFIG GET',
]);

/** Commands known to write, run scripts, block, or change the server: errors in a panel. */
export const WRITE_COMMANDS: ReadonlySet<string> = new Set([
  ...words(`
    SET SETEX PSETEX SETNX SETRANGE MSET MSETNX APPEND INCR INCRBY INCRBYFLOAT DECR DECRBY GETSET GETDEL GETEX
    DEL UNLINK EXPIRE PEXPIRE EXPIREAT PEXPIREAT PERSIST RENAME RENAMENX MOVE COPY RESTORE MIGRATE
    HSET HSETNX HMSET HDEL HINCRBY HINCRBYFLOAT HEXPIRE HPEXPIRE HEXPIREAT HPEXPIREAT HPERSIST HGETDEL HGETEX HSETEX
    LPUSH RPUSH LPUSHX RPUSHX LPOP RPOP RPOPLPUSH LMOVE BLPOP BRPOP BLMOVE BRPOPLPUSH LSET LREM LTRIM LINSERT LMPOP BLMPOP
    SADD SREM SPOP SMOVE SINTERSTORE SUNIONSTORE SDIFFSTORE
    ZADD ZREM ZINCRBY ZPOPMIN ZPOPMAX BZPOPMIN BZPOPMAX ZREMRANGEBYSCORE ZREMRANGEBYRANK ZREMRANGEBYLEX
    ZUNIONSTORE ZINTERSTORE ZDIFFSTORE ZRANGESTORE ZMPOP BZMPOP
    XADD XDEL XTRIM XREADGROUP XACK XCLAIM XAUTOCLAIM XSETID
    PFADD PFMERGE GEOADD GEOSEARCHSTORE SETBIT BITOP BITFIELD
    FLUSHALL FLUSHDB SWAPDB SELECT EVAL EVALSHA FCALL SHUTDOWN SAVE BGSAVE BGREWRITEAOF DEBUG MONITOR
    SUBSCRIBE PSUBSCRIBE SSUBSCRIBE PUBLISH SPUBLISH REPLICAOF SLAVEOF FAILOVER MULTI EXEC DISCARD WATCH
    WAIT WAITAOF RESET
    TS.ADD TS.MADD TS.CREATE TS.DEL TS.ALTER TS.INCRBY TS.DECRBY TS.CREATERULE TS.DELETERULE
    FT.CREATE FT.DROPINDEX FT.DROP FT.ALTER FT.ALIASADD FT.ALIASUPDATE FT.ALIASDEL FT.SUGADD FT.SUGDEL FT.SYNUPDATE
    FT.DICTADD FT.DICTDEL
    JSON.SET JSON.DEL JSON.FORGET JSON.ARRAPPEND JSON.ARRINSERT JSON.ARRPOP JSON.ARRTRIM JSON.NUMINCRBY JSON.NUMMULTBY
    JSON.STRAPPEND JSON.TOGGLE JSON.CLEAR JSON.MERGE JSON.MSET
    GRAPH.QUERY GRAPH.DELETE GRAPH.COPY GRAPH.PROFILE
    BF.ADD BF.MADD BF.INSERT BF.RESERVE CF.ADD CF.ADDNX CF.INSERT CF.DEL CF.RESERVE CMS.INCRBY CMS.INITBYDIM
    CMS.INITBYPROB CMS.MERGE TOPK.ADD TOPK.INCRBY TOPK.RESERVE TDIGEST.ADD TDIGEST.CREATE TDIGEST.RESET TDIGEST.MERGE
    RG.PYEXECUTE RG.UNREGISTER RG.ABORTEXECUTION RG.DROPEXECUTION RG.TRIGGER
  `),
  'ACL SETUSER',
  'ACL DELUSER',
  'ACL SAVE',
  'ACL LOAD',
  'ACL DRYRUN',
  'CLIENT KILL',
  'CLIENT PAUSE',
  'CLIENT UNPAUSE',
  'CLIENT SETNAME',
  'CLIENT SETINFO',
  'CLIENT NO-EVICT',
  'CLIENT NO-TOUCH',
  'CLIENT REPLY',
  'CLIENT TRACKING',
  'CLIENT UNBLOCK',
  'CLUSTER RESET',
  'CLUSTER FAILOVER',
  'CLUSTER ADDSLOTS',
  'CLUSTER DELSLOTS',
  'CLUSTER FORGET',
  'CLUSTER MEET',
  'CLUSTER REPLICATE',
  'CLUSTER SETSLOT',
  'CLUSTER FLUSHSLOTS',
  'CLUSTER SAVECONFIG',
  'CONFIG SET',
  'CONFIG REWRITE',
  'CONFIG RESETSTAT',
  'FUNCTION LOAD',
  'FUNCTION DELETE',
  'FUNCTION FLUSH',
  'FUNCTION RESTORE',
  'FUNCTION KILL',
  'LATENCY RESET',
  'MEMORY PURGE',
  'MODULE LOAD',
  'MODULE LOADEX',
  'MODULE UNLOAD',
  'SCRIPT LOAD',
  'SCRIPT FLUSH',
  'SCRIPT KILL',
  'SLOWLOG RESET',
  'XGROUP CREATE',
  'XGROUP DESTROY',
  'XGROUP SETID',
  'XGROUP CREATECONSUMER',
  'XGROUP DELCONSUMER',
  'GRAPH.CONFIG SET',
]);

/** Read-only unless an argument names a destination key (Redis flags them as writes for that reason). */
const READ_UNLESS_STORE: ReadonlySet<string> = new Set(['SORT', 'GEORADIUS', 'GEORADIUSBYMEMBER']);
const STORE_ARGS: ReadonlySet<string> = new Set(['STORE', 'STOREDIST']);

/** RedisGraph commands that run a Cypher query, which may or may not write: the query decides. */
const CYPHER_COMMANDS: ReadonlySet<string> = new Set(['GRAPH.QUERY', 'GRAPH.PROFILE']);

/** Cypher clauses that change the graph. */
export const CYPHER_WRITE = /\b(CREATE|MERGE|DELETE|DETACH|SET|REMOVE|DROP)\b/i;

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
  // The plugin sends GRAPH.CONFIG GET * (RD pkg/redis-graph.go).
  'graph.config': 'GRAPH.CONFIG GET',
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

/** The fields of a redis-datasource target that decide what it runs (a raw target object fits). */
export interface RedisTargetLike {
  command?: unknown;
  query?: unknown;
  cypher?: unknown;
  [key: string]: unknown;
}

export interface EffectiveRedisCommand {
  /** Upper-case Redis command, `CONTAINER SUB` for two-word commands (`XINFO STREAM`). */
  name: string;
  /** Where it came from: the CLI `query` (which wins when non-empty) or the plugin `command` id. */
  source: 'query' | 'command';
  /** The text as written: the query line or the plugin command id. */
  raw: string;
  /** False when `command` is no id the plugin knows (the plugin then runs nothing). */
  known: boolean;
}

/** The command a target runs and, for a query line, the words after the command's name. */
function resolveTarget(
  target: RedisTargetLike,
): { command: EffectiveRedisCommand; args: string[] } | undefined {
  const query = typeof target.query === 'string' ? target.query.trim() : '';
  if (query !== '') {
    const tokens = shellSplit(query);
    const first = tokens[0]?.toUpperCase();
    if (first === undefined) return undefined;
    const second = tokens[1];
    const two = CONTAINER_COMMANDS.has(first) && second !== undefined;
    const name = two ? `${first} ${second.toUpperCase()}` : first;
    return { command: { name, source: 'query', raw: query, known: true }, args: tokens.slice(two ? 2 : 1) };
  }
  const command = typeof target.command === 'string' ? target.command.trim() : '';
  if (command === '') return undefined;
  // Own keys only: a target's `command` is untrusted text ("constructor" is no plugin id).
  const mapped = Object.hasOwn(PLUGIN_COMMANDS, command) ? PLUGIN_COMMANDS[command] : undefined;
  const name = mapped ?? command.toUpperCase();
  return { command: { name, source: 'command', raw: command, known: mapped !== undefined }, args: [] };
}

/**
 * The command a target runs, as the plugin's backend decides: a non-empty `query` is split
 * shell-style and its first word runs; otherwise the `command` id maps to its Redis command.
 */
export function effectiveRedisCommand(target: RedisTargetLike): EffectiveRedisCommand | undefined {
  return resolveTarget(target)?.command;
}

/** `read`: only reads; `write`: writes, runs a script, blocks or changes the server; `unknown`: neither list decides. */
export type RedisAccess = 'read' | 'write' | 'unknown';

export interface RedisCommandAccess {
  command: EffectiveRedisCommand;
  access: RedisAccess;
  /** Set for GRAPH.QUERY / GRAPH.PROFILE: the Cypher text decides (`unknown` when there is none). */
  cypher?: true;
}

/**
 * Whether a target's command only reads: the lists decide, and the arguments where they matter
 * (SORT ... STORE, the Cypher of a graph query). An id the plugin does not know is `unknown`.
 */
export function redisCommandAccess(target: RedisTargetLike): RedisCommandAccess | undefined {
  const resolved = resolveTarget(target);
  if (!resolved) return undefined;
  const { command, args } = resolved;
  if (!command.known) return { command, access: 'unknown' };
  const name = command.name;
  if (READ_UNLESS_STORE.has(name)) {
    return { command, access: args.some((a) => STORE_ARGS.has(a.toUpperCase())) ? 'write' : 'read' };
  }
  if (CYPHER_COMMANDS.has(name)) {
    // A query line is GRAPH.QUERY <graph> <cypher>; the plugin's graph.query sends the target's cypher.
    const cypher =
      command.source === 'query'
        ? args.slice(1).join(' ')
        : typeof target.cypher === 'string'
          ? target.cypher
          : '';
    if (cypher.trim() === '') return { command, access: 'unknown', cypher: true };
    return { command, access: CYPHER_WRITE.test(cypher) ? 'write' : 'read', cypher: true };
  }
  if (READ_ONLY_COMMANDS.has(name)) return { command, access: 'read' };
  // A container's own entry (DEBUG, ...) covers every subcommand.
  if (WRITE_COMMANDS.has(name) || WRITE_COMMANDS.has(name.split(' ')[0]!))
    return { command, access: 'write' };
  return { command, access: 'unknown' };
}
