import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { configSchema } from '../../../src/config/schema.js';

describe('schemas/dashboard-ci.schema.json', () => {
  it('is the schema the config loader validates with (npm run build writes it)', () => {
    const published: unknown = JSON.parse(
      readFileSync(new URL('../../../schemas/dashboard-ci.schema.json', import.meta.url), 'utf8'),
    );
    expect(published).toEqual(JSON.parse(JSON.stringify(configSchema)));
  });

  it('is named in dashboard-ci.yml for editors (yaml-language-server)', () => {
    const yml = readFileSync(new URL('../../../dashboard-ci.yml', import.meta.url), 'utf8');
    expect(yml.split('\n')[0]).toBe('# yaml-language-server: $schema=./schemas/dashboard-ci.schema.json');
  });
});
