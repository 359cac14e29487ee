// `kubectl atom rollout status`: the fleet's rollouts per scope, derived from the Atoms alone,
// the way src/rollout/fleet.ts plans them: followers of a version are Automatic, unpinned Atoms
// whose advertised version it is; a wave is done when its followers run it, Ready and not
// updating; failures are Atoms with the version in status.failedVersions. Whether a rollout is
// halted is what the operator wrote (UpToDate reason RolloutHalted), since the threshold lives in
// the operator's configuration, not in the cluster.
import type { Atom } from '../api/atom.js';
import { resumeRolloutAnnotation } from '../rollout/fleet.js';
import { atomKey } from '../rollout/fleet-facts.js';
import { rolloutInProgress } from '../rollout/history.js';
import { ConcurrencyLimitReached, RolloutHalted } from '../rollout/reasons.js';
import { compareVersions, includesVersion, isNewerVersion, sameVersion } from '../rollout/versions.js';
import { conditionOf } from './status-view.js';

export type FleetScope = 'Cluster' | 'Namespace';
export type WaveState = 'Done' | 'InProgress' | 'Pending';

export interface WaveProgress {
  wave: number;
  atoms: number;
  done: number;
  updating: number;
  failed: number;
  state: WaveState;
}

export interface ScopeRollout {
  /** The namespace with Namespace scope, '' for the whole cluster. */
  scope: string;
  version: string;
  /** Automatic, unpinned Atoms that follow this version. */
  followers: number;
  done: number;
  waves: WaveProgress[];
  /** Every Atom of the scope with a rollout in progress (any version): they hold fleet slots. */
  inFlight: string[];
  /** Atoms of the scope that failed this version. */
  failed: string[];
  halted: boolean;
  haltReason?: string;
  /** The Atom whose resume annotation names this version. */
  resumedBy?: string;
  /** Manual Atoms that are offered this version and wait for `kubectl atom approve`. */
  awaitingApproval: string[];
  /** Every follower runs the version or failed it, and nothing is in flight. */
  complete: boolean;
}

const followsAutomatically = (atom: Atom) =>
  atom.spec.update.mode === 'Automatic' && !(atom.spec.version !== undefined && atom.spec.version !== '');
const runs = (atom: Atom, version: string) =>
  atom.status?.currentVersion !== undefined && !isNewerVersion(version, atom.status.currentVersion);
const byVersion = (a: string, b: string) => compareVersions(a, b) ?? (a < b ? -1 : a > b ? 1 : 0);

/** The operator's fleet.scope as its own messages reveal it: namespace-scoped halts and limits name the namespace. */
export function detectScope(atoms: readonly Atom[]): FleetScope {
  const fleetReasons = new Set([RolloutHalted, ConcurrencyLimitReached]);
  const namespaced = atoms.some((atom) => {
    const upToDate = conditionOf(atom, 'UpToDate');
    return upToDate !== undefined && fleetReasons.has(upToDate.reason) && / in namespace \S+/.test(upToDate.message);
  });
  return namespaced ? 'Namespace' : 'Cluster';
}

const channelOf = (atom: Atom) => `${atom.spec.platform.url ?? ''}|${atom.spec.update.channel}`;

/**
 * The version each Atom is told to follow. As in the operator's FleetView, what one Atom of a
 * channel heard counts for all Atoms of that channel (each polls with its own certificate and
 * learns of a release at its own moment, and one without a certificate never does).
 */
export function targetVersions(atoms: readonly Atom[]): Map<Atom, string> {
  const newest = new Map<string, string>();
  for (const atom of atoms) {
    const heard = atom.status?.advertisedVersion;
    const known = newest.get(channelOf(atom));
    if (heard !== undefined && (known === undefined || isNewerVersion(heard, known)))
      newest.set(channelOf(atom), heard);
  }
  const targets = new Map<Atom, string>();
  for (const atom of atoms) {
    const target = newest.get(channelOf(atom));
    if (target !== undefined) targets.set(atom, target);
  }
  return targets;
}

function scopeRollout(
  scope: string,
  atoms: readonly Atom[],
  version: string,
  targets: Map<Atom, string>,
): ScopeRollout {
  const targetIs = (atom: Atom) => {
    const target = targets.get(atom);
    return target !== undefined && sameVersion(target, version);
  };
  const followers = atoms.filter((atom) => followsAutomatically(atom) && targetIs(atom));
  const failedIt = (atom: Atom) => includesVersion(atom.status?.failedVersions, version);
  const updatingTo = (atom: Atom) => {
    const open = rolloutInProgress(atom.status);
    return open !== undefined && sameVersion(open.to, version);
  };
  const done = (atom: Atom) =>
    runs(atom, version) && !rolloutInProgress(atom.status) && conditionOf(atom, 'Ready')?.status === 'True';
  const waves = [...new Set(followers.map((atom) => atom.spec.update.wave))].sort((a, b) => a - b);
  const waveProgress = waves.map((wave): WaveProgress => {
    const members = followers.filter((atom) => atom.spec.update.wave === wave);
    const progress = {
      wave,
      atoms: members.length,
      done: members.filter(done).length,
      updating: members.filter(updatingTo).length,
      failed: members.filter((atom) => failedIt(atom) && !done(atom)).length,
    };
    const state: WaveState =
      progress.done + progress.failed === progress.atoms
        ? 'Done'
        : progress.done + progress.updating + progress.failed > 0
          ? 'InProgress'
          : 'Pending';
    return { ...progress, state };
  });
  const inFlight = atoms.filter((atom) => rolloutInProgress(atom.status) !== undefined).map(atomKey);
  // The operator halts the followers of the version (reason RolloutHalted): which version is theirs,
  // not whether the message happens to mention it.
  const halt = followers.map((atom) => conditionOf(atom, 'UpToDate')).find((c) => c?.reason === RolloutHalted);
  const resumer = atoms.find((atom) => {
    const value = atom.metadata.annotations?.[resumeRolloutAnnotation];
    return value !== undefined && sameVersion(value, version);
  });
  const awaitingApproval = atoms
    .filter((atom) => atom.spec.update.mode === 'Manual' && targetIs(atom) && !runs(atom, version) && !updatingTo(atom))
    .map(atomKey);
  const result: ScopeRollout = {
    scope,
    version,
    followers: followers.length,
    done: followers.filter(done).length,
    waves: waveProgress,
    inFlight,
    failed: atoms.filter(failedIt).map(atomKey),
    halted: halt !== undefined && resumer === undefined,
    awaitingApproval,
    complete: waveProgress.every((wave) => wave.state === 'Done') && !followers.some(updatingTo),
  };
  // The condition message leads with the Atom's own view ("Version X waits for the fleet: "); the halt is the rest.
  if (result.halted && halt)
    result.haltReason = halt.message.slice(Math.max(0, halt.message.indexOf('The rollout of')));
  if (resumer) result.resumedBy = atomKey(resumer);
  return result;
}

/** One entry per scope and advertised version, scopes in name order, versions oldest first. */
export function fleetRollouts(atoms: readonly Atom[], scope: FleetScope): ScopeRollout[] {
  const groups = new Map<string, Atom[]>();
  for (const atom of atoms) {
    const key = scope === 'Namespace' ? (atom.metadata.namespace ?? '') : '';
    groups.set(key, [...(groups.get(key) ?? []), atom]);
  }
  const result: ScopeRollout[] = [];
  for (const name of [...groups.keys()].sort()) {
    const members = groups.get(name) ?? [];
    const targets = targetVersions(members);
    const versions = new Set<string>();
    for (const atom of members) {
      const target = targets.get(atom);
      if (target !== undefined && (followsAutomatically(atom) || atom.spec.update.mode === 'Manual'))
        versions.add(target);
    }
    for (const version of [...versions].sort(byVersion)) result.push(scopeRollout(name, members, version, targets));
  }
  return result;
}

/** Every rollout shown is finished (complete) or stopped until a person acts (halted). */
export const rolloutsSettled = (rollouts: readonly ScopeRollout[]) =>
  rollouts.every((rollout) => rollout.complete || rollout.halted);
