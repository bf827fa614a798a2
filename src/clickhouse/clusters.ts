// clickhouse.clusters: clusters to read as the local node. A panel over `cluster('main', db, t)` or
// `clusterAllReplicas('main', db.t)` is rewritten to read `db.t` of the test engine itself, so it can
// still be EXPLAINed there (issue 9: the test engine is one node and opens no connection). The rewrite
// works on ClickHouse's own single-line formatting of the query, by token positions; the result is
// parsed and checked again before it is planned.
import { tokenize, type Token } from './tokens.js';

const CLUSTER_FUNCTIONS = new Set(['CLUSTER', 'CLUSTERALLREPLICAS']);

function argumentsOf(tokens: readonly Token[], open: number): { args: Token[][]; close: number } | undefined {
  const depth = tokens[open]!.depth;
  const args: Token[][] = [[]];
  for (let i = open + 1; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.depth === depth && t.value === ')') return { args, close: i };
    if (t.depth === depth + 1 && t.value === ',') args.push([]);
    else args[args.length - 1]!.push(t);
  }
  return undefined;
}

/** A name argument as an identifier: a word or quoted identifier as written, a plain string backquoted. */
function identifier(text: string, arg: readonly Token[]): string | undefined {
  if (arg.length !== 1) return undefined;
  const t = arg[0]!;
  if (t.type === 'word' || t.type === 'quoted') return text.slice(t.start, t.end);
  if (t.type === 'string' && /^[^\\`']*$/.test(t.value)) return `\`${t.value}\``;
  return undefined;
}

function clusterName(arg: readonly Token[]): string | undefined {
  if (arg.length !== 1) return undefined;
  const t = arg[0]!;
  return t.type === 'word' ? t.raw : t.value;
}

/**
 * The query with each cluster table function over a cluster in `clusters` replaced by the local table
 * it names, and the clusters replaced; undefined when there is none to replace.
 */
export function mapClusters(
  canonical: string,
  clusters: ReadonlySet<string>,
): { text: string; mapped: string[] } | undefined {
  if (clusters.size === 0) return undefined;
  const tokens = tokenize(canonical);
  const edits: { start: number; end: number; text: string; cluster: string }[] = [];
  for (let i = 0; i + 1 < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.type !== 'word' || !CLUSTER_FUNCTIONS.has(t.value) || tokens[i + 1]!.value !== '(') continue;
    const call = argumentsOf(tokens, i + 1);
    if (!call || call.args.length < 2) continue;
    const name = clusterName(call.args[0]!);
    if (name === undefined || !clusters.has(name)) continue;
    const rest = call.args.slice(1);
    let table: string | undefined;
    if (rest.length === 1) {
      // db.table, table, or a table function (clusterAllReplicas(c, merge('system', '^metric_log'))):
      // the tokens as written.
      const a = rest[0]!;
      if (a.length === 0) continue;
      const call = a[0]!.type === 'word' && a[1]?.value === '(' && a[a.length - 1]!.value === ')';
      if (!call && a.some((x) => x.type === 'string' || x.value === '(')) continue;
      table = canonical.slice(a[0]!.start, a[a.length - 1]!.end);
    } else {
      const [db, tbl] = rest;
      const local = identifier(canonical, tbl!);
      if (!local) continue;
      // currentDatabase() is the engine's own default database.
      const isCurrent = db!.length === 3 && db![0]!.value === 'CURRENTDATABASE';
      const database = isCurrent ? undefined : identifier(canonical, db!);
      if (!isCurrent && !database) continue;
      table = database ? `${database}.${local}` : local;
    }
    edits.push({ start: t.start, end: tokens[call.close]!.end, text: table, cluster: name });
  }
  if (edits.length === 0) return undefined;
  let text = canonical;
  for (const e of [...edits].reverse()) text = text.slice(0, e.start) + e.text + text.slice(e.end);
  return { text, mapped: [...new Set(edits.map((e) => e.cluster))] };
}
