import { describe, expect, it } from 'vitest';
import type { RolloutRecord } from '../api/atom-status.js';
import { judgeProgress, rollbackPlan, type ProgressInput } from './progress.js';

const startedAt = new Date('2025-11-24T03:00:00Z');
const after = (seconds: number) => new Date(startedAt.getTime() + seconds * 1000);

function progress(over: Partial<ProgressInput>): ProgressInput {
  return {
    startedAt,
    progressDeadlineSeconds: 600,
    podReady: false,
    podFailed: false,
    restartCount: 0,
    now: after(10),
    ...over,
  };
}

describe('judgeProgress', () => {
  it.each<[string, Partial<ProgressInput>, Record<string, unknown>]>([
    ['just started', {}, { verdict: 'Progressing', reason: 'UpdateProgressing', requeueAfter: 590 }],
    [
      'pulling the image',
      { waitingReason: 'ContainerCreating', now: after(100) },
      { verdict: 'Progressing', requeueAfter: 500, message: expect.stringContaining('ContainerCreating') },
    ],
    [
      'less than a second before the deadline requeues after 1s',
      { now: new Date(after(600).getTime() - 200) },
      { verdict: 'Progressing', requeueAfter: 1 },
    ],
    ['Ready', { podReady: true }, { verdict: 'Succeeded', reason: 'UpdateSucceeded' }],
    ['Ready after the deadline still succeeds', { podReady: true, now: after(900) }, { verdict: 'Succeeded' }],
    [
      'exactly at the deadline fails',
      { now: after(600) },
      { verdict: 'Failed', reason: 'ProgressDeadlineExceeded', message: expect.stringContaining('600s') },
    ],
    [
      'past the deadline, image never pulled',
      { waitingReason: 'ImagePullBackOff', now: after(601) },
      { verdict: 'Failed', reason: 'ProgressDeadlineExceeded', message: expect.stringContaining('ImagePullBackOff') },
    ],
    [
      'kubelet reports CrashLoopBackOff',
      { waitingReason: 'CrashLoopBackOff', restartCount: 1 },
      { verdict: 'Failed', reason: 'CrashLoopBackOff', message: expect.stringContaining('restarted 1 time') },
    ],
    [
      'crash looping as the pod health reports it',
      { crashLooping: true, restartCount: 1 },
      { verdict: 'Failed', reason: 'CrashLoopBackOff' },
    ],
    ['too many restarts without Ready', { restartCount: 3 }, { verdict: 'Failed', reason: 'CrashLoopBackOff' }],
    ['restarts below the limit keep waiting', { restartCount: 2 }, { verdict: 'Progressing' }],
    ['custom restart limit', { restartCount: 2, maxRestarts: 2 }, { verdict: 'Failed', reason: 'CrashLoopBackOff' }],
    ['Ready after restarts succeeds', { podReady: true, restartCount: 5 }, { verdict: 'Succeeded' }],
    [
      'pod failed',
      { podFailed: true, waitingReason: 'Evicted' },
      { verdict: 'Failed', reason: 'PodFailed', message: expect.stringContaining('Evicted') },
    ],
    ['pod failed wins over Ready', { podFailed: true, podReady: true }, { verdict: 'Failed', reason: 'PodFailed' }],
  ])('%s', (_name, over, expected) => {
    expect(judgeProgress(progress(over))).toMatchObject(expected);
  });
});

describe('rollbackPlan', () => {
  const now = after(700);
  const inProgress: RolloutRecord = {
    from: '1.0.0',
    to: '1.1.0',
    image: 'repo@sha256:new',
    startedAt: startedAt.toISOString(),
    result: 'InProgress',
    reason: 'UpdateStarting',
  };
  const failure = { reason: 'ProgressDeadlineExceeded' as const, message: 'not Ready within 600s' };

  it('returns to the last good version and never retries the failed one', () => {
    const plan = rollbackPlan(
      {
        currentVersion: '1.0.0',
        lastGoodVersion: '1.0.0',
        lastGoodImage: 'repo@sha256:old',
        failedVersions: ['0.9.1'],
        rolloutHistory: [inProgress],
      },
      '1.1.0',
      failure,
      now,
    );
    expect(plan).toMatchObject({
      kind: 'RollBack',
      to: { version: '1.0.0', image: 'repo@sha256:old' },
      reason: 'RolledBack',
      status: {
        targetVersion: '1.0.0',
        failedVersions: ['0.9.1', '1.1.0'],
        rolloutHistory: [
          { ...inProgress, finishedAt: now.toISOString(), result: 'RolledBack', reason: 'ProgressDeadlineExceeded' },
        ],
      },
      degraded: { status: 'True', reason: 'RolledBack' },
      event: { type: 'Warning', reason: 'RolledBack' },
    });
    expect(plan.degraded.message).toContain('1.1.0');
    expect(plan.degraded.message).toContain('rolled back to 1.0.0');
  });

  it('stays Degraded and says so when nothing ever became Ready', () => {
    const plan = rollbackPlan(
      { rolloutHistory: [{ ...inProgress, from: undefined }] },
      '1.1.0',
      { reason: 'CrashLoopBackOff', message: 'restarted 3 times' },
      now,
    );
    expect(plan.kind).toBe('NoRollbackTarget');
    expect(plan.status.failedVersions).toEqual(['1.1.0']);
    expect(plan.status.rolloutHistory?.[0]).toMatchObject({
      result: 'Failed',
      reason: 'CrashLoopBackOff',
      finishedAt: now.toISOString(),
    });
    expect(plan.status.targetVersion).toBeUndefined();
    expect(plan.degraded).toMatchObject({
      status: 'True',
      reason: 'NoRollbackTarget',
      message: expect.stringContaining('nothing to roll back to'),
    });
  });

  it('does not blame the last good version when it fails again', () => {
    const plan = rollbackPlan(
      { lastGoodVersion: '1.0.0', lastGoodImage: 'repo@sha256:old', failedVersions: [] },
      '1.0.0',
      failure,
      now,
    );
    expect(plan.kind).toBe('NoRollbackTarget');
    expect(plan.status.failedVersions).toEqual([]);
    expect(plan.degraded.message).toContain('likely not the version');
  });

  it('records the failure even when the start was never recorded', () => {
    const plan = rollbackPlan(
      { currentVersion: '1.0.0', lastGoodVersion: '1.0.0', lastGoodImage: 'repo@sha256:old' },
      '1.1.0',
      failure,
      now,
    );
    expect(plan.status.rolloutHistory).toEqual([
      {
        from: '1.0.0',
        to: '1.1.0',
        startedAt: now.toISOString(),
        finishedAt: now.toISOString(),
        result: 'RolledBack',
        reason: 'ProgressDeadlineExceeded',
      },
    ]);
  });

  it('keeps failedVersions and history within the API bounds, dropping the oldest', () => {
    const failed = Array.from({ length: 32 }, (_, i) => `0.${i}.0`);
    const history: RolloutRecord[] = Array.from({ length: 10 }, (_, i) => ({
      to: `0.${i}.0`,
      startedAt: startedAt.toISOString(),
      result: 'Succeeded',
    }));
    const plan = rollbackPlan(
      { lastGoodVersion: '1.0.0', lastGoodImage: 'repo@sha256:old', failedVersions: failed, rolloutHistory: history },
      '1.1.0',
      failure,
      now,
    );
    expect(plan.status.failedVersions).toHaveLength(32);
    expect(plan.status.failedVersions?.[0]).toBe('0.1.0');
    expect(plan.status.failedVersions?.at(-1)).toBe('1.1.0');
    expect(plan.status.rolloutHistory).toHaveLength(10);
    expect(plan.status.rolloutHistory?.[0]?.to).toBe('0.1.0');
    expect(plan.status.rolloutHistory?.at(-1)).toMatchObject({ to: '1.1.0', result: 'RolledBack' });
  });

  it('does not list a version twice', () => {
    const plan = rollbackPlan(
      { lastGoodVersion: '1.0.0', lastGoodImage: 'repo@sha256:old', failedVersions: ['1.1.0'] },
      '1.1.0',
      failure,
      now,
    );
    expect(plan.status.failedVersions).toEqual(['1.1.0']);
  });
});
