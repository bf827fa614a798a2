import { createRequire as __dciCreateRequire } from 'node:module';
const require = __dciCreateRequire(import.meta.url);

// src/clickhouse/cache.ts
import { createHash, randomBytes } from "node:crypto";
import {
  copyFileSync,
  existsSync,
  linkSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  readlinkSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
  utimesSync,
  writeFileSync
} from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
var CACHE_FORMAT = 1;
var MARKER = "ready.json";
var DATA = "data";
var LOCK_FILE = "status";
var KEEP_ENTRIES = 4;
var STALE_MS = 24 * 36e5;
function cacheKey(input) {
  const h = createHash("sha256");
  h.update(
    JSON.stringify([
      CACHE_FORMAT,
      input.platform ?? process.platform,
      input.arch ?? process.arch,
      input.chdbVersion ?? "unknown",
      input.schema,
      input.seed
    ])
  );
  return h.digest("hex").slice(0, 32);
}
function chdbPackageVersion(chdbPath) {
  try {
    const dir = chdbPath ?? path.dirname(createRequire(import.meta.url).resolve("chdb"));
    const pkg = JSON.parse(readFileSync(path.join(dir, "package.json"), "utf8"));
    return typeof pkg.version === "string" ? pkg.version : void 0;
  } catch {
    return void 0;
  }
}
function readManifest(root, key) {
  try {
    const m = JSON.parse(readFileSync(path.join(root, key, MARKER), "utf8"));
    const ok = m.format === CACHE_FORMAT && m.key === key && typeof m.engineVersion === "string" && typeof m.files === "number" && typeof m.nonce === "string" && Array.isArray(m.stats) && m.stats.every((s) => typeof s === "string");
    return ok ? m : void 0;
  } catch {
    return void 0;
  }
}
function makePrivateDir() {
  return mkdtempSync(path.join(os.tmpdir(), "dashboard-ci-chdb-"));
}
function removeDir(dir) {
  try {
    rmSync(dir, { recursive: true, force: true, maxRetries: 2 });
  } catch {
  }
}
function linkTree(from, to, skipTopLevel = /* @__PURE__ */ new Set()) {
  let link = true;
  let files = 0;
  const walk = (src, dst, top) => {
    mkdirSync(dst, { recursive: top });
    for (const e of readdirSync(src, { withFileTypes: true })) {
      if (top && skipTopLevel.has(e.name)) continue;
      const a = path.join(src, e.name);
      const b = path.join(dst, e.name);
      if (e.isDirectory()) walk(a, b, false);
      else if (e.isSymbolicLink()) {
        const target = readlinkSync(a);
        if (path.isAbsolute(target)) throw new Error(`absolute symlink ${path.relative(from, a)}`);
        symlinkSync(target, b);
      } else if (e.isFile()) {
        files++;
        if (link) {
          try {
            linkSync(a, b);
            continue;
          } catch (err) {
            const code = err.code;
            if (code !== "EXDEV" && code !== "EPERM" && code !== "ENOTSUP" && code !== "EMLINK") throw err;
            link = false;
          }
        }
        copyFileSync(a, b);
      }
    }
  };
  walk(from, to, true);
  return files;
}
function materializeEntry(root, key, into) {
  const n = linkTree(path.join(root, key, DATA), into);
  try {
    const now = /* @__PURE__ */ new Date();
    utimesSync(path.join(root, key, MARKER), now, now);
  } catch {
  }
  return n;
}
function saveEntry(root, key, from, manifest, replaces) {
  mkdirSync(root, { recursive: true });
  const tmp = path.join(root, `${key}.tmp-${process.pid}-${randomBytes(4).toString("hex")}`);
  try {
    mkdirSync(tmp);
    const files = linkTree(from, path.join(tmp, DATA), /* @__PURE__ */ new Set([LOCK_FILE]));
    const full = {
      format: CACHE_FORMAT,
      key,
      ...manifest,
      files,
      nonce: randomBytes(8).toString("hex")
    };
    writeFileSync(path.join(tmp, MARKER), JSON.stringify(full, null, 1));
    try {
      renameSync(tmp, path.join(root, key));
    } catch (err) {
      const code = err.code;
      if (code !== "ENOTEMPTY" && code !== "EEXIST") throw err;
      const there = readManifest(root, key);
      if (there && there.nonce !== replaces) {
        removeDir(tmp);
        return false;
      }
      removeEntry(root, key, there?.nonce);
      renameSync(tmp, path.join(root, key));
    }
  } catch (err) {
    removeDir(tmp);
    throw err;
  }
  evict(root, key);
  return true;
}
function removeEntry(root, key, nonce) {
  const current = readManifest(root, key);
  if (current && nonce !== void 0 && current.nonce !== nonce) return;
  const dir = path.join(root, key);
  if (!existsSync(dir)) return;
  const doomed = path.join(root, `${key}.tmp-${process.pid}-${randomBytes(4).toString("hex")}`);
  try {
    renameSync(dir, doomed);
  } catch {
    return;
  }
  removeDir(doomed);
}
function evict(root, keep) {
  try {
    const now = Date.now();
    const entries = [];
    for (const name of readdirSync(root)) {
      const p = path.join(root, name);
      if (name.includes(".tmp-")) {
        if (now - statSync(p).mtimeMs > STALE_MS) removeDir(p);
        continue;
      }
      if (name === keep) continue;
      let used = 0;
      try {
        used = statSync(path.join(p, MARKER)).mtimeMs;
      } catch {
        used = statSync(p).mtimeMs;
      }
      entries.push({ name, used });
    }
    entries.sort((a, b) => b.used - a.used);
    for (const e of entries.slice(KEEP_ENTRIES - 1)) {
      if (now - e.used > STALE_MS) removeDir(path.join(root, e.name));
    }
  } catch {
  }
}

// src/clickhouse/embedded.ts
import { createRequire as createRequire2 } from "node:module";

// src/clickhouse/errors.ts
var EngineUnavailableError = class extends Error {
  name = "EngineUnavailableError";
};
var EngineError = class extends Error {
  constructor(message, info) {
    super(message);
    this.info = info;
  }
  info;
  name = "EngineError";
};
var EnginePrepareError = class extends EngineError {
  constructor(message, list, index, info) {
    super(message, info);
    this.list = list;
    this.index = index;
  }
  list;
  index;
  name = "EnginePrepareError";
};
var ClickHouseQueryError = class extends Error {
  constructor(info) {
    super(`${info.code} ${info.name}: ${info.message}`);
    this.info = info;
  }
  info;
  name = "ClickHouseQueryError";
};
var CODE_RE = /Code: (\d+)\./;
var EXCEPTION_MARK = "DB::Exception: ";
var VERSION = String.raw`\(version [^()]*(?:\([^()]*\))?[^()]*\)`;
var TRAILER_RE = new RegExp(String.raw`(?:\s*(?:\([A-Z][A-Z0-9_]*\)|${VERSION})\.?)+\s*$`);
var NAME_AT_END_RE = new RegExp(String.raw`\(([A-Z][A-Z0-9_]*)\)(?:\s*${VERSION})?\.?\s*$`);
function parseEngineError(text) {
  const code = CODE_RE.exec(text);
  const name = NAME_AT_END_RE.exec(text);
  if (!code || !name) return void 0;
  const at = text.lastIndexOf(EXCEPTION_MARK);
  const body = at >= 0 ? text.slice(at + EXCEPTION_MARK.length) : text;
  return { code: Number(code[1]), name: name[1], message: cleanMessage(body) };
}
function cleanMessage(message) {
  return message.replace(TRAILER_RE, "").replace(/ \(line \d+, col \d+\)/g, "").trim().replace(/\.$/, "");
}
function syntaxErrorPosition(message, sql, prefixBytes) {
  const m = /failed at position (\d+)/.exec(message);
  if (!m) return void 0;
  const byteOffset = Number(m[1]) - 1 - prefixBytes;
  if (byteOffset < 0) return 0;
  return charOffsetOfByte(sql, byteOffset);
}
function rewritePosition(message, position) {
  if (position === void 0) return message;
  return message.replace(/failed at position \d+/, `failed at position ${position + 1}`);
}
function charOffsetOfByte(text, byteOffset) {
  let bytes = 0;
  let i = 0;
  while (i < text.length && bytes < byteOffset) {
    const cp = text.codePointAt(i);
    bytes += cp < 128 ? 1 : cp < 2048 ? 2 : cp < 65536 ? 3 : 4;
    i += cp >= 65536 ? 2 : 1;
  }
  return i;
}

// src/clickhouse/cost.ts
var INDEX_TYPES = {
  "Min-Max": "MinMax",
  MinMax: "MinMax",
  Partition: "Partition",
  PrimaryKey: "PrimaryKey",
  Skip: "Skip"
};
function hasRuntimeChoice(planJson) {
  let found = false;
  const visit = (node) => {
    if (found || !node || typeof node !== "object") return;
    if (Array.isArray(node)) {
      node.forEach(visit);
      return;
    }
    const n = node;
    if (n["Node Type"] === "AggregatingProjection") found = true;
    if (n["Plan"]) visit(n["Plan"]);
    if (Array.isArray(n["Plans"])) n["Plans"].forEach(visit);
  };
  visit(planJson);
  return found;
}
function mergeTreeReads(planJson) {
  const reads = [];
  const visit = (node) => {
    if (!node || typeof node !== "object") return;
    if (Array.isArray(node)) {
      node.forEach(visit);
      return;
    }
    const n = node;
    if (n["Plan"]) visit(n["Plan"]);
    if (n["Node Type"] === "ReadFromMergeTree") {
      reads.push({
        description: typeof n["Description"] === "string" ? n["Description"] : "",
        indexes: Array.isArray(n["Indexes"]) ? n["Indexes"].map(toIndexPruning) : []
      });
    }
    if (Array.isArray(n["Plans"])) n["Plans"].forEach(visit);
  };
  visit(planJson);
  return reads;
}
function toIndexPruning(raw) {
  const r = raw ?? {};
  const type = String(r["Type"] ?? "");
  const num = (k) => typeof r[k] === "number" ? r[k] : Number(r[k] ?? 0);
  const out = {
    type: INDEX_TYPES[type] ?? type,
    keys: Array.isArray(r["Keys"]) ? r["Keys"].map(String) : typeof r["Name"] === "string" ? [r["Name"]] : [],
    initialParts: num("Initial Parts"),
    selectedParts: num("Selected Parts"),
    initialGranules: num("Initial Granules"),
    selectedGranules: num("Selected Granules")
  };
  if (typeof r["Condition"] === "string") out.condition = r["Condition"];
  return out;
}
function splitDescription(description) {
  const dot = description.indexOf(".");
  if (dot < 0) return { database: "", table: description };
  return { database: description.slice(0, dot), table: description.slice(dot + 1) };
}
function splitKeyList(list) {
  const out = [];
  let depth = 0;
  let cur = "";
  for (const ch of list) {
    if (ch === "(" || ch === "[") depth++;
    else if (ch === ")" || ch === "]") depth--;
    if (ch === "," && depth === 0) {
      if (cur.trim()) out.push(cur.trim());
      cur = "";
    } else cur += ch;
  }
  if (cur.trim()) out.push(cur.trim());
  return out;
}
function withKeyNames(indexes, st) {
  if (!st) return indexes;
  return indexes.map((ix) => {
    if (ix.keys.length > 0) return ix;
    if (ix.type === "Partition" && st.partitionKey) return { ...ix, keys: [st.partitionKey] };
    if (ix.type === "PrimaryKey" && st.primaryKey) return { ...ix, keys: splitKeyList(st.primaryKey) };
    return ix;
  });
}
function readCost(read, stats) {
  const st = stats.resolve(read.description);
  const { database, table } = st ?? splitDescription(read.description);
  const first = read.indexes[0];
  const last = read.indexes[read.indexes.length - 1];
  const totalGranules = first ? first.initialGranules : st?.granules ?? 0;
  const totalParts = first ? first.initialParts : st?.parts ?? 0;
  const selectedGranules = last ? last.selectedGranules : totalGranules;
  const selectedParts = last ? last.selectedParts : totalParts;
  const tableRows = st?.rows;
  let rows;
  if (tableRows === void 0) rows = 0;
  else if (selectedGranules >= totalGranules) rows = tableRows;
  else if (totalGranules === 0) rows = 0;
  else rows = Math.round(selectedGranules * tableRows / totalGranules);
  const partitionPruned = read.indexes.some(
    (i) => (i.type === "MinMax" || i.type === "Partition") && i.selectedParts < i.initialParts
  );
  const primaryKeyPruned = read.indexes.some(
    (i) => i.type === "PrimaryKey" && i.selectedGranules < i.initialGranules
  );
  return {
    database,
    table,
    rows,
    parts: { selected: selectedParts, total: totalParts },
    granules: { selected: selectedGranules, total: totalGranules },
    indexes: withKeyNames(read.indexes, st),
    partitionPruned,
    primaryKeyPruned
  };
}
function mergeIndexes(lists) {
  const out = [];
  for (const list of lists) {
    for (const ix of list) {
      const same = out.find((o) => o.type === ix.type && o.keys.join("\0") === ix.keys.join("\0"));
      if (!same) {
        out.push({ ...ix, keys: [...ix.keys] });
        continue;
      }
      same.initialParts += ix.initialParts;
      same.selectedParts += ix.selectedParts;
      same.initialGranules += ix.initialGranules;
      same.selectedGranules += ix.selectedGranules;
      if (same.condition !== ix.condition) delete same.condition;
    }
  }
  return out;
}
function buildQueryCost(reads, stats) {
  const byTable = /* @__PURE__ */ new Map();
  for (const read of reads) {
    const c = readCost(read, stats);
    const key = `${c.database}.${c.table}`;
    const list = byTable.get(key);
    if (list) list.push(c);
    else byTable.set(key, [c]);
  }
  const tables = [];
  for (const list of byTable.values()) {
    const first = list[0];
    tables.push({
      database: first.database,
      table: first.table,
      rows: sum(list.map((c) => c.rows)),
      marks: sum(list.map((c) => c.granules.selected)),
      parts: sum(list.map((c) => c.parts.selected)),
      granules: {
        selected: sum(list.map((c) => c.granules.selected)),
        total: sum(list.map((c) => c.granules.total))
      },
      indexes: mergeIndexes(list.map((c) => c.indexes)),
      partitionPruned: list.every((c) => c.partitionPruned),
      primaryKeyPruned: list.every((c) => c.primaryKeyPruned)
    });
  }
  return {
    rows: sum(tables.map((t) => t.rows)),
    marks: sum(tables.map((t) => t.marks)),
    parts: sum(tables.map((t) => t.parts)),
    granules: {
      selected: sum(tables.map((t) => t.granules.selected)),
      total: sum(tables.map((t) => t.granules.total))
    },
    tables
  };
}
function parseEstimate(tsv) {
  const out = [];
  for (const line of tsv.split("\n")) {
    const [database, table, parts, rows, marks] = line.split("	");
    if (database === void 0 || table === void 0 || marks === void 0) continue;
    out.push({ database, table, parts: Number(parts), rows: Number(rows), marks: Number(marks) });
  }
  return out;
}
function applyEstimate(cost, estimate) {
  const tables = cost.tables.map((t) => {
    const e = estimate.find((r) => r.database === t.database && r.table === t.table);
    if (!e) return t;
    return {
      ...t,
      rows: e.rows,
      marks: e.marks,
      parts: e.parts,
      granules: { ...t.granules, selected: e.marks }
    };
  });
  return {
    ...cost,
    rows: sum(tables.map((t) => t.rows)),
    marks: sum(tables.map((t) => t.marks)),
    parts: sum(tables.map((t) => t.parts)),
    granules: { selected: sum(tables.map((t) => t.granules.selected)), total: cost.granules.total },
    tables
  };
}
function sum(xs) {
  let s = 0;
  for (const x of xs) s += x;
  return s;
}
var StatsCatalogue = class {
  tables = /* @__PURE__ */ new Map();
  projections = /* @__PURE__ */ new Map();
  addTable(s) {
    this.tables.set(`${s.database}.${s.table}`, s);
  }
  /** Keys arrive on their own rows (a table with no parts has keys but no part figures). */
  addKeys(database, table, partitionKey, primaryKey) {
    const key = `${database}.${table}`;
    const s = this.tables.get(key) ?? { database, table, rows: 0, parts: 0, granules: 0 };
    if (partitionKey) s.partitionKey = partitionKey;
    if (primaryKey) s.primaryKey = primaryKey;
    this.tables.set(key, s);
  }
  /** Projection parts are read under the projection's bare name. */
  addProjection(name, s) {
    if (!this.projections.has(name)) this.projections.set(name, s);
  }
  has(description) {
    return this.resolve(description) !== void 0;
  }
  resolve(description) {
    return this.tables.get(description) ?? this.projections.get(description);
  }
};
var STATS_TABLES = `SELECT 'table', database, table, '', sum(rows), count(), sum(marks), '' FROM system.parts WHERE active GROUP BY database, table`;
var STATS_PROJECTIONS = `SELECT 'projection', database, table, name, sum(rows), count(), sum(marks), '' FROM system.projection_parts WHERE active GROUP BY database, table, name`;
var STATS_KEYS = `SELECT 'keys', database, name, partition_key, 0, 0, 0, primary_key FROM system.tables WHERE engine LIKE '%MergeTree' AND database NOT IN ('system', 'INFORMATION_SCHEMA', 'information_schema')`;
var STATS_QUERY = [STATS_TABLES, STATS_PROJECTIONS, STATS_KEYS].join("\nUNION ALL\n");
var STATS_QUERY_WITHOUT_PROJECTIONS = [STATS_TABLES, STATS_KEYS].join("\nUNION ALL\n");
function parseStats(text, into = new StatsCatalogue()) {
  const keys = [];
  for (const line of text.split("\n")) {
    if (!line.trim()) continue;
    const row = JSON.parse(line).map(String);
    const [kind, database, table, name] = row;
    if (database === void 0 || table === void 0) continue;
    if (kind === "keys") {
      keys.push(row);
      continue;
    }
    const parts = Number(row[5]);
    const s = {
      database,
      table,
      rows: Number(row[4]),
      parts,
      granules: Math.max(0, Number(row[6]) - parts)
    };
    if (kind === "projection" && name) into.addProjection(name, s);
    else into.addTable(s);
  }
  for (const [, database, table, partitionKey, , , , primaryKey] of keys) {
    into.addKeys(database, table, partitionKey ?? "", primaryKey ?? "");
  }
  return into;
}
var LiveStats = class {
  constructor(run) {
    this.run = run;
  }
  run;
  catalogue = new StatsCatalogue();
  asked = /* @__PURE__ */ new Set();
  async reload() {
    for (const sql of [STATS_QUERY, STATS_QUERY_WITHOUT_PROJECTIONS]) {
      try {
        this.catalogue = parseStats(await this.run(sql));
        return;
      } catch (e) {
        if (!(e instanceof ClickHouseQueryError)) throw e;
      }
    }
  }
  resolve(description) {
    return this.catalogue.resolve(description);
  }
  async refresh(unknown) {
    const fresh = unknown.filter((d) => !this.asked.has(d));
    if (fresh.length === 0) return;
    for (const d of fresh) this.asked.add(d);
    await this.reload();
  }
};

// src/clickhouse/explain.ts
var AST_PREFIX = "EXPLAIN AST ";
var PLAN_PREFIX = "EXPLAIN json = 1, indexes = 1\n";
var ESTIMATE_PREFIX = "EXPLAIN ESTIMATE\n";
var SINGLE_STATEMENT_CHECK = "SELECT formatQuerySingleLine({q:String})";
var BOUND_CODES = /* @__PURE__ */ new Set([158, 159, 160, 241, 307, 394, 396]);
function classifyAst(ast) {
  const lines = ast.split("\n");
  const top = (lines[0] ?? "").trim();
  if (top.startsWith("ParallelWithQuery")) return { kind: "parallel" };
  if (!/^SelectWithUnionQuery\b/.test(top)) return { kind: "statement", node: top.split(" ")[0] ?? top };
  for (const line of lines.slice(1)) {
    if (!/^ \S/.test(line)) continue;
    const node = line.trim().split(" ")[0] ?? "";
    if (node !== "ExpressionList" && node !== "Set") return { kind: "output-clause", node };
  }
  return { kind: "select" };
}
function isPlainSelectText(sql) {
  return /^\s*(SELECT|WITH)\b/i.test(sql) && !sql.includes(";") && !/\b(INTO|OUTFILE|FORMAT|PARALLEL)\b/i.test(sql);
}
function leadingKeyword(sql) {
  let s = sql;
  for (; ; ) {
    const next = s.replace(/^[\s(]+/, "").replace(/^(--|#)[^\n]*(\n|$)/, "").replace(/^\/\*[\s\S]*?\*\//, "");
    if (next === s) break;
    s = next;
  }
  return (/^[A-Za-z_]+/.exec(s)?.[0] ?? "").toUpperCase();
}
function failure(kind, error, extra = {}) {
  const out = { ok: false, kind, error };
  if (extra.position !== void 0) out.position = extra.position;
  if (extra.reason !== void 0) out.reason = extra.reason;
  return out;
}
function byteLength(s) {
  return Buffer.byteLength(s, "utf8");
}
function errorOutcome(info, sql, prefix, kind = "invalid") {
  const position = info.code === 62 && prefix !== void 0 ? syntaxErrorPosition(info.message, sql, byteLength(prefix)) : void 0;
  const error = { ...info, message: rewritePosition(info.message, position) };
  const out = {};
  if (position !== void 0) out.position = position;
  return failure(kind, error, out);
}
var SYSTEM_LOG_RE = /\bsystem\.([A-Za-z_]*_log)\b/;
function planErrorOutcome(p, info, sql, prefix) {
  if (BOUND_CODES.has(info.code)) return failure("bound-exceeded", info);
  const log = SYSTEM_LOG_RE.exec(info.message);
  if (p.embedded && info.code === 60 && log) {
    return failure("unsupported", info, {
      reason: `system.${log[1]} does not exist in the embedded engine (chdb keeps no system log tables): this query cannot be judged by the embedded engine; use server mode (--clickhouse http://...)`
    });
  }
  return errorOutcome(info, sql, prefix);
}
function notSelect(keyword, detail) {
  return failure("not-select", {
    code: 164,
    name: "READONLY",
    message: `${keyword || "This"} ${detail}: only a single SELECT (or WITH ... SELECT) is checked, and it is only EXPLAINed, never run`
  });
}
async function explainQuery(p, sql) {
  if (!sql.trim()) return failure("invalid", { code: 62, name: "SYNTAX_ERROR", message: "Empty query" });
  if (isPlainSelectText(sql)) return explainPlan(p, sql, sql);
  let target = sql;
  if (sql.includes(";")) {
    try {
      const canonical = await p.runner.runBind(SINGLE_STATEMENT_CHECK, { q: sql }, "TabSeparatedRaw");
      target = canonical.replace(/\n$/, "");
    } catch (e) {
      if (!(e instanceof ClickHouseQueryError)) throw e;
      const info = {
        ...e.info,
        message: e.info.message.replace(/[.:\s]*In scope SELECT formatQuerySingleLine\([\s\S]*$/, "")
      };
      const multi = /Multi-statements are not allowed/.test(info.message);
      return errorOutcome(cleanInfo(info), sql, "", multi ? "multi-statement" : "invalid");
    }
  }
  let ast;
  try {
    ast = await p.runner.run(AST_PREFIX + target, "TabSeparatedRaw");
  } catch (e) {
    if (!(e instanceof ClickHouseQueryError)) throw e;
    return errorOutcome(e.info, sql, target === sql ? AST_PREFIX : void 0);
  }
  const shape = classifyAst(ast);
  if (shape.kind === "parallel") {
    return failure("multi-statement", {
      code: 62,
      name: "SYNTAX_ERROR",
      message: "Multi-statements are not allowed: PARALLEL WITH runs several statements"
    });
  }
  if (shape.kind === "statement") return notSelect(leadingKeyword(target), "statement refused");
  if (shape.kind === "output-clause")
    return notSelect("SELECT", "with an INTO OUTFILE or FORMAT clause refused");
  return explainPlan(p, sql, target);
}
async function explainPlan(p, sql, target) {
  let planText;
  try {
    planText = await p.runner.run(PLAN_PREFIX + target, "TabSeparatedRaw");
  } catch (e) {
    if (!(e instanceof ClickHouseQueryError)) throw e;
    return planErrorOutcome(p, e.info, sql, target === sql ? PLAN_PREFIX : void 0);
  }
  let plan;
  try {
    plan = JSON.parse(planText);
  } catch {
    throw new EngineError(`EXPLAIN json = 1 returned text that is not JSON: ${planText.slice(0, 120)}`);
  }
  const reads = mergeTreeReads(plan);
  const unknown = reads.map((r) => r.description).filter((d) => !p.stats.resolve(d));
  if (unknown.length > 0 && p.stats.refresh) await p.stats.refresh(unknown);
  const cost = buildQueryCost(reads, p.stats);
  if (reads.length === 0 || !hasRuntimeChoice(plan)) return { ok: true, cost };
  try {
    const estimate = parseEstimate(await p.runner.run(ESTIMATE_PREFIX + target, "TabSeparatedRaw"));
    return { ok: true, cost: applyEstimate(cost, estimate) };
  } catch (e) {
    if (!(e instanceof ClickHouseQueryError)) throw e;
    return { ok: true, cost };
  }
}
function cleanInfo(info) {
  return { ...info, message: cleanMessage(info.message) };
}

// src/clickhouse/embedded.ts
var CONNECTION_ARGS = ["--max_active_parts_loading_thread_pool_size=2"];
var DEFAULT_MAX_MEMORY_USAGE = 1024 ** 3;
var SERVER_HINT = "use a ClickHouse server instead: --clickhouse http://host:8123";
function chdbLoaderFromPath(dir) {
  return () => Promise.resolve(createRequire2(import.meta.url)(dir));
}
function isMusl() {
  if (process.platform !== "linux") return false;
  const report = process.report?.getReport();
  return !report?.header?.glibcVersionRuntime;
}
function platformName(platform) {
  const libc = platform === "linux" && isMusl() ? " (musl)" : "";
  return `${platform}-${process.arch}${libc}`;
}
function firstLine(e) {
  const text = e instanceof Error ? e.message : String(e);
  return (text.split("\n").find((l) => l.trim()) ?? text).trim();
}
async function loadModule(opts) {
  const platform = opts.platform ?? process.platform;
  if (platform === "win32") {
    throw new EngineUnavailableError(
      `the embedded ClickHouse engine (chdb) does not run on Windows; ${SERVER_HINT}, or run under WSL2`
    );
  }
  let mod;
  try {
    mod = await (opts.loadChdb ?? (() => import("chdb")))();
  } catch (e) {
    throw new EngineUnavailableError(
      `the embedded ClickHouse engine (chdb) could not be loaded on ${platformName(platform)}: ${firstLine(e)}; ${SERVER_HINT}`
    );
  }
  const candidate = mod ?? {};
  const Session = candidate.Session ?? candidate.default?.Session;
  if (typeof Session !== "function") {
    throw new EngineUnavailableError(`the loaded chdb module has no Session class; ${SERVER_HINT}`);
  }
  return { Session };
}
function sessionRunner(session) {
  const wrap = (fn) => {
    try {
      return Promise.resolve(fn());
    } catch (e) {
      const text = e instanceof Error ? e.message : String(e);
      const info = parseEngineError(text);
      return Promise.reject(info ? new ClickHouseQueryError(info) : new EngineError(firstLine(e)));
    }
  };
  return {
    run: (sql, format) => wrap(() => session.query(sql, format)),
    runBind: (sql, params, format) => wrap(() => session.queryBind(sql, params, format))
  };
}
function limitStatements(limits) {
  const int = (n) => Math.max(0, Math.floor(n));
  return [
    `SET max_execution_time = ${Math.max(0, limits.maxExecutionTime)}`,
    `SET timeout_overflow_mode = 'throw'`,
    `SET max_rows_to_read = ${int(limits.maxRowsToRead)}`,
    `SET read_overflow_mode = 'throw'`,
    `SET max_memory_usage = ${int(limits.maxMemoryUsage ?? DEFAULT_MAX_MEMORY_USAGE)}`,
    // Planning is the work here, and threads only cost their start-up: single-threaded EXPLAINs of
    // aggregations measured up to 1.7x faster (bench/engine-floor.ts); a pool process uses one core.
    "SET max_threads = 1",
    "SET readonly = 1"
  ];
}
function planningStatements(opts) {
  return [
    "SET output_format_parallel_formatting = 0",
    "SET optimize_move_to_prewhere = 0",
    "SET query_plan_optimize_prewhere = 0",
    ...opts.statistics ? [] : ["SET use_statistics = 0", "SET use_statistics_for_part_pruning = 0"]
  ];
}
var STATISTICS_QUERY = "SELECT count() FROM system.columns WHERE statistics != '' AND database NOT IN ('system', 'INFORMATION_SCHEMA', 'information_schema')";
var SINGLE_STATEMENT_CHECK2 = "SELECT formatQuerySingleLine({q:String})";
function head(statement) {
  const oneLine = statement.replace(/\s+/g, " ").trim();
  return oneLine.length > 70 ? `${oneLine.slice(0, 67)}...` : oneLine;
}
async function checkSingleStatement(runner, statement, list, index) {
  const where = `${list} statement ${index + 1} (${head(statement)})`;
  let canonical;
  try {
    canonical = (await runner.runBind(SINGLE_STATEMENT_CHECK2, { q: statement }, "TabSeparatedRaw")).trim();
  } catch (e) {
    if (!(e instanceof ClickHouseQueryError)) throw e;
    const multi = /Multi-statements are not allowed/.test(e.info.message);
    const message = e.info.message.replace(/[.:\s]*In scope SELECT formatQuerySingleLine\([\s\S]*$/, "");
    throw new EnginePrepareError(
      multi ? `${where} holds more than one statement; give one statement per entry` : `${where} is not valid SQL: ${e.info.code} ${e.info.name}: ${message}`,
      list,
      index,
      { ...e.info, message }
    );
  }
  if (/^INSERT\b/i.test(canonical) && /\bFORMAT \S+$/.test(canonical)) {
    if (statement.replace(/[\s;]+$/, "").includes(";")) {
      throw new EnginePrepareError(
        `${where} has inline data holding ';', which cannot be proven to be one statement; use INSERT ... SELECT`,
        list,
        index
      );
    }
  }
}
async function applyStatements(runner, schema, seed, run = (s) => runner.run(s, "TabSeparatedRaw")) {
  const lists = [
    ["schema", schema],
    ["seed", seed]
  ];
  for (const [list, statements] of lists) {
    for (const [index, statement] of statements.entries()) {
      if (!statement.trim()) continue;
      await checkSingleStatement(runner, statement, list, index);
      try {
        await run(statement);
      } catch (e) {
        if (!(e instanceof ClickHouseQueryError)) throw e;
        const { code, name, message } = e.info;
        throw new EnginePrepareError(
          `${list} statement ${index + 1} (${head(statement)}) failed: ${code} ${name}: ${message}`,
          list,
          index,
          e.info
        );
      }
    }
  }
}
var MERGE_TREE_TABLES = `SELECT database, name FROM system.tables WHERE engine LIKE '%MergeTree' AND database NOT IN ('system', 'INFORMATION_SCHEMA', 'information_schema') ORDER BY database, name`;
function quoteIdentifier(name) {
  return "`" + name.replace(/\\/g, "\\\\").replace(/`/g, "\\`") + "`";
}
async function statsFingerprint(runner) {
  for (const sql of [STATS_QUERY, STATS_QUERY_WITHOUT_PROJECTIONS]) {
    try {
      const text = await runner.run(sql, "JSONCompactEachRow");
      return text.split("\n").filter((l) => l.trim()).sort();
    } catch (e) {
      if (!(e instanceof ClickHouseQueryError)) throw e;
    }
  }
  return [];
}
async function createEmbeddedEngine(opts) {
  const mod = await loadModule(opts);
  const cacheRoot = opts.cacheDir || void 0;
  const chdbVersion = opts.chdbVersion ?? (opts.loadChdb ? void 0 : chdbPackageVersion());
  let session;
  let dataDir;
  const current = () => {
    if (!session) throw new EngineError("the embedded engine has no open session");
    return session;
  };
  const runner = sessionRunner({
    query: (q, f) => current().query(q, f),
    queryBind: (q, a, f) => current().queryBind(q, a, f),
    close: () => void 0
  });
  const stats = new LiveStats((sql) => runner.run(sql, "JSONCompactEachRow"));
  let version = "";
  let cache;
  let state = "new";
  let preparing;
  const open = (dir) => {
    try {
      try {
        session = new mod.Session(dir, { connectionArgs: CONNECTION_ARGS });
      } catch {
        session = new mod.Session(dir);
      }
      dataDir = dir;
    } catch (e) {
      removeDir(dir);
      throw new EngineError(`the embedded ClickHouse engine could not start: ${firstLine(e)}`);
    }
  };
  const dispose = () => {
    const s = session;
    const d = dataDir;
    session = void 0;
    dataDir = void 0;
    try {
      s?.close();
    } catch {
    }
    if (d) removeDir(d);
  };
  const privateDir = () => {
    try {
      return makePrivateDir();
    } catch (e) {
      throw new EngineError(`the embedded ClickHouse engine has no temporary directory: ${firstLine(e)}`);
    }
  };
  const readVersion = async () => {
    try {
      version = (await runner.run("SELECT version()", "TabSeparatedRaw")).trim();
    } catch {
    }
  };
  const openCached = async (root, key, manifest) => {
    const dir = privateDir();
    let files;
    try {
      files = materializeEntry(root, key, dir);
    } catch (e) {
      removeDir(dir);
      return `could not be read (${firstLine(e)})`;
    }
    if (files !== manifest.files) {
      removeDir(dir);
      return `is incomplete (${files} of ${manifest.files} files)`;
    }
    try {
      open(dir);
    } catch (e) {
      return `could not be opened (${firstLine(e)})`;
    }
    const reject = (reason) => {
      dispose();
      return reason;
    };
    try {
      await runner.run("SYSTEM STOP MERGES", "TabSeparatedRaw");
      await readVersion();
      if (version !== manifest.engineVersion) {
        return reject(
          `was written by ClickHouse ${manifest.engineVersion || "?"}, this is ${version || "?"}`
        );
      }
      if ((await statsFingerprint(runner)).join("\n") !== manifest.stats.join("\n")) {
        return reject("does not hold the parts it recorded");
      }
      const rows = (await runner.run(MERGE_TREE_TABLES, "JSONCompactEachRow")).split("\n").filter(Boolean);
      for (const row of rows) {
        const [database, name] = JSON.parse(row);
        const table = `${quoteIdentifier(database)}.${quoteIdentifier(name)}`;
        const ok = await runner.run(
          `CHECK TABLE ${table} SETTINGS check_query_single_value_result = 1`,
          "TabSeparatedRaw"
        );
        if (ok.trim() !== "1") return reject(`failed CHECK TABLE ${table}`);
      }
      await stats.reload();
      return void 0;
    } catch (e) {
      return reject(`could not be verified (${firstLine(e)})`);
    }
  };
  const save = async (root, key, rejected) => {
    try {
      const manifest = { engineVersion: version, stats: await statsFingerprint(runner) };
      saveEntry(root, key, dataDir, manifest, rejected?.nonce);
      return {
        status: "stored",
        key,
        ...rejected ? { reason: `the entry it replaced ${rejected.reason}` } : {}
      };
    } catch (e) {
      return { status: "unsaved", key, reason: firstLine(e) };
    }
  };
  const lock = async () => {
    let statistics = true;
    try {
      statistics = Number((await runner.run(STATISTICS_QUERY, "TabSeparatedRaw")).trim()) !== 0;
    } catch (e) {
      if (!(e instanceof ClickHouseQueryError)) throw e;
    }
    for (const statement of planningStatements({ statistics })) {
      try {
        await runner.run(statement, "TabSeparatedRaw");
      } catch (e) {
        if (!(e instanceof ClickHouseQueryError)) throw e;
      }
    }
    for (const statement of limitStatements(opts.limits)) await runner.run(statement, "TabSeparatedRaw");
  };
  const prepare = async (schema, seed) => {
    if (state !== "new")
      throw new EngineError("the embedded engine was already prepared (it is read-only now)");
    state = "preparing";
    const worthCaching = cacheRoot !== void 0 && [...schema, ...seed].some((s) => s.trim());
    const key = worthCaching ? cacheKey({ schema, seed, chdbVersion }) : void 0;
    let rejected;
    if (cacheRoot && key) {
      const manifest = readManifest(cacheRoot, key);
      if (manifest) {
        const reason = await openCached(cacheRoot, key, manifest);
        if (reason === void 0) {
          cache = { status: "hit", key };
          await lock();
          state = "ready";
          return;
        }
        rejected = { reason, nonce: manifest.nonce };
      }
    }
    open(privateDir());
    await runner.run("SYSTEM STOP MERGES", "TabSeparatedRaw");
    await readVersion();
    await applyStatements(runner, schema, seed);
    await runner.run("SYSTEM JEMALLOC PURGE", "TabSeparatedRaw").catch(() => void 0);
    await stats.reload();
    cache = cacheRoot && key ? await save(cacheRoot, key, rejected) : { status: "off" };
    await lock();
    state = "ready";
  };
  const startPrepare = (schema, seed) => {
    preparing = prepare(schema, seed);
    return preparing;
  };
  return {
    get description() {
      return `embedded ClickHouse${version ? ` ${version}` : ""} (chdb)`;
    },
    get cache() {
      return cache;
    },
    get dataDir() {
      return dataDir;
    },
    prepare: startPrepare,
    async explain(sql) {
      if (state === "closed") throw new EngineError("the embedded engine is closed");
      if (state === "new") await startPrepare([], []);
      else if (state === "preparing") await preparing;
      return explainQuery({ runner, stats, embedded: true }, sql);
    },
    async close() {
      if (state === "closed") return;
      state = "closed";
      dispose();
    }
  };
}

// src/clickhouse/engine-worker.ts
function serializeError(e) {
  if (!(e instanceof Error)) return { name: "Error", message: String(e) };
  const out = { name: e.name, message: e.message };
  if (e instanceof EngineError && e.info) out.info = e.info;
  if (e instanceof EnginePrepareError) {
    out.list = e.list;
    out.index = e.index;
  }
  return out;
}
function runEngineWorker() {
  const send = process.send?.bind(process);
  if (!send)
    return Promise.reject(
      new Error("the engine worker needs an IPC channel (start it with child_process.fork)")
    );
  let engine;
  let chain = Promise.resolve();
  let finished = false;
  return new Promise((resolve) => {
    const finish = () => {
      if (finished) return;
      finished = true;
      process.off("message", onMessage);
      chain = chain.then(async () => {
        await engine?.close();
        engine = void 0;
        if (process.connected) process.disconnect();
        resolve();
      });
    };
    const handle = async (m) => {
      if (m.t === "init") {
        try {
          const chdb = m.chdbPath ? { loadChdb: chdbLoaderFromPath(m.chdbPath), chdbVersion: chdbPackageVersion(m.chdbPath) } : {};
          engine = await createEmbeddedEngine({
            limits: m.limits,
            ...chdb.loadChdb ? { loadChdb: chdb.loadChdb } : {},
            ...chdb.chdbVersion ? { chdbVersion: chdb.chdbVersion } : {},
            ...m.cacheDir ? { cacheDir: m.cacheDir } : {}
          });
          await engine.prepare(m.schema, m.seed);
          const ready = { t: "ready", description: engine.description };
          if (engine.cache) ready.cache = engine.cache;
          if (engine.dataDir) ready.dataDir = engine.dataDir;
          send(ready);
        } catch (e) {
          send({ t: "init-error", error: serializeError(e) });
        }
      } else if (m.t === "explain") {
        try {
          if (!engine) throw new EngineError("the engine worker was not initialised");
          const outcome = await engine.explain(m.sql);
          send({ t: "result", id: m.id, outcome });
        } catch (e) {
          send({ t: "fail", id: m.id, error: serializeError(e) });
        }
      }
    };
    const onMessage = (m) => {
      if (m.t === "close") {
        finish();
        return;
      }
      chain = chain.then(() => handle(m));
    };
    process.on("message", onMessage);
    process.once("disconnect", finish);
  });
}

// src/clickhouse/engine-worker-main.ts
await runEngineWorker();
