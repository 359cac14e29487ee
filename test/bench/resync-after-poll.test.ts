// Found by the fleet benchmark: a resync of unchanged Atoms writes every Atom's
// status once a platform poll has happened since the last write, because the poll's
// check time (lastUpdateCheckTime) moves even when the platform answers 304.
// At 10,000 Atoms that is 10,000 status writes per resync period.
import { describe, expect, it } from 'vitest';
import { useHarness } from '../support/harness.js';

const NS = 'default';
const ctx = useHarness({ operatorArgs: ['--platform-poll-interval=1s'] });

describe('a resync after an unchanged platform poll', () => {
  it('costs zero writes', async () => {
    await ctx.h.readyAtom(NS, 'steady');
    await ctx.h.settle();
    const polls = ctx.h.simulator.requests.length;
    await ctx.h.waitFor(
      'a poll answered 304',
      () => ctx.h.simulator.requests.slice(polls).some((r) => r.status === 304),
      10_000,
    );
    // Seconds precision: let the check time move to a later second than the one written.
    await new Promise((r) => setTimeout(r, 1_100));
    ctx.h.sandbox.stats.reset();
    ctx.h.operator!.atoms.controller.queue.add(`${NS}/steady`);
    await ctx.h.settle();
    await new Promise((r) => setTimeout(r, 200));
    expect(ctx.h.sandbox.stats.snapshot().byVerbAndResource).not.toHaveProperty(['patch atoms/status']);
    expect(ctx.h.sandbox.stats.writes({ fieldManager: 'atom-operator' })).toBe(0);
  });
});
