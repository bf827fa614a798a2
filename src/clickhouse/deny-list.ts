// What a query may call in the sandboxed engine, by name. Reviewed against the engine's own registry:
// `SELECT name, alias_to, case_insensitive, categories FROM system.functions` and
// `SELECT name, allow_readonly FROM system.table_functions` of chdb 3.4.0 (ClickHouse 26.7.2.1).
// test/security/deny-list.test.ts re-reads both registries from the engine in use and fails when a
// table function is in neither list below, or an alias of a denied function is not denied itself: a
// new chdb is reviewed here before it ships.
//
// The lists are a second wall, not the first: the engine also runs with grants that hold no source
// access (READ ON FILE, URL, REMOTE, S3, ...), no CREATE TEMPORARY TABLE and no introspection (see
// sandbox.ts). They are what stops what grants do not cover: the scalar `file()`, which needs no
// grant and is folded while the query is planned (issue 8), and everything on a server given by URL,
// where the tool does not choose the grants.

/** Why a name is refused, as the report says it. */
export type DenyReason =
  | 'reads files of the machine'
  | 'opens network connections'
  | 'starts processes'
  | 'queries another server'
  | 'reads a cluster the test engine does not have'
  | 'runs SQL built from strings'
  | 'reads the engine process itself'
  | 'writes to the engine log'
  | 'reads a data stream the tool does not give';

/**
 * Functions (scalar and aggregate) refused anywhere in a query, a view, a column default or a seed.
 * Names are compared case-insensitively (some are registered case-insensitive, and refusing a
 * spelling the engine does not know costs nothing).
 */
export const DENIED_FUNCTIONS: Readonly<Record<string, DenyReason>> = {
  // Files
  file: 'reads files of the machine',
  showCertificate: 'reads files of the machine',
  catboostEvaluate: 'starts processes', // loads a model file through clickhouse-library-bridge
  // Network
  aiClassify: 'opens network connections',
  aiEmbed: 'opens network connections',
  aiExtract: 'opens network connections',
  aiGenerate: 'opens network connections',
  aiTranslate: 'opens network connections',
  AIClassify: 'opens network connections', // alias of aiClassify
  AIExtract: 'opens network connections', // alias of aiExtract
  AIGenerate: 'opens network connections', // alias of aiGenerate
  AITranslate: 'opens network connections', // alias of aiTranslate
  generateSerialID: 'queries another server', // ClickHouse Keeper
  hasColumnInTable: 'queries another server', // takes a host, user and password
  // The engine process
  addressToLine: 'reads the engine process itself',
  addressToLineWithInlines: 'reads the engine process itself',
  addressToSymbol: 'reads the engine process itself',
  demangle: 'reads the engine process itself',
  logTrace: 'writes to the engine log',
};

/**
 * Table functions a panel query may read from: generators, and the tables and parts of the engine
 * itself. Everything else the engine registers is refused (DENIED_TABLE_FUNCTIONS names each with its
 * reason; a name in neither list is refused too).
 */
export const ALLOWED_TABLE_FUNCTIONS: ReadonlySet<string> = new Set([
  'SQLStandardValues', // what the parser makes of `FROM (VALUES ...)`
  'dictionary', // a dictionary of the engine; the schema rules allow only ClickHouse-table sources
  'format', // parses a string literal given in the query
  'fuzzJSON',
  'fuzzQuery',
  'generateRandom',
  'generateSeries',
  'generate_series',
  'loop',
  'merge',
  'mergeTreeAnalyzeIndexes',
  'mergeTreeAnalyzeIndexesUUID',
  'mergeTreeIndex',
  'mergeTreeProjection',
  'mergeTreeTextIndex',
  'null',
  'numbers',
  'numbers_mt',
  'primes',
  'timeSeriesData',
  'timeSeriesMetrics',
  'timeSeriesSamples',
  'timeSeriesSelector',
  'timeSeriesTags',
  'values',
  'view',
  'viewIfPermitted',
  'zeros',
  'zeros_mt',
]);

/** The table functions a seed may read from besides the tables it defined: generators only. */
export const SEED_TABLE_FUNCTIONS: ReadonlySet<string> = new Set([
  'SQLStandardValues',
  'generateRandom',
  'generateSeries',
  'generate_series',
  'null',
  'numbers',
  'numbers_mt',
  'primes',
  'values',
  'zeros',
  'zeros_mt',
]);

const FILES = 'reads files of the machine';
const NETWORK = 'opens network connections';
const SERVER = 'queries another server';

/** Every other table function of the engine, with the reason it is refused. */
export const DENIED_TABLE_FUNCTIONS: Readonly<Record<string, DenyReason>> = {
  arrowstream: 'reads a data stream the tool does not give',
  azureBlobStorage: NETWORK,
  azureBlobStorageCluster: NETWORK,
  // Unless clickhouse.clusters maps the cluster to the local node (clusters.ts).
  cluster: 'reads a cluster the test engine does not have',
  clusterAllReplicas: 'reads a cluster the test engine does not have',
  cosn: NETWORK,
  deltaLake: NETWORK,
  deltaLakeAzure: NETWORK,
  deltaLakeAzureCluster: NETWORK,
  deltaLakeCluster: NETWORK,
  deltaLakeLocal: FILES,
  deltaLakeS3: NETWORK,
  deltaLakeS3Cluster: NETWORK,
  eval: 'runs SQL built from strings',
  executable: 'starts processes',
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
  input: 'reads a data stream the tool does not give',
  jdbc: 'starts processes',
  mongodb: SERVER,
  mysql: SERVER,
  odbc: 'starts processes',
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
  viewExplain: 'runs SQL built from strings',
  ytsaurus: NETWORK,
};

const lower = (names: Iterable<string>): Map<string, string> =>
  new Map([...names].map((n) => [n.toLowerCase(), n]));

const DENIED_FUNCTION_NAMES = lower(Object.keys(DENIED_FUNCTIONS));
const DENIED_TABLE_FUNCTION_NAMES = lower(Object.keys(DENIED_TABLE_FUNCTIONS));
const ALLOWED_TABLE_FUNCTION_NAMES = lower(ALLOWED_TABLE_FUNCTIONS);
const SEED_TABLE_FUNCTION_NAMES = lower(SEED_TABLE_FUNCTIONS);

/** The refusal of a function call, or undefined when the name may be called. */
export function deniedFunction(name: string): { name: string; reason: DenyReason } | undefined {
  const canonical = DENIED_FUNCTION_NAMES.get(name.toLowerCase());
  return canonical ? { name: canonical, reason: DENIED_FUNCTIONS[canonical]! } : undefined;
}

/**
 * The refusal of a table function, or undefined when it may be read. `seed` narrows the allowed set
 * to the generators. A name in no list is refused: the engine may know table functions this review
 * has not seen.
 */
export function deniedTableFunction(
  name: string,
  opts: { seed?: boolean } = {},
): { name: string; reason: string } | undefined {
  const key = name.toLowerCase();
  const allowed = opts.seed ? SEED_TABLE_FUNCTION_NAMES : ALLOWED_TABLE_FUNCTION_NAMES;
  if (allowed.has(key)) return undefined;
  const denied = DENIED_TABLE_FUNCTION_NAMES.get(key);
  if (denied) return { name: denied, reason: DENIED_TABLE_FUNCTIONS[denied]! };
  const known = ALLOWED_TABLE_FUNCTION_NAMES.get(key);
  if (known) return { name: known, reason: 'is not a generator (a seed reads only the tables it defined)' };
  return { name, reason: 'is not a table function the sandbox knows to be safe' };
}

/**
 * Every name that can refuse a query, lower-cased: a text in which none of these occurs as a word
 * (and no quoted identifier holds an escape) cannot call any of them, whatever its comments and
 * strings hold. The cheap first look of explain.ts uses it to skip the AST step.
 */
export const REFUSABLE_WORDS: ReadonlySet<string> = new Set([
  ...DENIED_FUNCTION_NAMES.keys(),
  ...DENIED_TABLE_FUNCTION_NAMES.keys(),
]);
