import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../../test/support/fake-clock.js';
import { BucketRateLimiter, defaultControllerRateLimiter, ItemExponentialFailureRateLimiter } from './rate-limiter.js';
import { WorkQueue } from './work-queue.js';

const queue = (clock = new FakeClock(), registry?: Registry) =>
  new WorkQueue({
    name: 'test',
    clock,
    rateLimiter: defaultControllerRateLimiter({ clock }),
    ...(registry ? { registry } : {}),
  });

describe('WorkQueue', () => {
  it('hands out each key once however often it was added', async () => {
    const q = queue();
    q.add('a');
    q.add('b');
    q.add('a');
    expect(q.length).toBe(2);
    expect(await q.get()).toBe('a');
    expect(await q.get()).toBe('b');
    expect(q.length).toBe(0);
  });

  it('never hands a key to a second worker while the first is processing it, and re-queues it after done()', async () => {
    const q = queue();
    q.add('a');
    const first = await q.get();
    q.add('a');
    expect(q.length).toBe(0);
    let second: string | undefined;
    void q.get().then((k) => (second = k));
    await Promise.resolve();
    expect(second).toBeUndefined();
    q.done(first!);
    await Promise.resolve();
    expect(second).toBe('a');
  });

  it('does not re-queue a key after done() when nobody added it meanwhile', async () => {
    const q = queue();
    q.add('a');
    q.done((await q.get())!);
    expect(q.length).toBe(0);
  });

  it('delivers addAfter keys only when their time comes, keeping the earliest time', async () => {
    const clock = new FakeClock();
    const q = queue(clock);
    q.addAfter('a', 1000);
    q.addAfter('a', 200);
    q.addAfter('a', 5000);
    clock.advance(199);
    expect(q.length).toBe(0);
    clock.advance(1);
    expect(q.length).toBe(1);
    expect(await q.get()).toBe('a');
    expect(clock.pendingTimers).toBe(0);
  });

  it('backs a failing key off exponentially and resets after forget()', async () => {
    const clock = new FakeClock();
    const q = queue(clock);
    const delays: number[] = [];
    for (let i = 0; i < 5; i++) {
      q.addRateLimited('a');
      const before = clock.now();
      while (q.length === 0) clock.advance(1);
      delays.push(clock.now() - before);
      q.done((await q.get())!);
    }
    expect(delays).toEqual([5, 10, 20, 40, 80]);
    expect(q.numRequeues('a')).toBe(5);
    q.forget('a');
    expect(q.numRequeues('a')).toBe(0);
  });

  it('resolves pending get() with undefined on shutdown and stops accepting keys', async () => {
    const q = queue();
    const pending = q.get();
    q.shutDown();
    expect(await pending).toBeUndefined();
    q.add('a');
    expect(await q.get()).toBeUndefined();
  });

  it('waitForIdle resolves once in-flight keys are done', async () => {
    const q = queue();
    q.add('a');
    const key = (await q.get())!;
    let idle = false;
    void q.waitForIdle().then(() => (idle = true));
    q.shutDown();
    await Promise.resolve();
    expect(idle).toBe(false);
    q.done(key);
    await Promise.resolve();
    expect(idle).toBe(true);
  });

  it('exports client-go workqueue metrics', async () => {
    const clock = new FakeClock();
    const registry = new Registry();
    const q = queue(clock, registry);
    q.add('a');
    q.add('b');
    const key = (await q.get())!;
    clock.advance(3000);
    q.addRateLimited('c');
    const text = await registry.metrics();
    expect(text).toMatch(/workqueue_adds_total\{name="test"\} 2/);
    expect(text).toMatch(/workqueue_depth\{name="test"\} 1/);
    expect(text).toMatch(/workqueue_retries_total\{name="test"\} 1/);
    expect(text).toMatch(/workqueue_longest_running_processor_seconds\{name="test"\} 3/);
    expect(text).toMatch(/workqueue_unfinished_work_seconds\{name="test"\} 3/);
    q.done(key);
    expect(await registry.metrics()).toMatch(/workqueue_work_duration_seconds_count\{name="test"\} 1/);
  });
});

describe('rate limiters', () => {
  it('caps the per-item backoff', () => {
    const limiter = new ItemExponentialFailureRateLimiter(5, 5 * 60_000);
    let last = 0;
    for (let i = 0; i < 40; i++) last = limiter.when('x');
    expect(last).toBe(300_000);
    expect(limiter.when('y')).toBe(5);
  });

  it('lets a burst through and then spaces requests at the qps rate', () => {
    const clock = new FakeClock();
    const bucket = new BucketRateLimiter(10, 100, clock);
    const delays = Array.from({ length: 102 }, () => bucket.when());
    expect(delays.slice(0, 100).every((d) => d === 0)).toBe(true);
    expect(delays[100]).toBeCloseTo(100);
    expect(delays[101]).toBeCloseTo(200);
    clock.advance(10_000);
    expect(bucket.when()).toBe(0);
  });
});
