import { describe, expect, it } from 'vitest';
import type { Condition } from '../api/atom-status.js';
import { StatusMalformedError, TimeoutError } from '../platform/errors.js';
import type { SelfStatus } from '../platform/self-status.js';
import type { StatusPollResult } from '../platform/status-poller.js';
import { decideConnectivity, type ConnectivityInput } from './connectivity.js';

const NOW = new Date('2026-12-01T12:00:00Z');
const min = 60_000;
const ago = (ms: number) => new Date(NOW.getTime() - ms);
const iso = (ms: number) => ago(ms).toISOString().replace('.000Z', 'Z');

const answer = (status: Partial<SelfStatus> = {}, stalled = false): StatusPollResult => ({
  kind: 'answer',
  checkedAt: NOW,
  status: { atomId: 'atom-1', online: true, lastContactAt: iso(10_000), ...status },
  stalled,
});
const offline = (lastContactMsAgo?: number) =>
  answer(
    lastContactMsAgo === undefined
      ? { online: false, lastContactAt: undefined }
      : { online: false, lastContactAt: iso(lastContactMsAgo) },
  );
const connected = (status: Condition['status'], sinceMsAgo = 0, reason = 'Online'): Condition => ({
  type: 'Connected',
  status,
  reason,
  message: '',
  lastTransitionTime: iso(sinceMsAgo),
});

function input(overrides: Partial<ConnectivityInput> = {}): ConnectivityInput {
  return {
    now: NOW,
    poll: answer(),
    health: { offlineGracePeriod: '5m', restartWhenOffline: false },
    pod: { ready: true, readySince: ago(60 * min) },
    rolloutInProgress: false,
    previous: { connected: connected('True', 60 * min) },
    fleet: { inFlight: 0, maxConcurrent: 1 },
    ...overrides,
  };
}

describe('the Connected condition', () => {
  it.each([
    ['not asked yet', { poll: undefined }, 'Unknown', 'StatusNotChecked', 'not asked the platform'],
    [
      'a platform that does not offer it (404)',
      { poll: { kind: 'not-offered', checkedAt: NOW } },
      'Unknown',
      'StatusNotOffered',
      'asks again hourly',
    ],
    [
      'a platform that times out',
      { poll: { kind: 'error', checkedAt: NOW, error: new TimeoutError('no headers within 15000 ms.') } },
      'Unknown',
      'Timeout',
      'failed: no headers within 15000 ms.',
    ],
    [
      'a malformed answer',
      { poll: { kind: 'error', checkedAt: NOW, error: new StatusMalformedError('not JSON') } },
      'Unknown',
      'StatusMalformed',
      'not JSON',
    ],
    ['a recent contact', {}, 'True', 'Online', 'hears from the Atom.'],
    [
      'an online Atom without lastContactAt',
      { poll: answer({ lastContactAt: undefined }) },
      'True',
      'Online',
      'hears from the Atom.',
    ],
    [
      'a platform clock ahead of ours',
      { poll: answer({ lastContactAt: '2026-12-01T12:03:00Z' }) },
      'True',
      'Online',
      'hears',
    ],
    [
      'a contact older than the grace period',
      { poll: answer({ lastContactAt: iso(10 * min) }) },
      'False',
      'ContactOverdue',
      'last heard from it at 2026-12-01T11:50:00Z, longer ago than spec.health.offlineGracePeriod (5m)',
    ],
    [
      'a longer grace period',
      {
        poll: answer({ lastContactAt: iso(10 * min) }),
        health: { offlineGracePeriod: '1h', restartWhenOffline: false },
      },
      'True',
      'Online',
      'hears',
    ],
    [
      'the platform reporting it offline',
      { poll: offline(2 * min) },
      'False',
      'ReportedOffline',
      'last heard from it at 2026-12-01T11:58:00Z',
    ],
    [
      'an Atom the platform never heard from',
      { poll: offline() },
      'False',
      'ReportedOffline',
      'has never heard from it',
    ],
  ] as const)('%s: %s %s', (_case, overrides, status, reason, says) => {
    const decision = decideConnectivity(input(overrides as Partial<ConnectivityInput>));
    expect(decision.connected).toMatchObject({ type: 'Connected', status, reason });
    expect(decision.connected.message).toContain(says);
  });

  it('drops what the platform said before once it stops offering it, quietly', () => {
    const decision = decideConnectivity(
      input({
        poll: { kind: 'not-offered', checkedAt: NOW },
        previous: { connected: connected('Unknown'), platform: { atomId: 'atom-1' } },
      }),
    );
    expect(decision.platform).toBeUndefined();
    expect(decision.events).toEqual([]);
    expect(decision.requeueAfterMs).toBeUndefined();
  });

  it('keeps status.platform through a failed poll and before the first one', () => {
    const platform = { atomId: 'atom-1', lastContactAt: iso(min), runningVersion: '5.0.2' };
    const error = { kind: 'error', checkedAt: NOW, error: new TimeoutError('slow') } as const;
    expect(decideConnectivity(input({ poll: error, previous: { platform } })).platform).toEqual(platform);
    expect(decideConnectivity(input({ poll: undefined, previous: { platform } })).platform).toEqual(platform);
  });
});

describe('status.platform', () => {
  it('shows the answer', () => {
    expect(decideConnectivity(input({ poll: answer({ runningVersion: '5.0.2' }) })).platform).toEqual({
      atomId: 'atom-1',
      lastContactAt: '2026-12-01T11:59:50Z',
      runningVersion: '5.0.2',
    });
  });

  it.each([
    ['keeps a contact less than an hour older while Connected stays True', 'True', 50 * min, iso(50 * min)],
    ['moves a contact older than an hour', 'True', 61 * min, iso(10_000)],
    ['moves the contact when Connected changes', 'False', 10 * min, iso(10_000)],
  ] as const)('%s', (_case, before, keptMsAgo, shown) => {
    const previous = {
      connected: connected(before, 2 * 60 * min),
      platform: { atomId: 'atom-1', lastContactAt: iso(keptMsAgo) },
    };
    expect(decideConnectivity(input({ previous })).platform?.lastContactAt).toBe(shown);
  });
});

describe('offline beyond the grace period while the pod is Ready', () => {
  it.each([
    ['offline for 10m, Ready for an hour', { poll: offline(10 * min) }, true, undefined],
    ['offline for 2m: not yet', { poll: offline(2 * min) }, false, 3 * min],
    [
      'offline for an hour, but Ready only for 1m: the new pod gets the whole grace period',
      { poll: offline(60 * min), pod: { ready: true, readySince: ago(min) } },
      false,
      4 * min,
    ],
    [
      'offline while the pod is not Ready: not this failure',
      { poll: offline(60 * min), pod: { ready: false } },
      false,
      undefined,
    ],
    [
      'never heard from, Connected False for 10m',
      { poll: offline(), previous: { connected: connected('False', 10 * min, 'ReportedOffline') } },
      true,
      undefined,
    ],
    ['never heard from, Connected True until now', { poll: offline() }, false, 5 * min],
    ['contact overdue by the same grace period', { poll: answer({ lastContactAt: iso(6 * min) }) }, true, undefined],
  ] as const)('%s', (_case, overrides, isDegraded, requeueAfterMs) => {
    const decision = decideConnectivity(input(overrides as Partial<ConnectivityInput>));
    expect(decision.degraded?.reason).toBe(isDegraded ? 'AtomOffline' : undefined);
    expect(decision.offline).toBe(isDegraded);
    expect(decision.requeueAfterMs).toBe(requeueAfterMs);
  });

  it('says how long, against which setting, and what to check', () => {
    const { degraded } = decideConnectivity(input({ poll: offline(10 * min) }));
    expect(degraded?.message).toContain(
      'has not heard from the Atom since 2026-12-01T11:50:00Z, longer than spec.health.offlineGracePeriod (5m)',
    );
    expect(degraded?.message).toContain('egress to the platform');
  });
});

describe('events come from condition changes', () => {
  const reasons = (overrides: Partial<ConnectivityInput>) =>
    decideConnectivity(input(overrides)).events.map((e) => `${e.type} ${e.reason}`);

  it.each([
    ['True -> False', { poll: offline(min) }, ['Warning ReportedOffline']],
    [
      'True -> False beyond the grace period',
      { poll: offline(10 * min) },
      ['Warning ReportedOffline', 'Warning AtomOffline'],
    ],
    ['Unknown -> False (a starting Atom)', { poll: offline(), previous: { connected: connected('Unknown') } }, []],
    [
      'False -> False, already Degraded for it',
      {
        poll: offline(10 * min),
        previous: {
          connected: connected('False', 10 * min),
          degraded: { ...connected('True'), type: 'Degraded', reason: 'AtomOffline' },
        },
      },
      [],
    ],
    [
      'False -> False, Degraded just now',
      { poll: offline(10 * min), previous: { connected: connected('False', 10 * min) } },
      ['Warning AtomOffline'],
    ],
    ['False -> True', { previous: { connected: connected('False', min) } }, ['Normal Reconnected']],
    ['True -> True', {}, []],
    ['True -> Unknown', { poll: { kind: 'not-offered', checkedAt: NOW } }, []],
  ] as const)('%s', (_case, overrides, expected) => {
    expect(reasons(overrides as Partial<ConnectivityInput>)).toEqual(expected);
  });

  it('says after how many offline restarts the Atom came back', () => {
    const previous = {
      connected: connected('False', min),
      platform: { offlineRestarts: 2, lastOfflineRestartTime: iso(min) },
    };
    const decision = decideConnectivity(input({ previous }));
    expect(decision.events[0]?.message).toBe('The platform hears from the Atom again after 2 offline restarts.');
    // Connected again: the restart memory starts over.
    expect(decision.platform).toEqual({ atomId: 'atom-1', lastContactAt: '2026-12-01T11:59:50Z' });
  });
});

describe('the runningVersion the platform reports', () => {
  it.each([
    ['differs from the rolled-out version', { expectedVersion: '5.0.2' }, true],
    ['differs during a rollout', { expectedVersion: '5.0.2', rolloutInProgress: true }, false],
    ['equals it', { expectedVersion: '5.0.3' }, false],
    ['with no version rolled out yet', {}, false],
  ] as const)('%s', (_case, overrides, noted) => {
    const decision = decideConnectivity(input({ poll: answer({ runningVersion: '5.0.3' }), ...overrides }));
    expect(decision.versionMismatch !== undefined).toBe(noted);
    expect(decision.connected.message.includes('runs 5.0.3, but the operator rolled out 5.0.2')).toBe(noted);
  });
});

describe('when the platform clock says nothing new', () => {
  it('requeues an online Atom whose contact stopped moving for when it would be overdue', () => {
    expect(decideConnectivity(input({ poll: answer({ lastContactAt: iso(min) }, true) })).requeueAfterMs).toBe(
      4 * min + 1000,
    );
    expect(
      decideConnectivity(input({ poll: answer({ lastContactAt: iso(min) }, false) })).requeueAfterMs,
    ).toBeUndefined();
  });
});

describe('a later reconcile with nothing new', () => {
  it.each([
    ['online', answer()],
    ['offline beyond the grace period', offline(10 * min)],
    ['contact overdue', answer({ lastContactAt: iso(10 * min) })],
  ])('%s: writes the same condition messages (no status write just because time passed)', (_case, poll) => {
    const previous = {
      connected: connected('False', 30 * min),
      platform: { offlineRestarts: 1, lastOfflineRestartTime: iso(min) },
    };
    const health = { offlineGracePeriod: '5m', restartWhenOffline: true };
    const first = decideConnectivity(input({ poll, previous, health }));
    const later = decideConnectivity(input({ poll, previous, health, now: new Date(NOW.getTime() + 3 * min) }));
    expect(later.connected).toEqual(first.connected);
    expect(later.degraded).toEqual(first.degraded);
  });
});
