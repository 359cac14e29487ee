import { describe, expect, it } from 'vitest';
import type { Condition } from '../api/atom-status.js';
import { decideConnectivity, type ConnectivityInput } from './connectivity.js';
import { offlineRestartBackoffMs, offlineRestartInFlight } from './offline-restart.js';

const NOW = new Date('2026-12-01T12:00:00Z');
const min = 60_000;
const iso = (msAgo: number) => new Date(NOW.getTime() - msAgo).toISOString().replace('.000Z', 'Z');
const wasFalse: Condition = {
  type: 'Connected',
  status: 'False',
  reason: 'ReportedOffline',
  message: '',
  lastTransitionTime: iso(30 * min),
};

/** An Atom whose Ready pod the platform has not heard from for 20 minutes, restartWhenOffline on. */
function offlineAtom(overrides: Partial<ConnectivityInput> = {}): ConnectivityInput {
  return {
    now: NOW,
    poll: {
      kind: 'answer',
      checkedAt: NOW,
      status: { atomId: 'a', online: false, lastContactAt: iso(20 * min) },
      stalled: true,
    },
    health: { offlineGracePeriod: '5m', restartWhenOffline: true },
    pod: { ready: true, readySince: new Date(NOW.getTime() - 60 * min) },
    rolloutInProgress: false,
    previous: { connected: wasFalse },
    fleet: { inFlight: 0, maxConcurrent: 1 },
    ...overrides,
  };
}
const memory = (restarts: number, lastMsAgo: number) => ({
  previous: { connected: wasFalse, platform: { offlineRestarts: restarts, lastOfflineRestartTime: iso(lastMsAgo) } },
});

describe('restartWhenOffline', () => {
  it('replaces the pod once, remembers it in status.platform and says why in an event', () => {
    const decision = decideConnectivity(offlineAtom());
    expect(decision.replacePod?.reason).toBe('OfflineRestart');
    expect(decision.replacePod?.message).toContain('offline restart 1');
    expect(decision.platform).toMatchObject({ offlineRestarts: 1, lastOfflineRestartTime: '2026-12-01T12:00:00Z' });
    expect(decision.events.map((e) => e.reason)).toContain('OfflineRestart');
  });

  it.each([
    ['turned off', { health: { offlineGracePeriod: '5m', restartWhenOffline: false } }, undefined, undefined],
    ['during a rollout', { rolloutInProgress: true }, 'no restart while a rollout is in progress', undefined],
    [
      'with the fleet at its limit',
      { fleet: { inFlight: 1, maxConcurrent: 1 } },
      'the fleet already has 1 offline restart in flight, as many as it allows at once (1)',
      30_000,
    ],
    [
      '1 restart 3m ago: backoff of one grace period',
      memory(1, 3 * min),
      'after 1 restart the next waits until 2026-12-01T12:02:00Z (backoff)',
      2 * min,
    ],
    [
      '2 restarts 7m ago: backoff of two grace periods',
      memory(2, 7 * min),
      'after 2 restarts the next waits until 2026-12-01T12:03:00Z (backoff)',
      3 * min,
    ],
  ] as const)('does not replace it %s', (_case, overrides, why, requeueAfterMs) => {
    const decision = decideConnectivity(offlineAtom(overrides as Partial<ConnectivityInput>));
    expect(decision.replacePod).toBeUndefined();
    expect(decision.degraded?.reason).toBe('AtomOffline');
    if (why) expect(decision.degraded?.message).toContain(`Not restarting the pod: ${why}.`);
    expect(decision.requeueAfterMs).toBe(requeueAfterMs);
  });

  it('replaces it again once the backoff has passed, counting on', () => {
    const decision = decideConnectivity(offlineAtom(memory(2, 11 * min)));
    expect(decision.replacePod?.message).toContain('offline restart 3');
    expect(decision.platform?.offlineRestarts).toBe(3);
  });

  it('never replaces a pod that is not Ready or not yet offline for the grace period', () => {
    expect(decideConnectivity(offlineAtom({ pod: { ready: false } })).replacePod).toBeUndefined();
    expect(
      decideConnectivity(offlineAtom({ pod: { ready: true, readySince: new Date(NOW.getTime() - min) } })).replacePod,
    ).toBeUndefined();
  });

  it('backs off by the grace period, doubling, up to six hours', () => {
    expect([1, 2, 3, 4, 20].map((n) => offlineRestartBackoffMs(n, 5 * min) / min)).toEqual([5, 10, 20, 40, 360]);
    expect(offlineRestartBackoffMs(3, 24 * 60 * min)).toBe(24 * 60 * min);
  });

  it.each([
    ['no offline restart', undefined, { ready: false }, false],
    ['replaced, new pod not Ready', iso(min), { ready: false }, true],
    ['replaced, new pod Ready since', iso(2 * min), { ready: true, readySince: new Date(NOW.getTime() - min) }, false],
    [
      'replaced after the pod became Ready (old pod still there)',
      iso(min),
      { ready: true, readySince: new Date(NOW.getTime() - 2 * min) },
      true,
    ],
  ] as const)('counts against the fleet limit: %s', (_case, last, pod, inFlight) => {
    expect(offlineRestartInFlight(last, pod)).toBe(inFlight);
  });
});
