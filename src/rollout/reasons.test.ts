import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as reasons from './reasons.js';
import { reasonActions, rolloutReasons } from './reasons.js';

const source = readFileSync(new URL('./reasons.ts', import.meta.url), 'utf8');
const constants = (Object.entries(reasons) as [string, unknown][]).filter(
  (entry): entry is [string, string] => typeof entry[1] === 'string',
);

describe('reason constants', () => {
  it.each(constants)('%s is CamelCase, named after itself, listed and has an action', (name, value) => {
    expect(value).toBe(name);
    expect(value).toMatch(/^[A-Z][A-Za-z0-9]*$/);
    expect(rolloutReasons).toContain(value);
    expect(reasonActions[value as reasons.RolloutReason]).toMatch(/\.$/);
  });

  it.each(constants)('%s has a one-line doc comment right above it', (name) => {
    // Reasons the pod step shares are named once, in api/reasons.ts, and re-exported here.
    expect(source).toMatch(new RegExp(`/\\*\\* [^\\n]+ \\*/\\nexport const ${name} = ('${name}'|reasons\\.${name});`));
  });

  it('lists every constant exactly once', () => {
    expect([...rolloutReasons].sort()).toEqual(constants.map(([name]) => name).sort());
    expect(Object.keys(reasonActions).sort()).toEqual([...rolloutReasons].sort());
  });
});
