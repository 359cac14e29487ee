// The rollout plan's inputs and outputs, as plain data: what the observe step hands in, what the
// controller records (events, the fleet's start, outcome counts) and what the status shows.
import type { Atom } from '../api/atom.js';
import type { AtomStatus } from '../api/atom-status.js';
import type { FleetGate, VerifiedRelease } from './decision-types.js';

export interface Problem {
  reason: string;
  message: string;
}

/** What the platform last said for this Atom's channel, as plain data. */
export interface ReleaseObservation {
  /** When the platform was last asked (RFC 3339). */
  checkedAt?: string;
  /** The accepted advertisement (kept across later network errors, never across a rejection). */
  release?: VerifiedRelease;
  /** The last poll failed or the advertisement was rejected: the error's code and message. */
  error?: { code: string; message: string; rejected?: string };
}

/** The pod that runs now, reduced to what judging a rollout needs. */
export interface RunningPod {
  version?: string;
  image?: string;
  ready: boolean;
  failed: boolean;
  restarts: number;
  waitingReason?: string;
  /** When the pod was created (an update's start, for the progress deadline). */
  createdAt?: string;
}

export interface AtomPlanInput {
  atom: Atom;
  now: Date;
  release?: ReleaseObservation;
  running?: RunningPod;
  /** Subscribed to the platform, but its first answer has not come yet. */
  awaitingFirstCheck?: boolean;
  /** Why no pod can start now (an unusable certificate, a missing CA, a refused pod): then no update starts. */
  blocked?: Problem;
  /** Why the platform cannot be asked at all (no URL, its CA Secret missing). */
  platformProblem?: Problem;
  /** The fleet's verdict for this Atom, asked only when `fleetCandidate` names a version. */
  fleetGate?: FleetGate;
}

export interface AtomPlanOptions {
  allowCriticalOverride: boolean;
  /** Release keys are configured: only a signed release (or a digest the spec pins) may ever run. */
  requireVerifiedRelease: boolean;
}

export interface PlannedEvent {
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
}

export type UpdateOutcome = 'started' | 'succeeded' | 'rolled_back' | 'failed';

/** What the status says about updates. */
export interface RolloutView {
  upToDate: { type: 'UpToDate'; status: 'True' | 'False' | 'Unknown'; reason: string; message: string };
  updating?: { message: string };
  degraded?: Problem;
  fields: Pick<
    AtomStatus,
    | 'advertisedVersion'
    | 'targetVersion'
    | 'lastUpdateCheckTime'
    | 'lastGoodVersion'
    | 'lastGoodImage'
    | 'failedVersions'
    | 'rolloutHistory'
    | 'currentVersion'
    | 'currentImage'
  >;
}

export interface AtomPlan {
  /** What the pod should run. */
  target: { image: string; version?: string };
  view: RolloutView;
  events: PlannedEvent[];
  /** Come back no later than this (window opening, progress deadline, fleet recheck). */
  requeueAfterMs?: number;
  /** Set when no pod should start yet because no usable release is known (why, for the status). */
  waitForRelease?: Problem;
  /** A rollout to this version starts in this pass (the fleet counts it before the cache shows it). */
  started?: { version: string; event: PlannedEvent };
  /** Rollout outcomes of this pass, for the metrics. */
  outcomes: UpdateOutcome[];
}
