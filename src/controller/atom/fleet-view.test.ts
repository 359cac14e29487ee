// The fleet's count of offline restarts in flight: what the cache shows, plus what this process
// decided and the cache does not show yet (two Atoms decided in the same second must not both take
// the last slot).
import { describe, expect, it } from 'vitest';
import type { Atom } from '../../api/atom.js';
import type { KubeObject } from '../../kube/resource.js';
import { atom } from '../../../test/support/fixtures.js';
import { FleetView } from './fleet-view.js';
import type { CacheReader } from './ports.js';

const t0 = new Date('2026-01-01T00:00:00.400Z');
const later = (ms: number) => new Date(t0.getTime() + ms);
const ready = (since: string) => ({
  type: 'Ready',
  status: 'True',
  reason: 'PodReady',
  message: 'x',
  lastTransitionTime: since,
});

function fleetOf(objects: KubeObject[]) {
  const cache: CacheReader = {
    get: () => undefined,
    getByName: () => undefined,
    byIndex: () => [],
    list: () => objects,
  };
  return new FleetView({
    atoms: cache,
    policy: { maxConcurrent: 1, soakSeconds: 0, haltThreshold: 2, scope: 'Cluster' },
    allowCriticalOverride: false,
    releaseOf: () => undefined,
  });
}
const withStatus = (a: Atom, status: Record<string, unknown>): KubeObject => ({ ...a, status }) as KubeObject;

describe('offline restarts in flight', () => {
  it('counts a restart this process decided before the cache shows it', () => {
    const objects = [withStatus(atom('a'), { conditions: [ready('2025-12-31T23:00:00Z')] }), atom('b') as KubeObject];
    const fleet = fleetOf(objects);
    expect(fleet.offlineRestarts(t0)).toEqual({ inFlight: 0, maxConcurrent: 1 });
    fleet.noteOfflineRestart('default/a', t0);
    // Within the reuse period of the last count too: the note drops it.
    expect(fleet.offlineRestarts(later(10))).toEqual({ inFlight: 1, maxConcurrent: 1 });
  });

  it('then goes by the status once it shows the restart, and forgets it when the new pod is Ready', () => {
    const objects: KubeObject[] = [withStatus(atom('a'), { conditions: [ready('2025-12-31T23:00:00Z')] })];
    const fleet = fleetOf(objects);
    fleet.noteOfflineRestart('default/a', t0);
    // The status write arrives: the restart stamp (whole seconds) and the pod not Ready yet.
    objects[0] = withStatus(atom('a'), {
      conditions: [{ ...ready('2026-01-01T00:00:00Z'), status: 'False' }],
      platform: { lastOfflineRestartTime: '2026-01-01T00:00:00Z' },
    });
    expect(fleet.offlineRestarts(later(2_000)).inFlight).toBe(1);
    objects[0] = withStatus(atom('a'), {
      conditions: [ready('2026-01-01T00:00:03Z')],
      platform: { lastOfflineRestartTime: '2026-01-01T00:00:00Z' },
    });
    expect(fleet.offlineRestarts(later(4_000)).inFlight).toBe(0);
  });

  it('does not take an earlier restart in the status for the one just noted', () => {
    const objects = [
      withStatus(atom('a'), {
        conditions: [ready('2025-12-31T23:30:00Z')],
        platform: { lastOfflineRestartTime: '2025-12-31T23:00:00Z' },
      }),
    ];
    const fleet = fleetOf(objects);
    fleet.noteOfflineRestart('default/a', t0);
    expect(fleet.offlineRestarts(later(2_000)).inFlight).toBe(1);
  });
});
