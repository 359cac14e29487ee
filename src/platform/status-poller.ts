// Asks the platform what it knows about each Atom (GET /atom/v1/self), once per interval per
// distinct (endpoint, credential): the certificate is the Atom's identity, so Atoms sharing one
// share the answer. A 404 (the platform does not offer it) is remembered and asked again only
// rarely, and subscribers hear about an answer only when it means something new.
import { createHash } from 'node:crypto';
import type { Registry } from 'prom-client';
import { selfURL, type SelfResponse } from './client.js';
import { checkCredential, credentialFingerprint, type ClientCredential } from './credential.js';
import type { Endpoint } from './dispatchers.js';
import type { PlatformError } from './errors.js';
import { StatusPollMetrics, type StatusPollOutcome } from './metrics.js';
import type { SelfStatus } from './self-status.js';
import { SharedPoller, type PolledKey, type PollerTimingOptions } from './shared-poller.js';

export interface StatusTarget {
  /** Platform base URL (https). */
  url: string;
  credential: ClientCredential;
  /** Platform CA; system roots when absent. */
  caPem?: string;
}

/** What the poller knows about one Atom; undefined (from statusFor) means it was not asked yet. */
export type StatusPollResult =
  /** `stalled`: lastContactAt did not move since the previous answer, so it will only grow older. */
  | { kind: 'answer'; checkedAt: Date; status: SelfStatus; stalled: boolean }
  | { kind: 'not-offered'; checkedAt: Date }
  /** `last` is the last answer before the failure, for display; it says nothing about now. */
  | { kind: 'error'; checkedAt: Date; error: PlatformError; last?: SelfStatus };

/** What the poller needs from the platform client (the real one is PlatformClient). */
export interface StatusFetcher {
  fetchSelf(endpoint: Endpoint): Promise<SelfResponse>;
  closeEndpoint(endpoint: Endpoint): Promise<void>;
}

export interface StatusPollerOptions extends PollerTimingOptions {
  fetcher: StatusFetcher;
  registry: Registry;
  /** How long a 404 (not offered) is believed before asking again; default 1 hour. The interval defaults to 1 minute. */
  notOfferedRecheckMs?: number;
}

type StatusKey = PolledKey<StatusPollResult>;

/** The status key: endpoint (URL and trusted CA) and credential fingerprint; no channel. */
export function statusKeyOf(target: StatusTarget): string {
  const ca = target.caPem ? createHash('sha256').update(target.caPem).digest('hex') : 'system-roots';
  return [selfURL(target.url), credentialFingerprint(target.credential.certPem), ca].join('|');
}

/**
 * Whether subscribers must hear about a new result. lastContactAt alone moves on every poll of an
 * online Atom; waking every Atom for it would cost a reconcile per Atom per interval, so only its
 * stopping (or moving again) counts: from then on the decision requeues for when it grows too old.
 */
function meaningfulChange(before: StatusPollResult | undefined, after: StatusPollResult): boolean {
  if (before?.kind !== after.kind) return true;
  if (after.kind === 'error' && before.kind === 'error')
    return before.error.code !== after.error.code || before.error.message !== after.error.message;
  if (after.kind === 'answer' && before.kind === 'answer') {
    const [a, b] = [before.status, after.status];
    return (
      a.atomId !== b.atomId ||
      a.online !== b.online ||
      a.runningVersion !== b.runningVersion ||
      before.stalled !== after.stalled
    );
  }
  return false;
}

export class StatusPoller extends SharedPoller<StatusTarget, SelfResponse, StatusPollResult, StatusKey, undefined> {
  readonly #fetcher: StatusFetcher;
  readonly #metrics: StatusPollMetrics;
  readonly #notOfferedRecheckMs: number;

  constructor(options: StatusPollerOptions) {
    super({
      ...options,
      closeEndpoint: (endpoint) => options.fetcher.closeEndpoint(endpoint),
      defaultIntervalMs: 60_000,
    });
    this.#fetcher = options.fetcher;
    this.#metrics = new StatusPollMetrics(options.registry);
    this.#notOfferedRecheckMs = options.notOfferedRecheckMs ?? 3_600_000;
  }

  /** The latest result for a subscriber; undefined until the first poll of its key ends. */
  resultFor(subscriberKey: string): StatusPollResult | undefined {
    return this.keyOf(subscriberKey)?.key.state;
  }

  protected keyIdOf(target: StatusTarget): string {
    checkCredential(target.credential);
    return statusKeyOf(target);
  }

  /** A status subscriber keeps nothing but its key: every Atom on one key hears the same answer. */
  protected retain(): undefined {
    return undefined;
  }

  protected sameKept(): boolean {
    return true;
  }

  protected newKey(id: string, target: StatusTarget): StatusKey {
    const endpoint: Endpoint = { url: target.url, credential: target.credential };
    if (target.caPem) endpoint.caPem = target.caPem;
    return { id, endpoint, subscribers: new Set(), retired: false };
  }

  protected fetch(key: StatusKey): Promise<SelfResponse> {
    return this.#fetcher.fetchSelf(key.endpoint);
  }

  protected observeDuration(seconds: number): void {
    this.#metrics.duration.observe(seconds);
  }

  protected override nextDelayMs(key: StatusKey, intervalDelayMs: number): number {
    // Asking every interval for something the platform said it does not offer only adds load.
    const wait = key.state?.kind === 'not-offered' ? this.#notOfferedRecheckMs : intervalDelayMs;
    return super.nextDelayMs(key, wait);
  }

  protected settle(key: StatusKey, outcome: { answer: SelfResponse } | { error: PlatformError }): boolean {
    const checkedAt = new Date(this.clock.now());
    const before = key.state;
    let after: StatusPollResult;
    let result: StatusPollOutcome;
    if ('error' in outcome) {
      this.#metrics.errors.inc({ code: outcome.error.code });
      const last = before?.kind === 'answer' ? before.status : before?.kind === 'error' ? before.last : undefined;
      after = { kind: 'error', checkedAt, error: outcome.error, ...(last ? { last } : {}) };
      result = 'error';
    } else if (!outcome.answer.offered) {
      after = { kind: 'not-offered', checkedAt };
      result = 'not_offered';
    } else {
      const { status } = outcome.answer;
      const stalled = before?.kind === 'answer' && before.status.lastContactAt === status.lastContactAt;
      after = { kind: 'answer', checkedAt, status, stalled };
      result = outcome.answer.status.online ? 'online' : 'offline';
    }
    this.#metrics.requests.inc({ result });
    key.state = after;
    return meaningfulChange(before, after);
  }
}
