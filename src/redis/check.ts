// Verdicts on Redis targets (redis-datasource): whether the command a target runs only reads, by
// the command lists (commands.ts) or — with a Redis URL — by what that server says about the
// command (COMMAND INFO). The target's own command is never sent.

import { stripUserinfo } from '../core/url.js';
import { createClient } from '@redis/client';
import {
  READ_ONLY_COMMANDS,
  effectiveRedisCommand,
  redisCommandAccess,
  type RedisTargetLike,
} from './commands.js';

export type RedisVerdictKind = 'ok' | 'not-read-only' | 'unknown-command' | 'unreachable' | 'no-command';

export interface RedisVerdict {
  kind: RedisVerdictKind;
  severity: 'error' | 'warning' | 'info';
  /** One line, without location (the caller prefixes dashboard / panel / query). */
  message: string;
  /** Index of the target in the list checked; absent for the one server-wide verdict (unreachable). */
  index?: number;
  command?: string;
  /** `static` (the allowlist) or `server` (COMMAND INFO on the given Redis). */
  via: 'static' | 'server';
  /** The server's flags for the command, when asked. */
  flags?: string[];
}

/** Makes a finding-ready verdict: kind, severity and a one-line message. */
export function makeRedisVerdict(
  kind: RedisVerdictKind,
  details: {
    command?: string;
    index?: number;
    via?: 'static' | 'server';
    flags?: string[];
    /** unreachable: the URL without credentials and the reason. */
    server?: string;
    reason?: string;
    source?: 'query' | 'command';
  } = {},
): RedisVerdict {
  const via = details.via ?? 'static';
  const cmd = details.command ?? '';
  const flagText = details.flags && details.flags.length > 0 ? ` (flags: ${details.flags.join(', ')})` : '';
  let severity: RedisVerdict['severity'];
  let message: string;
  switch (kind) {
    case 'ok':
      severity = 'info';
      message =
        via === 'server'
          ? `Redis command ${cmd} is read-only on ${details.server ?? 'the server'}${flagText}`
          : `Redis command ${cmd} is read-only`;
      break;
    case 'not-read-only':
      severity = 'error';
      message =
        via === 'server'
          ? `Redis command ${cmd} is not read-only on ${details.server ?? 'the server'}${flagText}: a dashboard would run it on every refresh`
          : `Redis command ${cmd} is not a read-only command: a dashboard would run it on every refresh`;
      break;
    case 'unknown-command':
      severity = 'error';
      message =
        via === 'server'
          ? `Redis command ${cmd} does not exist on ${details.server ?? 'the server'} (a module that is not loaded, or a typo)`
          : details.source === 'command'
            ? `"${cmd.toLowerCase()}" is not a command of redis-datasource: the plugin runs nothing for it`
            : `Redis command ${cmd} is not one dashboard-ci knows`;
      break;
    case 'unreachable':
      severity = 'warning';
      message = `cannot reach Redis at ${details.server ?? 'the given URL'}${details.reason ? `: ${details.reason}` : ''}; Redis targets were checked statically only`;
      break;
    case 'no-command':
      severity = 'warning';
      message = 'Redis target has neither a query nor a command: it runs nothing';
      break;
  }
  const v: RedisVerdict = { kind, severity, message, via };
  if (details.index !== undefined) v.index = details.index;
  if (cmd !== '') v.command = cmd;
  if (details.flags) v.flags = details.flags;
  return v;
}

/** The static verdict of one target: the command lists (and, where they matter, its arguments) decide. */
export function staticRedisVerdict(target: RedisTargetLike, index?: number): RedisVerdict {
  const decided = redisCommandAccess(target);
  const base = index === undefined ? {} : { index };
  if (!decided) return makeRedisVerdict('no-command', base);
  const { command, access } = decided;
  if (!command.known)
    return makeRedisVerdict('unknown-command', { ...base, command: command.name, source: 'command' });
  // Only a command known to read passes: an unknown one may write.
  return makeRedisVerdict(access === 'read' ? 'ok' : 'not-read-only', { ...base, command: command.name });
}

/** The one thing the live check needs from a connection. */
export interface RedisCommandSender {
  send(args: string[]): Promise<unknown>;
  close(): Promise<void>;
}

export interface RedisCheckOptions {
  /** redis:// or rediss:// URL; without it every target is checked statically. */
  url?: string;
  /** Connect and per-command timeout, ms. */
  timeoutMs?: number;
  /** Replaces @redis/client (tests). */
  connect?: (url: string, timeoutMs: number) => Promise<RedisCommandSender>;
}

/** The URL with any user and password removed, for messages. */
export function redactRedisUrl(url: string): string {
  // Text that does not parse as a URL is not echoed at all: it may be a password pasted in the wrong place.
  if (!URL.canParse(url)) return 'the given Redis URL';
  return stripUserinfo(url).url;
}

async function connectRedis(url: string, timeoutMs: number): Promise<RedisCommandSender> {
  const client = createClient({
    url,
    socket: { connectTimeout: timeoutMs, socketTimeout: timeoutMs, reconnectStrategy: false },
  });
  // Without a listener an 'error' event would crash the process; failures surface through the promises.
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch (err) {
    client.destroy();
    throw err;
  }
  return {
    send: (args) => client.sendCommand(args),
    close: async () => {
      try {
        await client.close();
      } catch {
        client.destroy();
      }
    },
  };
}

interface CommandInfo {
  flags: string[];
  categories: string[];
}

function text(v: unknown): string {
  if (typeof v === 'string') return v;
  if (v instanceof Uint8Array) return Buffer.from(v).toString();
  return String(v);
}

function parseCommandInfo(reply: unknown): CommandInfo | undefined {
  if (!Array.isArray(reply)) return undefined;
  const entry: unknown = reply[0];
  if (!Array.isArray(entry)) return undefined;
  const flags = Array.isArray(entry[2]) ? entry[2].map(text).map((f) => f.toLowerCase()) : [];
  const categories = Array.isArray(entry[6]) ? entry[6].map(text).map((c) => c.toLowerCase()) : [];
  return { flags, categories };
}

async function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      p,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    if (timer) clearTimeout(timer);
  }
}

function reasonOf(err: unknown): string {
  const e = err as { code?: string; message?: string };
  const msg = e?.message ? String(e.message) : String(err);
  return e?.code && !msg.includes(e.code) ? `${e.code} ${msg}` : msg;
}

/** Asks the server about one command: `COMMAND INFO name` (`container|sub` for two-word commands). */
async function commandInfo(
  conn: RedisCommandSender,
  name: string,
  timeoutMs: number,
): Promise<CommandInfo | undefined> {
  const [first, sub] = name.split(' ');
  const ask = async (n: string): Promise<CommandInfo | undefined> =>
    parseCommandInfo(await withTimeout(conn.send(['COMMAND', 'INFO', n]), timeoutMs, `COMMAND INFO ${n}`));
  if (sub === undefined) return ask(first!.toLowerCase());
  const info = await ask(`${first!.toLowerCase()}|${sub.toLowerCase()}`);
  if (info) return info;
  // Redis < 7 knows no subcommands: judge by the container, the allowlist decides the rest.
  const container = await ask(first!.toLowerCase());
  return container ? { flags: [], categories: [] } : undefined;
}

function serverVerdict(
  name: string,
  info: CommandInfo | undefined,
  index: number,
  server: string,
): RedisVerdict {
  const base = { command: name, index, via: 'server' as const, server };
  if (!info) return makeRedisVerdict('unknown-command', base);
  const flags = info.flags;
  if (flags.includes('write') || info.categories.includes('@write'))
    return makeRedisVerdict('not-read-only', { ...base, flags });
  if (flags.includes('readonly') || info.categories.includes('@read'))
    return makeRedisVerdict('ok', { ...base, flags });
  // Neither flag (INFO, CONFIG SET, SHUTDOWN...): only the allowlist knows a harmless one.
  return makeRedisVerdict(READ_ONLY_COMMANDS.has(name) ? 'ok' : 'not-read-only', { ...base, flags });
}

/**
 * Checks Redis targets: statically, or against the server at `opts.url` with COMMAND INFO (does
 * the command exist there, is it read-only). One verdict per target, by index; an unreachable
 * server adds one verdict without index and the targets fall back to the static check.
 */
export async function checkRedisTargets(
  targets: readonly RedisTargetLike[],
  opts: RedisCheckOptions = {},
): Promise<RedisVerdict[]> {
  const statics = targets.map((t, i) => staticRedisVerdict(t, i));
  if (!opts.url || targets.length === 0) return statics;
  const timeoutMs = opts.timeoutMs ?? 5000;
  const server = redactRedisUrl(opts.url);
  let conn: RedisCommandSender;
  try {
    conn = await (opts.connect ?? connectRedis)(opts.url, timeoutMs);
  } catch (err) {
    return [makeRedisVerdict('unreachable', { server, reason: reasonOf(err) }), ...statics];
  }
  try {
    const cache = new Map<string, CommandInfo | undefined>();
    const out: RedisVerdict[] = [];
    for (let i = 0; i < targets.length; i++) {
      const eff = effectiveRedisCommand(targets[i]!);
      if (!eff || !eff.known) {
        out.push(statics[i]!);
        continue;
      }
      if (!cache.has(eff.name)) cache.set(eff.name, await commandInfo(conn, eff.name, timeoutMs));
      out.push(serverVerdict(eff.name, cache.get(eff.name), i, server));
    }
    return out;
  } catch (err) {
    return [makeRedisVerdict('unreachable', { server, reason: reasonOf(err) }), ...statics];
  } finally {
    await conn.close();
  }
}
