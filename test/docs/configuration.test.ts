// docs/configuration.md is generated from the configuration schema; it must be current, and the
// defaults it shows must be what the operator really uses when a setting is left out.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { configDocPath, configurationDoc, settingDocs } from '../../hack/generate-config-docs.js';
import { configFields, parseConfig } from '../../src/config/load.js';
import { operatorConfigSchema } from '../../src/config/schema.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const valueAt = (root: unknown, path: string): unknown =>
  path
    .split('.')
    .reduce<unknown>(
      (node, key) => (typeof node === 'object' && node !== null ? (node as Record<string, unknown>)[key] : undefined),
      root,
    );
// Count-or-percentage settings keep a flag's digits as a string ("2") where the default is the number 2;
// resolveLimit reads both alike, so the comparison treats them as equal.
const sameMeaning = (value: unknown): unknown =>
  typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
const parse = (argv: string[]) => parseConfig({ argv, env: {}, hostname: () => 'docs', podNamespace: () => 'ns' });

describe('docs/configuration.md', () => {
  it('is what hack/generate-config-docs.ts writes (run `npm run generate` after changing src/config/schema.ts)', () => {
    expect(readFileSync(join(root, configDocPath), 'utf8')).toBe(configurationDoc());
  });

  it('lists every setting with its flag and environment variable', () => {
    const doc = configurationDoc();
    for (const field of configFields()) {
      expect(doc).toContain(`| \`${field.flag}\` | \`${field.env}\``);
      expect(field.description, `${field.path} has no .describe() in the schema`).not.toBe('');
    }
  });

  const settings = settingDocs();
  const withDefault = settings.filter((s) => s.defaultText !== undefined);
  it.each(withDefault.map((s) => [s.flag, s] as const))(
    '%s: giving the documented default changes nothing',
    (_flag, setting) => {
      const implicit = valueAt(parse([]), setting.path);
      const explicit = valueAt(parse([`${setting.flag}=${setting.defaultText ?? ''}`]), setting.path);
      expect(sameMeaning(explicit)).toEqual(sameMeaning(implicit));
    },
  );

  it.each(settings.filter((s) => s.defaultText === undefined).map((s) => [s.flag, s] as const))(
    '%s: documented without default, and has none',
    (_flag, setting) => {
      expect(valueAt(operatorConfigSchema.parse({}), setting.path)).toBeUndefined();
    },
  );

  it('names the choices of enum settings', () => {
    expect(settings.find((s) => s.path === 'logLevel')?.choices).toContain('debug');
    expect(settings.find((s) => s.path === 'fleet.scope')?.choices).toEqual(['Cluster', 'Namespace']);
  });
});
