// Properties that must hold for any window in any zone at any instant, DST included: the
// instants windowState announces really are the edges of an opening.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { weekdays } from '../api/atom-spec.js';
import { windowState, type WindowSpec } from './windows.js';

const zones = [
  'UTC',
  'Europe/Berlin',
  'America/New_York',
  'Asia/Kolkata',
  'Australia/Lord_Howe',
  'America/Sao_Paulo',
  'Pacific/Chatham',
];
const from2025 = Date.UTC(2025, 0, 1);
const yearMs = 365 * 86_400_000;

const windowArbitrary: fc.Arbitrary<WindowSpec> = fc.record({
  days: fc.uniqueArray(fc.constantFrom(...weekdays), { minLength: 1, maxLength: 7 }),
  start: fc
    .tuple(fc.integer({ min: 0, max: 23 }), fc.constantFrom(0, 15, 30, 45))
    .map(([h, m]) => `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}`),
  duration: fc.integer({ min: 1, max: 48 * 4 }).map((quarters) => `${quarters * 15}m`),
  timeZone: fc.constantFrom(...zones),
});

const instant = fc.integer({ min: 0, max: yearMs }).map((offset) => new Date(from2025 + offset));

describe('windowState properties', () => {
  it('an open window stays open until closesAt and is closed or reopening at closesAt', () => {
    fc.assert(
      fc.property(fc.array(windowArbitrary, { minLength: 1, maxLength: 3 }), instant, (windows, now) => {
        const state = windowState(windows, now);
        fc.pre(state.open && state.closesAt !== undefined);
        const closesAt = state.closesAt as Date;
        expect(closesAt.getTime()).toBeGreaterThan(now.getTime());
        expect(windowState(windows, new Date(closesAt.getTime() - 1)).open).toBe(true);
        expect(windowState(windows, closesAt).open).toBe(false);
      }),
      { numRuns: 150 },
    );
  });

  it('a closed window opens exactly at nextOpensAt', () => {
    fc.assert(
      fc.property(fc.array(windowArbitrary, { minLength: 1, maxLength: 3 }), instant, (windows, now) => {
        const state = windowState(windows, now);
        fc.pre(!state.open);
        const next = state.nextOpensAt as Date;
        expect(next.getTime()).toBeGreaterThan(now.getTime());
        expect(next.getTime() - now.getTime()).toBeLessThanOrEqual(8 * 86_400_000);
        expect(windowState(windows, new Date(next.getTime() - 1)).open).toBe(false);
        expect(windowState(windows, next).open).toBe(true);
      }),
      { numRuns: 150 },
    );
  });
});
