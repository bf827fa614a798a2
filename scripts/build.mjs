// Bundles the Action (dist/index.js) and the CLI (dist/cli.js). chdb stays external: its native
// library is 543 MB and platform-specific; the CLI resolves it from node_modules, the Action from
// the runner's tool cache. The output must be byte-identical for the same src/ (CI diffs dist/).
import { build } from 'esbuild';
import { Buffer } from 'node:buffer';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';

const banner =
  "import { createRequire as __dciCreateRequire } from 'node:module';\n" +
  'const require = __dciCreateRequire(import.meta.url);';

const common = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  external: ['chdb'],
  legalComments: 'none',
  logLevel: 'warning',
  minifyWhitespace: false,
  sourcemap: false,
};

rmSync('dist', { recursive: true, force: true });
await build({
  ...common,
  entryPoints: { index: 'src/action/main.ts' },
  outdir: 'dist',
  banner: { js: banner },
});
// The embedded engine's pool starts its child processes from this file (found beside the bundle).
await build({
  ...common,
  entryPoints: { 'engine-worker': 'src/clickhouse/engine-worker-main.ts' },
  outdir: 'dist',
  banner: { js: banner },
});
await build({
  ...common,
  entryPoints: { cli: 'src/cli/main.ts' },
  outdir: 'dist',
  banner: { js: '#!/usr/bin/env node\n' + banner },
});

// The JSON schema of dashboard-ci.yml, published for editors (`# yaml-language-server: $schema=...`)
// and kept equal to the one the config loader validates with (a test compares them).
const schemaModule = await build({
  ...common,
  entryPoints: ['src/config/schema.ts'],
  write: false,
});
const { configSchema } = await import(
  'data:text/javascript;base64,' + Buffer.from(schemaModule.outputFiles[0].text).toString('base64')
);
mkdirSync('schemas', { recursive: true });
writeFileSync('schemas/dashboard-ci.schema.json', JSON.stringify(configSchema, null, 2) + '\n');
