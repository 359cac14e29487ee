// Decide: one pure function from what a pass observed to everything it should do. The children to
// keep in place, the pod's next step, the status, the events and when to look again all come from
// here, so a table of observations (decide.test.ts, __fixtures__/decide/) pins the behaviour.
import type { V1Pod } from '@kubernetes/client-node';
import type { AtomStatus } from '../../api/atom-status.js';
import type { KubeObject } from '../../kube/resource.js';
import { type AgentProfile, type DNSConfig, desiredPod, podName } from '../../resources/index.js';
import {
  type AtomPlan,
  type PlannedEvent,
  type Problem,
  planAtomRollout,
  type RunningPod,
  type UpdateOutcome,
} from '../../rollout/index.js';
import { type ConnectivityDecision, OfflineRestart } from '../../health/index.js';
import { connectivityOf } from './decide-connectivity.js';
import { desiredChildren, networkState } from './decide-children.js';
import { blockedPod, certificateRequeueMs, crashBackoff } from './decide-pod.js';
import { conditionEvents } from './events.js';
import type { AtomMemory, AtomObservation, InvalidAtomObservation, PodFacts } from './observation.js';
import { decidePodStep, type PodStep, podFacts } from './pod-step.js';
import { reasons } from '../../api/reasons.js';
import { buildStatus, invalidSpecStatus } from './status.js';

export interface DecideConfig {
  /** Platform URL for Atoms that name none. */
  defaultPlatformUrl?: string;
  profile: AgentProfile;
  dns: DNSConfig;
  certificateWarningDays: number;
  allowCriticalOverride: boolean;
  /** Release keys are configured: only a signed release (or a digest the spec pins) may ever run. */
  requireVerifiedRelease: boolean;
}

export type PodAction =
  | { kind: 'None' }
  | { kind: 'Create'; pod: V1Pod }
  /** Delete these pods gracefully (a replacement, or strays). */
  | { kind: 'Delete'; pods: PodFacts[] };

export interface Decision {
  /** Children to keep as built, in order (the apply step writes only those that drifted). */
  children: KubeObject[];
  /** An owned child the spec no longer asks for. */
  removals: { kind: string; name: string; uid?: string; resourceVersion?: string }[];
  pod: PodAction;
  /** The status to show; undefined while a new Atom quietly waits for its platform's first answer. */
  status: AtomStatus | undefined;
  events: PlannedEvent[];
  requeueAfterMs?: number;
  /** What the controller remembers of this Atom for the next pass. */
  memory: AtomMemory;
  /** Effects of the rollout plan the caller records: a start for the fleet, outcomes for metrics. */
  rollout: { started?: { version: string; event: PlannedEvent }; outcomes: UpdateOutcome[] };
  /** What the offline metrics record. */
  connectivity: Pick<ConnectivityDecision, 'offline' | 'replacePod'>;
}

/** How often a pod that is being created, replaced or stopped is looked at. */
export const POD_POLL_MS = 2_000;
const MAX_REQUEUE_MS = 24 * 3_600_000;

export function decide(obs: AtomObservation, config: DecideConfig): Decision {
  const { atom, now, certificate } = obs;
  const current = obs.pods.find((p) => p.name === podName(atom) && !p.deleting);
  const plan = planRollout(obs, current, config);
  if (waitsQuietly(obs, plan)) return quietWait(obs);
  const { pod, step, blocked, connectivity } = decidePod(obs, current, plan, config);
  const children = desiredChildren(obs, config);
  const status = buildStatus({
    atom,
    now,
    certificate,
    network: networkState(obs),
    step,
    ...(current ? { health: current.health } : {}),
    podName: podName(atom),
    blocked: blocked ?? { reason: reasons.WaitingForRelease, message: '' },
    // The version a pod runs counts once it is Ready: before that, it is only being tried.
    current: current?.health.ready ? { version: current.version, image: current.image } : {},
    rollout: plan.view,
    connectivity,
  });
  const events = [
    ...plan.events,
    ...children.events,
    ...connectivity.events,
    ...podEvents(step, pod, plan),
    ...conditionEvents(atom.status?.conditions, status.conditions),
  ];
  return {
    children: children.objects,
    removals: children.removals,
    pod: podAction(step, pod),
    status,
    events: uniqueByReason(events),
    requeueAfterMs: earliest(
      podRequeue(step),
      blocked?.retryInMs,
      plan.requeueAfterMs,
      certificateRequeueMs(certificate, now, config.certificateWarningDays),
      connectivity.requeueAfterMs,
      MAX_REQUEUE_MS,
    ),
    memory: nextMemory(obs, step, current),
    rollout: { ...(plan.started ? { started: plan.started } : {}), outcomes: plan.outcomes },
    connectivity: {
      offline: connectivity.offline,
      ...(connectivity.replacePod ? { replacePod: connectivity.replacePod } : {}),
    },
  };
}

function planRollout(obs: AtomObservation, current: PodFacts | undefined, config: DecideConfig): AtomPlan {
  return planAtomRollout(
    {
      atom: obs.atom,
      now: obs.now,
      ...(obs.release ? { release: obs.release } : {}),
      ...(current ? { running: runningPod(current) } : {}),
      awaitingFirstCheck: obs.subscribed && obs.release === undefined,
      ...withBlocked(blockedPod(obs, undefined, undefined)),
      ...(obs.platformProblem ? { platformProblem: obs.platformProblem } : {}),
      ...(obs.fleetGate ? { fleetGate: obs.fleetGate } : {}),
    },
    config,
  );
}

/** The pod the plan asks for, the step towards it, why none may start, and what the platform says. */
function decidePod(obs: AtomObservation, current: PodFacts | undefined, plan: AtomPlan, config: DecideConfig) {
  const { atom } = obs;
  const pod = desiredPod(atom, {
    image: plan.target.image,
    ...(plan.target.version ? { version: plan.target.version } : {}),
    certificateHash: obs.certificate.contentHash ?? 'none',
    platformUrl: atom.spec.platform.url ?? config.defaultPlatformUrl ?? '',
    profile: config.profile,
  });
  const desired = podFacts(pod);
  const held = blockedPod(obs, desired.specHash, plan.waitForRelease);
  const firstStep = decidePodStep({ desired, live: obs.pods, canStart: !held });
  // A pod that keeps ending waits for its backoff: the step becomes Hold, and the status says why.
  const backoff = firstStep.kind === 'Create' ? crashBackoff(obs.memory.podFailures, obs.now) : undefined;
  const kept: PodStep = backoff ? { kind: 'Hold' } : firstStep;
  const connectivity = connectivityOf(obs, current, kept, plan);
  // An Atom that stays offline gets its pod replaced gracefully when its spec asks for that.
  const restart = connectivity.replacePod;
  const step: PodStep =
    restart && kept.kind === 'Keep'
      ? { kind: 'Replace', pod: kept.pod, reason: restart.reason, message: restart.message }
      : kept;
  return { pod, step, blocked: held ?? backoff, connectivity };
}

/**
 * A new Atom waits this long for its platform's first answers (the release to install, and whether it
 * is online) before it writes anything: they usually come within a second (the pollers wake the Atom),
 * and then one pass creates its children, its pod and its first status, told in one event.
 */
const FIRST_ANSWER_WAIT_MS = 10_000;

/** A new Atom whose platform has not answered yet (releases, or its own status) writes nothing for a moment. */
function waitsQuietly(obs: AtomObservation, plan: AtomPlan): boolean {
  const created = Date.parse(String(obs.atom.metadata.creationTimestamp ?? ''));
  const young = obs.now.getTime() - created < FIRST_ANSWER_WAIT_MS;
  if (!young || !obs.subscribed || obs.atom.status) return false;
  const releasePending = plan.waitForRelease !== undefined && !obs.release;
  const statusPending = obs.statusSubscribed === true && !obs.connectivity;
  return releasePending || statusPending;
}

function quietWait(obs: AtomObservation): Decision {
  const created = Date.parse(String(obs.atom.metadata.creationTimestamp));
  return {
    children: [],
    removals: [],
    pod: { kind: 'None' },
    status: undefined,
    events: [],
    requeueAfterMs: Math.max(250, created + FIRST_ANSWER_WAIT_MS - obs.now.getTime()),
    memory: obs.memory,
    rollout: { outcomes: [] },
    connectivity: { offline: false },
  };
}

/** An Atom whose spec does not parse gets a status that says which fields, and nothing else. */
export function decideInvalid(obs: InvalidAtomObservation): { status: AtomStatus; events: PlannedEvent[] } {
  const status = invalidSpecStatus(obs);
  return { status, events: conditionEvents(obs.status?.conditions, status.conditions) };
}

const withBlocked = (blocked: Problem | undefined) => (blocked ? { blocked } : {});

function runningPod(pod: PodFacts): RunningPod {
  const h = pod.health;
  return {
    ...(pod.version ? { version: pod.version } : {}),
    ...(pod.image ? { image: pod.image } : {}),
    ...(pod.createdAt ? { createdAt: pod.createdAt } : {}),
    ready: h.ready,
    failed: h.phase === 'Failed',
    restarts: h.restarts,
    ...(h.waitingReason ? { waitingReason: h.waitingReason } : {}),
  };
}

/** The series of ended pods: a minute Ready ends it (the kubelet does the same for restarts, after 10). */
function nextMemory(obs: AtomObservation, step: PodStep, current: PodFacts | undefined): AtomMemory {
  const { podFailures, ...rest } = obs.memory;
  const { networkPolicyFailed: _once, ...memory } = rest;
  const now = obs.now.getTime();
  const healthy =
    current?.health.ready && current.health.readySince && now - Date.parse(current.health.readySince) > 60_000;
  if (step.kind === 'Replace' && step.reason === reasons.PodFailed) {
    return { ...memory, podFailures: { count: (podFailures?.count ?? 0) + 1, lastAt: now } };
  }
  return healthy || !podFailures ? memory : { ...memory, podFailures };
}

function podAction(step: PodStep, pod: V1Pod): PodAction {
  switch (step.kind) {
    case 'Create':
      return { kind: 'Create', pod };
    case 'Replace':
      return { kind: 'Delete', pods: [step.pod] };
    case 'DeleteStrays':
      return { kind: 'Delete', pods: step.pods };
    default:
      return { kind: 'None' };
  }
}

function podEvents(step: PodStep, pod: V1Pod, plan: AtomPlan): PlannedEvent[] {
  const name = pod.metadata?.name ?? '';
  switch (step.kind) {
    case 'Create':
      // A rollout's own event (InitialInstall, UpdateStarting...) already said which pod comes next.
      if (plan.started || plan.view.updating) return [];
      return [
        {
          type: 'Normal',
          reason: reasons.PodCreated,
          message: `created pod ${name} running ${pod.spec?.containers[0]?.image}`,
        },
      ];
    case 'Replace':
      // An offline restart is told by the connectivity decision's own event, a rollout's by its start.
      if (step.reason === OfflineRestart || plan.started) return [];
      return [
        {
          type: 'Normal',
          reason: step.reason,
          message: `${step.message}; the new pod starts when the old one has stopped`,
        },
      ];
    case 'DeleteStrays':
      return [
        {
          type: 'Warning',
          reason: reasons.StrayPodRemoved,
          message: `removed pods ${step.pods.map((p) => p.name).join(', ')} that carried this Atom's label: one Atom runs exactly one pod`,
        },
      ];
    default:
      return [];
  }
}

function podRequeue(step: PodStep): number | undefined {
  return step.kind === 'Create' ||
    step.kind === 'Replace' ||
    step.kind === 'DeleteStrays' ||
    step.kind === 'WaitForTermination'
    ? POD_POLL_MS
    : undefined;
}

/** One event per reason and pass (a condition change and an action may tell the same thing). */
function uniqueByReason(events: PlannedEvent[]): PlannedEvent[] {
  const seen = new Set<string>();
  return events.filter((e) => !seen.has(e.reason) && seen.add(e.reason));
}

function earliest(...values: (number | undefined)[]): number | undefined {
  const defined = values.filter((v): v is number => v !== undefined && Number.isFinite(v));
  return defined.length ? Math.max(0, Math.min(...defined)) : undefined;
}
