// Client-side rate limit of requests to the API server, as client-go's QPS/burst
// (flowcontrol.NewTokenBucketRateLimiter): a bucket of `burst` tokens refilled at
// `qps` per second; each request takes one and waits when none is left. Waiters
// reserve their token when they ask, so they are served in arrival order and a
// fleet-wide burst (a thousand new Atoms) is spread out instead of flooding the server.
import { realClock, type Clock } from '../util/clock.js';

export interface RateLimit {
  /** Sustained requests per second; 0 turns the limit off. */
  readonly qps: number;
  /** Requests allowed at once above the sustained rate (at least 1). */
  readonly burst: number;
}

export interface RequestLimiter {
  /** Resolves when the request may go; rejects with the signal's reason if it aborts first. */
  take(signal?: AbortSignal): Promise<void>;
}

export class TokenBucket implements RequestLimiter {
  readonly #qps: number;
  readonly #burst: number;
  readonly #clock: Clock;
  // May go negative: each waiter has reserved one token ahead of the refill.
  #tokens: number;
  #last: number;

  constructor(limit: RateLimit, clock: Clock = realClock) {
    if (!(limit.qps >= 0) || !(limit.burst >= 1)) {
      throw new RangeError(`invalid rate limit: qps ${limit.qps}, burst ${limit.burst}`);
    }
    this.#qps = limit.qps;
    this.#burst = limit.burst;
    this.#clock = clock;
    this.#tokens = limit.burst;
    this.#last = clock.now();
  }

  /** Tokens available now (negative: that many requests are waiting). */
  get tokens(): number {
    this.#refill();
    return this.#tokens;
  }

  take(signal?: AbortSignal): Promise<void> {
    if (this.#qps === 0) return Promise.resolve();
    if (signal?.aborted) return Promise.reject(abortReason(signal));
    this.#refill();
    this.#tokens -= 1;
    if (this.#tokens >= 0) return Promise.resolve();
    const waitMs = (-this.#tokens / this.#qps) * 1000;
    return new Promise((resolve, reject) => {
      const onAbort = () => {
        timer.cancel();
        // The reservation is given back, so requests that ask later are not delayed by one that never went
        // (those already waiting keep the time they were given).
        this.#tokens += 1;
        reject(abortReason(signal));
      };
      const timer = this.#clock.setTimer(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, waitMs);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  #refill(): void {
    const now = this.#clock.now();
    const elapsed = Math.max(0, now - this.#last);
    this.#last = now;
    this.#tokens = Math.min(this.#burst, this.#tokens + (elapsed * this.#qps) / 1000);
  }
}

function abortReason(signal: AbortSignal | undefined): unknown {
  return signal?.reason ?? new DOMException('aborted while waiting for the client rate limit', 'AbortError');
}
