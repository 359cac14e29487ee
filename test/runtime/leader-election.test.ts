import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LeaderElector, type LeaderElectionOptions } from '../../src/kube/leader-election.js';
import { eventually, startEnv, type Env } from './helpers.js';

let env: Env;
let electors: LeaderElector[];

/** Records who is acting; starting while someone else acts is a split brain. */
class ActingTracker {
  readonly acting = new Set<string>();
  readonly violations: string[] = [];
  readonly history: string[] = [];
  callbacks(identity: string): Pick<LeaderElectionOptions, 'onStartedLeading' | 'onStoppedLeading'> {
    return {
      onStartedLeading: () => {
        if (this.acting.size > 0) this.violations.push(`${identity} started while ${[...this.acting].join(',')} acted`);
        this.acting.add(identity);
        this.history.push(`start ${identity}`);
      },
      onStoppedLeading: () => {
        this.acting.delete(identity);
        this.history.push(`stop ${identity}`);
      },
    };
  }
}

const lease = () =>
  env.sandbox.store.get('leases.coordination.k8s.io', 'default', 'op-leader') as
    | {
        spec: {
          holderIdentity?: string;
          leaseTransitions?: number;
          acquireTime?: string;
          renewTime?: string;
          leaseDurationSeconds?: number;
        };
      }
    | undefined;

function elector(identity: string, tracker: ActingTracker, timing: Partial<LeaderElectionOptions> = {}): LeaderElector {
  const e = new LeaderElector({
    client: env.client,
    namespace: 'default',
    name: 'op-leader',
    identity,
    leaseDurationMs: 2000,
    renewDeadlineMs: 1500,
    retryPeriodMs: 200,
    ...tracker.callbacks(identity),
    ...timing,
  });
  electors.push(e);
  e.start();
  return e;
}

beforeEach(async () => {
  env = await startEnv();
  electors = [];
});

afterEach(async () => {
  env.sandbox.faults.clear();
  await Promise.all(electors.map((e) => e.stop()));
  await env.sandbox.stop();
});

describe('LeaderElector against the sandbox', () => {
  it('elects exactly one of two candidates and records it in the Lease', async () => {
    const tracker = new ActingTracker();
    const a = elector('a', tracker);
    const b = elector('b', tracker);
    await eventually(() => expect(tracker.acting.size).toBe(1));
    const leader = a.isLeader ? a : b;
    expect([a.isLeader, b.isLeader].filter(Boolean)).toHaveLength(1);
    const spec = lease()?.spec;
    expect(spec?.holderIdentity).toBe(leader.identity);
    expect(spec?.leaseDurationSeconds).toBe(2);
    expect(spec?.acquireTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    // The leader keeps renewing; the standby never starts.
    const firstRenew = spec?.renewTime;
    await eventually(() => expect(lease()?.spec.renewTime).not.toBe(firstRenew));
    expect(tracker.violations).toEqual([]);
    expect(tracker.history).toHaveLength(1);
  });

  it('fails over after the leader stops renewing without releasing, never with both acting', async () => {
    const tracker = new ActingTracker();
    const a = elector('a', tracker);
    await eventually(() => expect(a.isLeader).toBe(true));
    const b = elector('b', tracker);
    await eventually(() => expect(b.observedLeader).toBe('a'));
    const transitions = lease()?.spec.leaseTransitions ?? 0;
    const killedAt = Date.now();
    await a.stop({ release: false });
    expect(lease()?.spec.holderIdentity).toBe('a');
    await eventually(() => expect(b.isLeader).toBe(true), 3 * 2000);
    // b had to wait for the lease to expire (a lower bound, so not a timing race).
    expect(Date.now() - killedAt).toBeGreaterThanOrEqual(2000 - 2 * 200);
    expect(lease()?.spec.holderIdentity).toBe('b');
    expect(lease()?.spec.leaseTransitions).toBe(transitions + 1);
    expect(tracker.violations).toEqual([]);
  });

  it('stops acting once renewals fail past the renew deadline, before anyone else may lead', async () => {
    const tracker = new ActingTracker();
    const a = elector('a', tracker);
    await eventually(() => expect(a.isLeader).toBe(true));
    const b = elector('b', tracker);
    await eventually(() => expect(b.observedLeader).toBe('a'));
    env.sandbox.faults.error({ verb: 'update', resource: 'leases', code: 500 });
    await eventually(() => expect(tracker.acting.size).toBe(0), 5000);
    expect(a.isLeader).toBe(false);
    env.sandbox.faults.clear();
    await eventually(() => expect(tracker.acting.size).toBe(1), 3 * 2000);
    expect(tracker.violations).toEqual([]);
  });

  it('hands over at once on graceful release instead of waiting for expiry', async () => {
    const tracker = new ActingTracker();
    const long = { leaseDurationMs: 30_000, renewDeadlineMs: 20_000, retryPeriodMs: 200 };
    const a = elector('a', tracker, long);
    await eventually(() => expect(a.isLeader).toBe(true));
    const b = elector('b', tracker, long);
    await eventually(() => expect(b.observedLeader).toBe('a'));
    await a.stop();
    // Well inside the 30 s lease: only a release explains the takeover.
    await eventually(() => expect(b.isLeader).toBe(true), 10_000);
    expect(tracker.violations).toEqual([]);
    expect(tracker.history).toEqual(['start a', 'stop a', 'start b']);
  });

  it('rejects timings where the renew deadline is not shorter than the lease', () => {
    expect(
      () =>
        new LeaderElector({
          client: env.client,
          namespace: 'default',
          name: 'x',
          identity: 'x',
          leaseDurationMs: 1000,
          renewDeadlineMs: 1000,
        }),
    ).toThrow(/renewDeadline must be shorter/);
  });
});
