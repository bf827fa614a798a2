// Provisioning benchmark: N generated dashboards (default 1,000 over 10 folders) provisioned to the
// Grafana double on loopback, which runs in a child process so the two do not share an event loop.
// For each dashboard lookup strategy: the first apply, then the no-change re-run — wall time,
// the client's CPU time (steadier than wall time on a shared machine), requests, writes (client-side
// and as the server saw them), and peak RSS.
//
//   npx tsx bench/provision.ts [--dashboards 1000] [--folders 10] [--panels 6] [--latency 0]
//                              [--concurrency 8] [--lookup search|get|both]
//
// Targets (issue 5): first apply ≤ 30 s; no-change re-run ≤ 10 s with 0 writes.

import { fork, type ChildProcess } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { provision } from '../src/grafana/provision.js';
import type { DashboardLookup } from '../src/grafana/plan.js';
import type { ProvisionResult } from '../src/grafana/types.js';
import { defaultConfig } from '../src/config/defaults.js';
import { GrafanaDouble } from '../test/support/grafana-double.js';
import { ENV, TOKEN, emptyRepo, generateDashboards } from '../test/fixtures/provision/repo.js';

const args = process.argv.slice(2);
const arg = (name: string, fallback: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] ? args[i + 1]! : fallback;
};

type ServerMsg =
  { type: 'ready'; url: string } | { type: 'stats'; requests: number; writes: number; rssMb: number };

if (args.includes('--serve')) {
  // The child: the Grafana double, answering stats over IPC.
  const latencyMs = Number(arg('latency', '0'));
  const double = await GrafanaDouble.start({ token: TOKEN, latencyMs });
  process.send!({ type: 'ready', url: double.url } satisfies ServerMsg);
  process.on('message', (m: { type: string }) => {
    if (m.type === 'stats') {
      process.send!({
        type: 'stats',
        requests: double.requests.length,
        writes: double.writes().length,
        rssMb: Math.round(process.resourceUsage().maxRSS / 1024),
      } satisfies ServerMsg);
      double.clearLog();
    } else if (m.type === 'stop') {
      void double.close().then(() => process.exit(0));
    }
  });
} else {
  await main();
}

async function startServer(): Promise<{
  child: ChildProcess;
  url: string;
  stats: () => Promise<{ requests: number; writes: number; rssMb: number }>;
}> {
  const child = fork(fileURLToPath(import.meta.url), ['--serve', '--latency', arg('latency', '0')], {
    stdio: 'inherit',
  });
  const url = await new Promise<string>((resolve, reject) => {
    child.once('message', (m: ServerMsg) =>
      m.type === 'ready' ? resolve(m.url) : reject(new Error('unexpected message')),
    );
    child.once('exit', (code) => reject(new Error(`double exited with ${code}`)));
  });
  const stats = () =>
    new Promise<{ requests: number; writes: number; rssMb: number }>((resolve) => {
      child.once('message', (m: ServerMsg) => m.type === 'stats' && resolve(m));
      child.send({ type: 'stats' });
    });
  return { child, url, stats };
}

async function main(): Promise<void> {
  const dashboards = Number(arg('dashboards', '1000'));
  const folders = Number(arg('folders', '10'));
  const panels = Number(arg('panels', '6'));
  const concurrency = Number(arg('concurrency', '8'));
  const lookups: DashboardLookup[] =
    arg('lookup', 'both') === 'both' ? ['search', 'get'] : [arg('lookup', 'search') as DashboardLookup];

  const repo = await emptyRepo();
  const t0 = performance.now();
  await generateDashboards(repo, dashboards, folders, panels);
  console.log(
    `generated ${dashboards} dashboards × ${panels} panels in ${folders} folders in ${Math.round(performance.now() - t0)} ms ` +
      `(loopback latency ${arg('latency', '0')} ms, concurrency ${concurrency}, node ${process.version}, ${process.platform}/${process.arch})`,
  );

  const config = defaultConfig();
  config.grafana.orgId = 1;
  config.grafana.concurrency = concurrency;
  const rows: string[][] = [
    [
      'lookup',
      'run',
      'wall s',
      'client cpu s',
      'requests',
      'writes',
      'server writes',
      'failures',
      'unchanged',
    ],
  ];
  try {
    for (const lookup of lookups) {
      const server = await startServer();
      try {
        for (const run of ['first apply', 'no-change re-run']) {
          const started = performance.now();
          const cpu = process.cpuUsage();
          const result: ProvisionResult = await provision(
            {
              cwd: repo.dir,
              paths: [],
              config,
              grafanaUrl: server.url,
              auth: { token: TOKEN },
              dryRun: false,
              prune: false,
              env: ENV,
            },
            { lookup },
          );
          const wall = (performance.now() - started) / 1000;
          const used = process.cpuUsage(cpu);
          const cpuS = (used.user + used.system) / 1e6;
          const s = await server.stats();
          rows.push([
            lookup,
            run,
            wall.toFixed(2),
            cpuS.toFixed(2),
            String(result.requests),
            String(result.writes),
            String(s.writes),
            String(result.failures),
            String(result.items.filter((i) => i.result === 'unchanged').length),
          ]);
          if (result.failures)
            console.log(
              result.items
                .filter((i) => i.result === 'failed')
                .slice(0, 3)
                .map((i) => i.error?.message),
            );
        }
      } finally {
        server.child.send({ type: 'stop' });
      }
    }
  } finally {
    await repo.dispose();
  }
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  for (const r of rows)
    console.log(r.map((cell, c) => (c < 2 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  '));
  console.log(
    `peak RSS of the provisioning process: ${Math.round(process.resourceUsage().maxRSS / 1024)} MB`,
  );
}
