// Runs once before the test files. The Redis checks are tested against a real redis-server: on a
// fresh machine of the kind this project runs on (Debian, root, apt reachable) it is installed here,
// so `npm test` works right after `npm ci`. Elsewhere a missing redis-server fails the Redis tests
// with the command to install it; nothing is skipped.

import { spawnSync } from 'node:child_process';

function has(cmd: string): boolean {
  const probe = spawnSync(cmd, ['--version'], { stdio: 'ignore' });
  return !probe.error && probe.status === 0;
}

export default function setup(): void {
  if (has('redis-server')) return;
  const root = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!root || !has('apt-get')) return;
  process.stderr.write('redis-server is missing: installing the Debian package for the Redis tests\n');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  spawnSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
  spawnSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', 'redis-server'], {
    stdio: 'inherit',
    env,
  });
}
