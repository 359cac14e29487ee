// The platform's view of an Atom, turned into what the operator shows and does: the Connected
// condition, status.platform, a Degraded contribution when a Ready pod is offline beyond the
// grace period, whether to replace the pod, the events of a change, and when to look again.
// Pure: the poll result, the clock and the controller's memory come in as data.
import type { AtomSpec } from '../api/atom.js';
import type { AtomStatus, Condition } from '../api/atom-status.js';
import type { SelfStatus } from '../platform/self-status.js';
import type { StatusPollResult } from '../platform/status-poller.js';
import { formatDuration, parseGoDuration } from '../util/go-duration.js';
import { offlineRestartVerdict, type FleetOfflineRestarts } from './offline-restart.js';
import * as R from './reasons.js';

export type PlatformStatus = NonNullable<AtomStatus['platform']>;

export interface ConnectivityInput {
  now: Date;
  /** The status poller's result for this Atom; undefined when it was not asked (yet). */
  poll: StatusPollResult | undefined;
  health: AtomSpec['health'];
  pod: { ready: boolean; readySince?: Date | undefined };
  rolloutInProgress: boolean;
  /** The version the operator rolled out (status.currentVersion), to compare with runningVersion. */
  expectedVersion?: string | undefined;
  /** What the status says now: transitions, and the offline-restart memory in status.platform. */
  previous: {
    connected?: Condition | undefined;
    degraded?: Condition | undefined;
    platform?: PlatformStatus | undefined;
  };
  fleet: FleetOfflineRestarts;
}

export interface ConnectivityEvent {
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
}

export interface ConnectivityDecision {
  connected: { type: 'Connected'; status: 'True' | 'False' | 'Unknown'; reason: string; message: string };
  /** status.platform to write; undefined removes it. */
  platform: PlatformStatus | undefined;
  /** Set when the pod is Ready but the Atom has been offline beyond the grace period. */
  degraded?: { reason: typeof R.AtomOffline; message: string };
  /** Replace the pod gracefully now (restartWhenOffline); the message is the event's too. */
  replacePod?: { reason: typeof R.OfflineRestart; message: string };
  events: ConnectivityEvent[];
  /** runningVersion differs from the version the operator rolled out (outside a rollout). */
  versionMismatch?: { running: string; expected: string; message: string };
  /** The value of the offline metric: the Degraded contribution is active. */
  offline: boolean;
  /** Look again after this long even if nothing changes (a contact growing old, a backoff ending). */
  requeueAfterMs?: number;
}

const defaultGraceMs = 5 * 60_000;
/** status.platform.lastContactAt moves at most this often while Connected stays the same. */
export const lastContactRefreshMs = 3_600_000;

const stamp = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
// Messages name moments, never "N minutes ago": a message that changes with the clock would be a
// status write on every reconcile.

export function decideConnectivity(input: ConnectivityInput): ConnectivityDecision {
  const now = input.now.getTime();
  const graceMs = parseGoDuration(input.health.offlineGracePeriod) ?? defaultGraceMs;
  const grace = `spec.health.offlineGracePeriod (${formatDuration(graceMs)})`;
  const { poll, previous } = input;
  const requeueAt: number[] = [];
  const answer = poll?.kind === 'answer' ? poll.status : undefined;
  // A platform clock ahead of ours must not make a contact look younger than now.
  const lastContact = answer?.lastContactAt ? Math.min(now, Date.parse(answer.lastContactAt)) : undefined;

  let connected: ConnectivityDecision['connected'];
  if (!poll) {
    connected = unknown(R.StatusNotChecked, 'The operator has not asked the platform about this Atom yet.');
  } else if (poll.kind === 'not-offered') {
    connected = unknown(
      R.StatusNotOffered,
      'The platform does not report whether Atoms are online (404 on /atom/v1/self); the operator asks again hourly. Nothing to do.',
    );
  } else if (poll.kind === 'error') {
    connected = unknown(
      poll.error.code,
      `Asking the platform whether the Atom is online failed: ${poll.error.message}`,
    );
  } else if (!poll.status.online) {
    const heard = lastContact === undefined ? 'has never heard from it' : `last heard from it at ${stamp(lastContact)}`;
    connected = {
      type: 'Connected',
      status: 'False',
      reason: R.ReportedOffline,
      message: `The platform reports the Atom offline and ${heard}. Check the agent's logs, its egress to the platform (NetworkPolicy, proxy, firewall) and its registration certificate.`,
    };
  } else if (lastContact !== undefined && now - lastContact > graceMs) {
    connected = {
      type: 'Connected',
      status: 'False',
      reason: R.ContactOverdue,
      message: `The platform lists the Atom online but last heard from it at ${stamp(lastContact)}, longer ago than ${grace}. Check the agent's logs and its egress to the platform.`,
    };
  } else {
    // The contact time moves with every poll; status.platform.lastContactAt shows it, coarsely.
    connected = {
      type: 'Connected',
      status: 'True',
      reason: R.Online,
      message: 'The platform hears from the Atom.',
    };
    // A contact that stopped moving grows old without a new answer: look again when it would be overdue.
    if (poll.stalled && lastContact !== undefined) requeueAt.push(lastContact + graceMs + 1000);
  }

  let versionMismatch: ConnectivityDecision['versionMismatch'];
  const expected = input.expectedVersion;
  if (answer?.runningVersion && expected && answer.runningVersion !== expected && !input.rolloutInProgress) {
    const message = `The platform reports the Atom runs ${answer.runningVersion}, but the operator rolled out ${expected}: the Atom updated itself, or the rollout did not take.`;
    versionMismatch = { running: answer.runningVersion, expected, message };
    connected = { ...connected, message: `${connected.message} ${message}` };
  }

  // Offline counts from the last contact (or from when Connected turned False), but never from
  // before the pod became Ready: a new pod gets a whole grace period to connect.
  let degraded: ConnectivityDecision['degraded'];
  if (connected.status === 'False' && input.pod.ready) {
    const wentFalse = previous.connected?.status === 'False' ? Date.parse(previous.connected.lastTransitionTime) : now;
    const offlineSince = lastContact ?? wentFalse;
    const counted = Math.max(offlineSince, input.pod.readySince?.getTime() ?? now);
    if (now - counted >= graceMs) {
      degraded = {
        reason: R.AtomOffline,
        message: `The pod is Ready, but the platform has not heard from the Atom since ${stamp(offlineSince)}, longer than ${grace}: integrations on this Atom do not run. ${connected.message}`,
      };
    } else {
      requeueAt.push(counted + graceMs);
    }
  }

  const platform = platformStatus(input, connected.status, answer);
  let replacePod: ConnectivityDecision['replacePod'];
  if (degraded && input.health.restartWhenOffline) {
    const restarts = previous.platform?.offlineRestarts ?? 0;
    const last = previous.platform?.lastOfflineRestartTime;
    const verdict = offlineRestartVerdict({
      now,
      gracePeriodMs: graceMs,
      rolloutInProgress: input.rolloutInProgress,
      restarts,
      lastRestartAt: last ? Date.parse(last) : undefined,
      fleet: input.fleet,
    });
    if (verdict.replace) {
      replacePod = {
        reason: R.OfflineRestart,
        message: `Replacing the pod gracefully (offline restart ${restarts + 1}): the platform has not heard from the Atom for longer than ${grace} and spec.health.restartWhenOffline is true.`,
      };
      Object.assign(platform, { offlineRestarts: restarts + 1, lastOfflineRestartTime: stamp(now) });
    } else {
      degraded = { ...degraded, message: `${degraded.message} Not restarting the pod: ${verdict.why}.` };
      if (verdict.retryAt !== undefined) requeueAt.push(verdict.retryAt);
    }
  }

  const decision: ConnectivityDecision = {
    connected,
    platform: Object.keys(platform).length > 0 ? platform : undefined,
    events: events(input, connected, degraded, replacePod),
    offline: degraded !== undefined,
  };
  if (degraded) decision.degraded = degraded;
  if (replacePod) decision.replacePod = replacePod;
  if (versionMismatch) decision.versionMismatch = versionMismatch;
  if (requeueAt.length > 0) decision.requeueAfterMs = Math.max(1000, Math.min(...requeueAt) - now);
  return decision;
}

function unknown(reason: string, message: string): ConnectivityDecision['connected'] {
  return { type: 'Connected', status: 'Unknown', reason, message };
}

/**
 * status.platform: the answer's fields, with lastContactAt moving at most hourly while Connected
 * keeps its status (a move on every poll would be a status write on every poll). The offline
 * restart memory is kept until the Atom is connected again. Not asked yet or a failed poll keeps
 * what the status had; "not offered" drops the answer's fields.
 */
function platformStatus(input: ConnectivityInput, status: string, answer: SelfStatus | undefined): PlatformStatus {
  const before = input.previous.platform ?? {};
  const out: PlatformStatus = {};
  if (answer) {
    out.atomId = answer.atomId;
    const kept = before.lastContactAt;
    const fresh = answer.lastContactAt;
    const sameStatus = input.previous.connected?.status === status;
    const young = kept && fresh && Math.abs(Date.parse(fresh) - Date.parse(kept)) < lastContactRefreshMs;
    const contact = sameStatus && young ? kept : fresh && stamp(Date.parse(fresh));
    if (contact) out.lastContactAt = contact;
    if (answer.runningVersion) out.runningVersion = answer.runningVersion;
  } else if (input.poll?.kind !== 'not-offered') {
    if (before.atomId) out.atomId = before.atomId;
    if (before.lastContactAt) out.lastContactAt = before.lastContactAt;
    if (before.runningVersion) out.runningVersion = before.runningVersion;
  }
  if (status !== 'True') {
    if (before.offlineRestarts !== undefined) out.offlineRestarts = before.offlineRestarts;
    if (before.lastOfflineRestartTime) out.lastOfflineRestartTime = before.lastOfflineRestartTime;
  }
  return out;
}

/** Events come from condition changes (status and reason), never from message text. */
function events(
  input: ConnectivityInput,
  connected: ConnectivityDecision['connected'],
  degraded: ConnectivityDecision['degraded'],
  replacePod: ConnectivityDecision['replacePod'],
): ConnectivityEvent[] {
  const out: ConnectivityEvent[] = [];
  const before = input.previous.connected?.status;
  if (connected.status === 'False' && before === 'True')
    out.push({ type: 'Warning', reason: connected.reason, message: connected.message });
  if (connected.status === 'True' && before === 'False') {
    const restarts = input.previous.platform?.offlineRestarts;
    const after = restarts ? ` after ${restarts} offline restart${restarts === 1 ? '' : 's'}` : '';
    out.push({ type: 'Normal', reason: R.Reconnected, message: `The platform hears from the Atom again${after}.` });
  }
  // When Degraded is already True for another reason, that reason speaks; Connected still says offline.
  if (degraded && input.previous.degraded?.status !== 'True')
    out.push({ type: 'Warning', reason: degraded.reason, message: degraded.message });
  if (replacePod) out.push({ type: 'Warning', reason: replacePod.reason, message: replacePod.message });
  return out;
}
