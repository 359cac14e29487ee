import { describe, expect, it } from 'vitest';
import { formatDuration, parseGoDuration } from './go-duration.js';

describe('parseGoDuration (Go time.ParseDuration, unsigned)', () => {
  it.each([
    ['15s', 15_000],
    ['5m', 300_000],
    ['1h30m', 5_400_000],
    ['250ms', 250],
    ['1.5s', 1500],
    ['.5h', 1_800_000],
    ['1.h', 3_600_000],
    ['1500us', 2],
    ['0', 0],
  ])('%s = %d ms', (text, ms) => expect(parseGoDuration(text)).toBe(ms));

  it.each(['', '15', 's', '5 m', ' 5m', '1d', '-5s', '1h-30m', '.h'])('rejects %j', (text) =>
    expect(parseGoDuration(text)).toBeUndefined(),
  );
});

describe('formatDuration', () => {
  it.each([
    [90 * 60_000, '1h30m'],
    [4 * 3_600_000, '4h'],
    [250, '250ms'],
    [61_500, '1m1s500ms'],
    [0, '0s'],
  ])('%d ms = %s', (ms, text) => expect(formatDuration(ms)).toBe(text));

  it.each([1, 250, 61_500, 5_400_000, 90_061_001])('parses back what it formats (%d ms)', (ms) =>
    expect(parseGoDuration(formatDuration(ms))).toBe(ms),
  );
});
