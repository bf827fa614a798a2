import { createRule } from '../create-rule.js';
import { REDIS_TYPE } from '../datasources.js';
import { redisCommandAccess } from '../../redis/commands.js';

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
      const decided = redisCommandAccess(target.raw);
      if (!decided) {
        // A "-- Dashboard --"-style or hidden target can be empty on purpose; an empty Redis query returns nothing.
        if (target.raw.hide !== true) context.report({ messageId: 'empty', target, severity: 'warning' });
        return;
      }
      const { command, access } = decided;
      // A graph query without Cypher text sends nothing that could write.
      if (access === 'read' || (access === 'unknown' && decided.cypher)) return;
      if (command.source === 'query') {
        const path = [...target.path, 'query'];
        if (access === 'write')
          context.report({ messageId: 'write', data: { command: command.name }, target, path });
        else
          context.report({
            messageId: 'unknown',
            data: { command: command.name || '(empty)' },
            target,
            path,
            severity: 'warning',
          });
        return;
      }
      const id = command.raw;
      if (!command.known) {
        const path = [...target.path, 'command'];
        context.report({
          messageId: 'unknownPlugin',
          data: { command: id },
          target,
          path,
          severity: 'warning',
        });
      } else if (access === 'write') {
        // Besides the graph queries, the plugin's only writing command is rg.pyexecute (a Python script).
        context.report({
          messageId: 'pluginWrite',
          data: {
            command: id,
            why: decided.cypher ? 'runs a Cypher query that writes' : 'runs arbitrary code',
          },
          target,
          path: [...target.path, decided.cypher ? 'cypher' : 'command'],
        });
      }
    };
  },
});
