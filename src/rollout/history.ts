// Status bookkeeping of rollouts: the bounded rollout history and failed-version list, and
// the status fields that change when a rollout starts or succeeds. Pure: returns new arrays.
import type { AtomStatus, RolloutRecord } from '../api/atom-status.js';
import type { RolloutTarget } from './decision-types.js';
import { includesVersion, sameVersion } from './versions.js';

/** The API's bounds (status.rolloutHistory max 10, status.failedVersions max 32); the oldest entries go first. */
export const maxHistory = 10;
export const maxFailedVersions = 32;

const iso = (date: Date) => date.toISOString();

/** `failedVersions` with `version` added once, newest last, bounded. */
export function withFailedVersion(failedVersions: readonly string[] | undefined, version: string): string[] {
  const list = [...(failedVersions ?? [])];
  if (!includesVersion(list, version)) list.push(version);
  return list.slice(-maxFailedVersions);
}

/** `failedVersions` without `version`: what a person's "retry it" means. */
export function withoutFailedVersion(failedVersions: readonly string[] | undefined, version: string): string[] {
  return (failedVersions ?? []).filter((entry) => !sameVersion(entry, version));
}

function bounded(history: RolloutRecord[]): RolloutRecord[] {
  return history.slice(-maxHistory);
}

/**
 * Finishes the newest InProgress record for `version` (or appends a finished one when the
 * start was never recorded, e.g. after a status write was lost).
 */
export function withFinishedRecord(
  history: readonly RolloutRecord[] | undefined,
  finished: {
    from?: string | undefined;
    to: string;
    image?: string | undefined;
    result: Exclude<RolloutRecord['result'], 'InProgress'>;
    reason: string;
    now: Date;
  },
): RolloutRecord[] {
  const list = [...(history ?? [])];
  let index = -1;
  for (let i = list.length - 1; i >= 0; i--) {
    const record = list[i];
    if (record?.result === 'InProgress' && sameVersion(record.to, finished.to)) {
      index = i;
      break;
    }
  }
  const existing = index >= 0 ? list[index] : undefined;
  const record: RolloutRecord = existing
    ? { ...existing, finishedAt: iso(finished.now), result: finished.result, reason: finished.reason }
    : {
        ...(finished.from !== undefined ? { from: finished.from } : {}),
        to: finished.to,
        ...(finished.image !== undefined ? { image: finished.image } : {}),
        startedAt: iso(finished.now),
        finishedAt: iso(finished.now),
        result: finished.result,
        reason: finished.reason,
      };
  if (index >= 0) list[index] = record;
  else list.push(record);
  return bounded(list);
}

export type RolloutStatusUpdate = Partial<
  Pick<
    AtomStatus,
    | 'currentVersion'
    | 'currentImage'
    | 'targetVersion'
    | 'lastGoodVersion'
    | 'lastGoodImage'
    | 'failedVersions'
    | 'rolloutHistory'
  >
>;

/** Status fields to write when decideUpdate says Start: the target and an InProgress record. */
export function rolloutStartedStatus(
  status: Pick<AtomStatus, 'currentVersion' | 'rolloutHistory'> | undefined,
  to: RolloutTarget,
  now: Date,
  reason: string,
): RolloutStatusUpdate {
  const record: RolloutRecord = {
    ...(status?.currentVersion !== undefined ? { from: status.currentVersion } : {}),
    to: to.version,
    image: to.image,
    startedAt: iso(now),
    result: 'InProgress',
    reason,
  };
  return { targetVersion: to.version, rolloutHistory: bounded([...(status?.rolloutHistory ?? []), record]) };
}

/**
 * Status fields to write when judgeProgress says Succeeded: the new version is current and
 * the new last good one (the rollback target from now on). A version that succeeds is taken
 * off failedVersions, since it evidently works here.
 */
export function rolloutSucceededStatus(
  status: Pick<AtomStatus, 'rolloutHistory' | 'failedVersions' | 'currentVersion'> | undefined,
  to: Pick<RolloutTarget, 'version' | 'image'>,
  now: Date,
  reason: string,
): RolloutStatusUpdate {
  return {
    currentVersion: to.version,
    currentImage: to.image,
    targetVersion: to.version,
    lastGoodVersion: to.version,
    lastGoodImage: to.image,
    failedVersions: withoutFailedVersion(status?.failedVersions, to.version),
    rolloutHistory: withFinishedRecord(status?.rolloutHistory, {
      from: status?.currentVersion,
      to: to.version,
      image: to.image,
      result: 'Succeeded',
      reason,
      now,
    }),
  };
}

/** The rollout under way: the newest history record, when it is still InProgress. */
export function rolloutInProgress(status: Pick<AtomStatus, 'rolloutHistory'> | undefined): RolloutRecord | undefined {
  const newest = status?.rolloutHistory?.at(-1);
  return newest?.result === 'InProgress' ? newest : undefined;
}
