// The fleet as the rollout planner sees it: facts of every Atom from the cache,
// plus the starts this process made that the cache does not show yet, so two
// workers never take one fleet slot.
import { parseAtom, type Atom } from '../../api/atom.js';
import type { KubeObject } from '../../kube/resource.js';
import { atomKey, fleetFactsOf, planFleet, type FleetAtomFacts, type FleetPlan, type FleetPolicy, type VerifiedRelease } from '../../rollout/index.js';
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

  constructor(options: FleetViewOptions) {
    this.#o = options;
  }

  /** Records a start before the status write is visible, and drops cached plans. */
  noteStarted(atomKey: string, version: string, at: Date): void {
    this.#started.set(atomKey, { version, at });
    this.#plans.clear();
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

  facts(now: Date): FleetAtomFacts[] {
    const facts: FleetAtomFacts[] = [];
    for (const raw of this.#o.atoms.list()) {
      const atom = cachedAtom(raw);
      if (!atom || atom.metadata.deletionTimestamp) continue;
      const f = fleetFactsOf(atom, { release: this.#o.releaseOf(atomKey(atom)), allowCriticalOverride: this.#o.allowCriticalOverride, now });
      const started = this.#started.get(f.key);
      if (started && f.updating) this.#started.delete(f.key);
      else if (started) facts.push({ ...f, updating: true, updateStartedAt: started.at, readyToStart: false });
      if (!started || f.updating) facts.push(f);
    }
    return facts;
  }
}
