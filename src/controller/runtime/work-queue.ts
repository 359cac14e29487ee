// A rate-limited, delaying work queue with client-go's guarantees: a key is
// queued at most once (dirty set), never handed to two workers at once
// (processing set), and a key added while it is being processed is handed out
// again after done() so the latest state is always reconciled.
import type { Registry } from 'prom-client';
import { realClock, type Clock, type TimerHandle } from '../../util/clock.js';
import { queueMetrics, type QueueMetricsSink } from './queue-metrics.js';
import { defaultControllerRateLimiter, type RateLimiter } from './rate-limiter.js';

export interface WorkQueueOptions {
  readonly name: string;
  readonly clock?: Clock;
  readonly rateLimiter?: RateLimiter<string>;
  /** When given, the workqueue_* metrics are exported for this queue. */
  readonly registry?: Registry;
}

export class WorkQueue {
  readonly name: string;
  readonly #clock: Clock;
  readonly #limiter: RateLimiter<string>;
  readonly #metrics: QueueMetricsSink | undefined;
  readonly #queue: string[] = [];
  #head = 0;
  readonly #dirty = new Set<string>();
  readonly #addedAt = new Map<string, number>();
  readonly #processing = new Map<string, number>();
  readonly #waiting = new Map<string, { at: number; timer: TimerHandle }>();
  readonly #getters: ((key: string | undefined) => void)[] = [];
  readonly #idleWaiters: (() => void)[] = [];
  #shuttingDown = false;

  constructor(options: WorkQueueOptions) {
    this.name = options.name;
    this.#clock = options.clock ?? realClock;
    this.#limiter = options.rateLimiter ?? defaultControllerRateLimiter({ clock: this.#clock });
    this.#metrics = options.registry
      ? queueMetrics(options.registry, options.name, {
          unfinishedWorkSeconds: () => {
            const now = this.#clock.now();
            let total = 0;
            for (const started of this.#processing.values()) total += now - started;
            return total / 1000;
          },
          longestRunningProcessorSeconds: () => {
            const now = this.#clock.now();
            let longest = 0;
            for (const started of this.#processing.values()) longest = Math.max(longest, now - started);
            return longest / 1000;
          },
        })
      : undefined;
  }

  /** Keys waiting to be handed out (not counting delayed or in-progress ones). */
  get length(): number {
    return this.#queue.length - this.#head;
  }

  get processingCount(): number {
    return this.#processing.size;
  }

  get shuttingDown(): boolean {
    return this.#shuttingDown;
  }

  add(key: string): void {
    if (this.#shuttingDown || this.#dirty.has(key)) return;
    this.#metrics?.add();
    this.#dirty.add(key);
    this.#addedAt.set(key, this.#clock.now());
    if (this.#processing.has(key)) return;
    this.#push(key);
  }

  /** Adds the key after `delayMs`; a key already waiting keeps the earlier of the two times. */
  addAfter(key: string, delayMs: number): void {
    if (this.#shuttingDown) return;
    if (delayMs <= 0) {
      this.add(key);
      return;
    }
    const at = this.#clock.now() + delayMs;
    const existing = this.#waiting.get(key);
    if (existing && existing.at <= at) return;
    existing?.timer.cancel();
    const timer = this.#clock.setTimer(() => {
      this.#waiting.delete(key);
      this.add(key);
    }, delayMs);
    this.#waiting.set(key, { at, timer });
  }

  /** Re-adds a key after its rate-limited backoff (a failure). */
  addRateLimited(key: string): void {
    this.#metrics?.retry();
    this.addAfter(key, this.#limiter.when(key));
  }

  /** Clears the key's failure history (call on success). */
  forget(key: string): void {
    this.#limiter.forget(key);
  }

  numRequeues(key: string): number {
    return this.#limiter.numRequeues(key);
  }

  /** The next key, or undefined once the queue is shut down. Call done(key) when finished. */
  get(): Promise<string | undefined> {
    if (this.#shuttingDown) return Promise.resolve(undefined);
    const key = this.#pop();
    if (key !== undefined) return Promise.resolve(this.#take(key));
    return new Promise((resolve) => this.#getters.push(resolve));
  }

  done(key: string): void {
    const started = this.#processing.get(key);
    if (started === undefined) return;
    this.#processing.delete(key);
    this.#metrics?.worked((this.#clock.now() - started) / 1000);
    if (this.#dirty.has(key) && !this.#shuttingDown) this.#push(key);
    if (this.#processing.size === 0) {
      for (const resolve of this.#idleWaiters.splice(0)) resolve();
    }
  }

  /** Stops handing out keys (pending get() calls resolve undefined); in-flight keys may still call done(). */
  shutDown(): void {
    if (this.#shuttingDown) return;
    this.#shuttingDown = true;
    for (const { timer } of this.#waiting.values()) timer.cancel();
    this.#waiting.clear();
    for (const resolve of this.#getters.splice(0)) resolve(undefined);
  }

  /** Resolves when no key is being processed. */
  waitForIdle(): Promise<void> {
    if (this.#processing.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  #push(key: string): void {
    const getter = this.#getters.shift();
    if (getter) {
      getter(this.#take(key));
      return;
    }
    this.#queue.push(key);
    this.#metrics?.depth(this.length);
  }

  #pop(): string | undefined {
    if (this.#head >= this.#queue.length) return undefined;
    const key = this.#queue[this.#head];
    this.#head += 1;
    // Compact occasionally so a long-lived queue does not grow without bound.
    if (this.#head > 1024 && this.#head * 2 > this.#queue.length) {
      this.#queue.splice(0, this.#head);
      this.#head = 0;
    }
    this.#metrics?.depth(this.length);
    return key;
  }

  #take(key: string): string {
    const now = this.#clock.now();
    const added = this.#addedAt.get(key);
    if (added !== undefined) this.#metrics?.queued((now - added) / 1000);
    this.#addedAt.delete(key);
    this.#dirty.delete(key);
    this.#processing.set(key, now);
    return key;
  }
}
