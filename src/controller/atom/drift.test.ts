import { describe, expect, it } from 'vitest';
import { isSubset } from './drift.js';

describe('isSubset', () => {
  it.each([
    [{ a: 1 }, { a: 1, b: 2 }, true],
    [{ a: 1 }, { a: 2 }, false],
    [{ a: [{ p: 443 }] }, { a: [{ p: 443, protocol: 'TCP' }] }, true],
    [{ a: [{ p: 443 }] }, { a: [{ p: 443 }, { p: 80 }] }, false],
    [{ a: { b: 'x' } }, {}, false],
    [{ a: undefined }, {}, true],
  ])('%j within %j: %s', (desired, live, expected) => {
    expect(isSubset(desired, live)).toBe(expected);
  });
});
