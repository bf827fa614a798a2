import { createRule } from '../create-rule.js';
import { REDIS_TYPE } from '../datasources.js';
import { CYPHER_WRITE, REDIS_PLUGIN_COMMANDS, classifyCommandLine } from '../redis-commands.js';

export default createRule({
  id: 'redis-write-command',
  scope: 'target',
  meta: {
    description: 'Redis targets run only read-only commands.',
    severity: 'error',
    messages: {
      write: 'Redis command {{command}} is not read-only: a panel would run it on every refresh',
      pluginWrite: 'Redis command "{{command}}" {{why}}: a panel would run it on every refresh',
      unknown: 'Redis command {{command}} is not known to be read-only',
      unknownPlugin: 'Redis command "{{command}}" is not a command of the Redis plugin',
      empty: 'Redis query has neither a command nor a custom query',
    },
    help:
      'A panel query runs on every refresh for every viewer: a write (SET, DEL, FLUSHALL, CONFIG SET), a script ' +
      '(EVAL) or a blocking command there changes or stalls production Redis on a timer. Use a read-only ' +
      'command; for reads that need a script use EVAL_RO. Commands the list does not know are warnings.',
  },
  create(context) {
    return (target) => {
      if (context.facts.targetType(target) !== REDIS_TYPE) return;
      // The plugin runs a non-empty `query` as a custom command line and ignores `command` (CONTRACTS.md E).
      const query = target.raw.query;
      if (typeof query === 'string' && query.trim() !== '') {
        const v = classifyCommandLine(query);
        if (v.kind === 'write')
          context.report({
            messageId: 'write',
            data: { command: v.command },
            target,
            path: [...target.path, 'query'],
          });
        else if (v.kind === 'unknown') {
          context.report({
            messageId: 'unknown',
            data: { command: v.command || '(empty)' },
            target,
            path: [...target.path, 'query'],
            severity: 'warning',
          });
        }
        return;
      }
      const command = target.raw.command;
      if (typeof command !== 'string' || command === '') {
        // A "-- Dashboard --"-style or hidden target can be empty on purpose; an empty Redis query returns nothing.
        if (target.raw.hide !== true) context.report({ messageId: 'empty', target, severity: 'warning' });
        return;
      }
      const path = [...target.path, 'command'];
      const kind = Object.hasOwn(REDIS_PLUGIN_COMMANDS, command) ? REDIS_PLUGIN_COMMANDS[command] : undefined;
      if (kind === undefined) {
        context.report({ messageId: 'unknownPlugin', data: { command }, target, path, severity: 'warning' });
      } else if (kind === 'write') {
        context.report({
          messageId: 'pluginWrite',
          data: { command, why: 'runs arbitrary code' },
          target,
          path,
        });
      } else if (kind === 'cypher') {
        const cypher = typeof target.raw.cypher === 'string' ? target.raw.cypher : '';
        if (CYPHER_WRITE.test(cypher)) {
          context.report({
            messageId: 'pluginWrite',
            data: { command, why: 'runs a Cypher query that writes' },
            target,
            path: [...target.path, 'cypher'],
          });
        }
      }
    };
  },
});
