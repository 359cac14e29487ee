// Fleet control: which Atoms may start updating to `version` now. Pure; the controller
// gathers one fact record per Atom from its cache and asks for a plan.
//
// Rules, per scope (the whole operator, or each namespace):
//  - Followers of a version are Automatic, unpinned Atoms whose targetVersion is it. Manual,
//    Disabled and pinned Atoms are never started by the fleet and never block a wave.
//  - Halt: when the Atoms in scope that failed the version (it is in their failedVersions)
//    reach haltThreshold, no follower starts it. A different version is planned afresh; the
//    same one resumes while any Atom in scope carries `atomoperator.io/resume-rollout: <version>`.
//  - Waves in ascending order: a follower in wave N starts only when every follower in waves
//    below N runs the version and has been Ready for soakSeconds. Followers that failed the
//    version do not block later waves (the halt threshold accounts for them).
//  - Concurrency: at most maxConcurrent Atoms in scope updating at once, counting every Atom
//    already updating (any mode, any version). Slots go in (wave, key) order, so the same
//    Atoms are chosen every time, and only to Atoms whose own gates pass (readyToStart).
import type { FleetGate } from './decision-types.js';
import { resolveLimit, type FleetPolicy } from './config.js';
import * as R from './reasons.js';
import { includesVersion, isNewerVersion, sameVersion } from './versions.js';

/** The annotation, on any Atom in scope, that resumes a halted rollout of the version it names. */
export const resumeRolloutAnnotation = 'atomoperator.io/resume-rollout';

/** Safety-net requeue for Atoms waiting on other Atoms; the controller should also requeue a scope when a rollout ends. */
export const fleetPollSeconds = 60;

export interface FleetAtomFacts {
  /** `namespace/name` */
  key: string;
  namespace: string;
  wave: number;
  mode: 'Automatic' | 'Manual' | 'Disabled';
  /** spec.version is set. */
  pinned?: boolean;
  currentVersion?: string | undefined;
  /** The version this Atom's policy wants (the release advertised on its channel), waiting or not. */
  targetVersion?: string | undefined;
  /** A rollout is in progress on this Atom. */
  updating: boolean;
  updateStartedAt?: Date | undefined;
  /** The Atom's Ready condition is True. */
  healthy: boolean;
  /** When Ready last became True. */
  healthySince?: Date | undefined;
  failedVersions?: readonly string[] | undefined;
  lastRolloutResult?: 'InProgress' | 'Succeeded' | 'RolledBack' | 'Failed' | undefined;
  /** policy.readyToStart for this Atom (window open, not known bad...); default true. */
  readyToStart?: boolean;
  /** Value of the atomoperator.io/resume-rollout annotation on this Atom. */
  resumeRollout?: string | undefined;
}

export interface FleetInput {
  atoms: readonly FleetAtomFacts[];
  policy: FleetPolicy;
  /** The version being rolled out. */
  version: string;
  now: Date;
}

export interface FleetWait {
  reason: typeof R.ConcurrencyLimitReached | typeof R.WaitingForEarlierWave | typeof R.RolloutHalted;
  message: string;
  /** Seconds; absent when only a person or a new version can change it. */
  requeueAfter?: number;
}

export interface ScopeSummary {
  /** The namespace, or '' for the whole operator. */
  scope: string;
  halted: boolean;
  haltReason?: string;
  /** Key of the Atom whose annotation resumed a halted rollout. */
  resumedBy?: string;
  failures: number;
  haltAt: number;
  maxConcurrent: number;
  updating: number;
  /** The lowest wave not yet done; absent when every follower is done. */
  openWave?: number;
}

export interface FleetPlan {
  halted: boolean;
  haltReason?: string;
  /** Atoms that may start now, in (wave, key) order. */
  allowed: Set<string>;
  /** Followers that want the version and must wait, with why. */
  waiting: Map<string, FleetWait>;
  /** Allowed Atoms whose scope's halt was lifted by the resume annotation, with the annotated Atom's key. */
  resumed: Map<string, string>;
  scopes: ScopeSummary[];
}

const byWaveThenKey = (a: FleetAtomFacts, b: FleetAtomFacts) =>
  a.wave - b.wave || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);

/** The Atoms that share a fleet scope with an Atom in `namespace`. */
export function atomsInScope<T extends Pick<FleetAtomFacts, 'namespace'>>(
  atoms: readonly T[],
  namespace: string,
  policy: Pick<FleetPolicy, 'scope'>,
): T[] {
  return policy.scope === 'Namespace' ? atoms.filter((atom) => atom.namespace === namespace) : [...atoms];
}

function planScope(scope: string, atoms: FleetAtomFacts[], input: FleetInput, plan: FleetPlan): void {
  const { version, policy, now } = input;
  const soakMs = policy.soakSeconds * 1000;
  const failedIt = (atom: FleetAtomFacts) => includesVersion(atom.failedVersions, version);
  const runsIt = (atom: FleetAtomFacts) =>
    atom.currentVersion !== undefined && !isNewerVersion(version, atom.currentVersion);
  const soakLeftMs = (atom: FleetAtomFacts) =>
    atom.healthySince ? Math.max(0, atom.healthySince.getTime() + soakMs - now.getTime()) : soakMs;
  const done = (atom: FleetAtomFacts) =>
    runsIt(atom) && !atom.updating && atom.healthy && atom.healthySince !== undefined && soakLeftMs(atom) === 0;

  const followers = atoms.filter(
    (atom) =>
      atom.mode === 'Automatic' &&
      !atom.pinned &&
      atom.targetVersion !== undefined &&
      sameVersion(atom.targetVersion, version),
  );
  const failures = atoms.filter(failedIt).length;
  const haltAt = resolveLimit(policy.haltThreshold, new Set([...followers, ...atoms.filter(failedIt)]).size);
  const resumer = atoms.find((atom) => atom.resumeRollout !== undefined && sameVersion(atom.resumeRollout, version));
  const maxConcurrent = resolveLimit(policy.maxConcurrent, atoms.length);
  const updating = atoms.filter((atom) => atom.updating).length;
  // A first install (nothing running yet) starts without the fleet, see decideUpdate; it still blocks its wave until soaked.
  const candidates = followers.filter(
    (atom) => !atom.updating && atom.currentVersion !== undefined && !runsIt(atom) && !failedIt(atom),
  );
  const blocking = followers.filter((atom) => !failedIt(atom) && !done(atom));
  const openWave = blocking.length > 0 ? Math.min(...blocking.map((atom) => atom.wave)) : undefined;
  const summary: ScopeSummary = { scope, halted: false, failures, haltAt, maxConcurrent, updating };
  if (openWave !== undefined) summary.openWave = openWave;
  plan.scopes.push(summary);
  const where = scope ? ` in namespace ${scope}` : '';

  if (failures >= haltAt) {
    if (resumer) {
      summary.resumedBy = resumer.key;
    } else {
      summary.halted = true;
      summary.haltReason = `The rollout of ${version}${where} is halted: ${failures} Atom(s) failed it (threshold ${haltAt}). Investigate them, then annotate any Atom in scope with ${resumeRolloutAnnotation}=${version} to continue, or wait for a newer version.`;
      for (const atom of candidates)
        plan.waiting.set(atom.key, { reason: R.RolloutHalted, message: summary.haltReason });
      return;
    }
  }

  const slots = Math.max(0, maxConcurrent - updating);
  let granted = 0;
  for (const atom of candidates) {
    if (openWave !== undefined && atom.wave > openWave) {
      plan.waiting.set(atom.key, waveWait(atom, blocking, openWave, version, { runsIt, soakLeftMs }));
    } else if (atom.readyToStart === false) {
    } else if (granted < slots) {
      plan.allowed.add(atom.key);
      if (summary.resumedBy) plan.resumed.set(atom.key, summary.resumedBy);
      granted++;
    } else {
      plan.waiting.set(atom.key, {
        reason: R.ConcurrencyLimitReached,
        message: `${updating + granted} of at most ${maxConcurrent} Atom(s)${where} are updating (fleet maxConcurrent ${policy.maxConcurrent}); it starts when one finishes.`,
        requeueAfter: fleetPollSeconds,
      });
    }
  }
}

function waveWait(
  atom: FleetAtomFacts,
  blocking: FleetAtomFacts[],
  openWave: number,
  version: string,
  facts: { runsIt: (atom: FleetAtomFacts) => boolean; soakLeftMs: (atom: FleetAtomFacts) => number },
): FleetWait {
  const earlier = blocking.filter((other) => other.wave < atom.wave);
  const soakingOnly = earlier.every((other) => facts.runsIt(other) && other.healthy && !other.updating);
  const pending = earlier.length;
  const message = soakingOnly
    ? `Wave ${atom.wave} waits until the ${pending} Atom(s) of earlier waves have been Ready on ${version} for the soak time.`
    : `Wave ${atom.wave} waits for wave ${openWave}: ${pending} Atom(s) of earlier waves do not run ${version} healthily yet (for example ${earlier[0]?.key}).`;
  const requeueAfter = soakingOnly
    ? Math.max(1, Math.ceil(Math.max(...earlier.map(facts.soakLeftMs)) / 1000))
    : fleetPollSeconds;
  return { reason: R.WaitingForEarlierWave, message, requeueAfter };
}

/** Plans the rollout of `version` over the given Atoms, one scope at a time. */
export function planFleet(input: FleetInput): FleetPlan {
  const plan: FleetPlan = { halted: false, allowed: new Set(), waiting: new Map(), resumed: new Map(), scopes: [] };
  const groups = new Map<string, FleetAtomFacts[]>();
  for (const atom of [...input.atoms].sort(byWaveThenKey)) {
    const scope = input.policy.scope === 'Namespace' ? atom.namespace : '';
    groups.set(scope, [...(groups.get(scope) ?? []), atom]);
  }
  for (const scope of [...groups.keys()].sort()) planScope(scope, groups.get(scope) ?? [], input, plan);
  const halts = plan.scopes.filter((scope) => scope.halted);
  plan.halted = halts.length > 0;
  if (plan.halted) plan.haltReason = halts.map((scope) => scope.haltReason).join(' ');
  return plan;
}

/** The fleet's verdict for one Atom, as decideUpdate takes it. */
export function fleetGateFor(plan: FleetPlan, key: string): FleetGate {
  if (plan.allowed.has(key)) {
    const resumedBy = plan.resumed.get(key);
    return resumedBy
      ? {
          kind: 'Allowed',
          reason: R.RolloutResumed,
          message: `The halted rollout was resumed by ${resumeRolloutAnnotation} on ${resumedBy}.`,
        }
      : { kind: 'Allowed' };
  }
  const wait = plan.waiting.get(key);
  if (wait) {
    const gate: FleetGate = { kind: 'Waiting', reason: wait.reason, message: wait.message };
    if (wait.requeueAfter !== undefined) gate.requeueAfterSeconds = wait.requeueAfter;
    return gate;
  }
  // Not a candidate when the plan was made (e.g. outside its own window then): no slot is held for it.
  return {
    kind: 'Waiting',
    reason: R.ConcurrencyLimitReached,
    message: 'No fleet slot was reserved for this Atom; it is planned again shortly.',
    requeueAfterSeconds: fleetPollSeconds,
  };
}
