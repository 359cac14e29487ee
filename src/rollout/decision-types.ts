// The shapes decideUpdate works with, apart from the function itself, so the fleet and the
// controller can import them without pulling in the decision chain.
import type { AtomSpec } from '../api/atom.js';
import type { AtomStatus } from '../api/atom-status.js';
import type * as R from './reasons.js';
import type { RolloutReason } from './reasons.js';
import type { WindowProblem } from './windows.js';

/**
 * An advertisement the platform layer already verified (signature, digest, allow-list).
 * The platform's `Release` type fits as is.
 */
export interface VerifiedRelease {
  version: string;
  /** Repository without tag or digest. */
  image: string;
  /** `sha256:...` */
  digest: string;
  critical: boolean;
  publishedAt: string;
}

/** What the fleet plan says about this one Atom (see fleet.ts `fleetGateFor`). */
export type FleetGate =
  | { kind: 'Allowed'; reason?: typeof R.RolloutResumed; message?: string }
  | {
      kind: 'Waiting';
      reason: typeof R.ConcurrencyLimitReached | typeof R.WaitingForEarlierWave | typeof R.RolloutHalted;
      message: string;
      requeueAfterSeconds?: number;
    };

export interface UpdateInput {
  spec: {
    version?: string | undefined;
    image: Pick<AtomSpec['image'], 'repository' | 'digest'>;
    update: Pick<AtomSpec['update'], 'mode' | 'windows' | 'allowCriticalOutsideWindow'>;
  };
  status?: Pick<AtomStatus, 'currentVersion' | 'failedVersions'> | undefined;
  /** The latest verified release on the Atom's channel, if any. */
  release?: VerifiedRelease | undefined;
  /** The fleet's verdict for this Atom and the advertised version. Pinned rollouts do not consult it. */
  fleet: FleetGate;
  /** Operator configuration `fleet.allowCriticalOverride`: both it and the Atom's allowCriticalOutsideWindow must be true. */
  allowCriticalOverride: boolean;
  now: Date;
}

/** The UpToDate condition to show (the controller adds type, observedGeneration and lastTransitionTime). */
export interface UpToDateCondition {
  status: 'True' | 'False' | 'Unknown';
  reason: RolloutReason;
  message: string;
}

export interface RolloutTarget {
  version: string;
  /** `repository@sha256:...`, or `repository:tag` only for a pin whose digest is unknown (`byTag`). */
  image: string;
  byTag: boolean;
}

interface Explained {
  reason: RolloutReason;
  message: string;
  condition: UpToDateCondition;
}

export type UpdateDecision = Explained &
  (
    | { kind: 'UpToDate' }
    | { kind: 'Pinned'; version: string }
    | { kind: 'AwaitingApproval'; version: string }
    | { kind: 'Disabled' }
    | { kind: 'KnownBad'; version: string }
    | { kind: 'WaitingForWindow'; version: string; nextOpensAt?: Date; requeueAt?: Date }
    | { kind: 'InvalidWindow'; version: string; problems: WindowProblem[] }
    | { kind: 'WaitingForFleet'; version: string; requeueAt?: Date }
    | { kind: 'Start'; to: RolloutTarget; initial: boolean }
  );

export type UpdateDecisionKind = UpdateDecision['kind'];
