// V8 must collect garbage before the kernel kills the container for passing its memory limit:
// the chart sets NODE_OPTIONS=--max-old-space-size from resources.limits.memory (heap.percentOfMemoryLimit
// of it), or from an explicit heap.maxOldSpaceSizeMiB, and sets nothing without a limit.
import { describe, expect, it } from 'vitest';
import { chartDir, helmWithValues, only, render, type Manifest } from './helm.js';

const MiB = 1024 * 1024;
const units: Record<string, number> = {
  '': 1,
  k: 1e3,
  Ki: 1024,
  M: 1e6,
  Mi: MiB,
  G: 1e9,
  Gi: 1024 * MiB,
  T: 1e12,
  Ti: 1024 * 1024 * MiB,
};

/** The same arithmetic, done independently of the template: whole MiB, rounded down. */
function expectedFlag(limit: string | number, percent: number): string {
  const [, number = '', unit = ''] = /^([0-9.]+)([A-Za-z]*)$/.exec(String(limit)) ?? [];
  const bytes = Number(number) * (units[unit] ?? Number.NaN);
  return `--max-old-space-size=${Math.floor((bytes / MiB) * (percent / 100))}`;
}

function nodeOptions(objects: Manifest[]): string | undefined {
  const d = only(objects, 'Deployment') as unknown as {
    spec: { template: { spec: { containers: { env: { name: string; value?: string }[] }[] } } };
  };
  const env = d.spec.template.spec.containers[0]?.env ?? [];
  const found = env.filter((e) => e.name === 'NODE_OPTIONS');
  expect(found.length).toBeLessThanOrEqual(1);
  return found[0]?.value;
}

const withLimit = (memory: string | number | undefined, heap: Record<string, unknown> = {}) => ({
  // null removes the chart's default limit (Helm merges values maps key by key).
  resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { memory: memory ?? null } },
  heap,
});

describe('the heap limit follows the container memory limit', () => {
  it.each([
    ['512Mi', 60],
    ['1Gi', 60],
    ['1.5Gi', 60],
    ['2G', 60],
    ['750M', 75],
    ['1048576Ki', 50],
    ['536870912', 60],
    [805306368, 60],
  ])('limit %s at %i%%', (limit, percent) => {
    const flag = nodeOptions(render(withLimit(limit, { percentOfMemoryLimit: percent })));
    expect(flag).toBe(expectedFlag(limit, percent));
  });

  it('pins the figures for the default limit (768Mi at 60%: 460 MiB) and for 512Mi (307 MiB)', () => {
    expect(nodeOptions(render({}))).toBe('--max-old-space-size=460');
    expect(nodeOptions(render(withLimit('512Mi')))).toBe('--max-old-space-size=307');
  });

  it('sets no flag without a memory limit, or with the percentage at 0', () => {
    expect(nodeOptions(render(withLimit(undefined)))).toBeUndefined();
    expect(nodeOptions(render(withLimit('1Gi', { percentOfMemoryLimit: 0 })))).toBeUndefined();
  });

  it('takes an explicit size over the percentage, with or without a limit', () => {
    expect(nodeOptions(render(withLimit('1Gi', { maxOldSpaceSizeMiB: 700 })))).toBe('--max-old-space-size=700');
    expect(nodeOptions(render(withLimit(undefined, { maxOldSpaceSizeMiB: 300 })))).toBe('--max-old-space-size=300');
  });

  it('refuses a memory limit it cannot size the heap from, saying which', () => {
    // Kubernetes accepts milli-bytes; nobody means them for memory, and the heap would be sized wrong.
    const r = helmWithValues(['template', 'ops', chartDir], withLimit('512m'));
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/resources.limits.memory "512m"/);
  });

  it('refuses a percentage that leaves nothing outside the heap', () => {
    const r = helmWithValues(['template', 'ops', chartDir], withLimit('1Gi', { percentOfMemoryLimit: 95 }));
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/percentOfMemoryLimit/);
  });

  it('refuses a NODE_OPTIONS of its own in operator.extraEnv while the chart sets one, and takes it when the chart does not', () => {
    const extraEnv = [{ name: 'NODE_OPTIONS', value: '--max-old-space-size=4096' }];
    const r = helmWithValues(['template', 'ops', chartDir], { operator: { extraEnv } });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/operator.extraEnv sets NODE_OPTIONS/);
    expect(nodeOptions(render({ operator: { extraEnv }, heap: { percentOfMemoryLimit: 0 } }))).toBe(
      '--max-old-space-size=4096',
    );
  });
});
