import { runCli } from './run.js';

// The CLI edge: argv, the environment, the streams and the exit code. Everything else lives in
// run.ts so tests drive it with an injected environment and streams.
process.exitCode = await runCli(process.argv.slice(2), {
  cwd: process.cwd(),
  env: process.env,
  stdout: process.stdout,
  stderr: process.stderr,
});
