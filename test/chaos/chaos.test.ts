// Chaos: a fleet of Atoms run by two operator processes under leader election
// while the API server fails requests (5xx/429), drops, stalls and expires (410)
// watches and adds latency, the leader is SIGKILLed (also mid-rollout), and the platform
// advertises new releases, a forged one and an unsigned one. After the faults
// stop, every Atom must converge; during the whole run no Atom may have two pods,
// no pod may run an image that was not advertised with a valid signature, and no
// Atom may be lost. Replay a run with CHAOS_SEED=<seed printed below>.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { watchFleetInvariants, type FleetInvariants } from '../support/fleet-invariants.js';
import { spawnOperator, type OperatorProcess } from '../support/operator-process.js';
import { seedFromEnv, seededRandom } from '../support/seeded-random.js';
import {
  CHANNEL,
  atomState,
  convergenceGaps,
  fleetOperatorArgs,
  imageOf,
  leaseHolder,
  releaseOf,
  startChaosFleet,
  type ChaosFleet,
} from './chaos-fleet.js';

const SIZE = Number(process.env.CHAOS_ATOMS ?? 200);
const CHAOS_MS = Number(process.env.CHAOS_SECONDS ?? 60) * 1000;
const seed = seedFromEnv('CHAOS_SEED');
const rng = seededRandom(seed);
const IDS = ['a', 'b'] as const;
type Id = (typeof IDS)[number];

let fleet: ChaosFleet;
let invariants: FleetInvariants;
const replicas = new Map<Id, OperatorProcess>();
const journal: string[] = [];
const started = Date.now();
const note = (line: string) => journal.push(`${((Date.now() - started) / 1000).toFixed(1)}s ${line}`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function operatorArgs(): string[] {
  return [
    '--leader-election-enabled=true',
    '--leader-election-namespace=default',
    '--leader-election-lease-duration=8s',
    '--leader-election-renew-deadline=6s',
    '--leader-election-retry-period=2s',
    ...fleetOperatorArgs(fleet),
    '--workers=4',
    '--resync-period=30s',
    '--shutdown-timeout=2s',
    '--fleet-max-concurrent=25%',
    '--fleet-soak-seconds=0',
    '--fleet-halt-threshold=50%',
  ];
}

function start(id: Id): void {
  replicas.set(id, spawnOperator({ kubeconfigPath: fleet.sandbox.kubeconfigPath, identity: id, args: operatorArgs() }));
  note(`started replica ${id}`);
}

async function kill(id: Id, why: string): Promise<void> {
  const replica = replicas.get(id);
  if (!replica?.running()) return;
  note(`SIGKILL replica ${id} (${why})`);
  await replica.kill('SIGKILL');
}

/** Plays the part of the kubelet: a replica that exited on its own (lost its lease) comes back. */
function restartExited(): void {
  for (const id of IDS) {
    const replica = replicas.get(id);
    if (replica && !replica.running()) {
      note(
        `replica ${id} had exited (${String(replica.output().split('\n').filter(Boolean).at(-1) ?? '').slice(0, 160)})`,
      );
      start(id);
    }
  }
}

/** Publishes a release signed with `key` (the trusted one, another one, or none). */
function advertise(version: string, c: string, key: 'trusted' | 'forged' | 'unsigned'): void {
  // Trusted first: the operator may act on it as soon as it is served.
  if (key === 'trusted') invariants.trust(imageOf(c));
  fleet.simulator.signWith(
    key === 'trusted' ? fleet.simulator.releaseKeys.privateKeyPem : key === 'forged' ? fleet.forgerKeyPem : null,
  );
  fleet.simulator.setRelease(CHANNEL, releaseOf(version, c));
  note(`advertised ${version} (${key})`);
}

const rollingTo = (version: string) =>
  (
    fleet.sandbox.store.list('atoms.atomoperator.io') as {
      status?: { rolloutHistory?: { to: string; result: string }[] };
    }[]
  ).some(
    (a) => a.status?.rolloutHistory?.at(-1)?.to === version && a.status.rolloutHistory.at(-1)?.result === 'InProgress',
  );

// A takeover waits for the lease to expire (8s): kills closer together than about twice that
// would leave the fleet without a leader most of the run, and prove nothing more.
const KILL_COOLDOWN_MS = 15_000;
let lastKillAt = 0;

async function randomFault(): Promise<void> {
  const { faults } = fleet.sandbox;
  let choice = rng.int(0, 7);
  if (choice >= 4 && Date.now() - lastKillAt < KILL_COOLDOWN_MS) choice = rng.int(0, 3);
  if (choice >= 4) lastKillAt = Date.now();
  switch (choice) {
    case 0:
      note('dropped all watches');
      faults.dropWatches();
      break;
    case 1:
      note('forced 410 Gone on the next watch resumes, dropped watches');
      faults.forceGone();
      faults.dropWatches();
      break;
    case 2: {
      // Spikes add up while several are unused, so each is short-lived.
      const ms = rng.int(200, 1000);
      const times = rng.int(20, 80);
      note(`latency spike ${ms}ms on ${times} requests`);
      faults.latency({ ms, times });
      break;
    }
    case 3: {
      const resource = rng.pick(['pods', 'atoms', 'leases', 'secrets']);
      if (rng.chance(0.5)) {
        note(`dropped ${resource} watches`);
        faults.dropWatches(resource);
        break;
      }
      // A hung connection: nothing arrives, not even the end at the watch's timeout, then it is
      // reset (the operator's own detector waits for that timeout, 5-10 min, plus 90 s: longer
      // than this suite runs; test/runtime/informer.test.ts pins it with short numbers).
      const ms = rng.int(1000, 5000);
      note(`stalled ${resource} watches for ${ms}ms, then dropped them`);
      faults.stallWatches(resource);
      setTimeout(() => faults.dropWatches(resource), ms);
      break;
    }
    case 4:
    case 5:
    case 6: {
      const holder = leaseHolder(fleet);
      const target = IDS.includes(holder as Id) ? (holder as Id) : rng.pick(IDS);
      await kill(target, holder === target ? 'the leader' : 'no leader seen');
      await sleep(rng.int(200, 2000));
      start(target);
      break;
    }
    default:
      await kill('a', 'both replicas');
      await kill('b', 'both replicas');
      await sleep(rng.int(200, 1500));
      start('a');
      start('b');
  }
}

beforeAll(async () => {
  console.log(`chaos seed ${seed}: replay with CHAOS_SEED=${seed}`);
  fleet = await startChaosFleet(SIZE);
  invariants = watchFleetInvariants(fleet.sandbox);
  advertise('1.0.0', '1', 'trusted');
}, 120_000);

afterAll(async () => {
  await Promise.all([...replicas.values()].map((r) => r.kill('SIGKILL')));
  invariants?.stop();
  await fleet?.stop();
});

describe(`a fleet of ${SIZE} Atoms under chaos (seed ${seed})`, () => {
  it('converges once the faults stop, never with two pods of one Atom, never on an untrusted image, losing no Atom', async () => {
    for (const id of IDS) start(id);
    const errorRate = 0.1 + rng.next() * 0.1;
    const code = rng.pick([500, 503, 429] as const);
    fleet.sandbox.faults.error({ code, rate: errorRate });
    fleet.sandbox.faults.error({ code: 500, rate: errorRate / 3 });
    note(
      `requests fail: ${code} at ${(errorRate * 100).toFixed(0)}% plus 500 at ${((errorRate / 3) * 100).toFixed(0)}%`,
    );

    // Releases on a script (the points in time are the seed's), faults in between.
    const chaosEnds = Date.now() + CHAOS_MS;
    const plan: { at: number; done: boolean; act: () => Promise<void> | void }[] = [
      { at: CHAOS_MS * 0.3, done: false, act: () => advertise('1.1.0', 'b', 'trusted') },
      {
        at: CHAOS_MS * 0.35,
        done: false,
        act: async () => {
          const deadline = Date.now() + 10_000;
          while (!rollingTo('1.1.0') && Date.now() < deadline) await sleep(100);
          const leader = leaseHolder(fleet);
          if (IDS.includes(leader as Id)) {
            lastKillAt = Date.now();
            await kill(
              leader as Id,
              `the leader, mid-rollout to 1.1.0 (${rollingTo('1.1.0') ? 'rollouts in progress' : 'no rollout seen yet'})`,
            );
            await sleep(rng.int(200, 1500));
            start(leader as Id);
          }
        },
      },
      { at: CHAOS_MS * 0.55, done: false, act: () => advertise('6.6.6', 'f', 'forged') },
      { at: CHAOS_MS * 0.65, done: false, act: () => advertise('6.6.7', 'e', 'unsigned') },
      { at: CHAOS_MS * 0.75, done: false, act: () => advertise('1.2.0', 'c', 'trusted') },
    ];
    const newReleaseRunning = () => invariants.imagesSeen.has(imageOf('b')) || invariants.imagesSeen.has(imageOf('c'));
    // The faults go on past their minute (at most 30s more) until a rollout has started under them.
    while (Date.now() < chaosEnds || (!newReleaseRunning() && Date.now() < chaosEnds + 30_000)) {
      const step = plan.find((p) => !p.done && Date.now() - (chaosEnds - CHAOS_MS) >= p.at);
      if (step) {
        step.done = true;
        await step.act();
      } else {
        await randomFault();
      }
      restartExited();
      await sleep(rng.int(500, 2500));
    }
    for (const step of plan.filter((p) => !p.done)) await step.act();
    // A rollout under faults: some pod of a newer release was created before they stopped.
    const rolledDuringFaults = [imageOf('b'), imageOf('c')].filter((i) => invariants.imagesSeen.has(i));
    fleet.sandbox.faults.clear();
    note(`faults cleared; new releases already running somewhere: ${rolledDuringFaults.join(', ') || 'none'}`);

    const deadline = Date.now() + 100_000;
    let gaps: string[] = [];
    for (;;) {
      restartExited();
      gaps = convergenceGaps(fleet, '1.2.0', imageOf('c'));
      if (gaps.length === 0 || Date.now() > deadline) break;
      await sleep(1000);
    }
    note(`converged: ${gaps.length === 0}`);
    console.log(
      `chaos seed ${seed}: ${invariants.podsCreated} pods created, images seen ${[...invariants.imagesSeen].join(', ')}\n${journal.join('\n')}`,
    );
    const context = () =>
      `seed ${seed} (CHAOS_SEED=${seed})\n${journal.join('\n')}\n--- replica output ---\n${[...replicas].map(([id, r]) => `[${id}] ${r.output().slice(-4000)}`).join('\n')}`;

    expect(invariants.violations(), context()).toEqual([]);
    expect(gaps.slice(0, 20), `not converged after the faults stopped:\n${context()}`).toEqual([]);
    expect(
      fleet.names.every((n) => (atomState(fleet, n)?.status?.failedVersions ?? []).length === 0),
      'a version was marked failed',
    ).toBe(true);
    expect(fleet.sandbox.store.list('atoms.atomoperator.io')).toHaveLength(SIZE);
    expect(invariants.imagesSeen.has(imageOf('f')), 'the forged release ran').toBe(false);
    expect(invariants.imagesSeen.has(imageOf('e')), 'the unsigned release ran').toBe(false);
    // Whether the operator gets a rollout going under faults is liveness, not safety: a harsh seed
    // (leader lost every few seconds) may keep it from starting one. Said loudly, not failed.
    if (rolledDuringFaults.length === 0)
      console.warn(
        `chaos seed ${seed}: no rollout started while the faults were on; only the convergence afterwards was tested`,
      );
  }, 240_000);
});
