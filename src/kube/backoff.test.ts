import { describe, expect, it } from 'vitest';
import { Backoff } from './backoff.js';

describe('Backoff', () => {
  it('doubles up to the cap and resets', () => {
    const backoff = new Backoff({ initialMs: 100, maxMs: 1000, jitter: 0 });
    expect([1, 2, 3, 4, 5, 6].map(() => backoff.next())).toEqual([100, 200, 400, 800, 1000, 1000]);
    backoff.reset();
    expect(backoff.next()).toBe(100);
  });

  it('adds jitter without exceeding the cap, and honours a longer server-requested wait', () => {
    const backoff = new Backoff({ initialMs: 100, maxMs: 1000, jitter: 1, random: () => 0.5 });
    expect(backoff.next()).toBe(150);
    expect(backoff.next(5000)).toBe(5000);
    for (let i = 0; i < 10; i++) expect(backoff.next()).toBeLessThanOrEqual(1000);
  });
});
