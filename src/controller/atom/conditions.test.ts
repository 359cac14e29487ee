import { describe, expect, it } from 'vitest';
import { mergeConditions } from './conditions.js';

const t0 = new Date('2026-11-25T10:00:00Z');
const t1 = new Date('2026-11-25T11:00:00Z');

describe('mergeConditions', () => {
  it('keeps lastTransitionTime when only reason or message change, and moves it on a flip', () => {
    const first = mergeConditions(
      undefined,
      [{ type: 'Ready', status: 'False', reason: 'PodStarting', message: 'x' }],
      1,
      t0,
    );
    const same = mergeConditions(
      first,
      [{ type: 'Ready', status: 'False', reason: 'PodNotReady', message: 'y' }],
      2,
      t1,
    );
    expect(same[0]).toMatchObject({
      reason: 'PodNotReady',
      observedGeneration: 2,
      lastTransitionTime: '2026-11-25T10:00:00Z',
    });
    const flipped = mergeConditions(same, [{ type: 'Ready', status: 'True', reason: 'PodReady', message: 'z' }], 2, t1);
    expect(flipped[0]!.lastTransitionTime).toBe('2026-11-25T11:00:00Z');
  });

  it('orders conditions the same way every time', () => {
    const c = mergeConditions(
      undefined,
      [
        { type: 'Degraded', status: 'False', reason: 'AsExpected', message: '' },
        { type: 'Ready', status: 'True', reason: 'PodReady', message: '' },
      ],
      1,
      t0,
    );
    expect(c.map((x) => x.type)).toEqual(['Ready', 'Degraded']);
  });
});
