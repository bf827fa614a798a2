// A repository of dashboards as a user would have it, in two commits: the base (a clean dashboard)
// and the head of a PR (one query broken, one panel with a hostile title, a README change).

import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { DATASOURCES, dashboardText, git, panel, SCHEMA, SEED, write } from '../support/change-repo.js';

export { git };

export const HOSTILE_TITLE = 'Sessions\n::set-output name=pwned::yes\n::add-mask::ghs_rw %0A';

export function dashboard(head: boolean): string {
  const panels = [
    panel(
      1,
      'Events per hour',
      'SELECT $__timeInterval(timestamp) AS time, count() AS events FROM frontend_events WHERE $__timeFilter(timestamp) GROUP BY time ORDER BY time',
      0,
    ),
    panel(
      2,
      'Error rate',
      head
        ? 'SELECT $__timeInterval(timestamp) AS time, countIf(is_eror) / count() AS rate FROM frontend_events WHERE $__timeFilter(timestamp) GROUP BY time ORDER BY time'
        : 'SELECT $__timeInterval(timestamp) AS time, countIf(is_error) / count() AS rate FROM frontend_events WHERE $__timeFilter(timestamp) GROUP BY time ORDER BY time',
      8,
    ),
  ];
  if (head) {
    // Broken too, so its title lands in a finding message, the log and an annotation.
    panels.push(
      panel(
        3,
        HOSTILE_TITLE,
        'SELECT $__timeInterval(timestamp) AS time, uniq(user_id) AS users FROM frontend_sessions WHERE $__timeFilter(timestamp) GROUP BY time ORDER BY time',
        16,
      ),
    );
  }
  return dashboardText(panels, { uid: 'e2e-overview', title: 'E2E overview', tags: ['e2e'] });
}

/** Creates `origin` (base on main, head on a branch) and a shallow clone of the head as the workspace. */
export function makeRepo(root: string): { origin: string; workspace: string; base: string; head: string } {
  const origin = join(root, 'origin');
  mkdirSync(origin, { recursive: true });
  git(origin, 'init', '-q', '-b', 'main');
  write(origin, 'clickhouse/schema.sql', SCHEMA);
  write(origin, 'clickhouse/seed.sql', SEED);
  write(origin, 'datasources/datasources.yaml', DATASOURCES);
  write(origin, 'dashboards/overview.json', dashboard(false));
  write(origin, 'README.md', '# dashboards\n');
  // A fixed clock inside the seed's two weeks: the expanded SQL (and ClickHouse's messages quoting it)
  // is the same on every run.
  write(origin, 'dashboard-ci.yml', 'now: 2026-01-10T00:00:00Z\n');
  git(origin, 'add', '.');
  git(origin, 'commit', '-q', '-m', 'Base dashboards');
  const base = git(origin, 'rev-parse', 'HEAD');
  git(origin, 'checkout', '-q', '-b', 'break-a-query');
  write(origin, 'dashboards/overview.json', dashboard(true));
  write(origin, 'README.md', '# dashboards\n\nNow with sessions.\n');
  git(origin, 'add', '.');
  git(origin, 'commit', '-q', '-m', 'Break a query');
  const head = git(origin, 'rev-parse', 'HEAD');
  git(origin, 'checkout', '-q', 'main');
  // actions/checkout fetches one commit: so does this clone.
  git(root, 'clone', '-q', '--depth=1', '--branch', 'break-a-query', `file://${origin}`, 'workspace');
  return { origin, workspace: join(root, 'workspace'), base, head };
}
