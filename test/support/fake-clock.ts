// A clock for tests: time moves only when told to. Lives under test/ so it never
// ships with the operator (src/util/clock.ts holds the interface and the real clock).
import type { Clock, TimerHandle } from '../../src/util/clock.js';

/** A clock that only moves when told to; due timers fire in order during advance(). */
export class FakeClock implements Clock {
  #now: number;
  #seq = 0;
  readonly #timers = new Map<number, { at: number; fn: () => void }>();

  constructor(start = 0) {
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  setTimer(fn: () => void, ms: number): TimerHandle {
    const id = this.#seq++;
    this.#timers.set(id, { at: this.#now + Math.max(0, ms), fn });
    return { cancel: () => this.#timers.delete(id) };
  }

  get pendingTimers(): number {
    return this.#timers.size;
  }

  /** Timers still waiting, as delays from now, shortest first. */
  get pendingDelays(): number[] {
    return [...this.#timers.values()].map((t) => t.at - this.#now).sort((a, b) => a - b);
  }

  advance(ms: number): void {
    const target = this.#now + ms;
    for (;;) {
      let nextId: number | undefined;
      let nextAt = Infinity;
      for (const [id, timer] of this.#timers) {
        if (timer.at <= target && timer.at < nextAt) {
          nextAt = timer.at;
          nextId = id;
        }
      }
      if (nextId === undefined) break;
      const timer = this.#timers.get(nextId);
      this.#timers.delete(nextId);
      this.#now = Math.max(this.#now, nextAt);
      timer?.fn();
    }
    this.#now = target;
  }
}
