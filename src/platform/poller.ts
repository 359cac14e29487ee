// Polls each distinct (endpoint, credential, channel) once per interval however many Atoms share
// it, and tells the controller exactly which Atoms a new result concerns. The fetched body is
// validated per subscriber (allow-lists may differ) but fetched once: the key stays the triple.
// The deduplication and scheduling are SharedPoller's; this file is what a release answer means.
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
import type { Endpoint } from './dispatchers.js';
import { AdvertisementRejectedError, type PlatformError } from './errors.js';
import { PlatformMetrics, type PollOutcome } from './metrics.js';
import { SharedPoller, type PolledKey, type PollerTimingOptions } from './shared-poller.js';

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

export interface ReleasePollerOptions extends PollerTimingOptions {
  fetcher: ReleaseFetcher;
  registry: Registry;
  /** Ed25519 release keys (PEM SPKI); when set, unsigned or badly signed releases are rejected. */
  releasePublicKeys?: readonly string[];
}

interface FetchState {
  checkedAt: Date;
  /** Parsed JSON of the last 200 body, or the text when it was not JSON. */
  body?: { raw: unknown } | { unparsable: string };
  error?: PlatformError;
}

interface ReleaseKey extends PolledKey<FetchState> {
  endpoint: Endpoint & { channel: string };
  etag?: string | undefined;
  /** Verdicts on the current body, per allow-list. */
  verdicts: Map<string, AdvertisementVerdict>;
}

type ReleaseAnswer = Awaited<ReturnType<ReleaseFetcher['fetchRelease']>>;

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

/** What a release subscriber keeps: its allow-list (the credential stays with the key). */
interface KeptTarget {
  allowedRepositories: readonly string[];
  allowKey: string;
}

function allowKeyOf(target: Pick<PollTarget, 'allowedRepositories'>): string {
  return JSON.stringify([...target.allowedRepositories].sort());
}

export class ReleasePoller extends SharedPoller<PollTarget, ReleaseAnswer, FetchState, ReleaseKey, KeptTarget> {
  readonly #fetcher: ReleaseFetcher;
  readonly #metrics: PlatformMetrics;
  readonly #keysForSignature: KeyObject[];

  constructor(options: ReleasePollerOptions) {
    super({
      ...options,
      closeEndpoint: (endpoint) => options.fetcher.closeEndpoint(endpoint),
      defaultIntervalMs: 5 * 60_000,
    });
    this.#fetcher = options.fetcher;
    this.#metrics = new PlatformMetrics(options.registry);
    // Parsed once so a bad configured key fails at startup, not on every poll.
    this.#keysForSignature = parseReleasePublicKeys(options.releasePublicKeys ?? []);
  }

  /** The latest result for a subscriber, judged against its own allow-list; undefined until the first poll ends. */
  resultFor(subscriberKey: string): PollResult | undefined {
    const found = this.keyOf(subscriberKey);
    const state = found?.key.state;
    if (!found || !state) return undefined;
    const verdict = state.body ? this.#verdict(found.key, found.kept) : undefined;
    const result: PollResult = { checkedAt: state.checkedAt };
    if (verdict?.ok) result.release = verdict.release;
    if (state.error) result.error = state.error;
    else if (verdict && !verdict.ok) result.error = new AdvertisementRejectedError(verdict.reason, verdict.message);
    return result;
  }

  protected keyIdOf(target: PollTarget): string {
    // A mismatched pair would poison the key for every Atom sharing the certificate: refuse it here.
    checkCredential(target.credential);
    return pollKeyOf(target);
  }

  protected retain(target: PollTarget): KeptTarget {
    return { allowedRepositories: [...target.allowedRepositories], allowKey: allowKeyOf(target) };
  }

  protected sameKept(a: KeptTarget, b: KeptTarget): boolean {
    return a.allowKey === b.allowKey;
  }

  protected newKey(id: string, target: PollTarget): ReleaseKey {
    const endpoint: ReleaseKey['endpoint'] = {
      url: target.url,
      channel: target.channel,
      credential: target.credential,
    };
    if (target.caPem) endpoint.caPem = target.caPem;
    return { id, endpoint, subscribers: new Set(), verdicts: new Map(), retired: false };
  }

  protected fetch(key: ReleaseKey): Promise<ReleaseAnswer> {
    const query: ReleaseQuery = { ...key.endpoint };
    if (key.etag) query.etag = key.etag;
    return this.#fetcher.fetchRelease(query);
  }

  protected observeDuration(seconds: number): void {
    this.#metrics.pollDuration.observe(seconds);
  }

  protected settle(key: ReleaseKey, outcome: { answer: ReleaseAnswer } | { error: PlatformError }): boolean {
    const checkedAt = new Date(this.clock.now());
    const before = key.state;
    let changed: boolean;
    let result: PollOutcome;
    if ('error' in outcome) {
      const { error } = outcome;
      this.#metrics.pollErrors.inc({ code: error.code });
      result = 'error';
      // A failed poll keeps the last body: the platform still advertises it as far as we know.
      changed = before?.error?.code !== error.code || before?.error?.message !== error.message;
      key.state = { checkedAt, error, ...(before?.body ? { body: before.body } : {}) };
    } else if (!outcome.answer.modified && before?.body) {
      result = 'not_modified';
      changed = before.error !== undefined;
      key.state = { checkedAt, body: before.body };
    } else {
      const { answer } = outcome;
      const text = answer.modified ? answer.body : '';
      key.etag = answer.modified ? answer.etag : undefined;
      let body: NonNullable<FetchState['body']>;
      try {
        body = { raw: JSON.parse(text) as unknown };
      } catch {
        body = { unparsable: text };
      }
      changed = true;
      key.state = { checkedAt, body };
      key.verdicts.clear();
      result = this.#judgeNewBody(key);
    }
    this.#metrics.polls.inc({ result });
    return changed;
  }

  #verdict(key: ReleaseKey, target: KeptTarget): AdvertisementVerdict | undefined {
    const body = key.state?.body;
    if (!body) return undefined;
    const allowKey = target.allowKey;
    let verdict = key.verdicts.get(allowKey);
    if (!verdict) {
      verdict =
        'raw' in body
          ? validateAdvertisement(body.raw, {
              channel: key.endpoint.channel,
              allowedRepositories: target.allowedRepositories,
              releasePublicKeys: this.#keysForSignature,
            })
          : { ok: false, reason: 'Malformed', message: "The platform's answer is not JSON; check the platform URL." };
      key.verdicts.set(allowKey, verdict);
    }
    return verdict;
  }

  /** Judges a new body once per distinct allow-list and counts each rejection reason once. */
  #judgeNewBody(key: ReleaseKey): PollOutcome {
    const reasons = new Set<string>();
    for (const subscriber of key.subscribers) {
      const target = this.subscriptions.get(subscriber)?.kept;
      const verdict = target && this.#verdict(key, target);
      if (verdict && !verdict.ok) reasons.add(verdict.reason);
    }
    for (const reason of reasons) this.#metrics.rejections.inc({ reason });
    return reasons.size > 0 ? 'rejected' : 'accepted';
  }
}
