// Turns the pure rollout decisions (src/rollout) into a Plan for one Atom: which
// version and image its pod should run, what the status records, which events
// say so. The state lives in the Atom's status (rolloutHistory's InProgress
// record, lastGood*, failedVersions), so an operator restart resumes where it was.
import { AdvertisementRejectedError, platformErrorDocs } from '../../platform/index.js';
import { imageReference } from '../../resources/pod.js';
import {
  decideUpdate,
  judgeProgress,
  readyToStart,
  rollbackPlan,
  rolloutStartedStatus,
  rolloutSucceededStatus,
  sameVersion,
  type FleetGate,
  type UpdateDecision,
  type VerifiedRelease,
} from '../../rollout/index.js';
import type { FleetView } from './fleet-view.js';
import type { RolloutCounters } from './metrics.js';
import type { Plan, PlanInput, PlannedEvent, RolloutPlanner } from './planner.js';
import type { RolloutView } from './status.js';

export interface RolloutPlannerOptions {
  fleet: FleetView;
  allowCriticalOverride: boolean;
  counters?: RolloutCounters;
  /** Release keys are configured: only a signed release (or a digest the spec pins) may ever run. */
  requireVerifiedRelease?: boolean;
}

/** A fleet wait with no known end is looked at again this often (besides the wake-up when a rollout ends). */
const FLEET_RECHECK_MS = 10_000;

const seconds = (s: number | undefined) => (s === undefined ? undefined : s * 1000);

/** How stale status.lastUpdateCheckTime may get while the platform's answer stays the same. */
const CHECK_TIME_REFRESH_MS = 3_600_000;

const isoSeconds = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, 'Z');

/** When the platform was last asked, as the poller knows it. */
function lastCheck(input: PlanInput): string | undefined {
  const at = input.release?.checkedAt;
  return at ? isoSeconds(at) : input.atom.status?.lastUpdateCheckTime;
}

/**
 * The check time to show. Every poll moves it, and writing it on every poll would make a resync of
 * unchanged Atoms write N statuses per interval: so it moves with the answer (a new release, a new
 * problem) and otherwise at most hourly.
 */
function shownCheckTime(input: PlanInput, answerChanged: boolean): string | undefined {
  const shown = input.atom.status?.lastUpdateCheckTime;
  const latest = lastCheck(input);
  if (!shown || !latest || answerChanged) return latest;
  return Date.parse(latest) - Date.parse(shown) >= CHECK_TIME_REFRESH_MS ? latest : shown;
}

function platformProblem(input: PlanInput): { reason: string; message: string } | undefined {
  const error = input.release?.error;
  if (!error) return undefined;
  if (error instanceof AdvertisementRejectedError) {
    return {
      reason: error.code,
      message: `the platform's advertisement was rejected (${error.reason}) and is not rolled out: ${error.message}`,
    };
  }
  return { reason: error.code, message: `checking the platform for releases failed: ${error.message}` };
}

export function createRolloutPlanner(options: RolloutPlannerOptions): RolloutPlanner {
  return (input: PlanInput): Plan => {
    const { atom, now, key } = input;
    const status = atom.status;
    const release: VerifiedRelease | undefined = input.release?.release;
    const events: PlannedEvent[] = [];
    const problem = input.platformProblem ?? platformProblem(input);
    // Once per new problem, never per reconcile: a resync must not write an event.
    const shown = status?.conditions?.find((c) => c.type === 'UpToDate')?.message;
    if (problem && problem.message !== shown && lastCheck(input) !== status?.lastUpdateCheckTime)
      events.push({ type: 'Warning', ...problem });
    const shownProblem = (status?.conditions?.find((c) => c.type === 'UpToDate')?.reason ?? '') in platformErrorDocs;
    const answerChanged =
      (release?.version ?? status?.advertisedVersion) !== status?.advertisedVersion ||
      (problem ? problem.message !== shown : shownProblem);
    const fields: RolloutView['fields'] = {
      advertisedVersion: release?.version ?? status?.advertisedVersion,
      lastUpdateCheckTime: shownCheckTime(input, answerChanged),
      targetVersion: status?.targetVersion,
      lastGoodVersion: status?.lastGoodVersion,
      lastGoodImage: status?.lastGoodImage,
      failedVersions: status?.failedVersions,
      rolloutHistory: status?.rolloutHistory,
    };
    const running = { version: status?.currentVersion, image: status?.currentImage };
    const last = status?.rolloutHistory?.at(-1);

    // 1. A rollout under way: judge the new pod once it runs the target.
    if (last?.result === 'InProgress' && last.image) {
      const target = { version: last.to, image: last.image };
      const pod = input.running;
      if (pod && pod.image === target.image) {
        const verdict = judgeProgress({
          startedAt: new Date(pod.createdAt ?? last.startedAt),
          progressDeadlineSeconds: atom.spec.update.progressDeadlineSeconds,
          podReady: pod.health.ready,
          podFailed: pod.health.phase === 'Failed',
          restartCount: pod.health.restarts,
          waitingReason: pod.health.waitingReason,
          now,
        });
        if (verdict.verdict === 'Succeeded') {
          options.counters?.updates.inc({ result: 'succeeded' });
          Object.assign(fields, rolloutSucceededStatus(status, target, now, verdict.reason));
          events.push({
            type: 'Normal',
            reason: verdict.reason,
            message: `version ${target.version} is running and Ready (${target.image})`,
          });
          return {
            target,
            events,
            view: {
              upToDate: upToDateAfter(target.version, release),
              fields: {
                ...fields,
                currentVersion: target.version,
                currentImage: target.image,
              } as RolloutView['fields'],
            },
          };
        }
        if (verdict.verdict === 'Failed') {
          const plan = rollbackPlan(status, target.version, { reason: verdict.reason, message: verdict.message }, now);
          options.counters?.updates.inc({ result: plan.kind === 'RollBack' ? 'rolled_back' : 'failed' });
          Object.assign(fields, plan.status);
          events.push(plan.event);
          const to = plan.kind === 'RollBack' ? plan.to : target;
          return {
            target: to,
            events,
            view: {
              upToDate: { type: 'UpToDate', status: 'False', reason: plan.reason, message: plan.degraded.message },
              degraded: { reason: plan.degraded.reason, message: plan.degraded.message },
              fields: withCurrent(fields, running),
            },
          };
        }
        return {
          target,
          events,
          requeueAfterMs: seconds(verdict.requeueAfter),
          view: {
            upToDate: { type: 'UpToDate', status: 'False', reason: verdict.reason, message: verdict.message },
            updating: { message: verdict.message },
            fields: withCurrent(fields, running),
          },
        };
      }
      const message = `updating from ${last.from ?? 'nothing'} to ${target.version}: waiting for the old pod to stop and the new one to start`;
      return {
        target,
        events,
        view: {
          upToDate: { type: 'UpToDate', status: 'False', reason: 'UpdateProgressing', message },
          updating: { message },
          fields: withCurrent(fields, running),
        },
      };
    }

    // 2. Idle: may an update start now?
    const base = { spec: atom.spec, status, release, allowCriticalOverride: options.allowCriticalOverride, now };
    let gate: FleetGate = { kind: 'Allowed' };
    const followsFleet =
      !atom.spec.version && atom.spec.update.mode === 'Automatic' && status?.currentVersion !== undefined;
    if (followsFleet && release && readyToStart(base)) gate = options.fleet.gateFor(key, release.version, now);
    const decision = decideUpdate({ ...base, fleet: gate });
    const degraded = lastFailure(status?.rolloutHistory?.at(-1), decision);
    // A brand-new Atom waits for the platform's first answer rather than starting a pod on a
    // guessed tag and replacing it moments later; an error answer lets it start anyway, unless
    // release keys are configured: then a guessed tag is an unverified image and never runs.
    const unverifiedOnly =
      options.requireVerifiedRelease === true && decision.reason === 'NoReleaseAdvertised' && !atom.spec.image.digest;
    if (
      (input.awaitingFirstCheck || unverifiedOnly) &&
      !status?.currentImage &&
      (decision.reason === 'NoReleaseAdvertised' || decision.reason === 'PinRollingOutByTag')
    ) {
      const message = input.awaitingFirstCheck
        ? 'waiting for the first answer of the platform about the release to install'
        : `waiting for a signed release from the platform before installing anything${problem ? `; ${problem.message}` : ''}`;
      const reason = !input.awaitingFirstCheck && problem ? problem.reason : 'NoReleaseAdvertised';
      return {
        target: currentTarget(input),
        events,
        requeueAfterMs: 5_000,
        waitForRelease: message,
        view: {
          upToDate: { type: 'UpToDate', status: 'Unknown', reason, message },
          fields: withCurrent(fields, running),
        },
      };
    }
    // A rollout that cannot run its pod would only leave an InProgress record behind.
    if (decision.kind === 'Start' && input.blocked) {
      const message = `no update starts while no pod can: ${input.blocked.message}`;
      return {
        target: currentTarget(input),
        events,
        view: {
          upToDate: { type: 'UpToDate', status: 'Unknown', reason: input.blocked.reason, message },
          fields: withCurrent(fields, running),
        },
      };
    }
    if (decision.kind === 'Start') {
      Object.assign(fields, rolloutStartedStatus(status, decision.to, now, decision.reason));
      options.fleet.noteStarted(key, decision.to.version, now);
      options.counters?.updates.inc({ result: 'started' });
      events.push({ type: 'Normal', reason: decision.reason, message: decision.message });
      return {
        target: { version: decision.to.version, image: decision.to.image },
        started: true,
        events,
        view: {
          upToDate: { type: 'UpToDate', ...decision.condition },
          updating: { message: decision.message },
          fields: withCurrent(fields, running),
        },
      };
    }
    // A halt is told once per Atom it stops (event; the reconciler logs Warning events), not on every pass.
    const shownReason = status?.conditions?.find((c) => c.type === 'UpToDate')?.reason;
    if (gate.kind === 'Waiting' && gate.reason === 'RolloutHalted' && shownReason !== 'RolloutHalted') {
      events.push({ type: 'Warning', reason: 'RolloutHalted', message: decision.message });
    }
    const requeueAt =
      'requeueAt' in decision && decision.requeueAt ? decision.requeueAt.getTime() - now.getTime() : undefined;
    const halted = gate.kind === 'Waiting' && gate.reason === 'RolloutHalted';
    const requeue =
      requeueAt ??
      (gate.kind === 'Waiting' && !halted ? (seconds(gate.requeueAfterSeconds) ?? FLEET_RECHECK_MS) : undefined);
    const upToDate =
      problem && decision.condition.status !== 'False'
        ? { type: 'UpToDate' as const, status: 'Unknown' as const, reason: problem.reason, message: problem.message }
        : { type: 'UpToDate' as const, ...decision.condition };
    return {
      target: currentTarget(input),
      events,
      ...(requeue !== undefined ? { requeueAfterMs: Math.max(1_000, requeue) } : {}),
      view: { upToDate, ...(degraded ? { degraded } : {}), fields: withCurrent(fields, running) },
    };
  };
}

function withCurrent(
  fields: RolloutView['fields'],
  running: { version?: string | undefined; image?: string | undefined },
): RolloutView['fields'] {
  return {
    ...fields,
    ...(running.version ? { currentVersion: running.version } : {}),
    ...(running.image ? { currentImage: running.image } : {}),
  } as RolloutView['fields'];
}

/** What runs when nothing changes: the recorded current image, else the spec's image (digest, tag or latest). */
function currentTarget(input: PlanInput): { image: string; version?: string } {
  const status = input.atom.status;
  if (status?.currentImage)
    return { image: status.currentImage, ...(status.currentVersion ? { version: status.currentVersion } : {}) };
  const { image, version } = input.atom.spec;
  return {
    image: imageReference(image.repository, {
      ...(image.digest ? { digest: image.digest } : {}),
      tag: version ?? image.tag ?? 'latest',
    }),
    ...(version ? { version } : {}),
  };
}

function upToDateAfter(version: string, release: VerifiedRelease | undefined) {
  const newer = release && !sameVersion(release.version, version);
  return {
    type: 'UpToDate' as const,
    status: newer ? ('False' as const) : ('True' as const),
    reason: newer ? 'UpdateAvailable' : 'UpToDate',
    message: `the Atom runs ${version}${newer ? `; ${release.version} is advertised` : ''}`,
  };
}

/** A rollback stays visible (Degraded) until a later rollout succeeds or a newer version is on its way. */
function lastFailure(
  last: { result: string; to: string; reason?: string | undefined } | undefined,
  decision: UpdateDecision,
): { reason: string; message: string } | undefined {
  if (!last || (last.result !== 'RolledBack' && last.result !== 'Failed')) return undefined;
  if (decision.kind !== 'KnownBad' && decision.kind !== 'UpToDate' && decision.kind !== 'Pinned') return undefined;
  return {
    reason: last.result === 'RolledBack' ? 'RolledBack' : 'NoRollbackTarget',
    message: `version ${last.to} failed on this Atom (${last.reason ?? 'unknown'})${last.result === 'RolledBack' ? ' and was rolled back' : ''}; it is not retried until a newer version is advertised or it is removed from status.failedVersions`,
  };
}
