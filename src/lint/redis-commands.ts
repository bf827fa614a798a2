// Static knowledge of Redis commands for the redis-write-command rule: which ones only read. A panel
// runs its query on every refresh of every viewer, so a write there is a write on a timer.
// Two-word commands (CONFIG GET, CLIENT LIST, ...) are keyed "CONTAINER SUB".

const words = (s: string): string[] => s.trim().split(/\s+/);

/** Commands whose first word needs the second to tell a read from a write. */
export const REDIS_CONTAINER_COMMANDS: ReadonlySet<string> = new Set(
  words(`ACL CLIENT CLUSTER COMMAND CONFIG FUNCTION LATENCY MEMORY MODULE OBJECT PUBSUB SCRIPT SLOWLOG XGROUP XINFO
    GRAPH.CONFIG`),
);

export const REDIS_READ_ONLY_COMMANDS: ReadonlySet<string> = new Set([
  ...words(`
    EXISTS TYPE TTL PTTL EXPIRETIME PEXPIRETIME KEYS SCAN RANDOMKEY DBSIZE DUMP TOUCH SORT_RO LCS
    GET MGET GETRANGE SUBSTR STRLEN GETBIT BITCOUNT BITPOS BITFIELD_RO
    HGET HMGET HGETALL HKEYS HVALS HLEN HEXISTS HSTRLEN HSCAN HRANDFIELD HTTL HPTTL HEXPIRETIME HPEXPIRETIME
    LRANGE LLEN LINDEX LPOS
    SMEMBERS SCARD SISMEMBER SMISMEMBER SRANDMEMBER SSCAN SINTER SUNION SDIFF SINTERCARD
    ZRANGE ZRANGEBYSCORE ZRANGEBYLEX ZREVRANGE ZREVRANGEBYSCORE ZREVRANGEBYLEX ZCARD ZCOUNT ZLEXCOUNT ZSCORE
    ZMSCORE ZRANK ZREVRANK ZSCAN ZRANDMEMBER ZINTER ZUNION ZDIFF ZINTERCARD
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
export const REDIS_WRITE_COMMANDS: ReadonlySet<string> = new Set([
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

export type CommandVerdict = { kind: 'read' | 'write' | 'unknown'; command: string };

/** Splits a command line the way the plugin does (whitespace, single or double quotes group). */
export function splitCommandLine(text: string): string[] {
  const out: string[] = [];
  const re = /"((?:[^"\\]|\\.)*)"|'([^']*)'|(\S+)/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text)) !== null) out.push(m[1] ?? m[2] ?? m[3] ?? '');
  return out;
}

/** Classifies a Redis command line (`HGETALL key`, `CONFIG SET x y`). */
export function classifyCommandLine(text: string): CommandVerdict {
  const args = splitCommandLine(text);
  const first = (args[0] ?? '').toUpperCase();
  let command = first;
  if (REDIS_CONTAINER_COMMANDS.has(first) && args[1] !== undefined)
    command = `${first} ${args[1].toUpperCase()}`;
  if (READ_UNLESS_STORE.has(first)) {
    const writes = args.slice(1).some((a) => STORE_ARGS.has(a.toUpperCase()));
    return { kind: writes ? 'write' : 'read', command };
  }
  if (first === 'GRAPH.QUERY' || first === 'GRAPH.PROFILE') {
    return { kind: CYPHER_WRITE.test(args.slice(2).join(' ')) ? 'write' : 'read', command };
  }
  if (REDIS_READ_ONLY_COMMANDS.has(command)) return { kind: 'read', command };
  if (REDIS_WRITE_COMMANDS.has(command) || REDIS_WRITE_COMMANDS.has(first)) return { kind: 'write', command };
  return { kind: 'unknown', command };
}

/**
 * The plugin's own command ids (`command` field; CONTRACTS.md E), mapped to whether they only read.
 * graph.query and graph.profile run a Cypher query, which may write: the cypher text decides.
 */
export const REDIS_PLUGIN_COMMANDS: Readonly<Record<string, 'read' | 'write' | 'cypher'>> = {
  clientList: 'read',
  clusterInfo: 'read',
  clusterNodes: 'read',
  get: 'read',
  hget: 'read',
  hgetall: 'read',
  hkeys: 'read',
  hlen: 'read',
  hmget: 'read',
  info: 'read',
  llen: 'read',
  scard: 'read',
  slowlogGet: 'read',
  smembers: 'read',
  ttl: 'read',
  type: 'read',
  zrange: 'read',
  xinfoStream: 'read',
  xlen: 'read',
  xrange: 'read',
  xrevrange: 'read',
  tmscan: 'read',
  'ts.get': 'read',
  'ts.mget': 'read',
  'ts.info': 'read',
  'ts.queryindex': 'read',
  'ts.range': 'read',
  'ts.mrange': 'read',
  'ft.info': 'read',
  'ft.search': 'read',
  'rg.pystats': 'read',
  'rg.dumpregistrations': 'read',
  'rg.pydumpreqs': 'read',
  'rg.pyexecute': 'write',
  'graph.config': 'read',
  'graph.explain': 'read',
  'graph.profile': 'cypher',
  'graph.query': 'cypher',
  'graph.slowlog': 'read',
  'json.type': 'read',
  'json.get': 'read',
  'json.objkeys': 'read',
  'json.objlen': 'read',
  'json.arrlen': 'read',
};

/** Cypher clauses that change the graph. */
export const CYPHER_WRITE = /\b(CREATE|MERGE|DELETE|DETACH|SET|REMOVE|DROP)\b/i;
