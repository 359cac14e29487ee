// spec.health.restartWhenOffline against the running operator, the sandbox and the platform
// simulator (issue 16): a Ready pod whose Atom the platform reports offline is replaced once per
// grace period with a backoff, and never while a rollout replaces it.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { release, useHarness } from '../support/harness.js';

const NS = 'default';
const ctx = useHarness({
  // Pods take a second to become Ready, so a restart stays in flight long enough to be seen.
  sandbox: { podStartDelayMs: 1_000 },
  operatorArgs: ['--platform-status-poll-interval=1s', '--platform-poll-interval=1s', '--fleet-soak-seconds=1'],
});
// The common name harness.readyAtom gives the registration certificate it issues.
const cn = (name: string) => `${NS}.${name}-registration`;
const platform = (name: string) => ctx.h.atom(NS, name)?.status?.platform ?? {};
const eventsOf = (name: string, reason: string) => ctx.h.events(NS, name).filter((e) => e.reason === reason);

/** Watches one Atom's pods: every uid in the order seen, and the most pods seen at once. */
function watchPods(name: string) {
  const uids: string[] = [];
  let most = 0;
  const sample = () => {
    const pods = ctx.h.pods(NS, name);
    most = Math.max(most, pods.length);
    for (const p of pods) if (p.metadata?.uid && !uids.includes(p.metadata.uid)) uids.push(p.metadata.uid);
  };
  sample();
  const timer = setInterval(sample, 10);
  return {
    uids,
    get most() {
      return most;
    },
    stop: () => clearInterval(timer),
  };
}

let watch: ReturnType<typeof watchPods> | undefined;
beforeEach(() => {
  watch = undefined;
});
afterEach(() => watch?.stop());

describe('an Atom that stays offline with restartWhenOffline', () => {
  it('has its pod replaced once, then again only after the backoff, one pod at a time', async () => {
    const name = 'restarter';
    await ctx.h.readyAtom(NS, name, { health: { offlineGracePeriod: '3s', restartWhenOffline: true } });
    await ctx.h.waitFor('Connected=True', () => ctx.h.condition(NS, name, 'Connected')?.status === 'True');
    watch = watchPods(name);
    ctx.h.simulator.setSelfStatus(cn(name), { answer: 'offline' });

    await ctx.h.waitFor(
      'the first offline restart',
      () => platform(name).offlineRestarts === 1 && watch!.uids.length === 2,
    );
    await ctx.h.waitFor('an OfflineRestart event', () => eventsOf(name, 'OfflineRestart').length > 0);
    const [restart] = eventsOf(name, 'OfflineRestart');
    expect(restart).toMatchObject({ type: 'Warning' });
    expect(restart!.message).toContain('offline restart 1');
    expect(restart!.message).toContain('spec.health.restartWhenOffline is true');
    expect(platform(name).lastOfflineRestartTime).toBeDefined();
    expect(await ctx.h.operator!.manager.metrics.registry.metrics()).toMatch(
      /atom_operator_offline_restarts_total\{atom_namespace="default",atom="restarter"\} 1\n/,
    );

    // The new pod gets a whole grace period (3s) to connect; after the first restart the backoff is
    // the grace period too.
    await ctx.h.waitFor('the second offline restart', () => platform(name).offlineRestarts === 2, 20_000);
    await ctx.h.waitFor('the pod after the second restart', () => watch!.uids.length === 3);
    // After the second restart the backoff (6s, from a stamp in whole seconds) outlasts the new
    // pod's start (1s) and grace period (3s): Degraded says so, and the pod stays.
    await ctx.h.waitFor('the backoff shown', () =>
      ctx.h.condition(NS, name, 'Degraded')?.message.includes('after 2 restarts the next waits until'),
    );
    expect(ctx.h.condition(NS, name, 'Degraded')).toMatchObject({ status: 'True', reason: 'AtomOffline' });
    expect(ctx.h.condition(NS, name, 'Ready')?.status).toBe('True');
    expect(watch.uids).toHaveLength(3);
    expect(platform(name).offlineRestarts).toBe(2);
    expect(eventsOf(name, 'OfflineRestart').reduce((n, e) => n + (e.count ?? 1), 0)).toBe(2);
    expect(watch.most).toBe(1);

    // Back online: the memory of restarts goes, and the event says how many it took.
    ctx.h.simulator.setSelfStatus(cn(name), { answer: 'online' });
    await ctx.h.waitFor('Reconnected', () =>
      eventsOf(name, 'Reconnected').some((e) => e.message.includes('after 2 offline restarts')),
    );
    await ctx.h.waitFor('the restart memory cleared', () => platform(name).offlineRestarts === undefined);
    expect(ctx.h.condition(NS, name, 'Degraded')?.status).toBe('False');
  }, 40_000);
});

describe('an offline Atom while a rollout replaces its pod', () => {
  it('is not restarted for being offline until the rollout is done', async () => {
    const name = 'rolling';
    const update = { channel: 'rolling', mode: 'Manual' };
    const health = { offlineGracePeriod: '2s' };
    ctx.h.simulator.setRelease('rolling', release('6.0.0', '6'));
    ctx.h.simulator.setSelfStatus(cn(name), { answer: 'offline' });
    await ctx.h.readyAtom(NS, name, { version: '6.0.0', update, health });
    await ctx.h.waitFor('Degraded AtomOffline', () => ctx.h.condition(NS, name, 'Degraded')?.reason === 'AtomOffline');
    expect(ctx.h.atom(NS, name).status.currentVersion).toBe('6.0.0');
    ctx.h.simulator.setRelease('rolling', release('6.1.0', '7'));
    await ctx.h.waitFor('6.1.0 available', () => ctx.h.condition(NS, name, 'UpToDate')?.reason === 'UpdateAvailable');
    watch = watchPods(name);

    // One write makes both due: the rollout of 6.1.0 and an offline restart of the Degraded pod.
    await ctx.h.applyAtom(NS, name, {
      version: '6.1.0',
      update,
      health: { ...health, restartWhenOffline: true },
    });
    await ctx.h.waitFor(
      'the rollout done',
      () =>
        ctx.h.atom(NS, name).status.currentVersion === '6.1.0' && ctx.h.condition(NS, name, 'Ready')?.status === 'True',
    );
    expect(watch.uids).toHaveLength(2);
    expect(ctx.h.pods(NS, name)[0]!.spec!.containers[0]!.image).toBe(`boomi/atom@sha256:${'7'.repeat(64)}`);
    expect(eventsOf(name, 'OfflineRestart')).toEqual([]);
    expect(platform(name).offlineRestarts).toBeUndefined();

    // Once the new pod has been Ready and offline for a grace period, the restart comes.
    await ctx.h.waitFor('the offline restart after the rollout', () => platform(name).offlineRestarts === 1);
    await ctx.h.waitFor('its pod', () => watch!.uids.length === 3);
    expect(ctx.h.pods(NS, name)[0]!.spec!.containers[0]!.image).toBe(`boomi/atom@sha256:${'7'.repeat(64)}`);
    expect(watch.most).toBe(1);
  }, 40_000);
});

describe('several Atoms offline at once', () => {
  it('have their pods restarted no more at once than the fleet allows (1)', async () => {
    const names = ['herd-a', 'herd-b', 'herd-c'];
    const health = { offlineGracePeriod: '2s', restartWhenOffline: true };
    for (const name of names) await ctx.h.readyAtom(NS, name, { health });
    const firstUid = new Map(names.map((n) => [n, ctx.h.pods(NS, n)[0]?.metadata?.uid]));
    const restarted = (n: string) => ctx.h.pods(NS, n).some((p) => p.metadata?.uid !== firstUid.get(n));
    // In flight: its first pod gone or going, and no new pod Ready yet.
    const inFlight = () =>
      names.filter((n) => {
        const pods = ctx.h.pods(NS, n);
        const replacing = pods.length === 0 || pods.some((p) => p.metadata?.deletionTimestamp) || restarted(n);
        const readyNew = pods.some(
          (p) =>
            p.metadata?.uid !== firstUid.get(n) &&
            p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'),
        );
        return replacing && !readyNew;
      });
    let most: string[] = [];
    const timer = setInterval(() => {
      const now = inFlight();
      if (now.length > most.length) most = now;
    }, 10);
    try {
      for (const name of names) ctx.h.simulator.setSelfStatus(cn(name), { answer: 'offline' });
      const [first] = await ctx.h.waitFor('one restart', () => {
        const done = names.filter((n) => platform(n).offlineRestarts === 1);
        return done.length > 0 ? done : undefined;
      });
      // The others wait for the slot, and say so.
      const others = names.filter((n) => n !== first);
      await ctx.h.waitFor('the others waiting for the fleet', () =>
        others.every((n) =>
          ctx.h.condition(NS, n, 'Degraded')?.message.includes('1 offline restart in flight, as many as it allows'),
        ),
      );
      await ctx.h.waitFor('the first restart done', () => restarted(first!) && inFlight().length === 0);
      expect(others.filter(restarted)).toEqual([]);
    } finally {
      clearInterval(timer);
      for (const name of names) ctx.h.simulator.setSelfStatus(cn(name), { answer: 'online' });
    }
    expect(most).toHaveLength(1);
  }, 30_000);
});
