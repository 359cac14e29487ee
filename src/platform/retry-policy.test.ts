import { describe, expect, it } from 'vitest';
import { backoffDelayMs, defaultRetryPolicy, parseRetryAfterMs } from './retry-policy.js';

describe('backoffDelayMs', () => {
  const policy = { ...defaultRetryPolicy, baseDelayMs: 100, maxDelayMs: 1000 };

  it.each([
    [1, 0, 50],
    [1, 1, 100],
    [2, 1, 200],
    [3, 0.5, 300],
    [10, 1, 1000],
    [10, 0, 500],
  ])('attempt %i with random %f waits %i ms', (attempt, random, expected) => {
    expect(backoffDelayMs(attempt, policy, () => random)).toBe(expected);
  });
});

describe('parseRetryAfterMs', () => {
  const now = Date.parse('2026-11-25T12:00:00Z');

  it.each([
    ['120', 120_000],
    [' 3 ', 3000],
    ['0', 0],
    ['Wed, 25 Nov 2026 12:00:30 GMT', 30_000],
    ['Wed, 25 Nov 2026 11:00:00 GMT', 0],
  ])('reads %j as %i ms', (header, expected) => {
    expect(parseRetryAfterMs(header, now)).toBe(expected);
  });

  it.each([[undefined], [''], ['soon'], ['-5'], ['1.5']])('ignores %j', (header) => {
    expect(parseRetryAfterMs(header, now)).toBeUndefined();
  });
});
