// The rollout planner decides which version and image the Atom's pod should run,
// and what the status says about updates. The reconciler calls it once per pass.
import type { Atom } from '../../api/atom.js';
import type { PodHealth } from './pod-health.js';
import type { PollResult } from './ports.js';
import type { RolloutView } from './status.js';

export interface RunningPod {
  version?: string;
  image?: string;
  health: PodHealth;
  /** When the pod was created (an update's start, for the progress deadline). */
  createdAt?: string;
}

export interface PlanInput {
  atom: Atom;
  key: string;
  now: Date;
  release?: PollResult;
  /** The pod that exists now, if any. */
  running?: RunningPod;
  /** Subscribed to the platform, but its first answer has not come yet. */
  awaitingFirstCheck?: boolean;
  /** Why no pod can start now (an unusable certificate, a missing CA): then no update starts either. */
  blocked?: { reason: string; message: string };
  /** Why the platform cannot be asked at all (e.g. its CA Secret is missing). */
  platformProblem?: { reason: string; message: string };
}

export interface PlannedEvent {
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
}

export interface Plan {
  /** What the pod should run. */
  target: { image: string; version?: string };
  view: RolloutView;
  events: PlannedEvent[];
  /** Come back no later than this (window opening, progress deadline). */
  requeueAfterMs?: number;
  /** Set when no pod should start yet because the first release check is pending (why, for the status). */
  waitForRelease?: string;
  /** A rollout starts in this pass; its event already names the image of the new pod. */
  started?: boolean;
}

export type RolloutPlanner = (input: PlanInput) => Plan;
