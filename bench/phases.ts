// The measured phases of one fleet size: creation, an idle window (resync and
// platform polling), single-change latency, and an update rollout.
import type { RequestRecord } from '../src/sandbox/index.js';
import { mapLimit, pollUntil, sleep } from './concurrency.js';
import type { BenchEnvironment } from './environment.js';
import {
  applyAtom,
  CHANNEL,
  listAtoms,
  readAtom,
  readAtomSync,
  release,
  type AtomView,
  type FleetPlan,
  type Group,
} from './fleet.js';
import { metricSum, type OperatorProcess } from './operator-process.js';
import { distribution, perAtom, round, type Distribution } from './percentiles.js';
import {
  atomOf,
  BENCH_FIELD_MANAGER,
  countRequests,
  isOperatorRequest,
  isWrite,
  type RequestTap,
} from './request-tap.js';

export interface Run {
  env: BenchEnvironment;
  plan: FleetPlan;
  operator: OperatorProcess;
  /** Undefined against a real cluster: the API server's requests cannot be seen from here. */
  tap: RequestTap | undefined;
  pollIntervalMs: number;
  /** How often the operator asks the platform whether each Atom is online (GET /atom/v1/self). */
  statusPollIntervalMs: number;
  resyncPeriodMs: number;
  log(message: string): void;
}

/** The operator's API requests divided by the Atoms concerned; null when they cannot be counted. */
export interface RequestFigures {
  total: number;
  writes: number;
  writesExcludingEvents: number;
  byVerb: Record<string, number>;
  byVerbAndResource: Record<string, number>;
}

export interface CreationFigures {
  totalSeconds: number;
  /** Per Atom: from the benchmark's create request to the Atom seen Ready with status.observedGeneration current (children applied, status written). */
  perAtomMs: Distribution;
  requestsPerAtom: RequestFigures | null;
  /** Minimum writes for one new Atom: 4 children (Pod, PVC, NetworkPolicy, ServiceAccount) + 1 status write. */
  minimumWritesPerAtom: number;
  cpuSeconds: number;
}

export interface IdleFigures {
  windowSeconds: number;
  reconciles: number;
  /** Absolute counts over the whole window (the target is 0 writes). */
  requests: RequestFigures | null;
  cpuSeconds: number;
  platform: PlatformFigures;
}

export interface PlatformGroupFigures {
  group: Group;
  channel: string;
  atoms: number;
  secrets: number;
  /** Distinct registration certificates: with the channel, the poll key. */
  credentials: number;
  requestsPerInterval: number;
  /** GET /atom/v1/self per status interval, from the group's certificates: one per credential is the target. */
  statusRequestsPerInterval: number;
}

export interface PlatformFigures {
  pollIntervalSeconds: number;
  intervals: number;
  statusPollIntervalSeconds: number;
  statusIntervals: number;
  groups: PlatformGroupFigures[];
}

export interface LatencyFigures {
  /** `first-write`: sandbox log, patch to the operator's first write; `status-observed`: client-side poll until status.observedGeneration catches up. */
  method: 'first-write' | 'status-observed';
  ms: Distribution;
}

export interface RolloutFigures {
  atomsUpdated: number;
  /** From advertising the new version to every Atom Ready on it; includes up to one poll interval before the operator hears of it. */
  totalSeconds: number;
  requestsPerAtom: RequestFigures | null;
  cpuSeconds: number;
}

const QUIET_MS = 3_000;

function figures(records: readonly RequestRecord[], atoms: number): RequestFigures {
  const ops = records.filter(isOperatorRequest);
  const counts = countRequests(ops);
  const events = ops.filter((r) => isWrite(r) && r.resource === 'events').length;
  return {
    total: round(counts.total / atoms, 3),
    writes: round(counts.writes / atoms, 3),
    writesExcludingEvents: round((counts.writes - events) / atoms, 3),
    byVerb: perAtom(counts.byVerb, atoms),
    byVerbAndResource: perAtom(counts.byVerbAndResource, atoms),
  };
}

/**
 * Lets trailing writes land before counting. Not "until the operator stops writing": an operator that
 * writes on every resync never stops, and that is one of the things measured.
 */
const quiet = () => sleep(QUIET_MS);

type Check = (a: AtomView) => boolean;

/**
 * Sandbox: an Atom can only become done through the operator's status write, so only the Atoms the
 * operator just wrote status for are read, and the write's arrival time is when it became done.
 * Listing (cloning) 10,000 Atoms twice a second would slow the in-process API server under test.
 */
async function untilEveryAtomFromLog(
  run: Run,
  tap: RequestTap,
  sandboxRead: (name: string) => AtomView | undefined,
  what: string,
  ok: Check,
  seen: Map<string, number>,
): Promise<void> {
  const n = run.plan.atoms.length;
  for (const a of run.plan.atoms) {
    const atom = sandboxRead(a.name);
    if (atom && ok(atom)) seen.set(a.name, Date.now());
  }
  let cursor = 0;
  let lastLog = Date.now();
  await pollUntil(
    what,
    () => {
      const records = tap.peek();
      const touched = new Map<string, number>();
      for (; cursor < records.length; cursor++) {
        const r = records[cursor]!;
        if (r.resource === 'atoms/status' && r.name && isOperatorRequest(r) && !seen.has(r.name))
          touched.set(r.name, r.at);
      }
      for (const [name, at] of touched) {
        const atom = sandboxRead(name);
        if (atom && ok(atom)) seen.set(name, at);
      }
      if (Date.now() - lastLog > 15_000) {
        run.log(`  ${what}: ${seen.size}/${n}`);
        lastLog = Date.now();
      }
      return seen.size >= n;
    },
    120_000 + n * 100,
    50,
  );
}

async function untilEveryAtom(run: Run, what: string, ok: Check, seen = new Map<string, number>()): Promise<void> {
  const { env, tap } = run;
  if (tap && env.sandbox) {
    const store = env.sandbox.store;
    return untilEveryAtomFromLog(run, tap, (name) => readAtomSync(store, env.namespace, name), what, ok, seen);
  }
  const n = run.plan.atoms.length;
  let lastLog = Date.now();
  await pollUntil(
    what,
    async () => {
      const atoms = await listAtoms(env);
      const now = Date.now();
      for (const a of atoms) if (!seen.has(a.name) && ok(a)) seen.set(a.name, now);
      if (now - lastLog > 15_000) {
        run.log(`  ${what}: ${seen.size}/${n}`);
        lastLog = now;
      }
      return seen.size >= n;
    },
    120_000 + n * 100,
    1_000,
  );
}

const settled = (a: { ready: boolean; observedGeneration: number | undefined; generation: number }) =>
  a.ready && a.observedGeneration === a.generation;

export async function measureCreation(run: Run): Promise<CreationFigures> {
  const { env, plan, tap, operator } = run;
  const n = plan.atoms.length;
  tap?.take();
  const cpu0 = operator.usage().cpuSeconds;
  const sentAt = new Map<string, number>();
  const started = Date.now();
  await mapLimit(plan.atoms, 16, async (a) => {
    sentAt.set(a.name, Date.now());
    await applyAtom(env, a);
  });
  run.log(`  created ${n} Atoms in ${round((Date.now() - started) / 1000)} s`);
  const readyAt = new Map<string, number>();
  await untilEveryAtom(run, 'every Atom Ready', settled, readyAt);
  await quiet();
  const cpuSeconds = round(operator.usage().cpuSeconds - cpu0, 2);
  const records = tap?.take();
  const latencies = plan.atoms.map((a) => (readyAt.get(a.name) ?? NaN) - (sentAt.get(a.name) ?? NaN));
  const totalMs = Math.max(...readyAt.values()) - started;
  return {
    totalSeconds: round(totalMs / 1000, 2),
    perAtomMs: distribution(latencies),
    requestsPerAtom: records ? figures(records, n) : null,
    minimumWritesPerAtom: 5,
    cpuSeconds,
  };
}

async function reconciles(operator: OperatorProcess): Promise<number> {
  return metricSum(await operator.metrics(), 'controller_runtime_reconcile_total', 'controller="atom"');
}

function platformFigures(run: Run, from: number, to: number): PlatformFigures {
  const intervals = (to - from) / run.pollIntervalMs;
  const statusIntervals = (to - from) / run.statusPollIntervalMs;
  const requests = run.env.simulator.requests.filter((r) => r.at.getTime() >= from && r.at.getTime() < to);
  const groups = (['shared', 'own'] as const).map((group): PlatformGroupFigures => {
    const atoms = run.plan.atoms.filter((a) => a.group === group);
    return {
      group,
      channel: CHANNEL[group],
      atoms: atoms.length,
      secrets: new Set(atoms.map((a) => a.secret)).size,
      credentials: new Set(atoms.map((a) => a.certificate)).size,
      requestsPerInterval: round(requests.filter((r) => r.channel === CHANNEL[group]).length / intervals, 2),
      // The group's certificates are issued as bench-<group>-<i> (applySecrets).
      statusRequestsPerInterval: round(
        requests.filter((r) => r.resource === 'self' && r.clientSubject?.startsWith(`bench-${group}-`)).length /
          statusIntervals,
        2,
      ),
    };
  });
  return {
    pollIntervalSeconds: run.pollIntervalMs / 1000,
    intervals: round(intervals, 2),
    statusPollIntervalSeconds: run.statusPollIntervalMs / 1000,
    statusIntervals: round(statusIntervals, 2),
    groups,
  };
}

/** Nothing changes: every Atom is resynced at least once and the platform is polled several times. */
export async function measureIdle(run: Run): Promise<IdleFigures> {
  const { tap, operator, plan } = run;
  tap?.take();
  const cpu0 = operator.usage().cpuSeconds;
  const before = await reconciles(operator);
  const from = Date.now();
  await sleep(Math.max(run.resyncPeriodMs * 1.2, run.pollIntervalMs * 3, run.statusPollIntervalMs * 3));
  await pollUntil(
    'a resync of every Atom',
    async () => (await reconciles(operator)) - before >= plan.atoms.length,
    120_000 + plan.atoms.length * 20,
    500,
  );
  const to = Date.now();
  await quiet();
  const records = tap?.take();
  return {
    windowSeconds: round((to - from) / 1000, 1),
    reconciles: (await reconciles(operator)) - before,
    requests: records ? figures(records, 1) : null,
    cpuSeconds: round(operator.usage().cpuSeconds - cpu0, 2),
    platform: platformFigures(run, from, to),
  };
}

/** One spec change at a time on an idle operator. */
export async function measureLatency(run: Run, samples: number): Promise<LatencyFigures> {
  const { env, plan, tap } = run;
  const latencies: number[] = [];
  for (let i = 0; i < samples; i++) {
    const a = plan.atoms[Math.floor((i * plan.atoms.length) / samples)]!;
    tap?.take();
    const sent = Date.now();
    await applyAtom(env, a, i + 1);
    if (tap) {
      const first = await pollUntil(
        `the operator's first write for ${a.name}`,
        () => {
          const records = tap.peek();
          const patch = records.find((r) => r.fieldManager === BENCH_FIELD_MANAGER && r.name === a.name);
          const write =
            patch &&
            records.find((r) => r.at >= patch.at && isOperatorRequest(r) && isWrite(r) && atomOf(r) === a.name);
          return patch && write ? write.at - patch.at : undefined;
        },
        120_000,
        5,
      );
      latencies.push(first);
    } else {
      await pollUntil(
        `${a.name} observed`,
        async () => {
          const atom = await readAtom(env, a.name);
          return atom !== undefined && atom.observedGeneration === atom.generation;
        },
        120_000,
        5,
      );
      latencies.push(Date.now() - sent);
    }
    await pollUntil(
      `${a.name} settled`,
      async () => {
        const atom = await readAtom(env, a.name);
        return atom !== undefined && settled(atom);
      },
      120_000,
      50,
    );
    await sleep(200);
  }
  tap?.take();
  return { method: tap ? 'first-write' : 'status-observed', ms: distribution(latencies) };
}

/** The platform advertises a new version on every channel; all Atoms may update at once. */
export async function measureRollout(run: Run, version: string): Promise<RolloutFigures> {
  const { env, plan, tap, operator } = run;
  tap?.take();
  const cpu0 = operator.usage().cpuSeconds;
  const started = Date.now();
  for (const channel of Object.values(CHANNEL)) env.simulator.setRelease(channel, release(version, 'b'));
  const doneAt = new Map<string, number>();
  await untilEveryAtom(run, `every Atom on ${version}`, (a) => settled(a) && a.currentVersion === version, doneAt);
  const totalMs = Math.max(...doneAt.values()) - started;
  await quiet();
  const records = tap?.take();
  return {
    atomsUpdated: doneAt.size,
    totalSeconds: round(totalMs / 1000, 2),
    requestsPerAtom: records ? figures(records, plan.atoms.length) : null,
    cpuSeconds: round(operator.usage().cpuSeconds - cpu0, 2),
  };
}
