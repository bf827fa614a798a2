import { describe, expect, it } from 'vitest';
import { decideRoute, readContext, type ActionContext } from '../../../src/action/context.js';

function ctx(eventName: string, payload: Record<string, unknown>, ref = 'refs/heads/main'): ActionContext {
  const env = {
    GITHUB_EVENT_NAME: eventName,
    GITHUB_REPOSITORY: 'acme/dash',
    GITHUB_EVENT_PATH: '/event.json',
    GITHUB_REF: ref,
  };
  return readContext(env, () => JSON.stringify(payload));
}

const pr = {
  number: 5,
  pull_request: { number: 5, base: { sha: 'b'.repeat(40), ref: 'main' }, head: { sha: 'h'.repeat(40) } },
};
const push = { repository: { default_branch: 'main' } };

describe('decideRoute', () => {
  it('auto: pull_request checks and comments, never provisions', () => {
    const r = decideRoute('auto', ctx('pull_request', pr, 'refs/pull/5/merge'));
    expect(r).toMatchObject({
      check: true,
      provision: false,
      comment: true,
      pr: { number: 5, baseSha: 'b'.repeat(40) },
    });
  });

  it('auto: push to the default branch checks then provisions; another branch only checks', () => {
    expect(decideRoute('auto', ctx('push', push))).toMatchObject({
      check: true,
      provision: true,
      comment: false,
    });
    expect(decideRoute('auto', ctx('push', push, 'refs/heads/feature'))).toMatchObject({
      check: true,
      provision: false,
    });
  });

  it('auto: workflow_dispatch provisions; other events only check', () => {
    expect(decideRoute('auto', ctx('workflow_dispatch', push))).toMatchObject({
      check: false,
      provision: true,
    });
    for (const e of ['pull_request_target', 'schedule', 'merge_group']) {
      expect(decideRoute('auto', ctx(e, pr))).toMatchObject({
        check: true,
        provision: false,
        comment: false,
      });
    }
  });

  it('mode provision is refused outside push-to-default and dispatch', () => {
    expect(() => decideRoute('provision', ctx('pull_request', pr))).toThrow(
      /mode 'provision' runs only on push to the default branch or a release ref \(release-refs\), or on workflow_dispatch; this run is pull_request/,
    );
    expect(() => decideRoute('provision', ctx('push', push, 'refs/heads/dev'))).toThrow(
      /this run is push on refs\/heads\/dev/,
    );
    expect(decideRoute('provision', ctx('push', push))).toMatchObject({ check: false, provision: true });
  });

  it('mode check never provisions', () => {
    expect(decideRoute('check', ctx('workflow_dispatch', push))).toMatchObject({
      check: true,
      provision: false,
    });
    expect(decideRoute('check', ctx('pull_request', pr))).toMatchObject({ check: true, comment: true });
  });

  it('a pull_request payload without shas is a usage error', () => {
    expect(() => decideRoute('auto', ctx('pull_request', { number: 1, pull_request: {} }))).toThrow(
      /base.sha/,
    );
  });
});

describe('readContext', () => {
  it('needs GITHUB_EVENT_NAME and a well-formed GITHUB_REPOSITORY', () => {
    expect(() => readContext({}, () => '{}')).toThrow('GITHUB_EVENT_NAME is not set');
    expect(() => readContext({ GITHUB_EVENT_NAME: 'push', GITHUB_REPOSITORY: 'nope' }, () => '{}')).toThrow(
      /owner\/name/,
    );
    expect(() =>
      readContext(
        { GITHUB_EVENT_NAME: 'push', GITHUB_REPOSITORY: 'a/b', GITHUB_EVENT_PATH: '/x' },
        () => 'not json',
      ),
    ).toThrow(/cannot read the event payload/);
  });
});
