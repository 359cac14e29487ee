// Capped exponential backoff with jitter, as client-go's reflector uses
// (800 ms doubling to 30 s, jitter up to +100%): many replicas reconnecting
// after an API server restart must not arrive in lockstep.
export interface BackoffOptions {
  readonly initialMs?: number;
  readonly maxMs?: number;
  readonly factor?: number;
  /** Fraction of the delay added at random (0 = none, 1 = up to double). */
  readonly jitter?: number;
  readonly random?: () => number;
}

export class Backoff {
  readonly #initialMs: number;
  readonly #maxMs: number;
  readonly #factor: number;
  readonly #jitter: number;
  readonly #random: () => number;
  #attempt = 0;

  constructor(options: BackoffOptions = {}) {
    this.#initialMs = options.initialMs ?? 800;
    this.#maxMs = options.maxMs ?? 30_000;
    this.#factor = options.factor ?? 2;
    this.#jitter = options.jitter ?? 1;
    this.#random = options.random ?? Math.random;
  }

  get attempts(): number {
    return this.#attempt;
  }

  /** The next delay; at least `minimumMs` (e.g. a server's Retry-After) and never above the cap unless the server asked for more. */
  next(minimumMs = 0): number {
    const base = Math.min(this.#maxMs, this.#initialMs * this.#factor ** this.#attempt);
    this.#attempt += 1;
    const jittered = Math.min(this.#maxMs, base * (1 + this.#jitter * this.#random()));
    return Math.max(jittered, minimumMs);
  }

  reset(): void {
    this.#attempt = 0;
  }
}

/** Resolves after `ms`, or at once when the signal aborts (never rejects). */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) {
      resolve();
      return;
    }
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
