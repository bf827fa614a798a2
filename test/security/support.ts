// What the security tests watch: a canary secret (in the environment of the CLI process, and in a file
// outside the work directory), a TCP listener on 127.0.0.1 counting every connection (HTTP, the
// native protocol, MySQL... all start with one), and the files of the directories a hostile statement
// aims at.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface Canary {
  /** The secret in the CLI's environment (as a runner's token would be). */
  env: string;
  /** The secret in the canary file. */
  file: string;
  /** A folder outside the work directory: the canary file, and the target of hostile writes. */
  dir: string;
  /** The canary file. */
  path: string;
  /** Where hostile statements try to write (inside dir; must stay absent). */
  out: string;
  close(): void;
}

export function makeCanary(): Canary {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'dci-canary-'));
  const env = `DCICANARYENV${randomBytes(12).toString('hex')}`;
  const file = `DCICANARYFILE${randomBytes(12).toString('hex')}`;
  const p = path.join(dir, 'secret.txt');
  writeFileSync(p, `${file}\n`);
  return {
    env,
    file,
    dir,
    path: p,
    out: path.join(dir, 'out'),
    close: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** Every form of the canaries a leak could take (raw, hex, base64, URL-encoded), found in `text`. */
export function leaks(text: string, canary: Canary): string[] {
  const found: string[] = [];
  for (const secret of [canary.env, canary.file]) {
    const b = Buffer.from(secret);
    const forms = [
      secret,
      b.toString('hex'),
      b.toString('hex').toUpperCase(),
      b.toString('base64').slice(0, 16),
    ];
    for (const f of forms) if (text.includes(f)) found.push(f);
  }
  return found;
}

/** Relative paths and sizes of every file under `dir` (what "nothing was written" compares). */
export function tree(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out.push(`${path.relative(dir, p)} ${statSync(p).size}`);
    }
  };
  walk(dir);
  return out.sort();
}

export interface Listener {
  port: number;
  /** Connections accepted so far. */
  connections(): number;
  close(): Promise<void>;
}

/** A TCP listener that counts connections and closes each at once. */
export async function startListener(): Promise<Listener> {
  let count = 0;
  const server = net.createServer((socket) => {
    count++;
    socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    connections: () => count,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export interface ProcessRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * The CLI as a process of its own (src, under tsx), with `env` added to this process's environment:
 * the canary must be in the real environment of the process tree, where /proc/self/environ shows it.
 */
export function runCliProcess(cwd: string, args: string[], env: Record<string, string>): Promise<ProcessRun> {
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
  const child = spawn(process.execPath, ['--import', tsx, path.join(ROOT, 'src/cli/main.ts'), ...args], {
    cwd,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

/** A dashboard whose panels each hold one of `sqls` (ClickHouse datasource uid `clickhouse`). */
export function hostileDashboard(sqls: readonly string[]): string {
  const ds = { type: 'grafana-clickhouse-datasource', uid: 'clickhouse' };
  return JSON.stringify(
    {
      uid: 'hostile',
      title: 'Hostile',
      schemaVersion: 39,
      time: { from: 'now-24h', to: 'now' },
      templating: { list: [] },
      annotations: { list: [] },
      panels: sqls.map((rawSql, i) => ({
        id: i + 1,
        type: 'table',
        title: `Panel ${i + 1}`,
        gridPos: { x: 0, y: i * 4, w: 12, h: 4 },
        datasource: ds,
        targets: [{ refId: 'A', datasource: ds, editorType: 'sql', format: 1, rawSql }],
      })),
    },
    null,
    1,
  );
}
