import { constants, type Stats } from 'node:fs';
import { access, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Command, CommanderError, Option } from 'commander';
import { UsageError, type Report, type Severity } from '../core/types.js';
import type { ChangeFilter } from '../config/types.js';
import { loadConfig } from '../config/load.js';
import { runCheck } from '../check/run.js';
import { runCheckAndFix } from '../check/fix.js';
import { renderJson } from '../report/json.js';
import { renderText, summaryLine, terminalSafe, type TextOptions } from '../report/text.js';
import { renderMarkdown } from '../report/markdown.js';
import { renderSarif } from '../report/sarif.js';
import { ruleMetadata } from '../lint/registry.js';
import { provision, renderProvisionText, provisionJson } from '../grafana/provision.js';
import type { GrafanaAuth } from '../grafana/types.js';
import { resolveEnvironment } from '../grafana/environments.js';
import { VERSION } from '../version.js';
import { stripUserinfo } from '../core/url.js';
import { gitHead } from '../check/base.js';
import { defaultCacheRoot } from '../clickhouse/cache.js';
import { createProgress } from './progress.js';
import { CHECK_HELP, PROGRAM_HELP, PROVISION_HELP } from './help.js';
import { EngineError } from '../clickhouse/errors.js';
import { createServerSource } from '../schema/source.js';
import { runSchemaPull } from './schema-pull.js';

export interface CliIo {
  cwd: string;
  env: Record<string, string | undefined>;
  stdout: { write(s: string): unknown; isTTY?: boolean };
  stderr: { write(s: string): unknown; isTTY?: boolean };
  /** Standard input, read only by `check -`. */
  stdin?: AsyncIterable<Buffer | string>;
}

export type FailOn = 'error' | 'warning' | 'never';
const FORMATS = ['text', 'json', 'markdown', 'sarif'] as const;
type Format = (typeof FORMATS)[number];

/** Exit code for a report: 1 when a finding is at or above --fail-on. */
export function exitCodeFor(report: Report, failOn: FailOn): 0 | 1 {
  if (failOn === 'never') return 0;
  const at: Severity[] = failOn === 'error' ? ['error'] : ['error', 'warning'];
  return report.findings.some((f) => at.includes(f.severity)) ? 1 : 0;
}

/**
 * --output is checked before any work: a run of minutes must not end in "cannot write". The folder must
 * exist and be writable, and the path must not be a folder; the file itself is written only at the end.
 */
export async function checkOutputPath(cwd: string, output: string): Promise<void> {
  const target = path.resolve(cwd, output);
  const dir = path.dirname(target);
  let info: Stats;
  try {
    info = await stat(dir);
  } catch {
    throw new UsageError(`--output ${output}: the folder ${displayDir(cwd, dir)} does not exist`);
  }
  if (!info.isDirectory())
    throw new UsageError(`--output ${output}: ${displayDir(cwd, dir)} is not a folder`);
  const existing = await stat(target).catch(() => undefined);
  if (existing?.isDirectory()) throw new UsageError(`--output ${output}: is a folder, not a file`);
  try {
    await access(existing ? target : dir, constants.W_OK);
  } catch {
    throw new UsageError(`--output ${output}: not writable`);
  }
}

function displayDir(cwd: string, dir: string): string {
  const rel = path.relative(cwd, dir);
  return rel.startsWith('..') ? dir : rel || '.';
}

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

function useColor(io: CliIo): boolean {
  if (io.env.NO_COLOR) return false;
  if (io.env.FORCE_COLOR && io.env.FORCE_COLOR !== '0') return true;
  return Boolean(io.stdout.isTTY);
}

export function renderReport(report: Report, format: Format, text: TextOptions): string {
  switch (format) {
    case 'json':
      return renderJson(report);
    case 'markdown':
      return renderMarkdown(report, { marker: '<!-- dashboard-ci:report -->' });
    case 'sarif':
      return renderSarif(report, ruleMetadata(), { toolVersion: VERSION });
    default:
      return renderText(report, text);
  }
}

export async function runCli(argv: string[], io: CliIo): Promise<number> {
  let exitCode = 0;
  const program = new Command('dashboard-ci')
    .description(
      'Lint, validate and cost Grafana dashboards backed by ClickHouse; provision them to Grafana.',
    )
    .version(VERSION)
    .addHelpText('after', PROGRAM_HELP)
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
    });

  program
    .command('check')
    .description('lint dashboards and validate their SQL with ClickHouse EXPLAIN')
    .addHelpText('after', CHECK_HELP)
    .argument(
      '[paths...]',
      'dashboard files or folders, - for one dashboard on standard input (default: dashboard-ci.yml paths, else dashboards/)',
    )
    .option('--config <file>', 'config file (default: dashboard-ci.yml when present)')
    .addOption(new Option('--format <format>', 'output format').choices(FORMATS).default('text'))
    .option('--output <file>', 'write the report to a file instead of stdout')
    .option(
      '--clickhouse <engine>',
      'embedded, or a ClickHouse HTTP URL (user and password from CLICKHOUSE_USER / CLICKHOUSE_PASSWORD)',
    )
    .option('--schema <file>', 'DDL for the test instance (repeatable)', collect)
    .option('--seed <file>', 'data statements for the test instance (repeatable)', collect)
    .option('--datasources <file>', 'datasource provisioning file (repeatable)', collect)
    .option('--alerts <path>', 'alert rule file or folder (repeatable)', collect)
    .option(
      '--exclude <glob>',
      'leave out files and folders matching this .gitignore-style pattern, relative to the working directory (repeatable)',
      collect,
    )
    .option('--no-explain', 'lint only: do not validate SQL')
    .option('--redis <url>', 'check Redis targets against this server (default: REDIS_URL)')
    .addOption(
      new Option('--fail-on <level>', 'exit 1 at this severity')
        .choices(['error', 'warning', 'never'])
        .default('error'),
    )
    .option('--base <ref>', 'git ref to diff query cost against, and to judge the change against (--filter)')
    .addOption(
      new Option(
        '--filter <mode>',
        'with --base: count only findings about what changed (changed), every finding of a changed file (file), or every finding (all); default: filter of dashboard-ci.yml, else all',
      ).choices(['changed', 'file', 'all']),
    )
    .option(
      '--fix',
      'write the mechanical fixes of the findings into the files (the suggested changes of the PR review), then check again',
    )
    .option('--verbose', 'print every query with its cost')
    .option('--progress', 'show progress on stderr from the start (default: after 2 s)')
    .option('-q, --quiet', 'no progress on stderr')
    .action(async (paths: string[], opts) => {
      if (paths.filter((p) => p === '-').length > 1)
        throw new UsageError('- (a dashboard from standard input) may be given once');
      if (opts.fix && paths.includes('-'))
        throw new UsageError('--fix writes files: it cannot fix - (a dashboard from standard input)');
      const config = await loadConfig({ cwd: io.cwd, file: opts.config });
      const engine: string | undefined = opts.clickhouse;
      if (engine && engine !== 'embedded' && !/^https?:\/\//.test(engine)) {
        throw new UsageError(`--clickhouse must be "embedded" or an http(s) URL; got "${engine}"`);
      }
      if (opts.filter && opts.filter !== 'all' && !opts.base)
        throw new UsageError(
          `--filter ${opts.filter} needs --base REF: the commit the change is judged against`,
        );
      // Without a base there is nothing to compare with: dashboard-ci.yml's filter applies only with --base.
      const filter: ChangeFilter | undefined = opts.base ? (opts.filter ?? config.filter) : undefined;
      if (opts.output) await checkOutputPath(io.cwd, opts.output);
      const progress = opts.quiet
        ? undefined
        : createProgress({ stream: io.stderr, ...(opts.progress ? { delayMs: 0 } : {}) });
      const checkOptions: Parameters<typeof runCheck>[0] = {
        cwd: io.cwd,
        paths,
        ...(io.stdin ? { stdin: io.stdin } : {}),
        config,
        explain: opts.explain,
        ...(opts.alerts ? { alertPaths: opts.alerts } : {}),
        ...(opts.exclude ? { exclude: opts.exclude } : {}),
        ...(engine ? { clickhouse: engine } : {}),
        clickhouseAuth: {
          ...(io.env.CLICKHOUSE_USER ? { user: io.env.CLICKHOUSE_USER } : {}),
          ...(io.env.CLICKHOUSE_PASSWORD ? { password: io.env.CLICKHOUSE_PASSWORD } : {}),
        },
        ...(opts.schema ? { schema: opts.schema } : {}),
        ...(opts.seed ? { seed: opts.seed } : {}),
        ...(opts.datasources ? { datasources: opts.datasources } : {}),
        ...(opts.base ? { base: opts.base } : {}),
        ...(filter ? { filter } : {}),
        engineCacheDir: config.clickhouse.cache ? defaultCacheRoot({ cwd: io.cwd, env: io.env }) : false,
        ...((opts.redis ?? io.env.REDIS_URL ?? config.redis.url)
          ? { redisUrl: opts.redis ?? io.env.REDIS_URL ?? config.redis.url }
          : {}),
        ...(progress
          ? {
              onStage: (stage) => progress.stage(stage),
              onProgress: ({ done, total }) => progress.explained(done, total),
            }
          : {}),
      };
      const fixRun = opts.fix ? await runCheckAndFix(checkOptions) : undefined;
      const { report, usageErrors } = fixRun ?? (await runCheck(checkOptions));
      progress?.end();
      if (fixRun) {
        for (const line of fixRun.refused) io.stderr.write(`dashboard-ci: ${terminalSafe(line)}\n`);
        const n = fixRun.fixed;
        const m = fixRun.fixedFiles.length;
        io.stderr.write(
          `dashboard-ci: fixed ${n} finding${n === 1 ? '' : 's'} in ${m} file${m === 1 ? '' : 's'}\n`,
        );
      }
      // Paths in these lines are file names a pull request chose: no escape sequence reaches the terminal.
      for (const line of usageErrors) io.stderr.write(`dashboard-ci: ${terminalSafe(line)}\n`);
      const c = report.change;
      if (c && c.queries.unchanged > 0 && !c.contextChanged)
        io.stderr.write(
          `dashboard-ci: against ${opts.base}: ${c.queries.changed} changed, ${c.queries.new} new, ${c.queries.unchanged} unchanged ${c.queries.unchanged === 1 ? 'query' : 'queries'} (not judged again)\n`,
        );
      const onBase = report.baseFindings?.length ?? 0;
      if (onBase > 0)
        io.stderr.write(
          `dashboard-ci: ${onBase} finding${onBase === 1 ? '' : 's'} already on ${opts.base}, not counted (--filter all counts them)\n`,
        );
      const format = opts.format as Format;
      if (opts.output) {
        await writeFile(path.resolve(io.cwd, opts.output), renderReport(report, format, { color: false }));
        io.stdout.write(summaryLine(report) + '\n');
      } else {
        io.stdout.write(
          renderReport(report, format, { color: useColor(io), queries: Boolean(opts.verbose) }),
        );
      }
      exitCode = usageErrors.length ? 2 : exitCodeFor(report, opts.failOn as FailOn);
    });

  program
    .command('provision')
    .description('provision datasources, folders, dashboards and alert rules to Grafana')
    .addHelpText('after', PROVISION_HELP)
    .argument('[paths...]', 'dashboard files or folders (default: dashboard-ci.yml paths, else dashboards/)')
    .option('--config <file>', 'config file (default: dashboard-ci.yml when present)')
    .option('--grafana-url <url>', 'Grafana base URL (default: GRAFANA_URL)')
    .option(
      '--env <name>',
      'deploy the environment of that name from dashboard-ci.yml (its URL, org, credential variables, datasource uids)',
    )
    .option('--dry-run', 'print the plan; make no write of any kind')
    .option('--prune', 'delete objects dashboard-ci manages that are gone from the repository')
    .option(
      '--resend-secrets',
      'write datasources and contact points even when only their secrets may have changed',
    )
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'))
    .action(async (paths: string[], opts) => {
      const loaded = await loadConfig({ cwd: io.cwd, file: opts.config });
      const env = opts.env ? resolveEnvironment(loaded, String(opts.env), io.env) : undefined;
      const config = env?.config ?? loaded;
      const url: string | undefined =
        opts.grafanaUrl ?? (env ? env.grafanaUrl : (io.env.GRAFANA_URL ?? config.grafana.url));
      if (!url)
        throw new UsageError(
          env
            ? `provision --env ${env.name} needs a url for the environment (or --grafana-url)`
            : 'provision needs --grafana-url (or GRAFANA_URL)',
        );
      if (!/^https?:\/\//.test(url))
        throw new UsageError(`--grafana-url must be an http(s) URL; got "${stripUserinfo(url).url}"`);
      let auth: GrafanaAuth;
      if (env) {
        if (!env.auth)
          throw new UsageError(
            `provision --env ${env.name} needs ${env.missingCredentials} in the environment`,
          );
        auth = env.auth;
      } else if (io.env.GRAFANA_TOKEN) auth = { token: io.env.GRAFANA_TOKEN };
      else if (io.env.GRAFANA_USER && io.env.GRAFANA_PASSWORD)
        auth = { user: io.env.GRAFANA_USER, password: io.env.GRAFANA_PASSWORD };
      else
        throw new UsageError(
          'provision needs GRAFANA_TOKEN (or GRAFANA_USER and GRAFANA_PASSWORD) in the environment',
        );
      const commit = await gitHead(io.cwd);
      const result = await provision({
        cwd: io.cwd,
        paths,
        config,
        grafanaUrl: url,
        auth,
        dryRun: Boolean(opts.dryRun),
        prune: Boolean(opts.prune),
        resendSecrets: Boolean(opts.resendSecrets),
        env: io.env,
        ...(env ? { environment: env.name, datasourceUids: env.datasourceUids } : {}),
        ...(commit ? { commit } : {}),
        ...(opts.format === 'text' ? { log: (line: string) => io.stderr.write(line + '\n') } : {}),
      });
      io.stdout.write(opts.format === 'json' ? provisionJson(result) : renderProvisionText(result));
      exitCode = result.failures > 0 ? 1 : 0;
    });

  program
    .command('schema')
    .description('the test schema (clickhouse/schema.sql)')
    .command('pull')
    .description(
      'write the CREATE statements of the tables the dashboards read from a ClickHouse server (read-only user)',
    )
    .argument('[paths...]', 'dashboard files or folders (default: dashboard-ci.yml paths, else dashboards/)')
    .requiredOption(
      '--clickhouse <url>',
      'the server, http(s)://host:port[/database] (user and password from CLICKHOUSE_USER / CLICKHOUSE_PASSWORD)',
    )
    .option('--tables <names>', 'tables to pull (db.table or table, comma-separated, repeatable)', collect)
    .option(
      '--output <file>',
      'where to write (default: the first clickhouse.schema file, clickhouse/schema.sql)',
    )
    .option('--config <file>', 'config file (default: dashboard-ci.yml when present)')
    .action(async (paths: string[], opts) => {
      const config = await loadConfig({ cwd: io.cwd, file: opts.config });
      const url: string = opts.clickhouse;
      if (!/^https?:\/\//.test(url))
        throw new UsageError(`--clickhouse must be an http(s) URL; got "${stripUserinfo(url).url}"`);
      const source = createServerSource({
        url,
        ...((io.env.CLICKHOUSE_USER ?? config.clickhouse.user)
          ? { username: io.env.CLICKHOUSE_USER ?? config.clickhouse.user }
          : {}),
        ...(io.env.CLICKHOUSE_PASSWORD ? { password: io.env.CLICKHOUSE_PASSWORD } : {}),
      });
      try {
        const summary = await runSchemaPull({
          cwd: io.cwd,
          config,
          source,
          tables: opts.tables ?? [],
          paths,
          ...(opts.output ? { output: opts.output } : {}),
          now: config.now ? new Date(config.now) : new Date(),
          secrets: [io.env.CLICKHOUSE_PASSWORD, stripUserinfo(url).password].filter(
            (x): x is string => typeof x === 'string' && x !== '',
          ),
        });
        for (const n of summary.notes) io.stderr.write(`dashboard-ci: note: ${n}\n`);
        if (summary.notFound.length)
          io.stderr.write(`dashboard-ci: not on the server (skipped): ${summary.notFound.join(', ')}\n`);
        if (summary.unparsed)
          io.stderr.write(
            `dashboard-ci: ${summary.unparsed} ${summary.unparsed === 1 ? 'query' : 'queries'} the server could not parse: their tables are not pulled\n`,
          );
        io.stdout.write(
          `wrote ${summary.file}: ${summary.objects} ${summary.objects === 1 ? 'object' : 'objects'}\n`,
        );
      } catch (err) {
        if (err instanceof EngineError) throw new UsageError(err.message);
        throw err;
      } finally {
        await source.close();
      }
    });

  try {
    await program.parseAsync(argv, { from: 'user' });
    return exitCode;
  } catch (err) {
    if (err instanceof CommanderError) {
      // Commander has already printed its one-line message (or the help/version text).
      return err.exitCode === 0 ? 0 : 2;
    }
    if (err instanceof UsageError) {
      io.stderr.write(`dashboard-ci: ${terminalSafe(err.message)}\n`);
      return 2;
    }
    const e = err as Error;
    io.stderr.write(`dashboard-ci: internal error: ${terminalSafe(e?.message ?? String(err))}\n`);
    if (io.env.DASHBOARD_CI_DEBUG) io.stderr.write(`${e?.stack ?? ''}\n`);
    return 2;
  }
}
