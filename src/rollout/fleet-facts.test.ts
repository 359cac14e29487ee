import { describe, expect, expectTypeOf, it } from 'vitest';
import { parseAtom, type Atom } from '../api/atom.js';
import type { Release } from '../platform/advertisement.js';
import type { VerifiedRelease } from './decision-types.js';
import { atomKey, fleetFactsOf } from './fleet-facts.js';
import { planFleet } from './fleet.js';

const now = new Date('2025-11-24T12:00:00Z');
const release: VerifiedRelease = {
  version: '1.1.0',
  image: 'boomi/atom',
  digest: `sha256:${'a'.repeat(64)}`,
  critical: false,
  publishedAt: '2025-11-20T00:00:00Z',
};

function atom(
  name: string,
  spec: Record<string, unknown> = {},
  status: Record<string, unknown> = {},
  annotations: Record<string, string> = {},
): Atom {
  const parsed = parseAtom({
    apiVersion: 'atomoperator.io/v1alpha1',
    kind: 'Atom',
    metadata: { name, namespace: 'team', annotations },
    spec: { platform: { accountId: 'acme' }, registration: { certificateSecretRef: { name: `${name}-reg` } }, ...spec },
    status,
  });
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
  return parsed.atom;
}

const readySince = (iso: string) => ({
  type: 'Ready',
  status: 'True',
  reason: 'PodReady',
  message: 'ready',
  lastTransitionTime: iso,
});

describe('fleetFactsOf', () => {
  it('reads every fact from the Atom the way the fleet plan expects', () => {
    const facts = fleetFactsOf(
      atom(
        'a',
        { update: { wave: 3 } },
        {
          currentVersion: '1.0.0',
          failedVersions: ['0.9.0'],
          conditions: [readySince('2025-11-24T10:00:00Z')],
          rolloutHistory: [{ to: '1.0.0', startedAt: '2025-11-01T00:00:00Z', result: 'Succeeded' }],
        },
        { 'atomoperator.io/resume-rollout': '1.1.0' },
      ),
      { release, allowCriticalOverride: true, now },
    );
    expect(facts).toEqual({
      key: 'team/a',
      namespace: 'team',
      wave: 3,
      mode: 'Automatic',
      pinned: false,
      currentVersion: '1.0.0',
      targetVersion: '1.1.0',
      updating: false,
      updateStartedAt: undefined,
      healthy: true,
      healthySince: new Date('2025-11-24T10:00:00Z'),
      failedVersions: ['0.9.0'],
      lastRolloutResult: 'Succeeded',
      resumeRollout: '1.1.0',
      readyToStart: true,
    });
  });

  it('an open InProgress record means updating; outside its window an Atom is not ready to start', () => {
    const updating = fleetFactsOf(
      atom(
        'u',
        {},
        {
          currentVersion: '1.0.0',
          rolloutHistory: [{ from: '1.0.0', to: '1.1.0', startedAt: '2025-11-24T11:55:00Z', result: 'InProgress' }],
        },
      ),
      { release, allowCriticalOverride: true, now },
    );
    expect(updating).toMatchObject({
      updating: true,
      updateStartedAt: new Date('2025-11-24T11:55:00Z'),
      healthy: false,
      lastRolloutResult: 'InProgress',
    });
    expect(updating.readyToStart).toBeUndefined();

    const windowed = fleetFactsOf(
      atom(
        'w',
        { update: { windows: [{ days: ['Tue'], start: '02:00', duration: '1h' }] } },
        { currentVersion: '1.0.0' },
      ),
      { release, allowCriticalOverride: true, now },
    );
    expect(windowed.readyToStart).toBe(false);
  });

  it('pinned and Manual Atoms are facts the plan leaves alone', () => {
    const pinned = fleetFactsOf(
      atom('p', { version: '1.0.0', update: { mode: 'Manual' } }, { currentVersion: '1.0.0' }),
      { release, allowCriticalOverride: true, now },
    );
    const plan = planFleet({
      atoms: [pinned],
      policy: { maxConcurrent: 1, soakSeconds: 300, haltThreshold: 2, scope: 'Cluster' },
      version: '1.1.0',
      now,
    });
    expect(pinned).toMatchObject({ pinned: true, mode: 'Manual' });
    expect(plan.allowed.size + plan.waiting.size).toBe(0);
  });

  it('keys Atoms as namespace/name', () => {
    expect(atomKey(atom('x'))).toBe('team/x');
  });

  it("accepts the platform's verified Release as is", () => {
    expectTypeOf<Release>().toExtend<VerifiedRelease>();
  });
});
