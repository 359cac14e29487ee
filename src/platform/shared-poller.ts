// What every platform poll shares: one request per distinct key per interval however many
// Atoms subscribe, one request in flight per key, jittered waits that honour Retry-After,
// subscribers moved between keys, and connections closed once no key uses them. What is asked
// and what an answer means is the subclass's (ReleasePoller, StatusPoller).
import { dispatcherKey, type Endpoint } from './dispatchers.js';
import { PlatformError, PlatformUnreachableError } from './errors.js';
import { realClock, type Clock, type TimerHandle } from '../util/clock.js';

/** One polled key: everything the shared machinery keeps; subclasses add their own state. */
export interface PolledKey<State> {
  id: string;
  endpoint: Endpoint;
  subscribers: Set<string>;
  /** The settled result of the last poll; undefined until the first one ends. */
  state?: State | undefined;
  inFlight?: Promise<void> | undefined;
  timer?: TimerHandle | undefined;
  /** Retry-After of the last failure, which can stretch the next wait. */
  retryAfterMs?: number | undefined;
  retired: boolean;
}

/** What a caller tunes on any poller. */
export interface PollerTimingOptions {
  /** Called with the subscribers whose result changed; enqueue exactly these. */
  onResult: (subscriberKeys: string[]) => void;
  intervalMs?: number;
  /** Each wait is randomised by ±jitter (a fraction of the interval; default 0.1). */
  jitter?: number;
  clock?: Clock;
  random?: () => number;
}

export interface SharedPollerOptions extends PollerTimingOptions {
  /** Closes an endpoint's connections once no key of this poller uses them. */
  closeEndpoint(endpoint: Endpoint): Promise<void>;
  /** The interval when the caller gives none. */
  defaultIntervalMs: number;
}

/**
 * What a subscriber keeps: its key and only what reading its result needs. The credential and the CA
 * stay with the key, once, however many Atoms share it (a copy per Atom is kilobytes at fleet scale).
 */
interface Subscription<Kept> {
  keyId: string;
  kept: Kept;
}

export abstract class SharedPoller<Target, Answer, State, Key extends PolledKey<State>, Kept> {
  protected readonly keys = new Map<string, Key>();
  protected readonly subscriptions = new Map<string, Subscription<Kept>>();
  protected readonly clock: Clock;
  readonly #options: SharedPollerOptions;
  readonly #random: () => number;
  #stopped = false;

  constructor(options: SharedPollerOptions) {
    this.#options = options;
    this.clock = options.clock ?? realClock;
    this.#random = options.random ?? Math.random;
  }

  /** The key a target is polled under; throws (a PlatformError) when it can never be polled. */
  protected abstract keyIdOf(target: Target): string;
  protected abstract newKey(id: string, target: Target): Key;
  /** What a subscriber keeps of its target (see Subscription). */
  protected abstract retain(target: Target): Kept;
  /** Whether a subscriber's kept part is unchanged (every reconcile registers again: keep what is held). */
  protected abstract sameKept(a: Kept, b: Kept): boolean;
  /** One request for a key (retries included); rejections become PlatformErrors. */
  protected abstract fetch(key: Key): Promise<Answer>;
  /** Stores the outcome of a poll in the key; true when its subscribers must hear about it. */
  protected abstract settle(key: Key, outcome: { answer: Answer } | { error: PlatformError }): boolean;
  /** How long a poll took, retries included. */
  protected abstract observeDuration(seconds: number): void;

  /** The wait before a key's next poll; subclasses may stretch it (an answer that rarely changes). */
  protected nextDelayMs(key: Key, intervalDelayMs: number): number {
    // A platform that asked us to wait longer than the interval gets its way.
    return Math.max(intervalDelayMs, key.retryAfterMs ?? 0);
  }

  /**
   * Subscribes (or moves) `subscriberKey` to a target. Throws when the target can never be polled;
   * the subscriber is then no longer polled at all. Joining a key that already has a result does
   * not call onResult: read the result right after registering.
   */
  register(subscriberKey: string, target: Target): void {
    let keyId: string;
    try {
      keyId = this.keyIdOf(target);
    } catch (error) {
      this.unregister(subscriberKey);
      throw error;
    }
    const previous = this.subscriptions.get(subscriberKey);
    const kept = this.retain(target);
    if (previous?.keyId === keyId && this.sameKept(previous.kept, kept)) return;
    this.subscriptions.set(subscriberKey, { keyId, kept });
    if (previous?.keyId === keyId) return;
    if (previous) this.#leave(subscriberKey, previous.keyId);
    let key = this.keys.get(keyId);
    if (!key) {
      key = this.newKey(keyId, target);
      this.keys.set(keyId, key);
    }
    key.subscribers.add(subscriberKey);
    if (!key.state && !key.inFlight && !this.#stopped) void this.#poll(key);
  }

  unregister(subscriberKey: string): void {
    const subscription = this.subscriptions.get(subscriberKey);
    if (!subscription) return;
    this.subscriptions.delete(subscriberKey);
    this.#leave(subscriberKey, subscription.keyId);
  }

  /** Distinct keys being polled. */
  get keyCount(): number {
    return this.keys.size;
  }

  /** Resolves when no poll is in flight (tests, graceful shutdown). */
  async whenIdle(): Promise<void> {
    for (;;) {
      const pending = [...this.keys.values()].flatMap((key) => (key.inFlight ? [key.inFlight] : []));
      if (pending.length === 0) return;
      await Promise.all(pending);
    }
  }

  /** Stops every timer, waits for polls in flight and closes all connections. */
  async stop(): Promise<void> {
    this.#stopped = true;
    for (const key of this.keys.values()) key.timer?.cancel();
    await this.whenIdle();
    const keys = [...this.keys.values()];
    this.keys.clear();
    this.subscriptions.clear();
    await Promise.all(keys.map((key) => this.#options.closeEndpoint(key.endpoint)));
  }

  /** The key a subscriber is polled under, with its subscription; undefined when not subscribed. */
  protected keyOf(subscriberKey: string): { key: Key; kept: Kept } | undefined {
    const subscription = this.subscriptions.get(subscriberKey);
    const key = subscription && this.keys.get(subscription.keyId);
    return subscription && key ? { key, kept: subscription.kept } : undefined;
  }

  #leave(subscriberKey: string, keyId: string): void {
    const key = this.keys.get(keyId);
    if (!key) return;
    key.subscribers.delete(subscriberKey);
    if (key.subscribers.size > 0) return;
    key.retired = true;
    key.timer?.cancel();
    this.keys.delete(keyId);
    const pool = dispatcherKey(key.endpoint);
    const shared = [...this.keys.values()].some((other) => dispatcherKey(other.endpoint) === pool);
    if (!shared) void this.#options.closeEndpoint(key.endpoint).catch(() => undefined);
  }

  #poll(key: Key): Promise<void> {
    key.timer?.cancel();
    const started = performance.now();
    const settled = (outcome: { answer: Answer } | { error: PlatformError }) => {
      if (key.retired || this.#stopped) return;
      key.retryAfterMs = 'error' in outcome ? outcome.error.retryAfterMs : undefined;
      const changed = this.settle(key, outcome);
      if (changed && key.subscribers.size > 0) this.#options.onResult([...key.subscribers]);
    };
    key.inFlight = this.fetch(key)
      .then(
        (answer) => settled({ answer }),
        (error: unknown) =>
          settled({
            error:
              error instanceof PlatformError ? error : new PlatformUnreachableError(String(error), { cause: error }),
          }),
      )
      .finally(() => {
        this.observeDuration((performance.now() - started) / 1000);
        key.inFlight = undefined;
        if (!key.retired && !this.#stopped) this.#schedule(key);
      });
    return key.inFlight;
  }

  #schedule(key: Key): void {
    const jitter = this.#options.jitter ?? 0.1;
    const spread = 1 + jitter * (2 * this.#random() - 1);
    key.timer = this.clock.setTimer(
      () => {
        if (!key.retired && !this.#stopped) void this.#poll(key);
      },
      this.nextDelayMs(key, (this.#options.intervalMs ?? this.#options.defaultIntervalMs) * spread),
    );
  }
}
