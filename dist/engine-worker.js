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

// src/core/clock.ts
var systemClock = { now: () => /* @__PURE__ */ new Date() };

// src/clickhouse/cache.ts
var CACHE_FORMAT = 2;
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
      input.seed,
      // Absent and empty give the key of before, so entries stay valid for runs without clusters.
      ...input.clusters?.length ? [[...input.clusters].sort()] : []
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
function makePrivateDir(tmpDir = os.tmpdir()) {
  return mkdtempSync(path.join(tmpDir, "dashboard-ci-chdb-"));
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
    const now = systemClock.now();
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
    const now = systemClock.now().getTime();
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
import { randomBytes as randomBytes2 } from "node:crypto";
import { mkdtempSync as mkdtempSync2 } from "node:fs";
import { createRequire as createRequire2 } from "node:module";
import os2 from "node:os";
import path3 from "node:path";

// src/clickhouse/deny-list.ts
var DENIED_FUNCTIONS = {
  // Files
  file: "reads files of the machine",
  showCertificate: "reads files of the machine",
  catboostEvaluate: "starts processes",
  // loads a model file through clickhouse-library-bridge
  // Network
  aiClassify: "opens network connections",
  aiEmbed: "opens network connections",
  aiExtract: "opens network connections",
  aiGenerate: "opens network connections",
  aiTranslate: "opens network connections",
  AIClassify: "opens network connections",
  // alias of aiClassify
  AIExtract: "opens network connections",
  // alias of aiExtract
  AIGenerate: "opens network connections",
  // alias of aiGenerate
  AITranslate: "opens network connections",
  // alias of aiTranslate
  generateSerialID: "queries another server",
  // ClickHouse Keeper
  hasColumnInTable: "queries another server",
  // takes a host, user and password
  // The engine process
  addressToLine: "reads the engine process itself",
  addressToLineWithInlines: "reads the engine process itself",
  addressToSymbol: "reads the engine process itself",
  demangle: "reads the engine process itself",
  logTrace: "writes to the engine log"
};
var ALLOWED_TABLE_FUNCTIONS = /* @__PURE__ */ new Set([
  "SQLStandardValues",
  // what the parser makes of `FROM (VALUES ...)`
  "dictionary",
  // a dictionary of the engine; the schema rules allow only ClickHouse-table sources
  "format",
  // parses a string literal given in the query
  "fuzzJSON",
  "fuzzQuery",
  "generateRandom",
  "generateSeries",
  "generate_series",
  "loop",
  "merge",
  "mergeTreeAnalyzeIndexes",
  "mergeTreeAnalyzeIndexesUUID",
  "mergeTreeIndex",
  "mergeTreeProjection",
  "mergeTreeTextIndex",
  "null",
  "numbers",
  "numbers_mt",
  "primes",
  "timeSeriesData",
  "timeSeriesMetrics",
  "timeSeriesSamples",
  "timeSeriesSelector",
  "timeSeriesTags",
  "values",
  "view",
  "viewIfPermitted",
  "zeros",
  "zeros_mt"
]);
var SEED_TABLE_FUNCTIONS = /* @__PURE__ */ new Set([
  "SQLStandardValues",
  "generateRandom",
  "generateSeries",
  "generate_series",
  "null",
  "numbers",
  "numbers_mt",
  "primes",
  "values",
  "zeros",
  "zeros_mt"
]);
var FILES = "reads files of the machine";
var NETWORK = "opens network connections";
var SERVER = "queries another server";
var DENIED_TABLE_FUNCTIONS = {
  arrowstream: "reads a data stream the tool does not give",
  azureBlobStorage: NETWORK,
  azureBlobStorageCluster: NETWORK,
  // Unless clickhouse.clusters maps the cluster to the local node (clusters.ts).
  cluster: "reads a cluster the test engine does not have",
  clusterAllReplicas: "reads a cluster the test engine does not have",
  cosn: NETWORK,
  deltaLake: NETWORK,
  deltaLakeAzure: NETWORK,
  deltaLakeAzureCluster: NETWORK,
  deltaLakeCluster: NETWORK,
  deltaLakeLocal: FILES,
  deltaLakeS3: NETWORK,
  deltaLakeS3Cluster: NETWORK,
  eval: "runs SQL built from strings",
  executable: "starts processes",
  file: FILES,
  fileCluster: FILES,
  filesystem: FILES,
  gcs: NETWORK,
  hdfs: NETWORK,
  hdfsCluster: NETWORK,
  hudi: NETWORK,
  hudiCluster: NETWORK,
  iceberg: NETWORK,
  icebergAzure: NETWORK,
  icebergAzureCluster: NETWORK,
  icebergCluster: NETWORK,
  icebergHDFS: NETWORK,
  icebergHDFSCluster: NETWORK,
  icebergLocal: FILES,
  icebergLocalCluster: FILES,
  icebergS3: NETWORK,
  icebergS3Cluster: NETWORK,
  input: "reads a data stream the tool does not give",
  jdbc: "starts processes",
  mongodb: SERVER,
  mysql: SERVER,
  odbc: "starts processes",
  oss: NETWORK,
  paimon: NETWORK,
  paimonAzure: NETWORK,
  paimonAzureCluster: NETWORK,
  paimonCluster: NETWORK,
  paimonHDFS: NETWORK,
  paimonHDFSCluster: NETWORK,
  paimonLocal: FILES,
  paimonS3: NETWORK,
  paimonS3Cluster: NETWORK,
  postgresql: SERVER,
  prometheusQuery: SERVER,
  prometheusQueryRange: SERVER,
  redis: SERVER,
  remote: SERVER,
  remoteSecure: SERVER,
  s3: NETWORK,
  s3Cluster: NETWORK,
  sqlite: FILES,
  url: NETWORK,
  urlCluster: NETWORK,
  viewExplain: "runs SQL built from strings",
  ytsaurus: NETWORK
};
var lower = (names) => new Map([...names].map((n) => [n.toLowerCase(), n]));
var DENIED_FUNCTION_NAMES = lower(Object.keys(DENIED_FUNCTIONS));
var DENIED_TABLE_FUNCTION_NAMES = lower(Object.keys(DENIED_TABLE_FUNCTIONS));
var ALLOWED_TABLE_FUNCTION_NAMES = lower(ALLOWED_TABLE_FUNCTIONS);
var SEED_TABLE_FUNCTION_NAMES = lower(SEED_TABLE_FUNCTIONS);
function deniedFunction(name) {
  const canonical = DENIED_FUNCTION_NAMES.get(name.toLowerCase());
  return canonical ? { name: canonical, reason: DENIED_FUNCTIONS[canonical] } : void 0;
}
function deniedTableFunction(name, opts = {}) {
  const key = name.toLowerCase();
  const allowed = opts.seed ? SEED_TABLE_FUNCTION_NAMES : ALLOWED_TABLE_FUNCTION_NAMES;
  if (allowed.has(key)) return void 0;
  const denied = DENIED_TABLE_FUNCTION_NAMES.get(key);
  if (denied) return { name: denied, reason: DENIED_TABLE_FUNCTIONS[denied] };
  const known = ALLOWED_TABLE_FUNCTION_NAMES.get(key);
  if (known) return { name: known, reason: "is not a generator (a seed reads only the tables it defined)" };
  return { name, reason: "is not a table function the sandbox knows to be safe" };
}
var REFUSABLE_WORDS = /* @__PURE__ */ new Set([
  ...DENIED_FUNCTION_NAMES.keys(),
  ...DENIED_TABLE_FUNCTION_NAMES.keys()
]);

// src/clickhouse/ast.ts
var TRAILER = /(?: \(alias [^()]*\))?(?: \(children \d+\))?$/;
function parseAstDump(text) {
  const out = [];
  const stack = [];
  for (const raw of text.split("\n")) {
    if (!raw.trim()) continue;
    const depth = raw.length - raw.trimStart().length;
    const body = raw.trim();
    const space = body.indexOf(" ");
    const kind = space < 0 ? body : body.slice(0, space);
    const name = space < 0 ? "" : body.slice(space + 1).replace(TRAILER, "");
    while (stack.length > 0 && stack[stack.length - 1].depth >= depth) stack.pop();
    out.push({ depth, kind, name, parent: stack[stack.length - 1]?.kind });
    stack.push({ depth, kind });
  }
  return out;
}
function classifyAst(lines) {
  const top = lines[0];
  if (!top) return { kind: "statement", node: "" };
  if (top.kind === "ParallelWithQuery") return { kind: "parallel" };
  if (top.kind !== "SelectWithUnionQuery" || top.depth !== 0) return { kind: "statement", node: top.kind };
  for (const line of lines.slice(1)) {
    if (line.depth !== 1) continue;
    if (line.kind !== "ExpressionList" && line.kind !== "Set")
      return { kind: "output-clause", node: line.kind };
  }
  return { kind: "select" };
}
var TABLE_FUNCTION_PARENTS = /* @__PURE__ */ new Set([
  "TableExpression",
  "InsertQuery",
  "CreateQuery"
]);
function findRefusal(lines, opts = {}) {
  for (const line of lines) {
    if (line.kind === "Function") {
      const fn = /^\S+/.exec(line.name)?.[0] ?? "";
      if (TABLE_FUNCTION_PARENTS.has(line.parent ?? "")) {
        if (opts.tableFunctionsAllowed?.has(fn.toLowerCase())) continue;
        const table = deniedTableFunction(fn, { seed: opts.seed === true });
        if (table) return { what: `${table.name}() (table function)`, reason: table.reason };
      }
      const denied = deniedFunction(fn);
      if (denied) return { what: `${denied.name}()`, reason: denied.reason };
    } else if (line.kind === "TableIdentifier" && /[/*?{]/.test(line.name)) {
      return { what: `\`${line.name}\``, reason: "names a file, which the engine would read as a table" };
    }
  }
  return void 0;
}

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
  constructor(message, list, index, info, refusal) {
    super(message, info);
    this.list = list;
    this.index = index;
    this.refusal = refusal;
  }
  list;
  index;
  refusal;
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
var MAX_MESSAGE_LENGTH = 500;
function secretForms(secret) {
  const forms = /* @__PURE__ */ new Set([secret, JSON.stringify(secret).slice(1, -1), encodeURIComponent(secret)]);
  const bytes = Buffer.from(secret, "utf8");
  forms.add(bytes.toString("base64").replace(/=+$/, ""));
  forms.add(bytes.toString("hex"));
  forms.add(bytes.toString("hex").toUpperCase());
  return [...forms];
}
function scrubMessage(message, secrets) {
  const forms = secrets.flatMap((s) => s && s.length >= 3 ? secretForms(s) : []);
  const clean = redact(message, forms).replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, " ");
  return clean.length > MAX_MESSAGE_LENGTH ? `${clean.slice(0, MAX_MESSAGE_LENGTH - 3)}...` : clean;
}
function redact(text, secrets) {
  let out = text;
  for (const s of secrets) {
    if (s && s.length >= 3) out = out.split(s).join("***");
  }
  return out;
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

// src/sql/lexer.ts
var SQUOTE = 39;
var DQUOTE = 34;
var BACKTICK = 96;
var BACKSLASH = 92;
var DASH = 45;
var SLASH = 47;
var STAR = 42;
var DOLLAR = 36;
var HASH = 35;
var LF = 10;
var CR = 13;
function isWordChar(c) {
  return c >= 48 && c <= 57 || c >= 65 && c <= 90 || c >= 97 && c <= 122 || c === 95;
}
function isIdentStart(c) {
  return c >= 65 && c <= 90 || c >= 97 && c <= 122 || c === 95;
}
function quotedEnd(text, i, quote) {
  const n = text.length;
  let j = i + 1;
  while (j < n) {
    const c = text.charCodeAt(j);
    if (c === BACKSLASH) {
      j += 2;
      continue;
    }
    if (c === quote) {
      if (text.charCodeAt(j + 1) === quote) {
        j += 2;
        continue;
      }
      return j + 1;
    }
    j++;
  }
  return n;
}
function dollarTagLength(text, i) {
  let j = i + 1;
  if (text.charCodeAt(j) === DOLLAR) return 2;
  if (!isIdentStart(text.charCodeAt(j))) return 0;
  j++;
  while (j < text.length && isWordChar(text.charCodeAt(j))) j++;
  return text.charCodeAt(j) === DOLLAR ? j + 1 - i : 0;
}
function regionAt(text, i) {
  const c = text.charCodeAt(i);
  switch (c) {
    case SQUOTE:
      return { kind: "string", end: quotedEnd(text, i, SQUOTE) };
    case DQUOTE:
      return { kind: "identifier", end: quotedEnd(text, i, DQUOTE) };
    case BACKTICK:
      return { kind: "backtick", end: quotedEnd(text, i, BACKTICK) };
    case DASH:
    case HASH: {
      const next = text.charCodeAt(i + 1);
      if (c === DASH && next === DASH || c === HASH && (next === 32 || next === 33)) {
        let j = i + 2;
        while (j < text.length) {
          const d = text.charCodeAt(j);
          if (d === LF || d === CR) break;
          j++;
        }
        return { kind: "line-comment", end: j };
      }
      return void 0;
    }
    case SLASH: {
      if (text.charCodeAt(i + 1) !== STAR) return void 0;
      const close = text.indexOf("*/", i + 2);
      return { kind: "block-comment", end: close === -1 ? text.length : close + 2 };
    }
    case DOLLAR: {
      const len = dollarTagLength(text, i);
      if (len === 0) return void 0;
      const close = text.indexOf(text.slice(i, i + len), i + len);
      return { kind: "dollar", end: close === -1 ? text.length : close + len };
    }
    default:
      return void 0;
  }
}
var OffsetMap = class _OffsetMap {
  constructor(outStart, outEnd, inStart, inEnd) {
    this.outStart = outStart;
    this.outEnd = outEnd;
    this.inStart = inStart;
    this.inEnd = inEnd;
  }
  outStart;
  outEnd;
  inStart;
  inEnd;
  static identity = new _OffsetMap([], [], [], []);
  map(offset) {
    const starts = this.outStart;
    let lo = 0;
    let hi = starts.length - 1;
    let k = -1;
    while (lo <= hi) {
      const mid = lo + hi >> 1;
      if (starts[mid] <= offset) {
        k = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    if (k === -1) return offset;
    if (offset < this.outEnd[k]) return this.inStart[k];
    return this.inEnd[k] + (offset - this.outEnd[k]);
  }
};

// src/clickhouse/tokens.ts
function tokenize(text) {
  const out = [];
  let depth = 0;
  for (let i = 0; i < text.length; ) {
    const c = text[i];
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const region = regionAt(text, i);
    if (region) {
      const inner = text.slice(i + 1, region.end - 1);
      out.push({
        type: region.kind === "string" ? "string" : "quoted",
        value: inner,
        raw: inner,
        depth,
        start: i,
        end: region.end
      });
      i = region.end;
      continue;
    }
    const word = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(i, i + 256));
    if (word) {
      out.push({
        type: "word",
        value: word[0].toUpperCase(),
        raw: word[0],
        depth,
        start: i,
        end: i + word[0].length
      });
      i += word[0].length;
      continue;
    }
    const num = /^[0-9][0-9a-zA-Z_.]*/.exec(text.slice(i, i + 256));
    if (num) {
      out.push({ type: "number", value: num[0], raw: num[0], depth, start: i, end: i + num[0].length });
      i += num[0].length;
      continue;
    }
    if (c === ")") depth = Math.max(0, depth - 1);
    out.push({ type: "punct", value: c, raw: c, depth, start: i, end: i + 1 });
    if (c === "(") depth++;
    i++;
  }
  return out;
}
function quoteIdentifier(name) {
  return "`" + name.replace(/\\/g, "\\\\").replace(/`/g, "\\`") + "`";
}

// src/clickhouse/clusters.ts
var CLUSTER_FUNCTIONS = /* @__PURE__ */ new Set(["CLUSTER", "CLUSTERALLREPLICAS"]);
function argumentsOf(tokens, open) {
  const depth = tokens[open].depth;
  const args = [[]];
  for (let i = open + 1; i < tokens.length; i++) {
    const t = tokens[i];
    if (t.depth === depth && t.value === ")") return { args, close: i };
    if (t.depth === depth + 1 && t.value === ",") args.push([]);
    else args[args.length - 1].push(t);
  }
  return void 0;
}
function identifier(text, arg) {
  if (arg.length !== 1) return void 0;
  const t = arg[0];
  if (t.type === "word" || t.type === "quoted") return text.slice(t.start, t.end);
  if (t.type === "string" && /^[^\\`']*$/.test(t.value)) return `\`${t.value}\``;
  return void 0;
}
function clusterName(arg) {
  if (arg.length !== 1) return void 0;
  const t = arg[0];
  return t.type === "word" ? t.raw : t.value;
}
function mapClusters(canonical, clusters) {
  if (clusters.size === 0) return void 0;
  const tokens = tokenize(canonical);
  const edits = [];
  for (let i = 0; i + 1 < tokens.length; i++) {
    const t = tokens[i];
    if (t.type !== "word" || !CLUSTER_FUNCTIONS.has(t.value) || tokens[i + 1].value !== "(") continue;
    const call = argumentsOf(tokens, i + 1);
    if (!call || call.args.length < 2) continue;
    const name = clusterName(call.args[0]);
    if (name === void 0 || !clusters.has(name)) continue;
    const rest = call.args.slice(1);
    let table;
    if (rest.length === 1) {
      const a = rest[0];
      if (a.length === 0) continue;
      const call2 = a[0].type === "word" && a[1]?.value === "(" && a[a.length - 1].value === ")";
      if (!call2 && a.some((x) => x.type === "string" || x.value === "(")) continue;
      table = canonical.slice(a[0].start, a[a.length - 1].end);
    } else {
      const [db, tbl] = rest;
      const local = identifier(canonical, tbl);
      if (!local) continue;
      const isCurrent = db.length === 3 && db[0].value === "CURRENTDATABASE";
      const database = isCurrent ? void 0 : identifier(canonical, db);
      if (!isCurrent && !database) continue;
      table = database ? `${database}.${local}` : local;
    }
    edits.push({ start: t.start, end: tokens[call.close].end, text: table, cluster: name });
  }
  if (edits.length === 0) return void 0;
  let text = canonical;
  for (const e of [...edits].reverse()) text = text.slice(0, e.start) + e.text + text.slice(e.end);
  return { text, mapped: [...new Set(edits.map((e) => e.cluster))] };
}

// src/clickhouse/port.ts
var DEFAULT_RESULT_ROWS = 100;
var MAX_RESULT_ROWS = 1e4;
var DEFAULT_MAX_MEMORY_USAGE = 1024 ** 3;

// src/clickhouse/explain.ts
var AST_PREFIX = "EXPLAIN AST ";
var PLAN_PREFIX = "EXPLAIN json = 1, indexes = 1, header = 1\n";
var ESTIMATE_PREFIX = "EXPLAIN ESTIMATE\n";
var SINGLE_STATEMENT_CHECK = "SELECT formatQuerySingleLine({q:String})";
var BOUND_CODES = /* @__PURE__ */ new Set([158, 159, 160, 241, 307, 394, 396]);
var SETTING_CONSTRAINT_VIOLATION = 452;
var READONLY = 164;
var ACCESS_DENIED = 497;
var SHAPE_WORDS = ["into", "outfile", "format", "parallel", "explain"];
var DEFAULT_REFUSABLE = /* @__PURE__ */ new Set([...REFUSABLE_WORDS, ...SHAPE_WORDS]);
function isPlainSelectText(sql, refusable = DEFAULT_REFUSABLE) {
  if (!/^\s*(SELECT|WITH)\b/i.test(sql) || sql.includes(";")) return false;
  if (sql.includes("\\") && (sql.includes("`") || sql.includes('"'))) return false;
  if (/`[^`]*\/[^`]*`|"[^"]*\/[^"]*"/.test(sql)) return false;
  for (const m of sql.matchAll(/[A-Za-z_][A-Za-z0-9_]*/g)) {
    if (refusable.has(m[0].toLowerCase())) return false;
  }
  return true;
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
function failure(p, kind, error, extra = {}) {
  const secrets = p.secrets ?? [];
  const out = {
    ok: false,
    kind,
    error: { ...error, message: scrubMessage(error.message, secrets) }
  };
  if (extra.position !== void 0) out.position = extra.position;
  if (extra.reason !== void 0) out.reason = scrubMessage(extra.reason, secrets);
  return out;
}
function byteLength(s) {
  return Buffer.byteLength(s, "utf8");
}
function errorOutcome(p, info, sql, prefix, kind = "invalid") {
  const position = info.code === 62 && prefix !== void 0 ? syntaxErrorPosition(info.message, sql, byteLength(prefix)) : void 0;
  const error = { ...info, message: rewritePosition(info.message, position) };
  const out = {};
  if (position !== void 0) out.position = position;
  return failure(p, kind, error, out);
}
var UNKNOWN_TABLE = 60;
var CANNOT_EXTRACT_TABLE_STRUCTURE = 636;
var CLUSTER_DOESNT_EXIST = 701;
var NO_ZOOKEEPER = 225;
var KEEPER_EXCEPTION = 999;
var LACKING_CODES = /* @__PURE__ */ new Set([
  UNKNOWN_TABLE,
  CANNOT_EXTRACT_TABLE_STRUCTURE,
  CLUSTER_DOESNT_EXIST,
  NO_ZOOKEEPER,
  KEEPER_EXCEPTION
]);
var SERVER_HINT = "check it against a server (--clickhouse http://...)";
function lackingReason(code, ast) {
  if (code === CLUSTER_DOESNT_EXIST) {
    return `it reads a cluster the test engine does not have (one node, no remote_servers): name the cluster in clickhouse.clusters to read the local tables instead, or ${SERVER_HINT}`;
  }
  if (code === NO_ZOOKEEPER || code === KEEPER_EXCEPTION) {
    return `it needs ClickHouse Keeper, which the test engine does not have; ${SERVER_HINT}`;
  }
  if (code === UNKNOWN_TABLE) {
    const system = ast.find((l) => l.kind === "TableIdentifier" && /^system\./i.test(l.name));
    if (system) {
      return `${system.name} does not exist in the embedded engine (chdb keeps no system log tables and no ZooKeeper tables): this query cannot be judged by the embedded engine; ${SERVER_HINT}`;
    }
  }
  if (code === CANNOT_EXTRACT_TABLE_STRUCTURE) {
    const merge = ast.findIndex(
      (l) => l.kind === "Function" && l.parent === "TableExpression" && l.name.toLowerCase() === "merge"
    );
    const db = merge >= 0 ? ast[merge + 2] : void 0;
    if (db && /^(system|'system')$/i.test(db.name)) {
      return `merge() over system tables the embedded engine does not have (chdb keeps no system log tables); ${SERVER_HINT}`;
    }
  }
  return void 0;
}
function settingsOutcome(p, info) {
  if (info.code !== SETTING_CONSTRAINT_VIOLATION && !(info.code === READONLY && /\bsetting\b/i.test(info.message)))
    return void 0;
  return failure(p, "unsupported", info, {
    reason: `its SETTINGS would change a bound the test engine keeps fixed (${info.code} ${info.name}: ${info.message}), so it is not judged here`
  });
}
async function planErrorOutcome(p, info, sql, target, ast) {
  const prefix = target === sql ? PLAN_PREFIX : void 0;
  if (BOUND_CODES.has(info.code)) return failure(p, "bound-exceeded", info);
  const settings = settingsOutcome(p, info);
  if (settings) return settings;
  if (info.code === ACCESS_DENIED) {
    return failure(p, "refused", info, {
      reason: `the sandboxed engine's grants refuse it (${info.message}), so it is not judged here (nothing of it ran)`
    });
  }
  if (p.embedded && LACKING_CODES.has(info.code)) {
    let lines = ast;
    if (!lines) {
      try {
        lines = parseAstDump(await p.runner.run(AST_PREFIX + target, "TabSeparatedRaw"));
      } catch (e) {
        if (!(e instanceof ClickHouseQueryError)) throw e;
        lines = [];
      }
    }
    const reason = lackingReason(info.code, lines);
    if (reason) return failure(p, "unsupported", info, { reason });
  }
  return errorOutcome(p, info, sql, prefix);
}
function notSelect(p, keyword, detail) {
  return failure(p, "not-select", {
    code: READONLY,
    name: "READONLY",
    message: `${keyword || "This"} ${detail}: only a single SELECT (or WITH ... SELECT) is checked, and it is only EXPLAINed, never run`
  });
}
function singleLine(output) {
  const line = output.replace(/\n$/, "");
  if (/[\r\n]/.test(line)) {
    throw new EngineError("the engine answered the single-statement check with more than one line");
  }
  return line;
}
async function formatSingleStatement(p, sql) {
  try {
    return {
      ok: true,
      target: singleLine(await p.runner.runBind(SINGLE_STATEMENT_CHECK, { q: sql }, "TabSeparatedRaw"))
    };
  } catch (e) {
    if (!(e instanceof ClickHouseQueryError)) throw e;
    const info = {
      ...e.info,
      message: e.info.message.replace(/[.:\s]*In scope SELECT formatQuerySingleLine\([\s\S]*$/, "")
    };
    const multi = /Multi-statements are not allowed/.test(info.message);
    return {
      ok: false,
      outcome: errorOutcome(p, cleanInfo(info), sql, "", multi ? "multi-statement" : "invalid")
    };
  }
}
function refusedOutcome(p, what, reason) {
  const hint = /\bcluster\b/.test(reason) ? "; name the cluster in clickhouse.clusters to read the local tables instead" : "";
  return failure(
    p,
    "refused",
    { code: ACCESS_DENIED, name: "ACCESS_DENIED", message: `${what} ${reason}` },
    {
      reason: `${what} ${reason}: the sandboxed test engine refuses it, so this query is not judged (nothing of it ran)${hint}`
    }
  );
}
async function checkSelect(p, sql, opts = {}) {
  if (!sql.trim()) {
    return {
      ok: false,
      outcome: failure(p, "invalid", { code: 62, name: "SYNTAX_ERROR", message: "Empty query" })
    };
  }
  if (!opts.parse && isPlainSelectText(sql, p.refusable)) return { ok: true, target: sql };
  const formatted = await formatSingleStatement(p, sql);
  if (!formatted.ok) return formatted;
  let target = formatted.target;
  let read = await readSelect(p, sql, target);
  if (!read.ok) return read;
  if (read.refusal && p.clusters?.size) {
    const mapped = mapClusters(target, p.clusters);
    if (mapped) {
      target = mapped.text;
      read = await readSelect(p, sql, target);
      if (!read.ok) return read;
    }
  }
  if (read.refusal) return { ok: false, outcome: refusedOutcome(p, read.refusal.what, read.refusal.reason) };
  return { ok: true, target, ast: read.ast };
}
async function readSelect(p, sql, target) {
  let dump;
  try {
    dump = await p.runner.run(AST_PREFIX + target, "TabSeparatedRaw");
  } catch (e) {
    if (!(e instanceof ClickHouseQueryError)) throw e;
    return { ok: false, outcome: settingsOutcome(p, e.info) ?? errorOutcome(p, e.info, sql, void 0) };
  }
  const ast = parseAstDump(dump);
  const shape = classifyAst(ast);
  if (shape.kind === "parallel") {
    return {
      ok: false,
      outcome: failure(p, "multi-statement", {
        code: 62,
        name: "SYNTAX_ERROR",
        message: "Multi-statements are not allowed: PARALLEL WITH runs several statements"
      })
    };
  }
  if (shape.kind === "statement") {
    return { ok: false, outcome: notSelect(p, leadingKeyword(target), "statement refused") };
  }
  if (shape.kind === "output-clause") {
    return { ok: false, outcome: notSelect(p, "SELECT", "with an INTO OUTFILE or FORMAT clause refused") };
  }
  return { ok: true, ast, refusal: findRefusal(ast) };
}
async function explainQuery(p, sql) {
  const checked = await checkSelect(p, sql);
  if (!checked.ok) return checked.outcome;
  return explainPlan(p, sql, checked.target, checked.ast);
}
async function explainPlan(p, sql, target, ast) {
  let planText;
  try {
    planText = await p.runner.run(PLAN_PREFIX + target, "TabSeparatedRaw");
  } catch (e) {
    if (!(e instanceof ClickHouseQueryError)) throw e;
    return planErrorOutcome(p, e.info, sql, target, ast);
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
  const columns = planColumns(plan);
  if (reads.length === 0 || !hasRuntimeChoice(plan)) return { ok: true, cost, columns };
  try {
    const estimate = parseEstimate(await p.runner.run(ESTIMATE_PREFIX + target, "TabSeparatedRaw"));
    return { ok: true, cost: applyEstimate(cost, estimate), columns };
  } catch (e) {
    if (!(e instanceof ClickHouseQueryError)) throw e;
    return { ok: true, cost, columns };
  }
}
function planColumns(plan) {
  const top = Array.isArray(plan) ? plan[0]?.Plan : void 0;
  const header = top?.Header;
  if (!Array.isArray(header)) return [];
  return header.flatMap((h) => {
    const { Name, Type } = h ?? {};
    return typeof Name === "string" && typeof Type === "string" ? [{ name: Name, type: Type }] : [];
  });
}
function cleanInfo(info) {
  return { ...info, message: cleanMessage(info.message) };
}
async function engineRefusableWords(runner) {
  const words = new Set(DEFAULT_REFUSABLE);
  try {
    const denied = [...REFUSABLE_WORDS].map((w) => `'${w}'`).join(", ");
    const text = await runner.run(
      `SELECT lower(name), 1 FROM system.table_functions UNION ALL SELECT lower(name), 0 FROM system.functions WHERE alias_to != '' AND lower(alias_to) IN (${denied})`,
      "JSONCompactEachRow"
    );
    for (const line of text.split("\n")) {
      if (!line.trim()) continue;
      const [name, isTableFunction] = JSON.parse(line);
      if (!isTableFunction || deniedTableFunction(name) !== void 0) words.add(name);
    }
  } catch (e) {
    if (!(e instanceof ClickHouseQueryError)) throw e;
  }
  return words;
}
var VARIABLE_STATEMENTS = {
  SHOW: /* @__PURE__ */ new Set(["ShowTables"]),
  DESCRIBE: /* @__PURE__ */ new Set(["DescribeQuery"]),
  DESC: /* @__PURE__ */ new Set(["DescribeQuery"]),
  EXISTS: /* @__PURE__ */ new Set(["ExistsTableQuery", "ExistsDatabaseQuery", "ExistsDictionaryQuery", "ExistsViewQuery"])
};
async function checkVariableStatement(p, sql, keyword) {
  const formatted = await formatSingleStatement(p, sql);
  if (!formatted.ok) return formatted;
  const target = formatted.target;
  const tokens = tokenize(target);
  const words = tokens.filter((t) => t.type === "word");
  const shown = keyword !== "SHOW" || ["TABLES", "DATABASES"].includes(words[1]?.value ?? "");
  const outputClause = tokens.some(
    (t) => t.depth === 0 && t.type === "word" && (t.value === "INTO" || t.value === "FORMAT")
  );
  if (!shown || outputClause) {
    return {
      ok: false,
      outcome: notSelect(p, keyword, "statement refused")
    };
  }
  let dump;
  try {
    dump = await p.runner.run(AST_PREFIX + target, "TabSeparatedRaw");
  } catch (e) {
    if (!(e instanceof ClickHouseQueryError)) throw e;
    return { ok: false, outcome: errorOutcome(p, e.info, sql, void 0) };
  }
  const ast = parseAstDump(dump);
  if (!ast[0] || ast[0].depth !== 0 || !VARIABLE_STATEMENTS[keyword]?.has(ast[0].kind)) {
    return { ok: false, outcome: notSelect(p, keyword, "statement refused") };
  }
  const refusal = findRefusal(ast);
  if (refusal) return { ok: false, outcome: refusedOutcome(p, refusal.what, refusal.reason) };
  return { ok: true, target };
}
async function executeQuery(p, sql, opts = {}) {
  const limit = Math.max(1, Math.min(MAX_RESULT_ROWS, Math.floor(opts.maxResultRows ?? DEFAULT_RESULT_ROWS)));
  const keyword = leadingKeyword(sql);
  let text;
  let ast;
  if (opts.variable && VARIABLE_STATEMENTS[keyword]) {
    const checked = await checkVariableStatement(p, sql, keyword);
    if (!checked.ok) return checked.outcome;
    text = checked.target;
  } else {
    const checked = await checkSelect(p, sql, { parse: true });
    if (!checked.ok) return checked.outcome;
    ast = checked.ast;
    text = `SELECT * FROM (
${checked.target}
) LIMIT ${limit + 1}`;
  }
  let out;
  try {
    out = await p.runner.run(text, "JSONCompact");
  } catch (e) {
    if (!(e instanceof ClickHouseQueryError)) throw e;
    return await planErrorOutcome(p, e.info, sql, text, ast);
  }
  let parsed;
  try {
    parsed = JSON.parse(out);
  } catch {
    throw new EngineError(`a query's JSONCompact result is not JSON: ${out.slice(0, 120)}`);
  }
  const columns = (parsed.meta ?? []).flatMap(
    (m) => typeof m.name === "string" && typeof m.type === "string" ? [{ name: m.name, type: m.type }] : []
  );
  const data = Array.isArray(parsed.data) ? parsed.data : [];
  const num = (v) => typeof v === "number" ? v : Number(v ?? 0) || 0;
  return {
    ok: true,
    result: {
      columns,
      rows: data.slice(0, limit),
      truncated: data.length > limit,
      rowsRead: num(parsed.statistics?.rows_read),
      bytesRead: num(parsed.statistics?.bytes_read),
      elapsedMs: num(parsed.statistics?.elapsed) * 1e3
    }
  };
}

// src/clickhouse/schema-policy.ts
var ALLOWED_TABLE_ENGINES = /* @__PURE__ */ new Set([
  "MergeTree",
  "ReplacingMergeTree",
  "SummingMergeTree",
  "AggregatingMergeTree",
  "CollapsingMergeTree",
  "VersionedCollapsingMergeTree",
  "GraphiteMergeTree",
  "CoalescingMergeTree",
  "Memory",
  "Log",
  "TinyLog",
  "StripeLog",
  "Null"
]);
var ALLOWED_DATABASE_ENGINES = /* @__PURE__ */ new Set(["Atomic", "Ordinary", "Memory"]);
var INLINE_FORMATS = /* @__PURE__ */ new Set([
  "values",
  "csv",
  "csvwithnames",
  "csvwithnamesandtypes",
  "tsv",
  "tabseparated",
  "tsvwithnames",
  "tabseparatedwithnames",
  "tsvwithnamesandtypes",
  "tabseparatedwithnamesandtypes",
  "jsoneachrow",
  "jsoncompacteachrow",
  "jsonlines",
  "ndjson"
]);
var LOCAL_DICTIONARY_KEYS = /* @__PURE__ */ new Set(["DB", "TABLE", "UPDATE_FIELD", "UPDATE_LAG"]);
var PATH_LIKE_SETTING = /(^|_)(disk|disks|volume|path|paths|file|files|storage|policy|url|uri|endpoint|schema|template|keeper|zookeeper|s3|azure|hdfs|bridge|library|host|hosts|proxy|credentials?)(_|$)/i;
function refuse(kind, reason) {
  return { ok: false, kind, reason };
}
function settingsNames(tokens) {
  const names = [];
  tokens.forEach((t, i) => {
    if (t.type !== "word" || t.value !== "SETTINGS") return;
    for (let j = i + 1; j + 1 < tokens.length; ) {
      const name = tokens[j];
      const eq = tokens[j + 1];
      if (name.depth !== t.depth || name.type !== "word" && name.type !== "quoted" || eq.value !== "=")
        break;
      names.push(name.raw);
      let k = j + 2;
      while (k < tokens.length && !(tokens[k].depth === t.depth && tokens[k].value === ",")) {
        if (tokens[k].depth < t.depth) break;
        if (tokens[k].depth === t.depth && tokens[k].type === "word" && k > j + 2) break;
        k++;
      }
      if (tokens[k]?.value !== ",") break;
      j = k + 1;
    }
  });
  return names;
}
function badSetting(tokens) {
  return settingsNames(tokens).find((n) => PATH_LIKE_SETTING.test(n));
}
function findWord(tokens, value, from = 0) {
  for (let i = from; i < tokens.length; i++) {
    const t = tokens[i];
    if (t.depth === 0 && t.type === "word" && t.value === value) return i;
  }
  return -1;
}
function engineName(tokens) {
  const at = findWord(tokens, "ENGINE");
  if (at < 0 || tokens[at + 1]?.value !== "=") return void 0;
  const t = tokens[at + 2];
  if (!t) return "";
  return t.raw;
}
function objectName(tokens, from) {
  const a = tokens[from];
  if (!a || a.type !== "word" && a.type !== "quoted") return { name: "", qualified: false };
  if (tokens[from + 1]?.value === "." && tokens[from + 2]) {
    return { name: `${a.value}.${tokens[from + 2].value}`, qualified: true };
  }
  return { name: a.value, qualified: false };
}
function skipIfNotExists(tokens, i) {
  if (tokens[i]?.value === "IF" && tokens[i + 1]?.value === "NOT" && tokens[i + 2]?.value === "EXISTS")
    return i + 3;
  if (tokens[i]?.value === "IF" && tokens[i + 1]?.value === "EXISTS") return i + 2;
  return i;
}
function engineVerdict(kind, engine) {
  if (ALLOWED_TABLE_ENGINES.has(engine)) return void 0;
  if (/^Replicated.*MergeTree$/.test(engine)) {
    const plain = engine.slice("Replicated".length);
    return refuse(
      kind,
      `ENGINE = ${engine} needs ClickHouse Keeper; the test engine is one node: use ENGINE = ${plain} (without the replication path and replica arguments)`
    );
  }
  if (/^Shared.*MergeTree$/.test(engine)) {
    return refuse(
      kind,
      `ENGINE = ${engine} is ClickHouse Cloud's; use ENGINE = ${engine.slice("Shared".length)}`
    );
  }
  return refuse(
    kind,
    `ENGINE = ${engine} is not one a test table may have (MergeTree family, Memory, Log family, Null): it keeps or reads data outside the engine`
  );
}
function judgeStatement(canonical, ast, mode, opts = {}) {
  const tokens = tokenize(canonical);
  const w = (i) => tokens[i]?.type === "word" ? tokens[i].value : "";
  let kind = [w(0), w(1)].filter(Boolean).join(" ") || "statement";
  if (findWord(tokens, "ON") >= 0 && tokens[findWord(tokens, "ON") + 1]?.value === "CLUSTER") {
    return refuse(
      kind,
      "ON CLUSTER runs the statement on other servers; the test engine is one node: drop it"
    );
  }
  const setting = badSetting(tokens);
  const astRefusal = (seed) => {
    const r = findRefusal(ast, { seed });
    return r ? refuse(kind, `${r.what} ${r.reason}`) : void 0;
  };
  const settingRefusal = () => setting ? refuse(kind, `the setting ${setting} points data or a format at disks, files or hosts`) : void 0;
  const serverTarget = (name) => mode === "server" && name.qualified ? refuse(
    kind,
    `${name.name} names a database: on a server the tool applies the files into its own scratch database, so objects must be unqualified`
  ) : void 0;
  switch (w(0)) {
    case "CREATE": {
      let i = 1;
      if (w(1) === "OR" && w(2) === "REPLACE") i = 3;
      const what = w(i);
      if (what === "DATABASE") {
        kind = "CREATE DATABASE";
        if (mode === "server")
          return refuse(kind, "on a server the tool applies the files into its own scratch database");
        const engine = engineName(tokens);
        if (engine !== void 0 && !ALLOWED_DATABASE_ENGINES.has(engine)) {
          return refuse(kind, `ENGINE = ${engine} is not a database engine of plain tables (Atomic, Memory)`);
        }
        return settingRefusal() ?? { ok: true, kind, inlineData: false };
      }
      if (what === "TABLE") {
        kind = "CREATE TABLE";
        const target = objectName(tokens, skipIfNotExists(tokens, i + 1));
        const engine = engineName(tokens);
        const selectAt = findWord(tokens, "SELECT");
        if (engine === "Distributed" && mode === "embedded") {
          return serverTarget(target) ?? settingRefusal() ?? distributedVerdict(kind, canonical, tokens, opts.clusters ?? /* @__PURE__ */ new Set());
        }
        return serverTarget(target) ?? (engine !== void 0 ? engineVerdict(kind, engine) : void 0) ?? settingRefusal() ?? astRefusal(selectAt >= 0 || engine === void 0) ?? { ok: true, kind, inlineData: false };
      }
      if (what === "TEMPORARY")
        return refuse("CREATE TEMPORARY TABLE", "temporary tables do not outlive the session");
      if (what === "VIEW" || what === "MATERIALIZED" && w(i + 1) === "VIEW") {
        kind = what === "VIEW" ? "CREATE VIEW" : "CREATE MATERIALIZED VIEW";
        const target = objectName(tokens, skipIfNotExists(tokens, what === "VIEW" ? i + 1 : i + 2));
        if (findWord(tokens, "REFRESH") >= 0) {
          return refuse(
            "CREATE MATERIALIZED VIEW ... REFRESH",
            "a refreshable view runs queries on a schedule"
          );
        }
        const engine = engineName(tokens);
        return serverTarget(target) ?? (engine !== void 0 ? engineVerdict(kind, engine) : void 0) ?? settingRefusal() ?? astRefusal(false) ?? { ok: true, kind, inlineData: false };
      }
      if (what === "DICTIONARY") {
        kind = "CREATE DICTIONARY";
        const target = objectName(tokens, skipIfNotExists(tokens, i + 1));
        return serverTarget(target) ?? dictionaryVerdict(kind, tokens) ?? astRefusal(false) ?? {
          ok: true,
          kind,
          inlineData: false
        };
      }
      return refuse(`CREATE ${what}`.trim(), "only databases, tables, views and dictionaries may be created");
    }
    case "INSERT": {
      kind = "INSERT";
      if (w(1) !== "INTO") return refuse(kind, "expected INSERT INTO <table>");
      let i = 2;
      if (w(i) === "FUNCTION")
        return refuse("INSERT INTO FUNCTION", "writes through a table function (files, URLs, other servers)");
      if (w(i) === "TABLE") i++;
      const target = objectName(tokens, i);
      if (/[/*?{]/.test(target.name)) return refuse(kind, `\`${target.name}\` names a file`);
      const formatAt = findWord(tokens, "FORMAT");
      const selectAt = findWord(tokens, "SELECT") >= 0 ? findWord(tokens, "SELECT") : findWord(tokens, "WITH");
      const inlineData = formatAt >= 0 && (selectAt < 0 || formatAt < selectAt);
      if (inlineData) {
        const format = tokens[formatAt + 1]?.raw ?? "";
        if (!INLINE_FORMATS.has(format.toLowerCase())) {
          return refuse(
            kind,
            `FORMAT ${format} is not a plain text format (Values, CSV, TSV, JSONEachRow...)`
          );
        }
      } else if (selectAt < 0) {
        return refuse(kind, "expected INSERT ... SELECT or INSERT ... VALUES");
      }
      return serverTarget(target) ?? settingRefusal() ?? astRefusal(true) ?? { ok: true, kind, inlineData };
    }
    case "ALTER": {
      kind = "ALTER TABLE";
      if (w(1) !== "TABLE")
        return refuse(`ALTER ${w(1)}`, "only ALTER TABLE ... changes of columns, indexes and projections");
      const target = objectName(tokens, 2);
      const verdict = alterVerdict(kind, tokens);
      return verdict ?? serverTarget(target) ?? settingRefusal() ?? astRefusal(true) ?? { ok: true, kind, inlineData: false };
    }
    case "OPTIMIZE":
      kind = "OPTIMIZE TABLE";
      return serverTarget(objectName(tokens, 2)) ?? { ok: true, kind, inlineData: false };
    case "DROP":
      kind = `DROP ${w(1)}`;
      if (mode === "server")
        return refuse(kind, "the tool drops nothing on a server but its own scratch database");
      if (!["TABLE", "VIEW", "DICTIONARY"].includes(w(1)))
        return refuse(kind, "only tables, views and dictionaries of the test schema may be dropped");
      return { ok: true, kind, inlineData: false };
    case "SET":
      kind = "SET";
      if (mode === "server") return refuse(kind, "settings of the scratch session are the tool's");
      return settingRefusalFor(tokens) ?? { ok: true, kind, inlineData: false };
    case "USE":
      kind = "USE";
      if (mode === "server")
        return refuse(kind, "on a server the tool applies the files into its own scratch database");
      return { ok: true, kind, inlineData: false };
    default:
      return refuse(
        kind,
        "not a data definition (CREATE, INSERT, ALTER TABLE of columns/indexes/projections, OPTIMIZE)"
      );
  }
}
function settingRefusalFor(tokens) {
  const names = [];
  for (let j = 1; j + 1 < tokens.length; ) {
    const name = tokens[j];
    if (name.type !== "word" && name.type !== "quoted" || tokens[j + 1].value !== "=") break;
    names.push(name.raw);
    let k = j + 2;
    while (k < tokens.length && !(tokens[k].depth === 0 && tokens[k].value === ",")) k++;
    j = k + 1;
  }
  const bad = names.find((n) => PATH_LIKE_SETTING.test(n));
  return bad ? refuse("SET", `the setting ${bad} points data or a format at disks, files or hosts`) : void 0;
}
function dictionaryVerdict(kind, tokens) {
  const sourceAt = findWord(tokens, "SOURCE");
  if (sourceAt < 0) return refuse(kind, "a dictionary needs SOURCE(CLICKHOUSE(TABLE ...))");
  const type = tokens[sourceAt + 2];
  if (!type || type.type !== "word" || type.value !== "CLICKHOUSE") {
    return refuse(
      kind,
      `SOURCE(${type?.raw ?? ""}) reads outside the engine: a test dictionary reads a table of the schema, SOURCE(CLICKHOUSE(TABLE '...'))`
    );
  }
  const inner = type.depth + 1;
  for (let i = sourceAt + 4; i < tokens.length && tokens[i].depth >= inner; i++) {
    const t = tokens[i];
    if (t.depth === inner && t.type === "word" && !LOCAL_DICTIONARY_KEYS.has(t.value)) {
      return refuse(
        kind,
        `SOURCE(CLICKHOUSE(${t.value} ...)) reaches beyond a table of the engine (only DB and TABLE are allowed)`
      );
    }
  }
  const layoutAt = findWord(tokens, "LAYOUT");
  if (layoutAt >= 0) {
    for (let i = layoutAt + 2; i < tokens.length && tokens[i].depth > 0; i++) {
      if (tokens[i].type === "word" && tokens[i].value === "PATH") {
        return refuse(kind, "a LAYOUT with a PATH writes files outside the engine");
      }
    }
  }
  return void 0;
}
var ALTER_COMMANDS = /* @__PURE__ */ new Set([
  "ADD COLUMN",
  "ADD INDEX",
  "ADD PROJECTION",
  "CLEAR COLUMN",
  "CLEAR INDEX",
  "CLEAR PROJECTION",
  "COMMENT COLUMN",
  "DROP COLUMN",
  "DROP INDEX",
  "DROP PROJECTION",
  "MATERIALIZE COLUMN",
  "MATERIALIZE INDEX",
  "MATERIALIZE PROJECTION",
  "MATERIALIZE TTL",
  "MODIFY COLUMN",
  "MODIFY COMMENT",
  "MODIFY ORDER",
  "MODIFY TTL",
  "REMOVE TTL",
  "RENAME COLUMN"
]);
function alterVerdict(kind, tokens) {
  let i = tokens[3]?.value === "." ? 5 : 3;
  const segments = [[]];
  for (; i < tokens.length; i++) {
    const t = tokens[i];
    if (t.depth === 0 && t.type === "word" && t.value === "SETTINGS") break;
    if (t.depth === 0 && t.value === ",") segments.push([]);
    else if (!(t.depth === 0 && (t.value === "(" || t.value === ")"))) segments[segments.length - 1].push(t);
  }
  for (const segment of segments) {
    const command = segment.slice(0, 2).map((t) => t.value).join(" ");
    if (!ALTER_COMMANDS.has(command)) {
      return refuse(
        `ALTER TABLE ... ${command}`.trim(),
        "only changes of columns, indexes, projections, TTL, sorting key and comments"
      );
    }
  }
  return void 0;
}
function distributedVerdict(kind, canonical, tokens, clusters) {
  const at = findWord(tokens, "ENGINE");
  const open = at + 3;
  const args = [[]];
  let close = -1;
  for (let i = open + 1; i < tokens.length; i++) {
    const t = tokens[i];
    if (t.depth === 0 && t.value === ")") {
      close = i;
      break;
    }
    if (t.depth === 1 && t.value === ",") args.push([]);
    else args[args.length - 1].push(t);
  }
  const single = (a) => a && a.length === 1 ? a[0] : void 0;
  const [cluster, db, table] = [single(args[0]), single(args[1]), single(args[2])];
  const name = cluster?.type === "word" ? cluster.raw : cluster?.value;
  if (tokens[open]?.value !== "(" || close < 0 || !name || !db || !table) {
    return refuse(kind, "ENGINE = Distributed needs (cluster, database, table) written as names");
  }
  if (!clusters.has(name)) {
    return refuse(
      kind,
      `ENGINE = Distributed reads cluster ${name}, which the test engine does not have: name it in clickhouse.clusters to read the local table instead`
    );
  }
  const database = db.type === "string" ? `'${db.value}'` : canonical.slice(db.start, db.end);
  const local = table.type === "word" ? table.raw : table.value;
  if (/['\\]/.test(local)) return refuse(kind, "ENGINE = Distributed over a table name with quotes");
  const regexp = `^${local.replace(/[.*+?^${}()|[\]\\]/g, (c) => `\\\\${c}`)}$`;
  const rewrite = `${canonical.slice(0, tokens[at].start)}ENGINE = Merge(${database}, '${regexp}')${canonical.slice(tokens[close].end)}`;
  return { ok: true, kind, inlineData: false, rewrite };
}

// src/clickhouse/apply.ts
var SINGLE_STATEMENT_CHECK2 = "SELECT formatQuerySingleLine({q:String})";
function bounded(message) {
  return scrubMessage(message, []);
}
function head(statement) {
  const oneLine = statement.replace(/\s+/g, " ").trim();
  return oneLine.length > 70 ? `${oneLine.slice(0, 67)}...` : oneLine;
}
async function checkStatement(runner, statement, list, index, mode, clusters = /* @__PURE__ */ new Set()) {
  const where = `${list} statement ${index + 1} (${head(statement)})`;
  let canonical;
  try {
    canonical = singleLine(
      await runner.runBind(SINGLE_STATEMENT_CHECK2, { q: statement }, "TabSeparatedRaw")
    ).trim();
  } catch (e) {
    if (!(e instanceof ClickHouseQueryError)) throw e;
    const multi = /Multi-statements are not allowed/.test(e.info.message);
    const message = bounded(
      e.info.message.replace(/[.:\s]*In scope SELECT formatQuerySingleLine\([\s\S]*$/, "")
    );
    throw new EnginePrepareError(
      multi ? `${where} holds more than one statement; give one statement per entry` : `${where} is not valid SQL: ${e.info.code} ${e.info.name}: ${message}`,
      list,
      index,
      { ...e.info, message }
    );
  }
  let dump;
  try {
    dump = await runner.run(`EXPLAIN AST ${canonical}`, "TabSeparatedRaw");
  } catch (e) {
    if (!(e instanceof ClickHouseQueryError)) throw e;
    const info = { ...e.info, message: bounded(e.info.message) };
    throw new EnginePrepareError(
      `${where} could not be read back: ${info.code} ${info.name}: ${info.message}`,
      list,
      index,
      info
    );
  }
  const verdict = judgeStatement(canonical, parseAstDump(dump), mode, { clusters });
  if (!verdict.ok) {
    throw new EnginePrepareError(
      `${where} refused (${verdict.kind}): ${verdict.reason}`,
      list,
      index,
      void 0,
      {
        kind: verdict.kind,
        reason: verdict.reason
      }
    );
  }
  if (verdict.rewrite !== void 0) return verdict.rewrite;
  if (!verdict.inlineData) return canonical;
  if (statement.replace(/[\s;]+$/, "").includes(";")) {
    throw new EnginePrepareError(
      `${where} has inline data holding ';', which cannot be proven to be one statement; use INSERT ... SELECT`,
      list,
      index
    );
  }
  return statement;
}
async function applyStatements(runner, schema, seed, opts) {
  const run = opts.run ?? ((s) => runner.run(s, "TabSeparatedRaw"));
  const lists = [
    ["schema", schema],
    ["seed", seed]
  ];
  for (const [list, statements] of lists) {
    for (const [index, statement] of statements.entries()) {
      if (!statement.trim()) continue;
      const text = await checkStatement(runner, statement, list, index, opts.mode, opts.clusters);
      try {
        await run(text);
      } catch (e) {
        if (!(e instanceof ClickHouseQueryError)) throw e;
        const info = { ...e.info, message: bounded(e.info.message) };
        throw new EnginePrepareError(
          `${list} statement ${index + 1} (${head(statement)}) failed: ${info.code} ${info.name}: ${info.message}`,
          list,
          index,
          info
        );
      }
    }
  }
}
async function checkStatements(runner, schema, seed, mode, clusters) {
  const lists = [
    ["schema", schema],
    ["seed", seed]
  ];
  for (const [list, statements] of lists) {
    for (const [index, statement] of statements.entries()) {
      if (statement.trim()) await checkStatement(runner, statement, list, index, mode, clusters);
    }
  }
}

// src/clickhouse/sandbox.ts
import { chmodSync, mkdirSync as mkdirSync2, writeFileSync as writeFileSync2 } from "node:fs";
import path2 from "node:path";
var PHASE_GRANTS = {
  prepare: [
    "GRANT SELECT, INSERT, CREATE DATABASE, CREATE TABLE, CREATE VIEW, CREATE DICTIONARY, CREATE TEMPORARY TABLE, ALTER TABLE, ALTER VIEW, DROP TABLE, DROP VIEW, DROP DICTIONARY, OPTIMIZE, SHOW, CHECK, dictGet ON *.*",
    "GRANT SYSTEM MERGES, SYSTEM JEMALLOC ON *.*"
  ],
  // CREATE TEMPORARY TABLE is what table functions without a source of their own need (zeros(),
  // format(), loop(), dictionary()); those with one still need READ ON <source>, which no phase has.
  // Of the rest, executable() only runs scripts of user_scripts_path (private and empty), input() only
  // reads an INSERT's data, and eval() is switched off below.
  query: ["GRANT SELECT, SHOW, CHECK, dictGet, CREATE TEMPORARY TABLE ON *.*", "GRANT SYSTEM MERGES ON *.*"]
};
var SWITCHES_OFF = {
  allow_introspection_functions: "0",
  implicit_select: "0",
  input_format_values_interpret_expressions: "0",
  input_format_values_deduce_templates_of_expressions: "0",
  // eval() runs SQL built from strings, past every check of the query's text.
  allow_experimental_eval_table_function: "0",
  // In clickhouse-local, logs sent "to the client" are printed on stderr, which is the CLI's.
  send_logs_level: "none",
  dialect: "clickhouse"
};
function phaseProfile(phase, opts) {
  const constraints = {};
  for (const name of Object.keys(SWITCHES_OFF)) constraints[name] = { const: true };
  if (phase === "prepare") return { settings: { ...SWITCHES_OFF }, constraints };
  const int = (n) => String(Math.max(1, Math.floor(n)));
  const seconds = String(Math.max(1e-3, opts.limits.maxExecutionTime));
  const rows = int(opts.limits.maxRowsToRead);
  const memory = int(opts.limits.maxMemoryUsage ?? DEFAULT_MAX_MEMORY_USAGE);
  const threads = int(opts.maxThreads);
  const settings = {
    ...SWITCHES_OFF,
    readonly: "2",
    allow_ddl: "0",
    max_execution_time: seconds,
    timeout_overflow_mode: "throw",
    max_rows_to_read: rows,
    read_overflow_mode: "throw",
    max_memory_usage: memory,
    // Planning is the work here, and threads only cost their start-up: single-threaded EXPLAINs of
    // aggregations measured up to 1.7x faster (bench/engine-floor.ts); a pool process uses one core.
    max_threads: "1",
    // The result of an EXPLAIN AST is what the checks read: a query may not cut it short.
    max_result_rows: "0",
    max_result_bytes: "0",
    result_overflow_mode: "throw"
  };
  for (const name of [
    "readonly",
    "allow_ddl",
    "timeout_overflow_mode",
    "read_overflow_mode",
    "max_result_rows",
    "max_result_bytes",
    "result_overflow_mode"
  ])
    constraints[name] = { const: true };
  constraints["max_execution_time"] = { min: "0.001", max: seconds };
  constraints["max_rows_to_read"] = { min: "1", max: rows };
  constraints["max_memory_usage"] = { min: "1", max: memory };
  constraints["max_threads"] = { min: "1", max: threads };
  return { settings, constraints };
}
function escapeXml(s) {
  return s.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);
}
function el(name, body) {
  return `<${name}>${body}</${name}>`;
}
function usersXml(phase, opts) {
  const profile = phaseProfile(phase, opts);
  const settings = Object.entries(profile.settings).map(([k, v]) => el(k, escapeXml(v))).join("");
  const constraints = Object.entries(profile.constraints).map(
    ([k, c]) => el(
      k,
      "const" in c ? "<const/>" : (c.min !== void 0 ? el("min", c.min) : "") + (c.max !== void 0 ? el("max", c.max) : "")
    )
  ).join("");
  const grants = PHASE_GRANTS[phase].map((g) => el("query", escapeXml(g))).join("");
  return el(
    "clickhouse",
    el("profiles", el("default", settings + el("constraints", constraints))) + el(
      "users",
      el(
        "default",
        el("password", "") + // clickhouse-local opens no port: the user is only ever "connected" in-process.
        el("networks", el("ip", "::/0")) + el("profile", "default") + el("quota", "default") + el("grants", grants)
      )
    ) + el("quotas", el("default", ""))
  );
}
function configXml(dir, opts) {
  return el(
    "clickhouse",
    el("users_config", escapeXml(path2.join(dir, "users.xml"))) + // clickhouse-local ignores user_files_path for file() (it reads anywhere; the grants and the AST
    // stop that), but dictionaries and formats that resolve relative paths use these.
    el("user_files_path", escapeXml(path2.join(dir, "user_files") + path2.sep)) + el("user_scripts_path", escapeXml(path2.join(dir, "user_scripts") + path2.sep)) + el("timezone", escapeXml(opts.timezone))
  );
}
function writeSandboxConfig(dir, phase, opts) {
  mkdirSync2(path2.join(dir, "user_files"), { recursive: true, mode: 448 });
  mkdirSync2(path2.join(dir, "user_scripts"), { recursive: true, mode: 448 });
  const write = (name, text) => {
    const file = path2.join(dir, name);
    writeFileSync2(file, text, { mode: 384 });
    chmodSync(file, 384);
  };
  write("users.xml", usersXml(phase, opts));
  write("config.xml", configXml(dir, opts));
  return [`--config-file=${path2.join(dir, "config.xml")}`];
}
function localTimeZone() {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
  } catch {
    return "UTC";
  }
}

// src/clickhouse/embedded.ts
var CONNECTION_ARGS = ["--max_active_parts_loading_thread_pool_size=2"];
var SERVER_HINT2 = "use a ClickHouse server instead: --clickhouse http://host:8123";
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
      `the embedded ClickHouse engine (chdb) does not run on Windows; ${SERVER_HINT2}, or run under WSL2`
    );
  }
  let mod;
  try {
    mod = await (opts.loadChdb ?? (() => import("chdb")))();
  } catch (e) {
    throw new EngineUnavailableError(
      `the embedded ClickHouse engine (chdb) could not be loaded on ${platformName(platform)}: ${firstLine(e)}; ${SERVER_HINT2}`
    );
  }
  const candidate = mod ?? {};
  const Session = candidate.Session ?? candidate.default?.Session;
  if (typeof Session !== "function") {
    throw new EngineUnavailableError(`the loaded chdb module has no Session class; ${SERVER_HINT2}`);
  }
  return { Session };
}
function sessionRunner(session) {
  const drain = () => {
    for (let attempt = 0; attempt < 3; attempt++) {
      const marker = `dci_drain_${randomBytes2(6).toString("hex")}`;
      try {
        if (session.query(`SELECT '${marker}'`, "TabSeparatedRaw") === `${marker}
`) return;
      } catch {
      }
    }
    throw new EngineError(
      "the embedded engine keeps the output of a failed query; it cannot be used further"
    );
  };
  const wrap = (fn) => {
    try {
      return Promise.resolve(fn());
    } catch (e) {
      const text = e instanceof Error ? e.message : String(e);
      const info = parseEngineError(text);
      try {
        drain();
      } catch (d) {
        return Promise.reject(d);
      }
      return Promise.reject(info ? new ClickHouseQueryError(info) : new EngineError(firstLine(e)));
    }
  };
  return {
    run: (sql, format) => wrap(() => session.query(sql, format)),
    runBind: (sql, params, format) => wrap(() => session.queryBind(sql, params, format))
  };
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
var MERGE_TREE_TABLES = `SELECT database, name FROM system.tables WHERE engine LIKE '%MergeTree' AND database NOT IN ('system', 'INFORMATION_SCHEMA', 'information_schema') ORDER BY database, name`;
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
  const clusters = new Set(opts.clusters ?? []);
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
  let configDir;
  const sandbox = {
    limits: opts.limits,
    timezone: opts.timezone ?? localTimeZone(),
    maxThreads: opts.maxThreads ?? os2.availableParallelism()
  };
  const open = (dir, phase) => {
    let args;
    try {
      configDir ??= mkdtempSync2(path3.join(opts.tmpDir ?? os2.tmpdir(), "dashboard-ci-engine-"));
      args = writeSandboxConfig(configDir, phase, sandbox);
    } catch (e) {
      removeDir(dir);
      throw new EngineError(
        `the embedded ClickHouse engine could not write its configuration: ${firstLine(e)}`
      );
    }
    try {
      try {
        session = new mod.Session(dir, { connectionArgs: [...args, ...CONNECTION_ARGS] });
      } catch {
        session = new mod.Session(dir, { connectionArgs: args });
      }
      dataDir = dir;
    } catch (e) {
      removeDir(dir);
      throw new EngineError(`the embedded ClickHouse engine could not start: ${firstLine(e)}`);
    }
  };
  const closeSession = () => {
    const s = session;
    session = void 0;
    try {
      s?.close();
    } catch {
    }
  };
  const dispose = () => {
    const d = dataDir;
    closeSession();
    dataDir = void 0;
    if (d) removeDir(d);
    if (configDir) removeDir(configDir);
    configDir = void 0;
  };
  const privateDir = () => {
    try {
      return makePrivateDir(opts.tmpDir);
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
      open(dir, "query");
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
  let refusable;
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
    refusable = await engineRefusableWords(runner);
  };
  const prepare = async (schema, seed) => {
    if (state !== "new")
      throw new EngineError("the embedded engine was already prepared (it is read-only now)");
    state = "preparing";
    const worthCaching = cacheRoot !== void 0 && [...schema, ...seed].some((s) => s.trim());
    const key = worthCaching ? cacheKey({ schema, seed, chdbVersion, clusters: [...clusters] }) : void 0;
    let rejected;
    if (cacheRoot && key) {
      const manifest = readManifest(cacheRoot, key);
      if (manifest) {
        const reason = await openCached(cacheRoot, key, manifest);
        if (reason === void 0) {
          cache = { status: "hit", key };
          try {
            await checkStatements(runner, schema, seed, "embedded", clusters);
          } catch (e) {
            dispose();
            throw e;
          }
          await lock();
          state = "ready";
          return;
        }
        rejected = { reason, nonce: manifest.nonce };
      }
    }
    open(privateDir(), "prepare");
    await runner.run("SYSTEM STOP MERGES", "TabSeparatedRaw");
    await readVersion();
    await applyStatements(runner, schema, seed, { mode: "embedded", clusters });
    await runner.run("SYSTEM JEMALLOC PURGE", "TabSeparatedRaw").catch(() => void 0);
    cache = cacheRoot && key ? await save(cacheRoot, key, rejected) : { status: "off" };
    const data = dataDir;
    closeSession();
    open(data, "query");
    await runner.run("SYSTEM STOP MERGES", "TabSeparatedRaw");
    await stats.reload();
    await lock();
    state = "ready";
  };
  const startPrepare = (schema, seed) => {
    preparing = prepare(schema, seed);
    return preparing;
  };
  const ready = async () => {
    if (state === "closed") throw new EngineError("the embedded engine is closed");
    if (state === "new") await startPrepare([], []);
    else if (state === "preparing") await preparing;
    return { runner, stats, embedded: true, clusters, ...refusable ? { refusable } : {} };
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
    get configDir() {
      return configDir;
    },
    prepare: startPrepare,
    async explain(sql) {
      return explainQuery(await ready(), sql);
    },
    async execute(sql, options) {
      return executeQuery(await ready(), sql, options);
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
    if (e.refusal) out.refusal = e.refusal;
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
            ...m.cacheDir ? { cacheDir: m.cacheDir } : {},
            timezone: m.timezone,
            tmpDir: m.tmpDir,
            ...m.clusters ? { clusters: m.clusters } : {}
          });
          await engine.prepare(m.schema, m.seed);
          const ready = { t: "ready", description: engine.description };
          if (engine.cache) ready.cache = engine.cache;
          if (engine.dataDir) ready.dataDir = engine.dataDir;
          if (engine.configDir) ready.configDir = engine.configDir;
          send(ready);
        } catch (e) {
          send({ t: "init-error", error: serializeError(e) });
        }
      } else if (m.t === "explain" || m.t === "execute") {
        try {
          if (!engine) throw new EngineError("the engine worker was not initialised");
          const outcome = m.t === "explain" ? await engine.explain(m.sql) : await engine.execute(m.sql, m.opts);
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
