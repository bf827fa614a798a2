// Issue 8 item 4: the files of a pull request are hostile. A dashboard nested 100,000 levels deep, a
// FIFO, a link to /dev/stdin or out of the repository, an unreadable sub-folder, an alias bomb: each
// costs one line at its file, never the run (no stack overflow and exit 2, no hang, no lost dashboards).

import { spawn } from 'node:child_process';
import { chmod, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Finding } from '../../src/core/types.js';
import { loadDashboards } from '../../src/dashboards/load.js';
import { cli, json as report, type CliRun as Run } from '../support/cli.js';

const REPO = fileURLToPath(new URL('../..', import.meta.url));

const rules = (findings: Finding[]) => findings.map((f) => `${f.rule} ${f.severity} ${f.file}`);

/** A clean dashboard and one with a lint error: both must be checked whatever else the folder holds. */
const GOOD = JSON.stringify({
  uid: 'good',
  title: 'Good',
  schemaVersion: 39,
  panels: [
    {
      id: 1,
      type: 'text',
      title: 'Notes',
      description: 'Static text.',
      gridPos: { x: 0, y: 0, w: 12, h: 4 },
    },
  ],
});
const NO_UID = JSON.stringify({ title: 'No uid', schemaVersion: 39, panels: [] });

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'dci-hostile-'));
  await writeFile(path.join(dir, 'dashboard-ci.yml'), 'paths: [dashboards]\ndatasources: []\nalerts: []\n');
  await mkdir(path.join(dir, 'dashboards'));
  await writeFile(path.join(dir, 'dashboards/good.json'), GOOD);
  await writeFile(path.join(dir, 'dashboards/no-uid.json'), NO_UID);
});
afterEach(async () => {
  await chmod(path.join(dir, 'dashboards'), 0o755).catch(() => {});
  await rm(dir, { recursive: true, force: true });
});

function deepJson(levels: number): string {
  return `{"uid":"deep","title":"Deep","panels":${'['.repeat(levels)}${']'.repeat(levels)}}`;
}

describe('hostile dashboard files', () => {
  it('a dashboard nested 100,000 levels deep is one finding; the rest of the run is checked (exit 1, with a report)', async () => {
    await writeFile(path.join(dir, 'dashboards/deep.json'), deepJson(100_000));
    const run = await cli(dir, 'check', '--format', 'json');
    expect(run.stderr).toBe('');
    expect(run.code).toBe(1);
    const r = report(run);
    const deep = r.findings.filter((f) => f.file === 'dashboards/deep.json');
    expect(deep).toEqual([
      // At the bracket that opens level 65 (the dashboard object is level 1).
      expect.objectContaining({
        rule: 'json-too-deep',
        severity: 'error',
        line: 1,
        column: '{"uid":"deep","title":"Deep","panels":'.length + 64,
      }),
    ]);
    expect(r.summary.dashboards).toBe(2);
    expect(r.findings.map((f) => `${f.rule} ${f.file}`)).toContain('uid-format dashboards/no-uid.json');
  });

  it('YAML nested 100,000 levels deep (flow or block) is one finding too', async () => {
    await writeFile(
      path.join(dir, 'dashboards/flow.yaml'),
      `title: x\npanels: ${'['.repeat(100_000)}${']'.repeat(100_000)}\n`,
    );
    let block = 'title: y\npanels:\n';
    for (let i = 1; i <= 200; i++)
      block += `${'  '.repeat(i)}- \n`.replace(/- \n$/, i === 200 ? '- 1\n' : '-\n');
    await writeFile(path.join(dir, 'dashboards/block.yaml'), block);
    const run = await cli(dir, 'check', '--no-explain', '--format', 'json');
    expect(run.stderr).toBe('');
    expect(run.code).toBe(1);
    const r = report(run);
    expect(rules(r.findings.filter((f) => f.file.endsWith('.yaml')))).toEqual([
      'json-too-deep error dashboards/block.yaml',
      'json-too-deep error dashboards/flow.yaml',
    ]);
    expect(r.summary.dashboards).toBe(2);
  });

  it('a YAML alias bomb is one finding, not gigabytes of memory', async () => {
    const bomb = [
      'title: lol',
      'a: &a [x, x, x, x, x, x, x, x, x]',
      'b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]',
      'c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]',
      'd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]',
      'e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]',
      'panels: [*e, *e, *e, *e, *e, *e, *e, *e, *e]',
    ].join('\n');
    await writeFile(path.join(dir, 'dashboards/bomb.yaml'), bomb);
    const run = await cli(dir, 'check', '--no-explain', '--format', 'json');
    const r = report(run);
    expect(rules(r.findings.filter((f) => f.file === 'dashboards/bomb.yaml'))).toEqual([
      'yaml-aliases error dashboards/bomb.yaml',
    ]);
    expect(r.summary.dashboards).toBe(2);
  });

  it('a FIFO, a link to a FIFO and a link to /dev/stdin are skipped with one line each, never read', async () => {
    execFileSync('mkfifo', [path.join(dir, 'dashboards/pipe.json')]);
    execFileSync('mkfifo', [path.join(dir, 'fifo-target')]);
    await symlink(path.join(dir, 'fifo-target'), path.join(dir, 'dashboards/to-fifo.json'));
    await symlink('/dev/stdin', path.join(dir, 'dashboards/stdin.json'));
    const run = await cli(dir, 'check', '--no-explain', '--format', 'json');
    expect(run.stderr).toBe('');
    const r = report(run);
    const skipped = r.findings.filter((f) => f.rule === 'file-skipped');
    expect(skipped.map((f) => [f.file, f.severity])).toEqual([
      ['dashboards/pipe.json', 'info'],
      ['dashboards/stdin.json', 'info'],
      ['dashboards/to-fifo.json', 'info'],
    ]);
    expect(skipped.find((f) => f.file === 'dashboards/pipe.json')!.message).toContain('a FIFO');
    expect(r.summary.dashboards).toBe(2);
    expect(run.code).toBe(1); // the no-uid dashboard, nothing else
  });

  it('a FIFO named on the command line, as a dashboard or a datasources file, never blocks the run', async () => {
    execFileSync('mkfifo', [path.join(dir, 'pipe.json')]);
    execFileSync('mkfifo', [path.join(dir, 'datasources.yaml')]);
    const run = await cli(
      dir,
      'check',
      'pipe.json',
      'dashboards',
      '--datasources',
      'datasources.yaml',
      '--no-explain',
      '--format',
      'json',
    );
    expect(run.stderr).toBe('dashboard-ci: datasources.yaml: not a regular file, not read\n');
    expect(run.code).toBe(2);
    const r = report(run);
    expect(rules(r.findings.filter((f) => f.file === 'pipe.json'))).toEqual(['file-skipped info pipe.json']);
    expect(r.summary.dashboards).toBe(2);
  });

  it('a link out of the working directory is never read (a canary file outside stays unread)', async () => {
    const outside = await mkdtemp(path.join(tmpdir(), 'dci-outside-'));
    try {
      const canary = 'CANARY-' + Math.random().toString(36).slice(2);
      await writeFile(
        path.join(outside, 'secret.json'),
        JSON.stringify({ title: canary, uid: canary, panels: [] }),
      );
      await symlink(path.join(outside, 'secret.json'), path.join(dir, 'dashboards/secret.json'));
      await symlink('/proc/self/environ', path.join(dir, 'dashboards/environ.json'));
      const run = await cli(dir, 'check', '--no-explain', '--format', 'json');
      expect(run.stdout).not.toContain(canary);
      const r = report(run);
      expect(rules(r.findings.filter((f) => f.rule === 'file-skipped'))).toEqual([
        'file-skipped info dashboards/environ.json',
        'file-skipped info dashboards/secret.json',
      ]);
      expect(r.summary.dashboards).toBe(2);
    } finally {
      await rm(outside, { recursive: true, force: true });
    }
  });

  it('a linked folder leading out of the repository (to /) is not walked: one line, and the run ends', async () => {
    await symlink('/', path.join(dir, 'dashboards/root'));
    const run = await cli(dir, 'check', '--no-explain', '--format', 'json');
    expect(run.stderr).toBe('');
    const r = report(run);
    expect(rules(r.findings.filter((f) => f.rule === 'file-skipped'))).toEqual([
      'file-skipped info dashboards/root',
    ]);
    expect(r.summary.dashboards).toBe(2);
  });

  it('an unreadable sub-folder costs only that folder (injected reader)', async () => {
    await mkdir(path.join(dir, 'dashboards/locked'));
    await writeFile(path.join(dir, 'dashboards/locked/x.json'), GOOD);
    const locked = path.join(dir, 'dashboards/locked');
    const loaded = await loadDashboards(['dashboards'], {
      cwd: dir,
      readdir: ((p: string, opts: unknown, cb: (e: NodeJS.ErrnoException | null, r: unknown[]) => void) => {
        if (path.resolve(p) === locked) {
          const err: NodeJS.ErrnoException = new Error('EACCES: permission denied');
          err.code = 'EACCES';
          cb(err, []);
          return;
        }
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        (require('node:fs') as typeof import('node:fs')).readdir(
          p,
          opts as { withFileTypes: true },
          cb as never,
        );
      }) as never,
    });
    expect(loaded.usageErrors).toEqual([]);
    expect(rules(loaded.findings)).toEqual(['unreadable-path error dashboards/locked']);
    expect(loaded.dashboards.map((d) => d.file)).toEqual(['dashboards/good.json', 'dashboards/no-uid.json']);
  });

  it('an unreadable sub-folder costs only that folder (real permissions, the CLI as an unprivileged user)', async () => {
    await mkdir(path.join(dir, 'dashboards/locked'));
    await writeFile(path.join(dir, 'dashboards/locked/x.json'), GOOD);
    await chmod(dir, 0o755);
    await chmod(path.join(dir, 'dashboards/locked'), 0o000);
    // root reads any folder: run the CLI as nobody then, so the permission is real.
    const asRoot = process.getuid?.() === 0;
    const run = await new Promise<Run>((resolve, reject) => {
      const child = spawn(
        process.execPath,
        [
          path.join(REPO, 'node_modules/tsx/dist/cli.mjs'),
          path.join(REPO, 'src/cli/main.ts'),
          'check',
          '--no-explain',
          '--format',
          'json',
        ],
        {
          cwd: dir,
          env: { PATH: process.env.PATH ?? '', HOME: tmpdir() },
          ...(asRoot ? { uid: 65534, gid: 65534 } : {}),
        },
      );
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d) => (stdout += d));
      child.stderr.on('data', (d) => (stderr += d));
      child.on('error', reject);
      child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    });
    await chmod(path.join(dir, 'dashboards/locked'), 0o755);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(1);
    const r = report(run);
    expect(rules(r.findings.filter((f) => f.rule === 'unreadable-path'))).toEqual([
      'unreadable-path error dashboards/locked',
    ]);
    expect(r.summary.dashboards).toBe(2);
  });

  it('escape sequences in a title never reach the text output, piped', async () => {
    await writeFile(
      path.join(dir, 'dashboards/evil.json'),
      JSON.stringify({
        uid: 'evil',
        title: 'Evil \x1b]8;;https://evil.example/\x1b\\link\x1b]8;;\x1b\\ \x1b[2J\u202e',
        schemaVersion: 39,
        panels: [{ id: 1, type: 'stat', gridPos: { x: 0, y: 0, w: 4, h: 4 }, targets: [] }],
      }),
    );
    const run = await cli(dir, 'check', '--no-explain');
    expect(run.stdout).toContain('Evil');
    expect(run.stdout).not.toContain('\x1b');
    expect(run.stdout).not.toContain('\u202e');
  });
});
