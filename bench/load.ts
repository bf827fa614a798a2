// node --expose-gc --import tsx bench/load.ts [--dashboards 1000 --panels 10 --runs 3]
//
// The loader alone, per format: N generated dashboards (bench/generate.ts) written as classic JSON,
// v1beta1 resources in JSON and YAML, and schema v2beta1 resources in JSON and YAML; each set loaded
// (discover, read, parse with positions, recognise, normalise) and linted, and every finding located
// (positions are built on demand, so locating is part of the cost). Prints the median over --runs of
// load and lint time, ms per file, and the heap the loaded models hold (after a full GC, with
// --expose-gc; otherwise heapUsed as it stands). No timing here is asserted anywhere.

import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import YAML from 'yaml';
import { defaultConfig } from '../src/config/defaults.js';
import { loadDashboards } from '../src/dashboards/load.js';
import { lintDashboards } from '../src/lint/engine.js';
import { benchDashboard } from './generate.js';

const { values } = parseArgs({
  options: {
    dashboards: { type: 'string', default: '1000' },
    panels: { type: 'string', default: '10' },
    runs: { type: 'string', default: '3' },
  },
});
const N = Number(values.dashboards);
const PANELS = Number(values.panels);
const RUNS = Number(values.runs);

type Classic = {
  uid: string;
  title: string;
  refresh: string;
  time: { from: string; to: string };
  templating: { list: Record<string, unknown>[] };
  panels: {
    id: number;
    type: string;
    title: string;
    description: string;
    gridPos: { x: number; y: number; w: number; h: number };
    targets: { refId: string; datasource: { type: string; uid: string }; rawSql: string }[];
  }[];
};

function resourceV1(d: Classic): object {
  const { uid, ...spec } = d;
  return { apiVersion: 'dashboard.grafana.app/v1beta1', kind: 'Dashboard', metadata: { name: uid }, spec };
}

function resourceV2(d: Classic): object {
  const elements: Record<string, object> = {};
  const items: object[] = [];
  for (const p of d.panels) {
    const name = `panel-${p.id}`;
    elements[name] = {
      kind: 'Panel',
      spec: {
        id: p.id,
        title: p.title,
        description: p.description,
        links: [],
        data: {
          kind: 'QueryGroup',
          spec: {
            queries: p.targets.map((t) => ({
              kind: 'PanelQuery',
              spec: {
                refId: t.refId,
                hidden: false,
                query: {
                  kind: 'DataQuery',
                  group: t.datasource.type,
                  version: 'v0',
                  datasource: { name: t.datasource.uid },
                  spec: { rawSql: t.rawSql, format: 1 },
                },
              },
            })),
            transformations: [],
            queryOptions: {},
          },
        },
        vizConfig: { kind: 'VizConfig', group: p.type, version: '', spec: { options: {}, fieldConfig: {} } },
      },
    };
    const { x, y, w, h } = p.gridPos;
    items.push({
      kind: 'GridLayoutItem',
      spec: { x, y, width: w, height: h, element: { kind: 'ElementReference', name } },
    });
  }
  return {
    apiVersion: 'dashboard.grafana.app/v2beta1',
    kind: 'Dashboard',
    metadata: { name: d.uid },
    spec: {
      title: d.title,
      elements,
      layout: { kind: 'GridLayout', spec: { items } },
      variables: d.templating.list.map((v) => ({ kind: 'CustomVariable', spec: v })),
      timeSettings: { ...d.time, autoRefresh: d.refresh },
    },
  };
}

const FORMATS: [name: string, ext: string, write: (d: Classic) => string][] = [
  ['classic JSON', 'json', (d) => JSON.stringify(d, null, 2)],
  ['v1beta1 JSON', 'json', (d) => JSON.stringify(resourceV1(d), null, 2)],
  ['v1beta1 YAML', 'yaml', (d) => YAML.stringify(resourceV1(d))],
  ['v2beta1 JSON', 'json', (d) => JSON.stringify(resourceV2(d), null, 2)],
  ['v2beta1 YAML', 'yaml', (d) => YAML.stringify(resourceV2(d))],
];

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const root = await mkdtemp(path.join(tmpdir(), 'dci-bench-load-'));
try {
  console.log(`${N} dashboards × ${PANELS} panels, median of ${RUNS} runs (node ${process.version})`);
  console.log('format          load ms  lint ms  ms/file  findings  heap MB');
  for (const [name, ext, write] of FORMATS) {
    const dir = path.join(root, name.replace(/\W+/g, '-'));
    await mkdir(dir, { recursive: true });
    for (let i = 0; i < N; i++)
      await writeFile(path.join(dir, `d${i}.${ext}`), write(benchDashboard(i, PANELS) as Classic));
    const loads: number[] = [];
    const lints: number[] = [];
    let findings = 0;
    let kept: unknown;
    for (let r = 0; r < RUNS; r++) {
      kept = undefined;
      const t0 = performance.now();
      const loaded = await loadDashboards([dir], { cwd: root });
      kept = loaded;
      const t1 = performance.now();
      const found = lintDashboards(loaded.dashboards, { config: defaultConfig(), datasources: [] });
      const t2 = performance.now();
      if (loaded.dashboards.length !== N)
        throw new Error(`${name}: loaded ${loaded.dashboards.length} of ${N}`);
      loads.push(t1 - t0);
      lints.push(t2 - t1);
      findings = found.length;
    }
    (globalThis as { gc?: () => void }).gc?.();
    const heap = process.memoryUsage().heapUsed / 1024 / 1024;
    if (!kept) throw new Error('no run');
    const load = median(loads);
    const lint = median(lints);
    console.log(
      `${name.padEnd(14)} ${load.toFixed(0).padStart(8)} ${lint.toFixed(0).padStart(8)} ${((load + lint) / N).toFixed(2).padStart(8)} ${String(findings).padStart(9)} ${heap.toFixed(0).padStart(8)}`,
    );
  }
} finally {
  await rm(root, { recursive: true, force: true });
}
