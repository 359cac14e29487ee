// `helm lint`, plain and --strict, passes for every values scenario we support.
import { describe, expect, it } from 'vitest';
import { chartDir, helmWithValues, scenarioList } from './helm.js';

describe.each(scenarioList)('helm lint with %s values', (_name, values) => {
  it.each([[[]], [['--strict']]])('passes with flags %j', (flags: string[]) => {
    const r = helmWithValues(['lint', chartDir, ...flags], values);
    expect(r.stdout + r.stderr).toContain('1 chart(s) linted, 0 chart(s) failed');
    expect(r.stdout).not.toMatch(/\[(WARNING|ERROR)\]/);
    expect(r.status).toBe(0);
  });
});

it('helm lint --strict fails on a misspelled value', () => {
  const r = helmWithValues(['lint', chartDir, '--strict'], { replicaCont: 3 });
  expect(r.status).not.toBe(0);
  expect(r.stdout + r.stderr).toMatch(/replicaCont/);
});
