// The real edges: @actions/* (the only code that imports them, with main.ts), git through
// @actions/exec, the filesystem, and the core's check and provisioning.

import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
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
import { currentPlatform, ensureChdb, chdbPackageDir } from './chdb.js';
import type { Git } from './changed-files.js';
import { octokitGitHubApi } from './github-api.js';
import type { ActionEdges } from './run.js';

const git: Git = {
  async run(args, cwd) {
    const out = await exec.getExecOutput('git', args, { cwd, silent: true, ignoreReturnCode: true });
    return { code: out.exitCode, stdout: out.stdout, stderr: out.stderr };
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
    },
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
        });
        return chdbPackageDir(dir);
      };
    },
    rules: ruleMetadata(),
    newToken: () => randomUUID().replace(/-/g, ''),
    toolVersion: VERSION,
  };
}
