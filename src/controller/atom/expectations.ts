// Writes this process made that the caches may not show yet (client-go's
// "expectations"). Acting again before the cache catches up would repeat the
// action: a second pod deletion, a second rollout start, a duplicate event.
import type { CacheReader } from './ports.js';

interface Expectation {
  cache: CacheReader;
  namespace: string;
  name: string;
  /** resourceVersion the cache showed before our write (null: absent). */
  before: string | null;
}

export class Expectations {
  readonly #pending = new Map<string, { items: Expectation[]; at: number }>();
  readonly #maxWaitMs: number;

  constructor(maxWaitMs = 5_000) {
    this.#maxWaitMs = maxWaitMs;
  }

  /** Notes that the cache must move past `before` for this object before `key` is acted on again. */
  expect(key: string, cache: CacheReader, namespace: string, name: string, before: string | null, now: number): void {
    const entry = this.#pending.get(key) ?? { items: [], at: now };
    entry.items.push({ cache, namespace, name, before });
    entry.at = now;
    this.#pending.set(key, entry);
  }

  /** True when every write of `key` is visible in the caches (or we waited long enough). */
  satisfied(key: string, now: number): boolean {
    const entry = this.#pending.get(key);
    if (!entry) return true;
    const stale = entry.items.some(
      (e) => (e.cache.getByName(e.namespace, e.name)?.metadata.resourceVersion ?? null) === e.before,
    );
    if (stale && now - entry.at < this.#maxWaitMs) return false;
    this.#pending.delete(key);
    return true;
  }

  forget(key: string): void {
    this.#pending.delete(key);
  }
}
