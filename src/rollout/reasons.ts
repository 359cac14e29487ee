// Every reason the rollout decisions report (conditions, events, fleet verdicts), CamelCase.
// The one-line comment above each constant says what it means; `reasonActions` says what a
// person can do. A test keeps both complete, and the troubleshooting doc is generated from them.
import { reasons } from '../api/reasons.js';

/** The Atom runs the newest verified version it follows. */
export const UpToDate = 'UpToDate';
/** No verified release has been advertised for the Atom's channel yet. */
export const NoReleaseAdvertised = 'NoReleaseAdvertised';
/** The Atom runs the version pinned in spec.version. */
export const Pinned = 'Pinned';
/** A newer version is advertised and update.mode Manual waits for a person to approve it. */
export const UpdateAvailable = 'UpdateAvailable';
/** update.mode is Disabled: advertised versions are shown but never rolled out. */
export const UpdatesDisabled = 'UpdatesDisabled';
/** The version failed on this Atom before and is not retried. */
export const KnownBadVersion = 'KnownBadVersion';
/** An update waits for the next maintenance window. */
export const OutsideMaintenanceWindow = 'OutsideMaintenanceWindow';
/** A maintenance window cannot be understood (time zone, duration), so updates never start. */
export const InvalidMaintenanceWindow = 'InvalidMaintenanceWindow';
/** The fleet already has as many Atoms updating as fleet.maxConcurrent allows. */
export const ConcurrencyLimitReached = 'ConcurrencyLimitReached';
/** An earlier wave has not finished updating, or has not been healthy for the soak time yet. */
export const WaitingForEarlierWave = 'WaitingForEarlierWave';
/** The rollout of this version is halted because too many Atoms failed it. */
export const RolloutHalted = 'RolloutHalted';
/** A halted rollout continues because a person set the resume annotation. */
export const RolloutResumed = 'RolloutResumed';
/** An update to the advertised version starts now. */
export const UpdateStarting = 'UpdateStarting';
/** A critical release starts outside the maintenance windows because both the Atom and the operator allow it. */
export const CriticalUpdateOutsideWindow = 'CriticalUpdateOutsideWindow';
/** The Atom has never run a version; the advertised one is installed without waiting. */
export const InitialInstall = 'InitialInstall';
/** The version pinned in spec.version is rolled out on its verified image digest. */
export const PinRollingOut = 'PinRollingOut';
/** The pinned version is rolled out by its mutable tag, because no verified digest is known for it. */
export const PinRollingOutByTag = 'PinRollingOutByTag';
/** The new version has started and is not Ready yet, within the progress deadline. */
export const UpdateProgressing = 'UpdateProgressing';
/** The new version became Ready. */
export const UpdateSucceeded = 'UpdateSucceeded';
/** The new version did not become Ready within update.progressDeadlineSeconds. */
export const ProgressDeadlineExceeded = 'ProgressDeadlineExceeded';
/** The new version's container keeps crashing (CrashLoopBackOff or too many restarts). Named once, in api/reasons. */
export const CrashLoopBackOff = reasons.CrashLoopBackOff;
/** The new version's pod failed (phase Failed). Named once, in api/reasons. */
export const PodFailed = reasons.PodFailed;
/** A failed update was rolled back to the last good version. */
export const RolledBack = 'RolledBack';
/** A failed update cannot be rolled back: no version ever became Ready on this Atom. */
export const NoRollbackTarget = 'NoRollbackTarget';

export const rolloutReasons = [
  UpToDate,
  NoReleaseAdvertised,
  Pinned,
  UpdateAvailable,
  UpdatesDisabled,
  KnownBadVersion,
  OutsideMaintenanceWindow,
  InvalidMaintenanceWindow,
  ConcurrencyLimitReached,
  WaitingForEarlierWave,
  RolloutHalted,
  RolloutResumed,
  UpdateStarting,
  CriticalUpdateOutsideWindow,
  InitialInstall,
  PinRollingOut,
  PinRollingOutByTag,
  UpdateProgressing,
  UpdateSucceeded,
  ProgressDeadlineExceeded,
  CrashLoopBackOff,
  PodFailed,
  RolledBack,
  NoRollbackTarget,
] as const;

export type RolloutReason = (typeof rolloutReasons)[number];

/** What a person can do about each reason (the troubleshooting doc's second column). */
export const reasonActions: Record<RolloutReason, string> = {
  UpToDate: 'Nothing to do.',
  NoReleaseAdvertised:
    'Check the UpToDate message and the operator events for platform errors; the channel may have no release yet.',
  Pinned: 'To follow advertised versions, remove spec.version and set update.mode Automatic.',
  UpdateAvailable: 'Approve the version by setting spec.version to it, or set update.mode Automatic.',
  UpdatesDisabled: 'Set update.mode to Manual or Automatic to receive updates.',
  KnownBadVersion: 'Wait for a newer release, or remove the version from status.failedVersions to retry it.',
  OutsideMaintenanceWindow: 'Wait for the window named in the message, or widen update.windows.',
  InvalidMaintenanceWindow: 'Fix the window named in the message (IANA time zone, duration up to 168h).',
  ConcurrencyLimitReached:
    'Wait; raise fleet maxConcurrent in the operator configuration to update more Atoms at once.',
  WaitingForEarlierWave: 'Wait for the earlier wave to finish and soak; check its Atoms if it does not.',
  RolloutHalted:
    'Investigate the failed Atoms; annotate any Atom in scope with atomoperator.io/resume-rollout set to the version to continue.',
  RolloutResumed:
    'Remove the resume annotation once the rollout is done, so a later halt of this version takes effect again.',
  UpdateStarting: 'Nothing to do; watch the Progressing condition.',
  CriticalUpdateOutsideWindow:
    'Nothing to do; set update.allowCriticalOutsideWindow false to keep critical releases inside the windows.',
  InitialInstall: 'Nothing to do.',
  PinRollingOut: 'Nothing to do; watch the Progressing condition.',
  PinRollingOutByTag: 'Set spec.image.digest to the digest of the pinned version so exactly that image runs.',
  UpdateProgressing: 'Wait; the message says how long until the progress deadline.',
  UpdateSucceeded: 'Nothing to do.',
  ProgressDeadlineExceeded:
    'Check the pod events and logs; raise update.progressDeadlineSeconds if the Atom needs longer to start.',
  CrashLoopBackOff: 'Check the logs of the previous container (kubectl logs --previous) and report them to the vendor.',
  PodFailed: 'Check the pod events and logs and report them to the vendor.',
  RolledBack:
    'The Atom runs its last good version again; report the failure to the vendor and wait for a newer release.',
  NoRollbackTarget: 'Fix the cause shown in the pod events or logs, or pin a version that works with spec.version.',
};
