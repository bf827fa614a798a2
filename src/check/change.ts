// Judging a change (filter `changed` or `file` against a base commit): which findings the change
// made, and which were already on the base. The rules (docs/filter.md):
//
// - Files are the same when their bytes are; a file git's rename detection pairs with a base path
//   is compared with that path. A file with no base version is new: everything in it is the change's.
// - The loader's and the linter's findings are compared with the same stages run on the base
//   versions (the base is linted with the head's dashboard-ci.yml and datasources, so a finding is
//   new only when content made it new). Two findings are the same when rule, file, panel id, refId
//   and message agree, titles left out of the message: renaming a panel does not make its findings new.
// - Findings of the engine (EXPLAIN, budgets...) belong to a query. A query is identified by file,
//   origin, panel id and refId (variables and alert rules by their name); it is unchanged when its
//   expanded SQL is the same as on the base and the schema, seed and engine/budget settings are too.
//   An unchanged query is not judged again (no EXPLAIN): its findings were the base's.
// - A cost regression is always the change's. Anything else counts when its file changed.
//
// `file` counts every finding of a changed file. Findings that do not count are returned apart
// (Report.baseFindings): listed, never counted.

import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { ChangeFilter, Config } from '../config/types.js';
import type { ChangeSummary, Finding, QueryChange, QueryRecord, Report } from '../core/types.js';
import type { DashboardModel } from '../dashboards/model.js';
import { loadDashboards } from '../dashboards/load.js';
import {
  loadAlertFiles,
  type AlertGroupFile,
  type ProvisionedDatasource,
} from '../dashboards/provisioning-files.js';
import { parseConfig } from '../config/load.js';
import { applyRuleSettings, lintDashboards } from '../lint/engine.js';
import { locationPrefix } from '../lint/location.js';
import { datasourceTypeMap } from '../sql/extract.js';
import { diffWorkingTree, readFilesAt, resolveCommit } from './git-batch.js';
import { prepareQueries, queryKey, toRecord, type PrepareOptions } from './prepare.js';
import type { VariableQueryRunner } from '../sql/resolve-variables.js';
import { groupByFile, queriesOfFinding } from '../core/finding-query.js';
import type { CheckOptions } from './types.js';

/** A verdict of the base commit from an earlier run (the Action keeps one per default-branch commit). */
export interface BaseVerdict {
  /** The commit the report is the verdict of. */
  commit: string;
  /** changeContext() of that run: a verdict is only reused under the same schema, seed and settings. */
  context: string;
  report: Report;
}

/** Where the stages of runCheck end in its findings list (load, then lint, then everything later). */
export interface StageMarks {
  load: number;
  lint: number;
}

export interface JudgedFindings {
  findings: Finding[];
  baseFindings: Finding[];
  change: ChangeSummary;
}

// ---------------------------------------------------------------------------------------------
// Context: what a query's verdict depends on besides its SQL

/** The parts of dashboard-ci.yml that shape an engine verdict (never paths, caches or workers). */
function verdictSettings(config: Config): unknown {
  const c = config.clickhouse;
  return {
    engine: c.engine,
    maxExecutionTime: c.maxExecutionTime,
    maxRowsToRead: c.maxRowsToRead,
    budgets: config.budgets,
  };
}

function hashContext(settings: unknown, files: readonly (readonly [string, string | undefined])[]): string {
  const h = createHash('sha256');
  h.update(JSON.stringify(settings));
  for (const [name, text] of files) h.update(`\0${name}\0${text === undefined ? '-' : text}`);
  return h.digest('hex').slice(0, 32);
}

/**
 * The context of the head's verdicts: schema and seed texts, engine and budget settings. Two runs with
 * the same context give the same verdict for the same SQL.
 */
export async function changeContext(
  cwd: string,
  config: Config,
  schema: readonly string[],
  seed: readonly string[],
): Promise<string> {
  const files = await Promise.all(
    [...schema, ...seed].map(
      async (f) => [f, await readFile(path.resolve(cwd, f), 'utf8').catch(() => undefined)] as const,
    ),
  );
  return hashContext(verdictSettings(config), files);
}

// ---------------------------------------------------------------------------------------------
// Identity

/** Quoted as locationPrefix quotes it, so a title can be taken out of a message. */
function quotedTitle(title: string): string | undefined {
  if (title.trim() === '') return undefined;
  return locationPrefix({ dashboard: { title } }).slice('dashboard '.length);
}

function titlesOf(d: DashboardModel | undefined): string[] {
  if (!d) return [];
  const out: string[] = [];
  for (const t of [d.title, ...d.panels.map((p) => p.title)]) {
    const q = t === undefined ? undefined : quotedTitle(t);
    if (q && q.length > 2) out.push(q);
  }
  return out.sort((a, b) => b.length - a.length);
}

/** The finding's identity: rule, file, panel, refId and message with the titles of its dashboard taken out. */
function fingerprint(f: Finding, titles: readonly string[]): string {
  let message = f.message;
  for (const t of titles) message = message.split(t).join('"…"');
  return [f.rule, f.file, f.panelId ?? '', f.refId ?? '', message].join('\0');
}

class Multiset {
  private readonly counts = new Map<string, number>();
  add(key: string): void {
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
  }
  /** Removes one occurrence; false when there was none. */
  take(key: string): boolean {
    const n = this.counts.get(key) ?? 0;
    if (n === 0) return false;
    this.counts.set(key, n - 1);
    return true;
  }
}

// ---------------------------------------------------------------------------------------------

/** A path the base may be written to in the scratch folder: relative, inside it. */
function materializable(p: string): boolean {
  if (path.isAbsolute(p) || p.includes('\\')) return false;
  const norm = path.posix.normalize(p);
  return norm === p && !norm.startsWith('../') && norm !== '..' && !norm.split('/').includes('..');
}

/** The base versions of the changed files, kept to expand their SQL again once variables can run. */
interface BaseModels {
  dashboards: DashboardModel[];
  groups: AlertGroupFile[];
  types: Map<string, string>;
  now: Date;
  prepareOptions: PrepareOptions;
}

export interface OpenChangeInput {
  options: CheckOptions;
  dashboards: readonly DashboardModel[];
  alertGroups: readonly AlertGroupFile[];
  datasources: readonly ProvisionedDatasource[];
  /** The loader's findings (after dashboard-ci.yml's rules): broken files are known only from these. */
  loadFindings: readonly Finding[];
}

/**
 * Reads the base of a check (CheckOptions.base with filter `changed` or `file`) and returns the
 * judge of the change, or undefined when the check has no base or counts everything.
 */
export async function openChange(input: OpenChangeInput): Promise<ChangeJudge | undefined> {
  const o = input.options;
  const filter = o.filter ?? 'all';
  if (!o.base || filter === 'all') return undefined;
  return ChangeJudge.open(input, filter);
}

export class ChangeJudge {
  private constructor(
    private readonly filter: Exclude<ChangeFilter, 'all'>,
    private readonly base: string,
    private readonly baseSha: string,
    private readonly renamed: Map<string, string>,
    /** Head files whose bytes differ from the base, or that have no base version. */
    private readonly changedFiles: Set<string>,
    private readonly contextChanged: boolean,
    private readonly context: string,
    /**
     * Identity → the base's expanded SQL with stand-ins, as compared (PreparedQuery.compareSql; changed
     * files only; unchanged files are the same by definition).
     */
    private readonly baseCompare: Map<string, string[]>,
    /** The base's models of the changed files, for its SQL with variables resolved (baseQueries). */
    private readonly baseModels: BaseModels,
    private readonly baseLoad: Multiset,
    private readonly baseLint: Multiset,
    private readonly titles: Map<string, string[]>,
    private readonly baseTitles: Map<string, string[]>,
    private readonly verdict: BaseVerdict | undefined,
    private readonly explainUnchanged: boolean,
  ) {}

  static async open(input: OpenChangeInput, filter: Exclude<ChangeFilter, 'all'>): Promise<ChangeJudge> {
    const o = input.options;
    const { cwd, config } = o;
    const base = o.base!;
    const baseSha = await resolveCommit(cwd, base);
    const diff = await diffWorkingTree(cwd, baseSha);

    const files = new Set<string>();
    for (const d of input.dashboards) files.add(d.file);
    for (const g of input.alertGroups) files.add(g.file);
    for (const ds of input.datasources) files.add(ds.file);
    for (const f of input.loadFindings) files.add(f.file);
    const schema = o.schema ?? config.clickhouse.schema;
    const seed = o.seed ?? config.clickhouse.seed;
    const configFile = config.file ?? 'dashboard-ci.yml';
    const basePath = (f: string) => diff.renamed.get(f) ?? f;

    const wanted = [...new Set([...[...files].map(basePath), ...schema, ...seed, configFile])];
    const baseTexts = await readFilesAt(cwd, baseSha, wanted);
    const headText = async (f: string) => readFile(path.resolve(cwd, f), 'utf8').catch(() => undefined);

    const changedFiles = new Set<string>();
    const scratchFiles: [string, string][] = [];
    await Promise.all(
      [...files].map(async (f) => {
        const before = baseTexts.get(basePath(f));
        const now = await headText(f);
        if (before !== undefined && before === now) return;
        changedFiles.add(f);
        if (before !== undefined && materializable(f)) scratchFiles.push([f, before]);
      }),
    );

    // Context: the head's and the base's (the base's dashboard-ci.yml read from git).
    const context = await changeContext(cwd, config, schema, seed);
    let baseSettings: unknown;
    const baseConfigText = baseTexts.get(configFile);
    try {
      baseSettings = verdictSettings(
        baseConfigText === undefined ? config : parseConfig(configFile, baseConfigText),
      );
    } catch {
      baseSettings = undefined;
    }
    const baseContext =
      baseSettings === undefined
        ? ''
        : hashContext(
            baseSettings,
            [...schema, ...seed].map((f) => [f, baseTexts.get(f)] as const),
          );
    // A head without dashboard-ci.yml whose base had one changed its settings too.
    const configDropped = config.file === undefined && baseConfigText !== undefined;
    const contextChanged = context !== baseContext || configDropped;

    // The base versions of the changed files, loaded by the same loaders from a scratch copy.
    const scratch = await mkdtemp(path.join(os.tmpdir(), 'dashboard-ci-base-'));
    let baseDashboards: DashboardModel[] = [];
    let baseGroups: AlertGroupFile[] = [];
    const baseLoadFindings: Finding[] = [];
    try {
      for (const [f, text] of scratchFiles) {
        const at = path.join(scratch, f);
        await mkdir(path.dirname(at), { recursive: true });
        await writeFile(at, text);
      }
      const alertFiles = new Set(input.alertGroups.map((g) => g.file));
      // What the dashboard loader read: its models' files, and the broken files it reported (not the
      // provisioning files', whatever their format).
      const provisioning = new Set([...alertFiles, ...input.datasources.map((d) => d.file)]);
      const dashboardFiles = new Set([
        ...input.dashboards.map((d) => d.file),
        ...input.loadFindings.map((f) => f.file).filter((f) => !provisioning.has(f) && !/\.ya?ml$/i.test(f)),
      ]);
      const scratchDashboards = scratchFiles.map(([f]) => f).filter((f) => dashboardFiles.has(f));
      const scratchAlerts = scratchFiles.map(([f]) => f).filter((f) => alertFiles.has(f));
      if (scratchDashboards.length > 0) {
        const loaded = await loadDashboards(scratchDashboards, { cwd: scratch });
        baseDashboards = loaded.dashboards;
        baseLoadFindings.push(...loaded.findings);
      }
      if (scratchAlerts.length > 0) {
        const loaded = await loadAlertFiles(scratchAlerts, { cwd: scratch, optional: true });
        baseGroups = loaded.groups;
        baseLoadFindings.push(...loaded.findings);
      }
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }

    // The base, linted as the head is: the unchanged files' own models, the changed files' base models.
    const unchangedModels = input.dashboards.filter((d) => !changedFiles.has(d.file));
    const lintBase = [...unchangedModels, ...baseDashboards];
    const titles = new Map(input.dashboards.map((d) => [d.file, titlesOf(d)]));
    const baseTitles = new Map(lintBase.map((d) => [d.file, titlesOf(d)]));
    const baseLoad = new Multiset();
    for (const f of applyRuleSettings(baseLoadFindings, config, baseDashboards))
      baseLoad.add(fingerprint(f, baseTitles.get(f.file) ?? []));
    const baseLint = new Multiset();
    for (const f of lintDashboards(lintBase, { config, datasources: [...input.datasources] }))
      baseLint.add(fingerprint(f, baseTitles.get(f.file) ?? []));

    // The base's expanded SQL of the changed files, expanded as the head's is: with stand-ins for
    // variables without a stored value (nothing runs before the judge decides an engine is needed).
    const now = o.now ?? (config.now ? new Date(config.now) : new Date());
    const types = datasourceTypeMap(input.datasources);
    const defaultType = input.datasources.find((d) => d.isDefault === true)?.type;
    const prepareOptions: PrepareOptions =
      defaultType !== undefined ? { defaultDatasourceType: defaultType } : {};
    const baseCompare = new Map<string, string[]>();
    for (const q of await prepareQueries(baseDashboards, baseGroups, types, now, prepareOptions)) {
      const key = queryKey(toRecord(q));
      const list = baseCompare.get(key);
      const sql = q.compareSql ?? q.sql;
      if (list) list.push(sql);
      else baseCompare.set(key, [sql]);
    }
    const baseModels: BaseModels = {
      dashboards: baseDashboards,
      groups: baseGroups,
      types,
      now,
      prepareOptions,
    };

    const verdict =
      o.baseVerdict && o.baseVerdict.commit === baseSha && o.baseVerdict.context === context
        ? o.baseVerdict
        : undefined;
    return new ChangeJudge(
      filter,
      base,
      baseSha,
      diff.renamed,
      changedFiles,
      contextChanged,
      context,
      baseCompare,
      baseModels,
      baseLoad,
      baseLint,
      titles,
      baseTitles,
      verdict,
      Boolean(o.explainUnchanged),
    );
  }

  /**
   * How a head query compares with the base. `rec.sql` must be expanded the way the base's is: with
   * stand-ins, and PreparedQuery.compareSql where a stand-in was used (the caller's business).
   */
  changeOf(rec: QueryRecord): QueryChange {
    if (!this.changedFiles.has(rec.file)) return 'unchanged';
    const before = this.baseCompare.get(queryKey(rec));
    if (!before) return 'new';
    return before.includes(rec.sql) ? 'unchanged' : 'changed';
  }

  /** True when the query must be judged (EXPLAIN): what the change touched, or everything when the context changed. */
  readonly judgeQuery = (rec: QueryRecord): boolean => {
    rec.change = this.changeOf(rec);
    if (this.explainUnchanged || this.contextChanged) return true;
    if (this.filter === 'file') return this.changedFiles.has(rec.file);
    return rec.change !== 'unchanged';
  };

  /**
   * The base's SQL of the changed files, for the cost diff (no second read of the base): expanded as
   * the head's judged queries are, so with `run` (the engine's variable runner) when the head's
   * variables were resolved by running their queries, else with stand-ins.
   */
  async baseQueries(run?: VariableQueryRunner): Promise<{ key: string; sql: string }[]> {
    const m = this.baseModels;
    const options: PrepareOptions = run ? { ...m.prepareOptions, runVariableQuery: run } : m.prepareOptions;
    const prepared = await prepareQueries(m.dashboards, m.groups, m.types, m.now, options);
    return prepared.filter((q) => !q.blocked).map((q) => ({ key: queryKey(toRecord(q)), sql: q.sql }));
  }

  /**
   * Splits runCheck's findings into those the change made and those already on the base, fills the
   * unchanged queries from the base's verdict when one is at hand, and summarises the comparison.
   */
  finish(findings: readonly Finding[], marks: StageMarks, queries: QueryRecord[]): JudgedFindings {
    const counted: Finding[] = [];
    const onBase: Finding[] = [];
    const byFile = groupByFile(queries);
    const fileChanged = (f: Finding) => this.changedFiles.has(f.file);
    findings.forEach((f, i) => {
      const stage = i < marks.load ? 'load' : i < marks.lint ? 'lint' : 'later';
      (this.counts(f, stage, byFile, fileChanged) ? counted : onBase).push(f);
    });

    for (const q of queries) if (q.change === undefined) q.change = this.changeOf(q);
    if (this.verdict) onBase.push(...this.fromVerdict(queries, this.verdict));

    const tally = { new: 0, changed: 0, unchanged: 0 };
    for (const q of queries) tally[q.change!]++;
    const change: ChangeSummary = {
      filter: this.filter,
      base: this.base,
      baseSha: this.baseSha,
      changedFiles: [...this.changedFiles].sort(),
      queries: tally,
      contextChanged: this.contextChanged,
    };
    if (this.renamed.size > 0) {
      const renamed: Record<string, string> = {};
      for (const [to, from] of [...this.renamed].sort(([a], [b]) => a.localeCompare(b))) renamed[to] = from;
      change.renamed = renamed;
    }
    if (this.verdict && queries.some((q) => q.verdictFrom)) change.verdictFrom = this.verdict.commit;
    return { findings: counted, baseFindings: onBase, change };
  }

  private counts(
    f: Finding,
    stage: 'load' | 'lint' | 'later',
    byFile: ReadonlyMap<string, readonly QueryRecord[]>,
    fileChanged: (f: Finding) => boolean,
  ): boolean {
    if (f.rule === 'sql-cost-regression') return true;
    if (this.filter === 'file') return fileChanged(f) || (stage === 'later' && this.contextChanged);
    const fp = () => fingerprint(f, this.titles.get(f.file) ?? []);
    if (stage === 'load') return fileChanged(f) && !this.baseLoad.take(fp());
    if (stage === 'lint') return !this.baseLint.take(fp());
    if (this.contextChanged) return true;
    const about = queriesOfFinding(f, byFile);
    if (about.length > 0) return about.some((q) => (q.change ?? this.changeOf(q)) !== 'unchanged');
    return fileChanged(f);
  }

  /**
   * The base's verdict of each unchanged query that was not judged again: its status and cost, and its
   * findings (relocated to where the query is now), listed as already on the base. Only unchanged
   * queries take anything from it, so a verdict can never excuse what the change did.
   */
  private fromVerdict(queries: QueryRecord[], verdict: BaseVerdict): Finding[] {
    // The verdict names files by their base paths: a renamed file's are read at its new path.
    const headPath = new Map([...this.renamed].map(([to, from]) => [from, to]));
    const moved = <T extends { file: string }>(x: T): T =>
      headPath.has(x.file) ? { ...x, file: headPath.get(x.file)! } : x;
    const theirs = verdict.report.queries.map(moved);
    const byIdentity = new Map<string, QueryRecord[]>();
    for (const v of theirs) {
      const k = queryKey(v);
      const list = byIdentity.get(k);
      if (list) list.push(v);
      else byIdentity.set(k, [v]);
    }
    const verdictByFile = groupByFile(theirs);
    const verdictFindings = [...verdict.report.findings, ...(verdict.report.baseFindings ?? [])].map(moved);
    const findingsOf = new Map<QueryRecord, Finding[]>();
    for (const f of verdictFindings) {
      for (const v of queriesOfFinding(f, verdictByFile)) {
        const list = findingsOf.get(v);
        if (list) list.push(f);
        else findingsOf.set(v, [f]);
      }
    }
    const out: Finding[] = [];
    const seen = new Set<Finding>();
    for (const q of queries) {
      if (q.change !== 'unchanged' || q.cost || q.error || q.status !== 'skipped') continue;
      // Unchanged from the base whose verdict this is, on the same data: the same SQL, except where
      // this run kept stand-ins (it started no engine) that the verdict's run resolved.
      const same = byIdentity.get(queryKey(q)) ?? [];
      const v =
        same.find((x) => x.sql === q.sql) ??
        (q.standIns?.length && same.length === 1 && !same[0]!.standIns ? same[0] : undefined);
      if (!v) continue;
      q.status = v.status;
      if (v.sql !== q.sql) {
        // What the verdict judged: the SQL with the values its run gave the variables.
        q.sql = v.sql;
        if (v.standIns) q.standIns = [...v.standIns];
        else delete q.standIns;
      }
      delete q.reason;
      if (v.reason !== undefined) q.reason = v.reason;
      if (v.error) q.error = { ...v.error };
      if (v.cost) q.cost = v.cost;
      if (v.columns) q.columns = v.columns;
      q.verdictFrom = verdict.commit;
      for (const f of findingsOf.get(v) ?? []) {
        if (seen.has(f) || f.rule === 'sql-cost-regression') continue;
        seen.add(f);
        // A fix is offsets into the text that verdict was made of, not into this one: dropped.
        const { fix: _fix, ...rest } = f;
        out.push({ ...rest, line: Math.max(1, f.line + (q.line - v.line)) });
      }
    }
    return out;
  }

  /** The context hash of the head (what a verdict of this run would be saved with). */
  get headContext(): string {
    return this.context;
  }
}

/** An unchanged query that was not judged and has no verdict: what a verdict of this commit would lack. */
export function isNotJudged(q: QueryRecord): boolean {
  return (
    q.change === 'unchanged' &&
    q.status === 'skipped' &&
    q.verdictFrom === undefined &&
    q.cost === undefined &&
    q.error === undefined &&
    (q.reason?.endsWith('not judged again') ?? false)
  );
}
