// One Atom's rollout plan, as a pure function: which version and image its pod should run, what the
// status records about updates, which rollout events happen, and the effects the caller records
// (a start for the fleet's bookkeeping, outcome counts for metrics). The state lives in the Atom's
// status (rolloutHistory's InProgress record, lastGood*, failedVersions), so a restart resumes.
import type { FleetGate, UpdateDecision } from './decision-types.js';
import { currentTarget, platformAnswerProblem } from './plan-inputs.js';
import type { AtomPlan, AtomPlanInput, AtomPlanOptions, PlannedEvent, Problem, RolloutView } from './plan-types.js';
import { rolloutStartedStatus, rolloutSucceededStatus } from './history.js';
import { decideUpdate } from './policy.js';
import { judgeProgress, rollbackPlan } from './progress.js';
import * as R from './reasons.js';

/** A fleet wait with no known end is looked at again this often (besides the wake-up when a rollout ends). */
const FLEET_RECHECK_MS = 10_000;
/** How stale status.lastUpdateCheckTime may get while the platform's answer stays the same. */
const CHECK_TIME_REFRESH_MS = 3_600_000;
/** A new Atom waiting for the platform's answer looks again this often. */
const RELEASE_WAIT_MS = 5_000;

const seconds = (s: number | undefined) => (s === undefined ? undefined : s * 1000);

/** Plans one Atom's rollout: an update under way is judged; otherwise, may one start now? */
export function planAtomRollout(input: AtomPlanInput, options: AtomPlanOptions): AtomPlan {
  const status = input.atom.status;
  const last = status?.rolloutHistory?.at(-1);
  const fields = recordedFields(input);
  if (last?.result === 'InProgress' && last.image) {
    return planInProgress(input, options, { version: last.to, image: last.image, from: last.from }, fields);
  }
  return planIdle(input, options, fields);
}

function recordedFields(input: AtomPlanInput): RolloutView['fields'] {
  const status = input.atom.status;
  const release = input.release?.release;
  const problem = input.platformProblem ?? platformAnswerProblem(input.release);
  const shownUpToDate = status?.conditions?.find((c) => c.type === 'UpToDate');
  const answerChanged =
    (release?.version ?? status?.advertisedVersion) !== status?.advertisedVersion ||
    (problem ? problem.reason !== shownUpToDate?.reason : shownUpToDate?.status === 'Unknown');
  return {
    advertisedVersion: release?.version ?? status?.advertisedVersion,
    lastUpdateCheckTime: shownCheckTime(status?.lastUpdateCheckTime, input.release?.checkedAt, answerChanged),
    targetVersion: status?.targetVersion,
    lastGoodVersion: status?.lastGoodVersion,
    lastGoodImage: status?.lastGoodImage,
    failedVersions: status?.failedVersions,
    rolloutHistory: status?.rolloutHistory,
    ...(status?.currentVersion ? { currentVersion: status.currentVersion } : {}),
    ...(status?.currentImage ? { currentImage: status.currentImage } : {}),
  };
}

/**
 * The check time to show. Every poll moves it, and writing it on every poll would make a resync of
 * unchanged Atoms write N statuses per interval: so it moves with the answer (a new release, a new
 * problem) and otherwise at most hourly.
 */
function shownCheckTime(shown: string | undefined, latest: string | undefined, answerChanged: boolean) {
  if (!latest) return shown;
  if (!shown || answerChanged) return latest;
  return Date.parse(latest) - Date.parse(shown) >= CHECK_TIME_REFRESH_MS ? latest : shown;
}

type Target = { version: string; image: string; from?: string | undefined };

/** 1. A rollout under way: judge the new pod once it runs the target. */
function planInProgress(
  input: AtomPlanInput,
  options: AtomPlanOptions,
  target: Target,
  fields: RolloutView['fields'],
): AtomPlan {
  const { atom, now } = input;
  const status = atom.status;
  const pod = input.running;
  const goal = { version: target.version, image: target.image };
  const message = updatingMessage(target.from, target.version, atom.spec.update.progressDeadlineSeconds);
  const upToDate = { type: 'UpToDate' as const, status: 'False' as const, reason: R.UpdateProgressing, message };
  if (!pod || pod.image !== target.image) {
    return { target: goal, events: [], outcomes: [], view: { upToDate, updating: { message }, fields } };
  }
  const verdict = judgeProgress({
    startedAt: new Date(pod.createdAt ?? status?.rolloutHistory?.at(-1)?.startedAt ?? now),
    progressDeadlineSeconds: atom.spec.update.progressDeadlineSeconds,
    podReady: pod.ready,
    podFailed: pod.failed,
    restartCount: pod.restarts,
    waitingReason: pod.waitingReason,
    now,
  });
  if (verdict.verdict === 'Succeeded') {
    // Told by the conditions (Ready, UpToDate) and the history record: the start's event said what changes.
    const done = { ...fields, ...rolloutSucceededStatus(status, goal, now, verdict.reason), ...current(goal) };
    const view = { upToDate: upToDateAfter(input, options, done), fields: done };
    return { target: goal, events: [], outcomes: ['succeeded'], view };
  }
  if (verdict.verdict === 'Failed') {
    const plan = rollbackPlan(status, target.version, { reason: verdict.reason, message: verdict.message }, now);
    const message = plan.degraded.message;
    return {
      target: plan.kind === 'RollBack' ? plan.to : goal,
      events: [plan.event],
      outcomes: [plan.kind === 'RollBack' ? 'rolled_back' : 'failed'],
      view: {
        upToDate: { type: 'UpToDate', status: 'False', reason: plan.reason, message },
        degraded: { reason: plan.degraded.reason, message },
        fields: { ...fields, ...plan.status },
      },
    };
  }
  // The same words on every pass until the pod is Ready: a countdown in a condition is a write per pass.
  return {
    target: goal,
    events: [],
    outcomes: [],
    ...(verdict.requeueAfter !== undefined ? { requeueAfterMs: seconds(verdict.requeueAfter) } : {}),
    view: { upToDate, updating: { message }, fields },
  };
}

/** 2. Idle: may an update start now? */
function planIdle(input: AtomPlanInput, options: AtomPlanOptions, fields: RolloutView['fields']): AtomPlan {
  const { atom, now } = input;
  const status = atom.status;
  const release = input.release?.release;
  const problem = input.platformProblem ?? platformAnswerProblem(input.release);
  const gate: FleetGate = input.fleetGate ?? { kind: 'Allowed' };
  const decision = decideUpdate({
    spec: atom.spec,
    status,
    release,
    allowCriticalOverride: options.allowCriticalOverride,
    now,
    fleet: gate,
  });
  const waiting = waitForRelease(input, options, decision, problem);
  if (waiting) {
    const upToDate = { type: 'UpToDate' as const, status: 'Unknown' as const, ...waiting };
    const view = { upToDate, fields };
    return {
      target: currentTarget(atom),
      events: [],
      outcomes: [],
      requeueAfterMs: RELEASE_WAIT_MS,
      waitForRelease: waiting,
      view,
    };
  }
  if (decision.kind === 'Start' && input.blocked) {
    // A rollout that cannot run its pod would only leave an InProgress record behind.
    const message = `no update starts while no pod can: ${input.blocked.message}`;
    const upToDate = { type: 'UpToDate' as const, status: 'Unknown' as const, reason: input.blocked.reason, message };
    return { target: currentTarget(atom), events: [], outcomes: [], view: { upToDate, fields } };
  }
  if (decision.kind === 'Start') {
    const started = { ...fields, ...rolloutStartedStatus(status, decision.to, now, decision.reason) };
    const version = decision.to.version;
    const message = updatingMessage(status?.currentVersion, version, atom.spec.update.progressDeadlineSeconds);
    const upToDate = { type: 'UpToDate' as const, status: 'False' as const, reason: R.UpdateProgressing, message };
    // A start that a person's resume annotation allowed says so: it is the answer to their action.
    const event: PlannedEvent = { type: 'Normal', reason: gate.reason ?? decision.reason, message: decision.message };
    return {
      target: { version: decision.to.version, image: decision.to.image },
      started: { version: decision.to.version, event },
      events: [event],
      outcomes: ['started'],
      view: { upToDate, updating: { message }, fields: started },
    };
  }
  const degraded = lastFailure(status?.rolloutHistory?.at(-1), decision);
  const requeue = idleRequeue(decision, gate, now);
  const upToDate =
    problem && decision.condition.status !== 'False'
      ? { type: 'UpToDate' as const, status: 'Unknown' as const, ...problem }
      : { type: 'UpToDate' as const, ...decision.condition };
  return {
    target: currentTarget(atom),
    events: [],
    outcomes: [],
    ...(requeue !== undefined ? { requeueAfterMs: Math.max(1_000, requeue) } : {}),
    view: { upToDate, ...(degraded ? { degraded } : {}), fields },
  };
}

/**
 * A brand-new Atom waits for the platform's first answer rather than starting a pod on a guessed
 * tag and replacing it moments later. Without a release it never starts on a tag that could move:
 * only a digest in the spec, or a tag the user pinned (update.mode Manual or Disabled with
 * spec.image.tag, or a pinned spec.version), runs without one; with release keys configured, not
 * even a pinned tag does.
 */
function waitForRelease(
  input: AtomPlanInput,
  options: AtomPlanOptions,
  decision: UpdateDecision,
  problem: Problem | undefined,
): Problem | undefined {
  const { atom } = input;
  if (atom.status?.currentImage) return undefined;
  if (decision.reason !== R.NoReleaseAdvertised && decision.reason !== R.PinRollingOutByTag) return undefined;
  if (input.awaitingFirstCheck) {
    return {
      reason: R.NoReleaseAdvertised,
      message: 'waiting for the first answer of the platform about the release to install',
    };
  }
  if (decision.reason !== R.NoReleaseAdvertised || atom.spec.image.digest) return undefined;
  const pinnedTag = atom.spec.update.mode !== 'Automatic' && atom.spec.image.tag !== undefined;
  if (pinnedTag && !options.requireVerifiedRelease) return undefined;
  const what = options.requireVerifiedRelease
    ? 'waiting for a signed release from the platform before installing anything'
    : 'waiting for a release from the platform before installing anything (a tag that could move runs only when you pin it: spec.image.digest, or update.mode Manual or Disabled with spec.image.tag)';
  return {
    reason: problem?.reason ?? R.NoReleaseAdvertised,
    message: `${what}${problem ? `; ${problem.message}` : ''}`,
  };
}

function idleRequeue(decision: UpdateDecision, gate: FleetGate, now: Date): number | undefined {
  const requeueAt =
    'requeueAt' in decision && decision.requeueAt ? decision.requeueAt.getTime() - now.getTime() : undefined;
  if (requeueAt !== undefined) return requeueAt;
  if (gate.kind !== 'Waiting' || gate.reason === R.RolloutHalted) return undefined;
  return seconds(gate.requeueAfterSeconds) ?? FLEET_RECHECK_MS;
}

/** What the status says through a whole rollout, the same on every pass (so no pass rewrites it). */
function updatingMessage(from: string | undefined, to: string, deadlineSeconds: number): string {
  return `updating from ${from ?? 'nothing'} to ${to}: the old pod stops gracefully, then the new one has ${deadlineSeconds}s from its start to become Ready, or it is rolled back`;
}

const current = (t: { version: string; image: string }) => ({ currentVersion: t.version, currentImage: t.image });

/**
 * UpToDate after a rollout succeeded: what the next idle pass will say (the same words, so that pass
 * writes nothing), unless an even newer version is already advertised (that pass will start it).
 */
function upToDateAfter(
  input: AtomPlanInput,
  options: AtomPlanOptions,
  done: RolloutView['fields'],
): RolloutView['upToDate'] {
  const { atom, now } = input;
  const release = input.release?.release;
  const next = decideUpdate({
    spec: atom.spec,
    status: { ...atom.status, ...done },
    release,
    allowCriticalOverride: options.allowCriticalOverride,
    now,
    fleet: { kind: 'Allowed' },
  });
  if (next.kind !== 'Start') return { type: 'UpToDate', ...next.condition };
  const version = done.currentVersion ?? '';
  return {
    type: 'UpToDate',
    status: 'False',
    reason: R.UpdateAvailable,
    message: `the Atom runs ${version}; ${release?.version ?? 'a newer version'} is advertised`,
  };
}

/** A rollback stays visible (Degraded) until a later rollout succeeds or a newer version is on its way. */
function lastFailure(
  last: { result: string; to: string; reason?: string | undefined } | undefined,
  decision: UpdateDecision,
): Problem | undefined {
  if (!last || (last.result !== 'RolledBack' && last.result !== 'Failed')) return undefined;
  if (decision.kind !== 'KnownBad' && decision.kind !== 'UpToDate' && decision.kind !== 'Pinned') return undefined;
  const rolledBack = last.result === 'RolledBack';
  return {
    reason: rolledBack ? R.RolledBack : R.NoRollbackTarget,
    message: `version ${last.to} failed on this Atom (${last.reason ?? 'unknown'})${rolledBack ? ' and was rolled back' : ''}; it is not retried until a newer version is advertised or it is removed from status.failedVersions`,
  };
}
