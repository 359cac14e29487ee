// One Atom resource reduced to the facts the fleet plan needs, so every caller derives them
// the same way (Ready's lastTransitionTime is "healthy since", the open history record is
// "updating", the annotation is the resume request).
import type { Atom } from '../api/atom.js';
import type { VerifiedRelease } from './decision-types.js';
import { resumeRolloutAnnotation, type FleetAtomFacts } from './fleet.js';
import { rolloutInProgress } from './history.js';
import { readyToStart } from './policy.js';

export interface FleetFactsContext {
  /** The verified release on this Atom's channel, if any. */
  release?: VerifiedRelease | undefined;
  /** Operator configuration fleet.allowCriticalOverride. */
  allowCriticalOverride: boolean;
  now: Date;
}

/** `namespace/name`, the key the fleet plan uses. */
export function atomKey(atom: Pick<Atom, 'metadata'>): string {
  return `${atom.metadata.namespace ?? ''}/${atom.metadata.name}`;
}

function date(text: string | undefined): Date | undefined {
  if (text === undefined) return undefined;
  const parsed = new Date(text);
  return Number.isNaN(parsed.getTime()) ? undefined : parsed;
}

/** The fleet facts of one Atom. */
export function fleetFactsOf(atom: Atom, context: FleetFactsContext): FleetAtomFacts {
  const { spec, status } = atom;
  const ready = status?.conditions?.find((condition) => condition.type === 'Ready');
  const inProgress = rolloutInProgress(status);
  const lastResult = status?.rolloutHistory?.at(-1)?.result;
  const facts: FleetAtomFacts = {
    key: atomKey(atom),
    namespace: atom.metadata.namespace ?? '',
    wave: spec.update.wave,
    mode: spec.update.mode,
    pinned: spec.version !== undefined && spec.version !== '',
    currentVersion: status?.currentVersion,
    targetVersion: context.release?.version ?? status?.advertisedVersion,
    updating: inProgress !== undefined,
    updateStartedAt: date(inProgress?.startedAt),
    healthy: ready?.status === 'True',
    healthySince: ready?.status === 'True' ? date(ready.lastTransitionTime) : undefined,
    failedVersions: status?.failedVersions,
    lastRolloutResult: lastResult,
    resumeRollout: atom.metadata.annotations?.[resumeRolloutAnnotation],
  };
  // Only an Atom that could start needs its own gates evaluated (windows cost a little).
  if (!facts.updating && facts.mode === 'Automatic' && !facts.pinned) {
    facts.readyToStart = readyToStart({
      spec,
      status,
      release: context.release,
      allowCriticalOverride: context.allowCriticalOverride,
      now: context.now,
    });
  }
  return facts;
}
