// Rolling advertised versions out across a fleet: waves, concurrency, rollback
// and halt of a bad version, Manual approval, and an operator restart mid-way.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { release, type Harness } from '../support/harness.js';
import type { KubeletPolicy } from '../support/kubelet-policy.js';
import { fleetImage as image, startWavedFleet } from '../support/waved-fleet.js';

const NS = 'default';
const MAX = 3;
const waves = [0, 0, 0, ...Array(9).fill(1), ...Array(9).fill(2)] as number[];
const names = waves.map((_, i) => `fleet-${String(i).padStart(2, '0')}`);
let h: Harness;
let kubelet: KubeletPolicy;

const status = (name: string) => h.atom(NS, name)?.status ?? {};
const allAt = (version: string, list = names) =>
  list.every((n) => status(n).currentVersion === version && h.condition(NS, n, 'Ready')?.status === 'True');

beforeAll(async () => {
  ({ h, kubelet } = await startWavedFleet(NS, names, waves, [
    `--fleet-max-concurrent=${MAX}`,
    '--fleet-soak-seconds=1',
    '--fleet-halt-threshold=2',
    '--platform-poll-interval=1s',
    '--workers=4',
  ]));
  for (const name of ['manual-a', 'manual-b']) {
    await h.createRegistrationSecret(NS, `${name}-registration`, { commonName: 'fleet' });
    await h.applyAtom(NS, name, { version: '1.0.0', update: { mode: 'Manual' } });
  }
  await h.waitFor('the fleet installed at 1.0.0', () => allAt('1.0.0', [...names, 'manual-a', 'manual-b']), 60_000);
}, 90_000);

afterAll(async () => {
  kubelet?.stop();
  await h?.stop();
});

describe('a new advertised version', () => {
  it('rolls out wave by wave, at most N at once, never two pods per Atom', async () => {
    kubelet.maxUpdating = 0;
    h.simulator.setRelease('stable', release('1.1.0', 'b'));
    await h.waitFor('the fleet at 1.1.0', () => allAt('1.1.0'), 90_000);
    expect(kubelet.overlaps).toEqual([]);
    expect(kubelet.maxUpdating).toBeGreaterThan(0);
    expect(kubelet.maxUpdating).toBeLessThanOrEqual(MAX);
    const record = (n: string) =>
      (status(n).rolloutHistory as { to: string; startedAt: string; finishedAt?: string }[]).find(
        (r) => r.to === '1.1.0',
      )!;
    for (const wave of [1, 2]) {
      const previousDone = Math.max(
        ...names.filter((_, i) => waves[i] === wave - 1).map((n) => Date.parse(record(n).finishedAt!)),
      );
      const firstStart = Math.min(
        ...names.filter((_, i) => waves[i] === wave).map((n) => Date.parse(record(n).startedAt)),
      );
      expect(firstStart, `wave ${wave} started before wave ${wave - 1} was done`).toBeGreaterThanOrEqual(previousDone);
    }
    for (const n of names) expect(h.pods(NS, n)[0]!.spec!.containers[0]!.image).toBe(image('b'));
  }, 120_000);

  it('leaves Manual Atoms waiting for approval, and updates them once spec.version says so', async () => {
    await h.waitFor('UpdateAvailable', () => h.condition(NS, 'manual-a', 'UpToDate')?.reason === 'UpdateAvailable');
    expect(h.condition(NS, 'manual-a', 'UpToDate')!.message).toContain('set spec.version to 1.1.0');
    expect(status('manual-a').currentVersion).toBe('1.0.0');
    await h.applyAtom(NS, 'manual-a', { version: '1.1.0', update: { mode: 'Manual' } });
    await h.waitFor('manual-a at 1.1.0', () => allAt('1.1.0', ['manual-a']), 30_000);
    expect(h.pods(NS, 'manual-a')[0]!.spec!.containers[0]!.image).toBe(image('b'));
    expect(status('manual-b').currentVersion).toBe('1.0.0');
  }, 60_000);
});

describe('a bad version', () => {
  it('is rolled back on the first Atoms, halts the fleet and leaves the rest untouched', async () => {
    kubelet.badImages.add(image('c'));
    h.simulator.setRelease('stable', release('1.2.0', 'c'));
    const failed = () => names.filter((n) => (status(n).failedVersions ?? []).includes('1.2.0'));
    await h.waitFor(
      'two failures',
      () =>
        failed().length >= 2 &&
        failed().every((n) => status(n).currentVersion === '1.1.0' && h.condition(NS, n, 'Ready')?.status === 'True'),
      60_000,
    );
    await h.waitFor(
      'the halt shown',
      () => names.some((n) => h.condition(NS, n, 'UpToDate')?.reason === 'RolloutHalted'),
      20_000,
    );
    const halted = names.filter((n) => h.condition(NS, n, 'UpToDate')?.reason === 'RolloutHalted');
    await h.waitFor('a RolloutHalted event on each halted Atom', () =>
      halted.every((n) => h.events(NS, n).some((e) => e.type === 'Warning' && e.reason === 'RolloutHalted')),
    );
    expect(await h.operator!.manager.metrics.registry.metrics()).toMatch(
      /atom_operator_rollout_halted\{version="1\.2\.0",scope="cluster"\} 1/,
    );
    await new Promise((r) => setTimeout(r, 1_500));
    const touched = names.filter((n) => (kubelet.imagesRun.get(`${NS}/${n}`) ?? []).includes(image('c')));
    expect(touched.sort()).toEqual(failed().sort());
    expect(touched.length).toBeLessThanOrEqual(MAX);
    for (const n of failed()) {
      expect(h.condition(NS, n, 'Degraded')).toMatchObject({ status: 'True', reason: 'RolledBack' });
      expect(h.events(NS, n).some((e) => e.type === 'Warning' && e.reason === 'RolledBack')).toBe(true);
      expect(h.pods(NS, n)[0]!.spec!.containers[0]!.image).toBe(image('b'));
    }
    for (const n of names.filter((x) => !touched.includes(x))) expect(status(n).currentVersion).toBe('1.1.0');
    expect(kubelet.overlaps).toEqual([]);
  }, 90_000);
});

describe('an operator restart in the middle of a rollout', () => {
  it('resumes where it was, without a duplicate pod', async () => {
    h.simulator.setRelease('stable', release('1.3.0', 'd'));
    await h.waitFor(
      'a rollout under way',
      () =>
        names.some(
          (n) =>
            status(n).rolloutHistory?.at(-1)?.result === 'InProgress' && status(n).rolloutHistory.at(-1).to === '1.3.0',
        ),
      30_000,
    );
    await h.stopOperator();
    await new Promise((r) => setTimeout(r, 300));
    await h.startOperator();
    await h.waitFor('the fleet at 1.3.0', () => allAt('1.3.0'), 90_000);
    expect(kubelet.overlaps).toEqual([]);
    for (const n of names) expect(h.pods(NS, n)).toHaveLength(1);
  }, 120_000);
});
