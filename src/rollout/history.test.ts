import { describe, expect, it } from 'vitest';
import { rolloutStartedStatus, rolloutSucceededStatus, withoutFailedVersion } from './history.js';

const now = new Date('2025-11-24T03:00:00Z');
const later = new Date('2025-11-24T03:05:00Z');
const to = { version: '1.1.0', image: 'repo@sha256:new', byTag: false };

describe('rollout status bookkeeping', () => {
  it('a start sets the target and opens an InProgress record; success closes it and moves last good', () => {
    const started = rolloutStartedStatus({ currentVersion: '1.0.0' }, to, now, 'UpdateStarting');
    expect(started).toEqual({
      targetVersion: '1.1.0',
      rolloutHistory: [
        {
          from: '1.0.0',
          to: '1.1.0',
          image: 'repo@sha256:new',
          startedAt: now.toISOString(),
          result: 'InProgress',
          reason: 'UpdateStarting',
        },
      ],
    });
    const succeeded = rolloutSucceededStatus(
      { currentVersion: '1.0.0', rolloutHistory: started.rolloutHistory, failedVersions: ['1.1.0', '0.9.0'] },
      to,
      later,
      'UpdateSucceeded',
    );
    expect(succeeded).toEqual({
      currentVersion: '1.1.0',
      currentImage: 'repo@sha256:new',
      targetVersion: '1.1.0',
      lastGoodVersion: '1.1.0',
      lastGoodImage: 'repo@sha256:new',
      failedVersions: ['0.9.0'],
      rolloutHistory: [
        {
          from: '1.0.0',
          to: '1.1.0',
          image: 'repo@sha256:new',
          startedAt: now.toISOString(),
          finishedAt: later.toISOString(),
          result: 'Succeeded',
          reason: 'UpdateSucceeded',
        },
      ],
    });
  });

  it('a first install has no "from"', () => {
    expect(rolloutStartedStatus(undefined, to, now, 'InitialInstall').rolloutHistory?.[0]).not.toHaveProperty('from');
  });

  it('clearing a failed version matches it however it is written', () => {
    expect(withoutFailedVersion(['1.1', '2.0.0'], '1.1.0')).toEqual(['2.0.0']);
  });
});
