// The real edges: @actions/* (the only code that imports them, with main.ts), git through
// @actions/exec, the filesystem, and the core's check and provisioning.

import { randomUUID } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as core from '@actions/core';
import * as exec from '@actions/exec';
import { getOctokit } from '@actions/github';
import * as tc from '@actions/tool-cache';
import { runCheck } from '../check/run.js';
import { loadConfig } from '../config/load.js';
import { provision, renderProvisionText } from '../grafana/provision.js';
import { ruleMetadata } from '../lint/registry.js';
import { renderText } from '../report/text.js';
import { VERSION } from '../version.js';
import type { CacheService } from './cache.js';
import { currentPlatform, ensureChdb, chdbPackageDir, CHDB_TOOL_NAME } from './chdb.js';
import type { Git } from './changed-files.js';
import { octokitGitHubApi } from './github-api.js';
import type { ActionEdges } from './run.js';

const git: Git = {
  async run(args, cwd) {
    const out = await exec.getExecOutput('git', args, { cwd, silent: true, ignoreReturnCode: true });
    return { code: out.exitCode, stdout: out.stdout, stderr: out.stderr };
  },
};

function failure(err: unknown): string {
  return (err as Error)?.message ?? String(err);
}

/**
 * @actions/cache, never failing the run: without a cache service (a local run, GHES without Actions
 * cache) it is unavailable; a failed restore is a miss and a failed save is false, each said once.
 */
// Loaded on first use: @actions/cache brings the Azure blob SDK, and most runs never touch a cache
// (no cache service, or nothing to restore).
const actionsCache = () => import('@actions/cache');

export const actionsCacheService: CacheService = {
  // Neither URL set: no service in either protocol, and no need to load the library to know it.
  available: async () =>
    Boolean(process.env.ACTIONS_CACHE_URL || process.env.ACTIONS_RESULTS_URL) &&
    (await actionsCache()).isFeatureAvailable(),
  async restore(paths, key, restoreKeys) {
    try {
      return await (await actionsCache()).restoreCache(paths, key, restoreKeys);
    } catch (err) {
      core.warning(`Actions cache: could not restore ${key} (${failure(err)}); going on without it`);
      return undefined;
    }
  },
  async save(paths, key) {
    try {
      return (await (await actionsCache()).saveCache(paths, key)) !== -1;
    } catch (err) {
      core.info(`Actions cache: ${key} not saved (${failure(err)})`);
      return false;
    }
  },
};

export function realEdges(): ActionEdges {
  const env = process.env;
  return {
    env,
    inputs: { getInput: (name) => core.getInput(name), setSecret: (v) => core.setSecret(v) },
    stdout: { write: (text) => void process.stdout.write(text) },
    annotate(level, message, props) {
      if (level === 'error') core.error(message, props);
      else if (level === 'warning') core.warning(message, props);
      else core.notice(message, props);
    },
    setOutput: (name, value) => core.setOutput(name, value),
    async appendSummary(markdown) {
      // Runners without job summaries (old GHES) have no GITHUB_STEP_SUMMARY: core.summary would throw.
      if (!env.GITHUB_STEP_SUMMARY) return;
      await core.summary.addRaw(markdown, true).write();
    },
    github: (token) => octokitGitHubApi(getOctokit(token)),
    git,
    fs: {
      readText: (path) => readFileSync(path, 'utf8'),
      writeText: (path, text) => writeFile(path, text, 'utf8'),
      mkdirp: async (path) => void (await mkdir(path, { recursive: true })),
      remove: (path) => rm(path, { recursive: true, force: true }),
      list: (path) => (existsSync(path) ? readdirSync(path) : []),
    },
    cache: actionsCacheService,
    loadConfig,
    runCheck,
    provision,
    renderProvisionText,
    renderText: (report) => renderText(report, { color: false }),
    chdbPath(version) {
      return async () => {
        const dir = await ensureChdb({
          version,
          toolCache: { find: tc.find, cacheDir: tc.cacheDir },
          exec: {
            exec: (program, args, opts) => exec.exec(program, args, { ...opts, ignoreReturnCode: true }),
          },
          platform: currentPlatform(),
          tempDir: env.RUNNER_TEMP || process.cwd(),
          log: (line) => core.info(line),
          ...(env.RUNNER_TOOL_CACHE
            ? {
                actionsCache: {
                  service: actionsCacheService,
                  folder: join(env.RUNNER_TOOL_CACHE, CHDB_TOOL_NAME, version),
                },
              }
            : {}),
        });
        return chdbPackageDir(dir);
      };
    },
    rules: ruleMetadata(),
    newToken: () => randomUUID().replace(/-/g, ''),
    toolVersion: VERSION,
  };
}
