// Records core/v1 Events. Repeats of the same (object, type, reason, message)
// bump count/lastTimestamp on the existing Event with a patch, and a token
// bucket per object (client-go's spam filter: burst 25, one more every 5 min)
// keeps a hot reconcile loop from flooding the API server.
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import { silentLogger } from '../observability/logger.js';
import type { KubeClient } from './client.js';
import { isNotFound } from './errors.js';
import { CoreTypes, resourcePath, type KubeObject } from './resource.js';

export type EventType = 'Normal' | 'Warning';

export interface EventRecorderOptions {
  readonly client: KubeClient;
  readonly component?: string;
  /** This replica's identity (e.g. the pod name), reported as reportingInstance. */
  readonly instance?: string;
  readonly burst?: number;
  readonly refillEveryMs?: number;
  readonly now?: () => number;
  readonly logger?: Logger;
  /** How many distinct (object, reason, message) series to remember for aggregation. */
  readonly cacheSize?: number;
}

interface Series {
  namespace: string;
  name: string;
  count: number;
}

interface Bucket {
  tokens: number;
  last: number;
}

const MAX_MESSAGE = 1024;

export class EventRecorder {
  readonly #client: KubeClient;
  readonly #component: string;
  readonly #instance: string;
  readonly #burst: number;
  readonly #refillEveryMs: number;
  readonly #now: () => number;
  readonly #logger: Logger;
  readonly #cacheSize: number;
  // Map iteration order is insertion order, so deleting + re-setting gives a cheap LRU.
  readonly #series = new Map<string, Series>();
  readonly #buckets = new Map<string, Bucket>();
  dropped = 0;

  constructor(options: EventRecorderOptions) {
    this.#client = options.client;
    this.#component = options.component ?? 'atom-operator';
    this.#instance = options.instance ?? this.#component;
    this.#burst = options.burst ?? 25;
    this.#refillEveryMs = options.refillEveryMs ?? 5 * 60_000;
    this.#now = options.now ?? Date.now;
    this.#logger = options.logger ?? silentLogger();
    this.#cacheSize = options.cacheSize ?? 4096;
  }

  /**
   * Records an event about `obj`. Never throws: events are best effort, and a
   * failure to record must not fail the reconcile. Resolves true if written.
   */
  async record(obj: KubeObject, type: EventType, reason: string, message: string): Promise<boolean> {
    const objectId = obj.metadata.uid ?? `${obj.kind}/${obj.metadata.namespace ?? ''}/${obj.metadata.name}`;
    if (!this.#take(objectId)) {
      this.dropped += 1;
      this.#logger.debug({ reason, name: obj.metadata.name }, 'event rate limit reached; dropping event');
      return false;
    }
    const text = message.length > MAX_MESSAGE ? `${message.slice(0, MAX_MESSAGE - 3)}...` : message;
    const seriesKey = JSON.stringify([objectId, type, reason, text]);
    const timestamp = new Date(this.#now()).toISOString().replace(/\.\d{3}Z$/, 'Z');
    try {
      const existing = this.#series.get(seriesKey);
      if (existing) {
        this.#series.delete(seriesKey);
        try {
          await this.#client.request({
            method: 'PATCH',
            path: resourcePath(CoreTypes.events, { namespace: existing.namespace, name: existing.name }),
            body: { count: existing.count + 1, lastTimestamp: timestamp },
            contentType: 'application/merge-patch+json',
          });
          existing.count += 1;
          this.#remember(seriesKey, existing);
          return true;
        } catch (err) {
          // The Event expired (the API server deletes them after an hour): start a new series.
          if (!isNotFound(err)) throw err;
        }
      }
      const namespace = obj.metadata.namespace ?? 'default';
      const name = `${obj.metadata.name}.${Date.now().toString(16)}${randomBytes(4).toString('hex')}`;
      await this.#client.request({
        method: 'POST',
        path: resourcePath(CoreTypes.events, { namespace }),
        body: {
          apiVersion: 'v1',
          kind: 'Event',
          metadata: { name, namespace },
          involvedObject: {
            apiVersion: obj.apiVersion,
            kind: obj.kind,
            name: obj.metadata.name,
            ...(obj.metadata.namespace ? { namespace: obj.metadata.namespace } : {}),
            ...(obj.metadata.uid ? { uid: obj.metadata.uid } : {}),
            ...(obj.metadata.resourceVersion ? { resourceVersion: obj.metadata.resourceVersion } : {}),
          },
          reason,
          message: text,
          type,
          count: 1,
          firstTimestamp: timestamp,
          lastTimestamp: timestamp,
          source: { component: this.#component },
          reportingComponent: this.#component,
          reportingInstance: this.#instance,
        },
      });
      this.#remember(seriesKey, { namespace, name, count: 1 });
      return true;
    } catch (err) {
      this.#logger.warn({ err, reason, name: obj.metadata.name }, 'could not record event');
      return false;
    }
  }

  #remember(key: string, series: Series): void {
    this.#series.set(key, series);
    if (this.#series.size > this.#cacheSize) {
      const oldest = this.#series.keys().next().value;
      if (oldest !== undefined) this.#series.delete(oldest);
    }
  }

  #take(objectId: string): boolean {
    const now = this.#now();
    const bucket = this.#buckets.get(objectId) ?? { tokens: this.#burst, last: now };
    bucket.tokens = Math.min(this.#burst, bucket.tokens + (now - bucket.last) / this.#refillEveryMs);
    bucket.last = now;
    this.#buckets.delete(objectId);
    this.#buckets.set(objectId, bucket);
    if (this.#buckets.size > this.#cacheSize) {
      const oldest = this.#buckets.keys().next().value;
      if (oldest !== undefined) this.#buckets.delete(oldest);
    }
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
  }
}
