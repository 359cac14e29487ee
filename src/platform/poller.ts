// Polls each distinct (endpoint, credential, channel) once per interval however many Atoms share
// it, and tells the controller exactly which Atoms a new result concerns. The fetched body is
// validated per subscriber (allow-lists may differ) but fetched once: the key stays the triple.
import { createHash, type KeyObject } from 'node:crypto';
import type { Registry } from 'prom-client';
import {
  parseReleasePublicKeys,
  validateAdvertisement,
  type AdvertisementVerdict,
  type Release,
} from './advertisement.js';
import { releaseURL, type ReleaseQuery } from './client.js';
import { checkCredential, credentialFingerprint, type ClientCredential } from './credential.js';
import { dispatcherKey, type Endpoint } from './dispatchers.js';
import { AdvertisementRejectedError, PlatformError, PlatformUnreachableError } from './errors.js';
import { PlatformMetrics, type PollOutcome } from './metrics.js';
import { realClock, type Clock, type TimerHandle } from '../util/clock.js';

export interface PollTarget {
  /** Platform base URL (https). */
  url: string;
  channel: string;
  credential: ClientCredential;
  /** Platform CA; system roots when absent. */
  caPem?: string;
  /** Image repositories this subscriber may roll out; usually the Atom's own spec.image.repository. */
  allowedRepositories: readonly string[];
}

export interface PollResult {
  checkedAt: Date;
  /** The accepted advertisement (kept across later network errors, never across a rejection). */
  release?: Release;
  /** The last poll failed (network, TLS, HTTP) or the advertisement was rejected (AdvertisementRejected). */
  error?: PlatformError;
}

export type { Clock as PollerClock } from '../util/clock.js';

/** What the poller needs from the platform client (the real one is PlatformClient). */
export interface ReleaseFetcher {
  fetchRelease(query: ReleaseQuery): Promise<{ modified: true; body: string; etag?: string } | { modified: false }>;
  closeEndpoint(endpoint: Endpoint): Promise<void>;
}

export interface ReleasePollerOptions {
  fetcher: ReleaseFetcher;
  registry: Registry;
  /** Called with the subscribers whose result changed; enqueue exactly these. */
  onResult: (subscriberKeys: string[]) => void;
  /** Default 5 minutes; each wait is randomised by ±jitter. */
  intervalMs?: number;
  jitter?: number;
  /** Ed25519 release keys (PEM SPKI); when set, unsigned or badly signed releases are rejected. */
  releasePublicKeys?: readonly string[];
  clock?: Clock;
  random?: () => number;
}

interface FetchState {
  checkedAt: Date;
  /** Parsed JSON of the last 200 body, or the text when it was not JSON. */
  body?: { raw: unknown } | { unparsable: string };
  error?: PlatformError;
}

interface PollKey {
  id: string;
  endpoint: Endpoint & { channel: string };
  subscribers: Set<string>;
  etag?: string;
  state?: FetchState;
  /** Verdicts on the current body, per allow-list. */
  verdicts: Map<string, AdvertisementVerdict>;
  inFlight?: Promise<void>;
  timer?: TimerHandle | undefined;
  /** Retry-After of the last failure, which can stretch the next wait. */
  retryAfterMs?: number | undefined;
  retired: boolean;
}

// Only what a subscriber needs after registering: its credential stays with the poll key (once per
// key, not once per Atom: a thousand Atoms would otherwise hold a thousand copies of their PEMs).
interface Subscription {
  keyId: string;
  allowedRepositories: readonly string[];
  allowKey: string;
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** The poll key: endpoint (URL and trusted CA), credential fingerprint, channel. */
export function pollKeyOf(target: Pick<PollTarget, 'url' | 'channel' | 'credential' | 'caPem'>): string {
  const url = releaseURL(target.url, target.channel);
  return [
    url,
    credentialFingerprint(target.credential.certPem),
    target.caPem ? sha256(target.caPem) : 'system-roots',
  ].join('|');
}

export class ReleasePoller {
  readonly #keys = new Map<string, PollKey>();
  readonly #subscriptions = new Map<string, Subscription>();
  readonly #fetcher: ReleaseFetcher;
  readonly #metrics: PlatformMetrics;
  readonly #onResult: (subscriberKeys: string[]) => void;
  readonly #intervalMs: number;
  readonly #jitter: number;
  readonly #keysForSignature: KeyObject[];
  readonly #clock: Clock;
  readonly #random: () => number;
  #stopped = false;

  constructor(options: ReleasePollerOptions) {
    this.#fetcher = options.fetcher;
    this.#metrics = new PlatformMetrics(options.registry);
    this.#onResult = options.onResult;
    this.#intervalMs = options.intervalMs ?? 5 * 60_000;
    this.#jitter = options.jitter ?? 0.1;
    // Parsed once so a bad configured key fails at startup, not on every poll.
    this.#keysForSignature = parseReleasePublicKeys(options.releasePublicKeys ?? []);
    this.#clock = options.clock ?? realClock;
    this.#random = options.random ?? Math.random;
  }

  /**
   * Subscribes (or moves) `subscriberKey` to a target. Throws InvalidPlatformURL or CredentialInvalid
   * when the target can never be polled; the subscriber is then no longer polled at all. Joining a
   * key that already has a result does not call onResult: read resultFor right after registering.
   */
  register(subscriberKey: string, target: PollTarget): void {
    let keyId: string;
    try {
      // A mismatched pair would poison the key for every Atom sharing the certificate: refuse it here.
      checkCredential(target.credential);
      keyId = pollKeyOf(target);
    } catch (error) {
      this.unregister(subscriberKey);
      throw error;
    }
    const allowKey = JSON.stringify([...target.allowedRepositories].sort());
    const previous = this.#subscriptions.get(subscriberKey);
    // Unchanged (every reconcile registers again): keep what is held rather than the new copies.
    if (previous?.keyId === keyId && previous.allowKey === allowKey) return;
    this.#subscriptions.set(subscriberKey, {
      keyId,
      allowedRepositories: [...target.allowedRepositories],
      allowKey,
    });
    if (previous?.keyId === keyId) return;
    if (previous) this.#leave(subscriberKey, previous.keyId);
    let key = this.#keys.get(keyId);
    if (!key) {
      const endpoint: PollKey['endpoint'] = { url: target.url, channel: target.channel, credential: target.credential };
      if (target.caPem) endpoint.caPem = target.caPem;
      key = { id: keyId, endpoint, subscribers: new Set(), verdicts: new Map(), retired: false };
      this.#keys.set(keyId, key);
    }
    key.subscribers.add(subscriberKey);
    if (!key.state && !key.inFlight && !this.#stopped) void this.#poll(key);
  }

  unregister(subscriberKey: string): void {
    const subscription = this.#subscriptions.get(subscriberKey);
    if (!subscription) return;
    this.#subscriptions.delete(subscriberKey);
    this.#leave(subscriberKey, subscription.keyId);
  }

  /** The latest result for a subscriber, judged against its own allow-list; undefined until the first poll ends. */
  resultFor(subscriberKey: string): PollResult | undefined {
    const subscription = this.#subscriptions.get(subscriberKey);
    const key = subscription && this.#keys.get(subscription.keyId);
    const state = key?.state;
    if (!subscription || !key || !state) return undefined;
    const verdict = state.body ? this.#verdict(key, subscription) : undefined;
    const result: PollResult = { checkedAt: state.checkedAt };
    if (verdict?.ok) result.release = verdict.release;
    if (state.error) result.error = state.error;
    else if (verdict && !verdict.ok) result.error = new AdvertisementRejectedError(verdict.reason, verdict.message);
    return result;
  }

  /** Distinct keys being polled. */
  get keyCount(): number {
    return this.#keys.size;
  }

  /** Resolves when no poll is in flight (tests, graceful shutdown). */
  async whenIdle(): Promise<void> {
    for (;;) {
      const pending = [...this.#keys.values()].flatMap((key) => (key.inFlight ? [key.inFlight] : []));
      if (pending.length === 0) return;
      await Promise.all(pending);
    }
  }

  /** Stops every timer, waits for polls in flight and closes all connections. */
  async stop(): Promise<void> {
    this.#stopped = true;
    for (const key of this.#keys.values()) key.timer?.cancel();
    await this.whenIdle();
    const keys = [...this.#keys.values()];
    this.#keys.clear();
    this.#subscriptions.clear();
    await Promise.all(keys.map((key) => this.#fetcher.closeEndpoint(key.endpoint)));
  }

  #leave(subscriberKey: string, keyId: string): void {
    const key = this.#keys.get(keyId);
    if (!key) return;
    key.subscribers.delete(subscriberKey);
    if (key.subscribers.size > 0) return;
    key.retired = true;
    key.timer?.cancel();
    this.#keys.delete(keyId);
    const pool = dispatcherKey(key.endpoint);
    const shared = [...this.#keys.values()].some((other) => dispatcherKey(other.endpoint) === pool);
    if (!shared) void this.#fetcher.closeEndpoint(key.endpoint).catch(() => undefined);
  }

  #verdict(key: PollKey, subscription: Subscription): AdvertisementVerdict | undefined {
    const body = key.state?.body;
    if (!body) return undefined;
    let verdict = key.verdicts.get(subscription.allowKey);
    if (!verdict) {
      verdict =
        'raw' in body
          ? validateAdvertisement(body.raw, {
              channel: key.endpoint.channel,
              allowedRepositories: subscription.allowedRepositories,
              releasePublicKeys: this.#keysForSignature,
            })
          : { ok: false, reason: 'Malformed', message: "The platform's answer is not JSON; check the platform URL." };
      key.verdicts.set(subscription.allowKey, verdict);
    }
    return verdict;
  }

  #poll(key: PollKey): Promise<void> {
    key.timer?.cancel();
    const started = performance.now();
    const query: ReleaseQuery = { ...key.endpoint };
    if (key.etag) query.etag = key.etag;
    key.inFlight = this.#fetcher
      .fetchRelease(query)
      .then(
        (response) => this.#settle(key, response, undefined),
        (error: unknown) =>
          this.#settle(
            key,
            undefined,
            error instanceof PlatformError ? error : new PlatformUnreachableError(String(error), { cause: error }),
          ),
      )
      .finally(() => {
        this.#metrics.pollDuration.observe((performance.now() - started) / 1000);
        key.inFlight = undefined;
        if (!key.retired && !this.#stopped) this.#schedule(key);
      });
    return key.inFlight;
  }

  #settle(
    key: PollKey,
    response: Awaited<ReturnType<ReleaseFetcher['fetchRelease']>> | undefined,
    error: PlatformError | undefined,
  ): void {
    if (key.retired || this.#stopped) return;
    const checkedAt = new Date(this.#clock.now());
    const before = key.state;
    let changed: boolean;
    let outcome: PollOutcome;
    if (error) {
      this.#metrics.pollErrors.inc({ code: error.code });
      outcome = 'error';
      // A failed poll keeps the last body: the platform still advertises it as far as we know.
      changed = before?.error?.code !== error.code || before?.error?.message !== error.message;
      key.state = { checkedAt, error, ...(before?.body ? { body: before.body } : {}) };
    } else if (response && !response.modified && before?.body) {
      outcome = 'not_modified';
      changed = before.error !== undefined;
      key.state = { checkedAt, body: before.body };
    } else {
      const text = response?.modified ? response.body : '';
      key.etag = response?.modified ? response.etag : undefined;
      let body: NonNullable<FetchState['body']>;
      try {
        body = { raw: JSON.parse(text) as unknown };
      } catch {
        body = { unparsable: text };
      }
      changed = true;
      key.state = { checkedAt, body };
      key.verdicts.clear();
      outcome = this.#judgeNewBody(key);
    }
    key.retryAfterMs = error?.retryAfterMs;
    this.#metrics.polls.inc({ result: outcome });
    if (changed && key.subscribers.size > 0) this.#onResult([...key.subscribers]);
  }

  /** Judges a new body once per distinct allow-list and counts each rejection reason once. */
  #judgeNewBody(key: PollKey): PollOutcome {
    const reasons = new Set<string>();
    for (const subscriber of key.subscribers) {
      const subscription = this.#subscriptions.get(subscriber);
      const verdict = subscription && this.#verdict(key, subscription);
      if (verdict && !verdict.ok) reasons.add(verdict.reason);
    }
    for (const reason of reasons) this.#metrics.rejections.inc({ reason });
    return reasons.size > 0 ? 'rejected' : 'accepted';
  }

  #schedule(key: PollKey): void {
    const spread = 1 + this.#jitter * (2 * this.#random() - 1);
    // A platform that asked us to wait longer than the interval gets its way.
    const delay = Math.max(this.#intervalMs * spread, key.retryAfterMs ?? 0);
    key.timer = this.#clock.setTimer(() => {
      if (!key.retired && !this.#stopped) void this.#poll(key);
    }, delay);
  }
}
