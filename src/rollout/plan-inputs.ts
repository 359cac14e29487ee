// What the rollout plan reads from outside the Atom's own status, and what it runs when nothing
// changes: the version to ask the fleet about, the problem in the platform's last answer, the image
// an Atom keeps. Pure, like the plan (plan-atom.ts) that uses them.
import type { Atom } from '../api/atom.js';
import { imageReference } from '../resources/pod/pod.js';
import type { VerifiedRelease } from './decision-types.js';
import type { AtomPlanOptions, Problem, ReleaseObservation } from './plan-types.js';
import { readyToStart } from './policy.js';

/**
 * The version to ask the fleet about, when this Atom follows the fleet (Automatic, no pin, installed
 * already) and could start an update now; the caller asks the fleet and passes its gate back in.
 */
export function fleetCandidate(
  atom: Atom,
  release: VerifiedRelease | undefined,
  options: Pick<AtomPlanOptions, 'allowCriticalOverride'>,
  now: Date,
): string | undefined {
  const status = atom.status;
  const followsFleet = !atom.spec.version && atom.spec.update.mode === 'Automatic' && status?.currentVersion;
  if (!followsFleet || !release) return undefined;
  const ready = readyToStart({
    spec: atom.spec,
    status,
    release,
    allowCriticalOverride: options.allowCriticalOverride,
    now,
  });
  return ready ? release.version : undefined;
}

/** The problem the platform's last answer reports, if any. */
export function platformAnswerProblem(release: ReleaseObservation | undefined): Problem | undefined {
  const error = release?.error;
  if (!error) return undefined;
  if (error.rejected !== undefined) {
    return {
      reason: error.code,
      message: `the platform's advertisement was rejected (${error.rejected}) and is not rolled out: ${error.message}`,
    };
  }
  return { reason: error.code, message: `checking the platform for releases failed: ${error.message}` };
}

/** What runs when nothing changes: the recorded current image, else the spec's image (digest, tag or latest). */
export function currentTarget(atom: Atom): { image: string; version?: string } {
  const status = atom.status;
  if (status?.currentImage) {
    return { image: status.currentImage, ...(status.currentVersion ? { version: status.currentVersion } : {}) };
  }
  const { image, version } = atom.spec;
  const ref = imageReference(image.repository, {
    ...(image.digest ? { digest: image.digest } : {}),
    tag: version ?? image.tag ?? 'latest',
  });
  return { image: ref, ...(version ? { version } : {}) };
}
