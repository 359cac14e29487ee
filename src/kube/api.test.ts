import { describe, expect, it } from 'vitest';
import { deepEqual, isSubsetEqual } from './api.js';

describe('isSubsetEqual (status comparison)', () => {
  it.each([
    [{ phase: 'Ready' }, { phase: 'Ready', other: 1 }, true],
    [{ phase: 'Ready' }, { phase: 'Failed' }, false],
    [{ conditions: [{ type: 'Ready', status: 'True' }] }, { conditions: [{ type: 'Ready', status: 'True' }] }, true],
    [
      { conditions: [{ type: 'Ready', status: 'True' }] },
      { conditions: [{ type: 'Ready', status: 'True' }, { type: 'X' }] },
      false,
    ],
    [{ nested: { a: 1 } }, { nested: { a: 1, b: 2 } }, true],
    [{ value: null }, {}, false],
    [{ value: undefined }, {}, true],
  ])('%j within %j -> %s', (desired, actual, expected) => expect(isSubsetEqual(desired, actual)).toBe(expected));

  it('compares array items exactly', () => {
    expect(deepEqual([{ a: 1 }], [{ a: 1, b: 2 }])).toBe(false);
    expect(deepEqual({ a: [1, 2] }, { a: [1, 2] })).toBe(true);
  });
});
