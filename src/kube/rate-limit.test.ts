import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../test/support/fake-clock.js';
import { TokenBucket } from './rate-limit.js';

/** Starts `n` takes and reports, at each moment asked, how many have been let through. */
function takes(bucket: TokenBucket, n: number, signal?: AbortSignal) {
  let done = 0;
  const failures: unknown[] = [];
  for (let i = 0; i < n; i += 1) {
    bucket.take(signal).then(
      () => {
        done += 1;
      },
      (err: unknown) => failures.push(err),
    );
  }
  return {
    get done() {
      return done;
    },
    failures,
  };
}

const settle = () => new Promise((r) => setImmediate(r));

describe('TokenBucket (client-side QPS and burst)', () => {
  it('lets a burst through at once, then one request per 1/qps seconds', async () => {
    const clock = new FakeClock();
    const bucket = new TokenBucket({ qps: 10, burst: 3 }, clock);
    const t = takes(bucket, 6);
    await settle();
    expect(t.done).toBe(3);
    clock.advance(99);
    await settle();
    expect(t.done).toBe(3);
    clock.advance(1);
    await settle();
    expect(t.done).toBe(4);
    clock.advance(200);
    await settle();
    expect(t.done).toBe(6);
  });

  it('refills while idle, never above the burst', async () => {
    const clock = new FakeClock();
    const bucket = new TokenBucket({ qps: 5, burst: 2 }, clock);
    takes(bucket, 2);
    expect(bucket.tokens).toBe(0);
    clock.advance(200);
    expect(bucket.tokens).toBeCloseTo(1);
    clock.advance(60_000);
    expect(bucket.tokens).toBe(2);
    const t = takes(bucket, 3);
    await settle();
    expect(t.done).toBe(2);
  });

  it('serves waiters in arrival order at the sustained rate', async () => {
    const clock = new FakeClock();
    const bucket = new TokenBucket({ qps: 2, burst: 1 }, clock);
    const order: number[] = [];
    for (const i of [1, 2, 3]) void bucket.take().then(() => order.push(i));
    await settle();
    expect(order).toEqual([1]);
    expect(clock.pendingDelays).toEqual([500, 1000]);
    clock.advance(1000);
    await settle();
    expect(order).toEqual([1, 2, 3]);
  });

  it('gives an aborted waiter its token back, so those behind it are not delayed', async () => {
    const clock = new FakeClock();
    const bucket = new TokenBucket({ qps: 1, burst: 1 }, clock);
    await bucket.take();
    const abort = new AbortController();
    const first = takes(bucket, 1, abort.signal);
    abort.abort(new Error('stopped'));
    await settle();
    expect(first.failures).toEqual([new Error('stopped')]);
    const second = takes(bucket, 1);
    clock.advance(999);
    await settle();
    expect(second.done).toBe(0);
    clock.advance(1);
    await settle();
    expect(second.done).toBe(1);
  });

  it('rejects at once when the signal has already aborted', async () => {
    const bucket = new TokenBucket({ qps: 1, burst: 1 }, new FakeClock());
    await expect(bucket.take(AbortSignal.abort(new Error('gone')))).rejects.toThrow('gone');
    expect(bucket.tokens).toBe(1);
  });

  it('does not limit at all with qps 0', async () => {
    const bucket = new TokenBucket({ qps: 0, burst: 1 }, new FakeClock());
    const t = takes(bucket, 1000);
    await settle();
    expect(t.done).toBe(1000);
  });

  it.each([[{ qps: -1, burst: 1 }], [{ qps: 5, burst: 0 }], [{ qps: Number.NaN, burst: 1 }]])(
    'refuses the invalid limit %o',
    (limit) => {
      expect(() => new TokenBucket(limit, new FakeClock())).toThrow(RangeError);
    },
  );
});
