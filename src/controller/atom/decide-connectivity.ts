// The platform's view of the Atom, as decide sees it: the pure connectivity decision (src/health)
// fed from the observation, the pod the pass keeps and the rollout it plans.
import { type ConnectivityDecision, decideConnectivity, type FleetOfflineRestarts } from '../../health/index.js';
import type { AtomPlan } from '../../rollout/index.js';
import type { AtomObservation, PodFacts } from './observation.js';
import type { PodStep } from './pod-step.js';

/** Without the fleet's count (restartWhenOffline is off), no restart is ever allowed. */
const NO_RESTARTS: FleetOfflineRestarts = { inFlight: 0, maxConcurrent: 0 };

export function connectivityOf(
  obs: AtomObservation,
  current: PodFacts | undefined,
  step: PodStep,
  plan: AtomPlan,
): ConnectivityDecision {
  const { atom } = obs;
  const status = atom.status;
  const inProgress = status?.rolloutHistory?.at(-1)?.result === 'InProgress' || plan.started !== undefined;
  const health = current?.health;
  return decideConnectivity({
    now: obs.now,
    poll: obs.connectivity,
    health: atom.spec.health,
    pod: { ready: health?.ready ?? false, readySince: health?.readySince ? new Date(health.readySince) : undefined },
    // Only a pod the pass keeps as it is may be replaced for being offline: a rollout, a replacement
    // or a stop already under way decides the pod's fate.
    rolloutInProgress: inProgress || step.kind !== 'Keep',
    expectedVersion: status?.currentVersion,
    previous: {
      connected: status?.conditions?.find((c) => c.type === 'Connected'),
      degraded: status?.conditions?.find((c) => c.type === 'Degraded'),
      platform: status?.platform,
    },
    fleet: obs.fleetOfflineRestarts ?? NO_RESTARTS,
  });
}
