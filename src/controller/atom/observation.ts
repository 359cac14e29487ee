// What one reconcile pass knows, as plain data: the observe step fills it from the caches and the
// poller, the pure decide step turns it into a decision. Nothing here holds a client or a cache, so a
// table test can write an observation as YAML and read the decision back.
import type { Atom } from '../../api/atom.js';
import type { AtomStatus } from '../../api/atom-status.js';
import type { CertificateVerdict } from '../../certificates/inspect.js';
import type { FleetOfflineRestarts } from '../../health/index.js';
import type { StatusPollResult } from '../../platform/index.js';
import type { FleetGate, Problem, ReleaseObservation } from '../../rollout/index.js';
import type { LiveFacts } from '../../resources/index.js';
import type { PodHealth } from './pod-health.js';

/** One live pod carrying the Atom's label, reduced to what decisions read. */
export interface PodFacts {
  name: string;
  uid?: string;
  resourceVersion?: string;
  /** deletionTimestamp is set: the pod is stopping. */
  deleting: boolean;
  /** The hash, version and certificate annotations the operator put on it. */
  specHash?: string;
  certificateHash?: string;
  version?: string;
  image?: string;
  createdAt?: string;
  health: PodHealth;
}

/** A live child of a kind in the registry. */
export interface LiveChild {
  name: string;
  uid?: string;
  resourceVersion?: string;
  /** It carries an owner reference to this Atom. */
  owned: boolean;
  /** What its builder must respect (e.g. a claim's fixed storage class). */
  facts?: LiveFacts;
}

/** What the controller remembers about an Atom between passes (in memory, lost on restart by design). */
export interface AtomMemory {
  /** Pods of this Atom that ended (Failed/Succeeded) in a row: their replacements back off. */
  podFailures?: { count: number; lastAt: number };
  /** The API server refused the Atom's new pod: not tried again before the retry time. */
  refused?: { message: string; at: number; specHash?: string };
  /** The NetworkPolicy could not be written in this pass. */
  networkPolicyFailed?: string;
}

/** An Atom whose spec does not parse: only its status can be written. */
export interface InvalidAtomObservation {
  kind: 'Invalid';
  now: Date;
  generation?: number;
  status?: AtomStatus;
  problems: string;
}

export interface AtomObservation {
  kind: 'Valid';
  key: string;
  now: Date;
  atom: Atom;
  certificate: CertificateVerdict;
  /** Why the platform cannot be asked at all (no URL anywhere, its CA Secret missing). */
  platformProblem?: Problem & { blocksPod: boolean };
  /** The Atom is subscribed to its platform's releases. */
  subscribed: boolean;
  release?: ReleaseObservation;
  fleetGate?: FleetGate;
  /** The Atom is subscribed to the platform's view of it (GET /atom/v1/self). */
  statusSubscribed?: boolean;
  /** The platform's view of the Atom (GET /atom/v1/self), when asked; see src/health. */
  connectivity?: StatusPollResult;
  /** Offline restarts in flight across the fleet, and how many may be: asked only for restartWhenOffline Atoms. */
  fleetOfflineRestarts?: FleetOfflineRestarts;
  /** Every live pod carrying the Atom's label. */
  pods: PodFacts[];
  /** The live children besides pods, by kind (the registry's kinds), as the caches show them. */
  children: Record<string, LiveChild>;
  memory: AtomMemory;
}

export type Observation = AtomObservation | InvalidAtomObservation;
