import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { MINIMUM_NODE, nodeVersionProblem } from './node-version.js';

describe('nodeVersionProblem', () => {
  it.each(['22.19.0', '22.20.1', '23.0.0', '24.21.0', '26.1.0'])('accepts Node.js %s', (version) => {
    expect(nodeVersionProblem(version)).toBeUndefined();
  });

  it.each(['22.18.9', '22.0.0', '20.20.2', '18.19.1'])(
    'refuses Node.js %s in one line saying what to use',
    (version) => {
      const problem = nodeVersionProblem(version);
      expect(problem).toMatch(new RegExp(`^atom-operator: Node\\.js ${version.replaceAll('.', '\\.')} is too old`));
      expect(problem).toContain('22.19 or newer');
      expect(problem).toContain('make run');
      expect(problem).not.toContain('\n');
    },
  );

  it("is the minimum package.json's engines field promises", () => {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
      engines: { node: string };
    };
    expect(pkg.engines.node).toBe(`>=${MINIMUM_NODE.major}.${MINIMUM_NODE.minor}`);
  });
});
