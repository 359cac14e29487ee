// When an Atom that stays offline may have its pod replaced (spec.health.restartWhenOffline).
// Pure: the clock, the fleet's count and the Atom's own restart memory come in as data.

/** The longest wait between two offline restarts of one Atom, however many came before. */
export const maxOfflineRestartBackoffMs = 6 * 3_600_000;
/** How soon to look again when the fleet has no free slot for an offline restart. */
export const fleetSlotRetryMs = 30_000;

export interface OfflineRestartInput {
  now: number;
  gracePeriodMs: number;
  rolloutInProgress: boolean;
  /** Offline restarts of this Atom since it was last connected, and when the last one was. */
  restarts: number;
  lastRestartAt: number | undefined;
  fleet: FleetOfflineRestarts;
}

export interface FleetOfflineRestarts {
  /** Atoms whose pod was replaced for being offline and whose new pod is not Ready yet. */
  inFlight: number;
  /** How many may be in flight at once (the fleet's rollout concurrency). */
  maxConcurrent: number;
}

export type OfflineRestartVerdict = { replace: true } | { replace: false; why: string; retryAt?: number };

/** The wait after the n-th offline restart (n from 1): the grace period, doubling, capped. */
export function offlineRestartBackoffMs(restarts: number, gracePeriodMs: number): number {
  const cap = Math.max(gracePeriodMs, maxOfflineRestartBackoffMs);
  return Math.min(cap, gracePeriodMs * 2 ** Math.max(0, restarts - 1));
}

/** May the pod be replaced now? First reason not to wins; each says when to look again, if ever. */
export function offlineRestartVerdict(input: OfflineRestartInput): OfflineRestartVerdict {
  // A rollout replaces the pod itself and judges its health; a restart now would fight it.
  if (input.rolloutInProgress) return { replace: false, why: 'no restart while a rollout is in progress' };
  if (input.lastRestartAt !== undefined && input.restarts > 0) {
    const next = input.lastRestartAt + offlineRestartBackoffMs(input.restarts, input.gracePeriodMs);
    if (input.now < next) {
      const after = input.restarts === 1 ? '1 restart' : `${input.restarts} restarts`;
      return {
        replace: false,
        why: `after ${after} the next waits until ${new Date(next).toISOString().replace(/\.\d{3}Z$/, 'Z')} (backoff)`,
        retryAt: next,
      };
    }
  }
  if (input.fleet.inFlight >= input.fleet.maxConcurrent) {
    return {
      replace: false,
      why: `the fleet already has ${input.fleet.inFlight} offline restart${input.fleet.inFlight === 1 ? '' : 's'} in flight, as many as it allows at once (${input.fleet.maxConcurrent})`,
      retryAt: input.now + fleetSlotRetryMs,
    };
  }
  return { replace: true };
}

/**
 * Whether this Atom counts against the fleet's offline-restart limit: its pod was replaced for
 * being offline and the new pod has not become Ready since.
 */
export function offlineRestartInFlight(
  lastOfflineRestartTime: string | undefined,
  pod: { ready: boolean; readySince?: Date | undefined },
): boolean {
  if (!lastOfflineRestartTime) return false;
  const restartedAt = Date.parse(lastOfflineRestartTime);
  return !pod.ready || (pod.readySince !== undefined && pod.readySince.getTime() < restartedAt);
}
