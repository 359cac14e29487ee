// The Atom's status as a pure function of what the reconcile pass saw. The
// reconciler writes it only when it differs from the status already there.
import type { Atom } from '../../api/atom.js';
import type { AtomStatus, Phase } from '../../api/atom-status.js';
import type { CertificateVerdict } from '../../certificates/inspect.js';
import { mergeConditions, type ConditionInput } from './conditions.js';
import type { ConnectivityDecision } from '../../health/index.js';
import { needsAPerson } from './decide-pod.js';
import type { InvalidAtomObservation } from './observation.js';
import type { PodHealth } from './pod-health.js';
import type { RolloutView } from '../../rollout/index.js';
import type { PodStep } from './pod-step.js';
import { reasons } from '../../api/reasons.js';

export type NetworkState =
  | { kind: 'Applied'; summary: string }
  | { kind: 'Disabled' }
  | { kind: 'Failed'; message: string };

export interface StatusInput {
  atom: Atom;
  now: Date;
  certificate: CertificateVerdict;
  network: NetworkState;
  step: PodStep;
  /** Health of the pod that exists now (the kept or held one), if any. */
  health?: PodHealth;
  podName: string;
  /** Why no pod may start (used when the step is Hold and no pod exists). */
  blocked: { reason: string; message: string };
  /** Version and image of the pod that runs now. */
  current?: { version?: string; image?: string };
  rollout: RolloutView;
  /** The platform's view of the Atom (Connected, status.platform, an offline Degraded). */
  connectivity?: Pick<ConnectivityDecision, 'connected' | 'platform' | 'degraded'>;
}

type PodConditions = { ready: ConditionInput; progressing: ConditionInput; degraded?: ConditionInput };

const progressingTrue = (reason: string, message: string): ConditionInput => ({
  type: 'Progressing',
  status: 'True',
  reason,
  message,
});
const notReady = (reason: string, message: string): ConditionInput => ({
  type: 'Ready',
  status: 'False',
  reason,
  message,
});

function podConditions(input: StatusInput): PodConditions {
  return rolloutConditions(input) ?? stepConditions(input) ?? healthConditions(input);
}

/**
 * Through a rollout, stopping the old pod, creating the new one and waiting for it all say the same
 * thing, so no pass of the rollout rewrites the status; a pod that fails still speaks for itself.
 */
function rolloutConditions({ rollout, step, health }: StatusInput): PodConditions | undefined {
  const updating = rollout.updating;
  const failing =
    health &&
    (health.crashLooping || health.waitingReason === 'ImagePullBackOff' || health.waitingReason === 'ErrImagePull');
  const replacing = step.kind === 'Create' || step.kind === 'Replace' || step.kind === 'WaitForTermination';
  if (!updating || failing || !(replacing || (step.kind === 'Keep' && !health?.ready))) return undefined;
  return {
    ready: notReady(reasons.Updating, updating.message),
    progressing: progressingTrue(reasons.Updating, updating.message),
  };
}

/** What the pod's next step says, when it says more than the pod's health. */
function stepConditions(input: StatusInput): PodConditions | undefined {
  const { step, health, podName } = input;
  switch (step.kind) {
    case 'Create':
      return {
        ready: notReady(reasons.PodStarting, `creating pod ${podName}`),
        progressing: progressingTrue(reasons.PodStarting, `creating pod ${podName}`),
      };
    case 'Replace':
      return {
        ready: notReady(reasons.PodReplacing, step.message),
        progressing: progressingTrue(reasons.PodReplacing, step.message),
      };
    case 'WaitForTermination':
    case 'DeleteStrays': {
      const old = step.kind === 'WaitForTermination' ? step.pod.name : podName;
      return {
        ready: notReady(reasons.PodTerminating, `waiting for pod ${old} to stop before starting its replacement`),
        progressing: progressingTrue(reasons.PodTerminating, 'the old pod is stopping gracefully'),
      };
    }
    case 'Hold': {
      if (health) return undefined;
      const { reason, message } = input.blocked;
      const stuck = needsAPerson.has(reason);
      return {
        ready: notReady(reason, `no pod is started: ${message}`),
        progressing: { type: 'Progressing', status: stuck ? 'False' : 'True', reason, message },
      };
    }
    case 'Keep':
      return undefined;
  }
}

/** What the pod that exists says about itself. */
function healthConditions({ health, step, certificate, podName }: StatusInput): PodConditions {
  if (!health)
    return {
      ready: notReady(reasons.PodStarting, `waiting for pod ${podName}`),
      progressing: progressingTrue(reasons.PodStarting, `waiting for pod ${podName}`),
    };
  if (health.crashLooping || health.waitingReason === 'ImagePullBackOff' || health.waitingReason === 'ErrImagePull') {
    const reason = health.crashLooping ? reasons.CrashLoopBackOff : reasons.ImagePullBackOff;
    const message = `pod ${podName}: ${health.waitingReason}${health.waitingMessage ? ` (${health.waitingMessage})` : ''}, ${health.restarts} restarts; check its logs with kubectl logs ${podName} --previous`;
    return {
      ready: notReady(reason, message),
      progressing: { type: 'Progressing', status: 'False', reason, message },
      degraded: { type: 'Degraded', status: 'True', reason, message },
    };
  }
  if (health.ready) {
    const held = step.kind === 'Hold' ? ` (kept on its current certificate: ${certificate.message})` : '';
    return {
      ready: { type: 'Ready', status: 'True', reason: reasons.PodReady, message: `pod ${podName} is Ready${held}` },
      progressing: { type: 'Progressing', status: 'False', reason: reasons.Stable, message: 'nothing is changing' },
    };
  }
  return {
    ready: notReady(reasons.PodNotReady, `pod ${podName} is ${health.phase} and not Ready yet`),
    progressing: progressingTrue(reasons.PodStarting, `pod ${podName} is starting`),
  };
}

function networkCondition(network: NetworkState): ConditionInput {
  switch (network.kind) {
    case 'Applied':
      return { type: 'NetworkIsolated', status: 'True', reason: reasons.PolicyApplied, message: network.summary };
    case 'Disabled':
      return {
        type: 'NetworkIsolated',
        status: 'False',
        reason: reasons.PolicyDisabled,
        message: 'spec.networkPolicy.enabled is false: the Atom may connect anywhere and be connected to',
      };
    case 'Failed':
      return { type: 'NetworkIsolated', status: 'False', reason: reasons.ApplyFailed, message: network.message };
  }
}

function phaseOf(
  ready: ConditionInput,
  degraded: ConditionInput | undefined,
  updating: boolean,
  step: PodStep,
  health: PodHealth | undefined,
): Phase {
  if (step.kind === 'Hold' && !health) return needsAPerson.has(ready.reason) ? 'Failed' : 'Pending';
  if (degraded?.status === 'True') return 'Degraded';
  if (updating) return 'Updating';
  if (ready.status === 'True') return 'Running';
  if (step.kind === 'Create' || health) return 'Starting';
  return step.kind === 'Replace' || step.kind === 'WaitForTermination' ? 'Starting' : 'Pending';
}

export function buildStatus(input: StatusInput): AtomStatus {
  const { atom, now, certificate, rollout } = input;
  const pod = podConditions(input);
  // The pod's own failure speaks first, then a failed rollout, then an Atom the platform does not hear.
  const offline = input.connectivity?.degraded;
  const degraded: ConditionInput =
    pod.degraded ??
    (rollout.degraded
      ? { type: 'Degraded', status: 'True', ...rollout.degraded }
      : offline
        ? { type: 'Degraded', status: 'True', ...offline }
        : { type: 'Degraded', status: 'False', reason: reasons.AsExpected, message: 'nothing is wrong' });
  const progressing =
    rollout.updating && pod.progressing.status === 'False' && degraded.status !== 'True'
      ? { ...pod.progressing, status: 'True' as const, reason: reasons.Updating, message: rollout.updating.message }
      : pod.progressing;
  const cert: ConditionInput = {
    type: 'CertificateValid',
    status: certificate.usable ? 'True' : 'False',
    reason: certificate.reason,
    message: certificate.message,
  };
  const conditions = mergeConditions(
    atom.status?.conditions,
    [
      pod.ready,
      cert,
      networkCondition(input.network),
      rollout.upToDate,
      progressing,
      degraded,
      ...(input.connectivity ? [input.connectivity.connected] : []),
    ],
    atom.metadata.generation,
    now,
  );
  const np = atom.spec.networkPolicy;
  const status: AtomStatus = {
    observedGeneration: atom.metadata.generation,
    phase: phaseOf(pod.ready, degraded, Boolean(rollout.updating), input.step, input.health),
    conditions,
    ...(input.health || input.step.kind !== 'Hold' ? { podName: input.podName } : {}),
    ...(input.current?.version ? { currentVersion: input.current.version } : {}),
    ...(input.current?.image ? { currentImage: input.current.image } : {}),
    ...Object.fromEntries(Object.entries(rollout.fields).filter(([, v]) => v !== undefined)),
    ...(certificate.facts ? { certificate: certificate.facts } : {}),
    ...(input.connectivity?.platform ? { platform: input.connectivity.platform } : {}),
    ...(np.enabled && np.proxy ? { egressProxy: `${np.proxy.cidr}:${np.proxy.port}` } : {}),
  };
  return status;
}

/** The status of an Atom whose spec does not parse: Ready=False InvalidSpec naming the fields; the rest kept. */
export function invalidSpecStatus(obs: InvalidAtomObservation): AtomStatus {
  const message = `the Atom's spec is invalid, nothing is changed until it is fixed: ${obs.problems}`;
  const ready: ConditionInput = { type: 'Ready', status: 'False', reason: reasons.InvalidSpec, message };
  return {
    ...obs.status,
    ...(obs.generation !== undefined ? { observedGeneration: obs.generation } : {}),
    phase: 'Failed',
    conditions: mergeConditions(obs.status?.conditions, [ready], obs.generation, obs.now),
  };
}
