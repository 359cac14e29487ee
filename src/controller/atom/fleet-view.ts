// The fleet as the rollout planner sees it: facts of every Atom from the cache,
// plus the starts this process made that the cache does not show yet, so two
// workers never take one fleet slot.
import { parseAtom, type Atom } from '../../api/atom.js';
import { type FleetOfflineRestarts, offlineRestartInFlight } from '../../health/index.js';
import type { KubeObject } from '../../kube/resource.js';
import {
  atomKey,
  fleetFactsOf,
  fleetGateFor,
  isNewerVersion,
  resolveLimit,
  planFleet,
  type FleetAtomFacts,
  type FleetGate,
  type FleetPlan,
  type FleetPolicy,
  type VerifiedRelease,
} from '../../rollout/index.js';
import type { CacheReader } from './ports.js';

const parsedCache = new WeakMap<KubeObject, Atom | null>();

/** Parses an Atom from the cache once per cached object (objects are replaced, never mutated, on change). */
export function cachedAtom(raw: KubeObject): Atom | undefined {
  let parsed = parsedCache.get(raw);
  if (parsed === undefined) {
    const result = parseAtom(raw);
    parsed = result.ok ? result.atom : null;
    parsedCache.set(raw, parsed);
  }
  return parsed ?? undefined;
}

/** How long a start this process made counts as updating before the cache must show it. */
const STARTED_NOTE_MS = 30_000;
const channelOf = (atom: Atom) => `${atom.spec.platform.url ?? ''}|${atom.spec.update.channel}`;

export interface FleetViewOptions {
  atoms: CacheReader;
  policy: FleetPolicy;
  allowCriticalOverride: boolean;
  /** The verified release each Atom's channel advertises (from the poller). */
  releaseOf: (atomKey: string) => VerifiedRelease | undefined;
  /** How long a computed plan is reused. */
  planTtlMs?: number;
}

export class FleetView {
  readonly #o: FleetViewOptions;
  /** Atoms this process started, until the cache shows their InProgress record. */
  readonly #started = new Map<string, { version: string; at: Date }>();
  #plans = new Map<string, { at: number; plan: FleetPlan }>();
  #offline: { at: number; value: FleetOfflineRestarts } | undefined;
  /** Offline restarts this process decided, until the cache shows them in the Atom's status. */
  readonly #offlineNoted = new Map<string, number>();

  constructor(options: FleetViewOptions) {
    this.#o = options;
  }

  /** Records a start before the status write is visible, and drops cached plans. */
  noteStarted(atomKey: string, version: string, at: Date): void {
    this.#started.set(atomKey, { version, at });
    this.#plans.clear();
  }

  /**
   * Records an offline restart as it is decided, before its status write is visible: without it,
   * every Atom reconciled before that write reaches the cache would take the same free slot.
   */
  noteOfflineRestart(atomKey: string, at: Date): void {
    this.#offlineNoted.set(atomKey, at.getTime());
    this.#offline = undefined;
  }

  /** A rollout ended or an annotation changed: plans must be made afresh. */
  invalidate(): void {
    this.#plans.clear();
  }

  plan(version: string, now: Date): FleetPlan {
    const cached = this.#plans.get(version);
    if (cached && now.getTime() - cached.at < (this.#o.planTtlMs ?? 1_000)) return cached.plan;
    const plan = planFleet({ atoms: this.facts(now), policy: this.#o.policy, version, now });
    this.#plans.set(version, { at: now.getTime(), plan });
    return plan;
  }

  /** The fleet's verdict for one Atom; a plan made before this Atom became a candidate is made afresh once. */
  gateFor(atomKey: string, version: string, now: Date): FleetGate {
    let plan = this.plan(version, now);
    if (!plan.allowed.has(atomKey) && !plan.waiting.has(atomKey)) {
      this.#plans.delete(version);
      plan = this.plan(version, now);
    }
    return fleetGateFor(plan, atomKey);
  }

  /**
   * Offline restarts in flight across the fleet (an Atom whose pod was replaced for being offline and
   * has not been Ready since), and how many the fleet's concurrency allows at once. Counted from the
   * Atoms' own status, so every replica of the operator sees the same number after a restart.
   */
  offlineRestarts(now: Date): FleetOfflineRestarts {
    if (this.#offline && now.getTime() - this.#offline.at < (this.#o.planTtlMs ?? 1_000)) return this.#offline.value;
    const atoms = this.#o.atoms
      .list()
      .map(cachedAtom)
      .filter((a): a is Atom => Boolean(a));
    const inFlight = new Set<string>();
    const shown = new Map<string, number>();
    for (const a of atoms) {
      const restartedAt = a.status?.platform?.lastOfflineRestartTime;
      if (restartedAt) shown.set(atomKey(a), Date.parse(restartedAt));
      const ready = a.status?.conditions?.find((c) => c.type === 'Ready');
      const pod = {
        ready: ready?.status === 'True',
        readySince: ready ? new Date(ready.lastTransitionTime) : undefined,
      };
      if (offlineRestartInFlight(restartedAt, pod)) inFlight.add(atomKey(a));
    }
    for (const [key, at] of this.#offlineNoted) {
      // The status stamp has whole seconds: it shows the noted restart once it is no older than that second.
      const caughtUp = (shown.get(key) ?? Number.NEGATIVE_INFINITY) >= Math.floor(at / 1000) * 1000;
      if (caughtUp || now.getTime() - at > STARTED_NOTE_MS) this.#offlineNoted.delete(key);
      else inFlight.add(key);
    }
    const value = { inFlight: inFlight.size, maxConcurrent: resolveLimit(this.#o.policy.maxConcurrent, atoms.length) };
    this.#offline = { at: now.getTime(), value };
    return value;
  }

  facts(now: Date): FleetAtomFacts[] {
    const atoms = this.#o.atoms
      .list()
      .map(cachedAtom)
      .filter((a): a is Atom => Boolean(a && !a.metadata.deletionTimestamp));
    // Atoms on one channel of one platform are told the same release, but each polls with its own
    // certificate and so learns of it at its own moment. For ordering waves, what one of them
    // learned counts for all: otherwise a later wave could start before an earlier wave has heard.
    const byChannel = new Map<string, VerifiedRelease>();
    const releases = new Map<string, VerifiedRelease | undefined>();
    for (const atom of atoms) {
      const release = this.#o.releaseOf(atomKey(atom));
      releases.set(atomKey(atom), release);
      const channel = channelOf(atom);
      const known = byChannel.get(channel);
      if (release && (!known || isNewerVersion(release.version, known.version))) byChannel.set(channel, release);
    }
    const facts: FleetAtomFacts[] = [];
    for (const atom of atoms) {
      const own = releases.get(atomKey(atom));
      const f = fleetFactsOf(atom, { release: own, allowCriticalOverride: this.#o.allowCriticalOverride, now });
      const heard = byChannel.get(channelOf(atom));
      if (heard && (!own || isNewerVersion(heard.version, own.version))) f.targetVersion = heard.version;
      let started = this.#started.get(f.key);
      // The cache shows our start (in progress or already finished), or it never will: drop the note.
      const last = atom.status?.rolloutHistory?.at(-1);
      if (
        started &&
        ((last && last.to === started.version && Date.parse(last.startedAt) >= started.at.getTime() - 1_000) ||
          now.getTime() - started.at.getTime() > STARTED_NOTE_MS)
      ) {
        this.#started.delete(f.key);
        started = undefined;
      }
      facts.push(started ? { ...f, updating: true, updateStartedAt: started.at, readyToStart: false } : f);
    }
    return facts;
  }
}
