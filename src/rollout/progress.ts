// An update in progress: has the new version made it, is it still on its way, or has it
// failed (and then: back to what)? Pure; the controller feeds pod facts and the clock.
import type { AtomStatus } from '../api/atom-status.js';
import { withFailedVersion, withFinishedRecord, type RolloutStatusUpdate } from './history.js';
import * as R from './reasons.js';
import { sameVersion } from './versions.js';

/** Restarts after which a not-Ready container counts as crash looping even before the kubelet says CrashLoopBackOff. */
export const defaultMaxRestarts = 3;

export interface ProgressInput {
  startedAt: Date;
  progressDeadlineSeconds: number;
  /** The new pod's Ready condition is True. */
  podReady: boolean;
  /** The new pod's phase is Failed (or it was evicted). */
  podFailed: boolean;
  /** Restarts of the agent container in the new pod. */
  restartCount: number;
  /** The kubelet reports CrashLoopBackOff (same as waitingReason CrashLoopBackOff). */
  crashLooping?: boolean;
  /** `state.waiting.reason` of the agent container, e.g. CrashLoopBackOff or ImagePullBackOff. */
  waitingReason?: string | undefined;
  maxRestarts?: number;
  now: Date;
}

export type FailureReason = typeof R.ProgressDeadlineExceeded | typeof R.CrashLoopBackOff | typeof R.PodFailed;

export type ProgressVerdict =
  | {
      verdict: 'Progressing';
      reason: typeof R.UpdateProgressing;
      message: string /** seconds until the deadline */;
      requeueAfter: number;
    }
  | { verdict: 'Succeeded'; reason: typeof R.UpdateSucceeded; message: string }
  | { verdict: 'Failed'; reason: FailureReason; message: string };

/**
 * Judges a rollout. Checked in this order: a failed pod fails; a Ready pod succeeds (even past
 * the deadline: a late but healthy Atom is not rolled back); a crash loop fails at once rather
 * than waiting out the deadline; then the deadline; otherwise it is still progressing.
 */
export function judgeProgress(input: ProgressInput): ProgressVerdict {
  const maxRestarts = input.maxRestarts ?? defaultMaxRestarts;
  const waiting = input.waitingReason ? ` (container waiting: ${input.waitingReason})` : '';
  if (input.podFailed) {
    return {
      verdict: 'Failed',
      reason: R.PodFailed,
      message: `The new version's pod failed${waiting}; check its events and logs.`,
    };
  }
  if (input.podReady) return { verdict: 'Succeeded', reason: R.UpdateSucceeded, message: 'The new version is Ready.' };
  if (input.crashLooping || input.waitingReason === 'CrashLoopBackOff' || input.restartCount >= maxRestarts) {
    return {
      verdict: 'Failed',
      reason: R.CrashLoopBackOff,
      message: `The new version's container restarted ${input.restartCount} time(s)${waiting} without becoming Ready; check kubectl logs --previous.`,
    };
  }
  const deadline = input.startedAt.getTime() + input.progressDeadlineSeconds * 1000;
  const remainingMs = deadline - input.now.getTime();
  if (remainingMs <= 0) {
    return {
      verdict: 'Failed',
      reason: R.ProgressDeadlineExceeded,
      message: `The new version did not become Ready within ${input.progressDeadlineSeconds}s (update.progressDeadlineSeconds)${waiting}.`,
    };
  }
  const requeueAfter = Math.max(1, Math.ceil(remainingMs / 1000));
  return {
    verdict: 'Progressing',
    reason: R.UpdateProgressing,
    message: `Waiting for the new version to become Ready${waiting}; ${requeueAfter}s left before it is rolled back.`,
    requeueAfter,
  };
}

export interface ConditionValue {
  status: 'True' | 'False' | 'Unknown';
  reason: string;
  message: string;
}

export type RollbackPlan = {
  /** Status fields to write (together with the Degraded condition). */
  status: RolloutStatusUpdate;
  /** The Degraded condition to show: True in both cases. */
  degraded: ConditionValue;
  /** A Warning event for the Atom. */
  event: { type: 'Warning'; reason: string; message: string };
} & (
  | { kind: 'RollBack'; to: { version: string; image: string }; reason: typeof R.RolledBack }
  | { kind: 'NoRollbackTarget'; reason: typeof R.NoRollbackTarget }
);

type RollbackStatus = Pick<
  AtomStatus,
  'currentVersion' | 'lastGoodVersion' | 'lastGoodImage' | 'failedVersions' | 'rolloutHistory'
>;

/**
 * What to do after `failedVersion` failed on this Atom: return to the last good version and
 * image at once (no window or fleet gate: the Atom is down), remember the version as failed
 * so it is not retried, and finish its history record as RolledBack. Without a last good
 * version there is nothing to return to: the record ends Failed and the Atom stays Degraded.
 * When the last good version itself fails (a rollback that did not recover), the version is
 * not blamed (it worked before); the cause is elsewhere and a person must look.
 */
export function rollbackPlan(
  status: RollbackStatus | undefined,
  failedVersion: string,
  failure: { reason: FailureReason; message: string },
  now: Date,
): RollbackPlan {
  const lastGood = status?.lastGoodVersion;
  const lastGoodImage = status?.lastGoodImage;
  const from = status?.currentVersion;
  if (lastGood !== undefined && lastGoodImage !== undefined && !sameVersion(lastGood, failedVersion)) {
    const message = `Version ${failedVersion} failed (${failure.reason}: ${failure.message}) and was rolled back to ${lastGood}; it is not retried until a newer version is advertised.`;
    return {
      kind: 'RollBack',
      to: { version: lastGood, image: lastGoodImage },
      reason: R.RolledBack,
      status: {
        targetVersion: lastGood,
        failedVersions: withFailedVersion(status?.failedVersions, failedVersion),
        rolloutHistory: withFinishedRecord(status?.rolloutHistory, {
          from,
          to: failedVersion,
          result: 'RolledBack',
          reason: failure.reason,
          now,
        }),
      },
      degraded: { status: 'True', reason: R.RolledBack, message },
      event: { type: 'Warning', reason: R.RolledBack, message },
    };
  }
  const lastGoodFailed = lastGood !== undefined && sameVersion(lastGood, failedVersion);
  const message = lastGoodFailed
    ? `The last good version ${failedVersion} failed too (${failure.reason}: ${failure.message}); there is nothing older to return to and the cause is likely not the version. Check the pod events and logs.`
    : `Version ${failedVersion} failed (${failure.reason}: ${failure.message}) and no version ever became Ready on this Atom, so there is nothing to roll back to; the Atom stays Degraded. Fix the cause or pin a working version with spec.version.`;
  return {
    kind: 'NoRollbackTarget',
    reason: R.NoRollbackTarget,
    status: {
      failedVersions: lastGoodFailed
        ? [...(status?.failedVersions ?? [])]
        : withFailedVersion(status?.failedVersions, failedVersion),
      rolloutHistory: withFinishedRecord(status?.rolloutHistory, {
        from,
        to: failedVersion,
        result: 'Failed',
        reason: failure.reason,
        now,
      }),
    },
    degraded: { status: 'True', reason: R.NoRollbackTarget, message },
    event: { type: 'Warning', reason: R.NoRollbackTarget, message },
  };
}
