// One list+watch loop for one scope (a namespace, or the whole cluster),
// after client-go's reflector: list (paginated) -> replace the scope in the
// store -> watch from the list's resourceVersion -> on a normal close re-watch,
// on 410 Gone re-list, on any other failure back off (capped, jittered,
// honouring Retry-After) and try again. It stops only when told to.
import type { Logger } from 'pino';
import { Backoff, sleep, type BackoffOptions } from './backoff.js';
import type { KubeClient } from './client.js';
import { KubeApiError, isGone, toKubeError } from './errors.js';
import { apiVersionOf, resourcePath, type KubeObject, type ResourceType } from './resource.js';
import { consumeWatch, WatchStalledError, type WatchEvent } from './watch-stream.js';

/** Where a reflector delivers what it learns; the informer implements it. */
export interface ReflectorSink<T extends KubeObject> {
  /** The full state of the scope after a (re)list. */
  replace(namespace: string | undefined, objects: T[]): void;
  upsert(obj: T): void;
  remove(obj: T): void;
}

export interface ReflectorStats {
  lists: number;
  watches: number;
  relistsAfterGone: number;
  stalls: number;
  errors: number;
}

export interface ReflectorOptions {
  readonly client: KubeClient;
  readonly type: ResourceType;
  readonly namespace?: string | undefined;
  readonly labelSelector?: string | undefined;
  readonly fieldSelector?: string | undefined;
  readonly pageSize?: number;
  readonly allowWatchBookmarks?: boolean;
  /**
   * How long past what the server promised before a watch counts as hung and is restarted: response
   * headers at once, and the end of the stream at its timeoutSeconds. Silence before that is healthy:
   * a quiet watch may carry nothing at all, bookmarks included, until the server ends it.
   */
  readonly watchStallMs?: number;
  /** Server-side watch timeout range in seconds; random within it, as client-go does, to spread reconnects. */
  readonly watchTimeoutSeconds?: readonly [number, number];
  readonly backoff?: BackoffOptions;
  /** List and watch metadata only (PartialObjectMetadata): the objects' contents never leave the server. */
  readonly metadataOnly?: boolean;
  readonly logger: Logger;
}

// What controller-runtime's metadata informers ask for; a list and a watch event take different shapes.
export const METADATA_LIST_ACCEPT = 'application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1';
export const METADATA_OBJECT_ACCEPT = 'application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1';

function isKubeObject(value: unknown): value is KubeObject {
  if (typeof value !== 'object' || value === null) return false;
  const metadata = (value as { metadata?: unknown }).metadata;
  return typeof metadata === 'object' && metadata !== null && typeof (metadata as { name?: unknown }).name === 'string';
}

interface ListPage {
  items: unknown[];
  resourceVersion: string;
  continueToken: string | undefined;
}

function parseListPage(body: unknown): ListPage {
  const record = (typeof body === 'object' && body !== null ? body : {}) as {
    items?: unknown;
    metadata?: { resourceVersion?: unknown; continue?: unknown };
  };
  return {
    items: Array.isArray(record.items) ? record.items : [],
    resourceVersion: typeof record.metadata?.resourceVersion === 'string' ? record.metadata.resourceVersion : '',
    continueToken:
      typeof record.metadata?.continue === 'string' && record.metadata.continue !== ''
        ? record.metadata.continue
        : undefined,
  };
}

export class Reflector<T extends KubeObject> {
  readonly stats: ReflectorStats = { lists: 0, watches: 0, relistsAfterGone: 0, stalls: 0, errors: 0 };
  readonly #options: ReflectorOptions;
  readonly #sink: ReflectorSink<T>;
  readonly #backoff: Backoff;
  #synced = false;
  // Last resourceVersion seen (list, event or bookmark); undefined = list next. Kept across
  // watch failures so a broken connection resumes where it stopped instead of replaying.
  #resourceVersion: string | undefined;
  readonly #apiVersion: string;
  #onSynced: (() => void) | undefined;

  constructor(options: ReflectorOptions, sink: ReflectorSink<T>, onSynced: () => void) {
    this.#options = options;
    this.#sink = sink;
    this.#backoff = new Backoff(options.backoff);
    this.#apiVersion = apiVersionOf(options.type);
    this.#onSynced = onSynced;
  }

  get synced(): boolean {
    return this.#synced;
  }

  /** Runs until `signal` aborts; never rejects. */
  async run(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      try {
        if (this.#resourceVersion === undefined) {
          this.#resourceVersion = await this.#listAndReplace(signal);
          this.#backoff.reset();
        }
        const startedAt = Date.now();
        await this.#watch(this.#resourceVersion, signal);
        // The server ended the watch, normally at its timeoutSeconds: routine, renewed from where it stopped.
        this.#options.logger.debug(
          { resource: this.#describe(), lastedMs: Date.now() - startedAt },
          'watch ended by the server; renewing it',
        );
        // A server that closes watches at once would otherwise have us reconnect in a hot loop.
        if (Date.now() - startedAt < 1000) await sleep(this.#backoff.next(), signal);
      } catch (err) {
        if (signal.aborted) return;
        const error = toKubeError(err, `list/watch ${this.#describe()}`);
        if (isGone(error)) {
          // Our resourceVersion is too old: only a fresh list can tell us what we missed.
          this.stats.relistsAfterGone += 1;
          this.#resourceVersion = undefined;
          this.#options.logger.info({ resource: this.#describe() }, 'watch expired (410 Gone); re-listing');
          continue;
        }
        if (err instanceof WatchStalledError) {
          this.stats.stalls += 1;
          this.#options.logger.warn({ resource: this.#describe() }, err.message);
          continue;
        }
        this.stats.errors += 1;
        const delay = this.#backoff.next((error.retryAfterSeconds ?? 0) * 1000);
        this.#options.logger.warn(
          { resource: this.#describe(), code: error.code, status: error.status, retryInMs: Math.round(delay) },
          `list/watch failed: ${error.message}`,
        );
        await sleep(delay, signal);
      }
    }
  }

  #describe(): string {
    const { type, namespace } = this.#options;
    return `${type.plural}${type.group ? `.${type.group}` : ''}${namespace ? ` in ${namespace}` : ''}`;
  }

  #selectors(): Record<string, string | undefined> {
    return { labelSelector: this.#options.labelSelector, fieldSelector: this.#options.fieldSelector };
  }

  async #listAndReplace(signal: AbortSignal): Promise<string> {
    const path = resourcePath(this.#options.type, { namespace: this.#options.namespace });
    const objects: T[] = [];
    let continueToken: string | undefined;
    let resourceVersion = '';
    do {
      const body = await this.#options.client.request({
        method: 'GET',
        path,
        query: { ...this.#selectors(), limit: this.#options.pageSize ?? 500, continue: continueToken },
        signal,
        ...(this.#options.metadataOnly ? { accept: METADATA_LIST_ACCEPT } : {}),
      });
      const page = parseListPage(body);
      for (const item of page.items) {
        if (!isKubeObject(item)) continue;
        // Items of built-in lists come without apiVersion/kind; watch events carry them. Make both look alike.
        // (Metadata-only items say PartialObjectMetadata, in lists and events alike: kept as the server sent them.)
        item.apiVersion ??= this.#apiVersion;
        item.kind ??= this.#options.type.kind;
        objects.push(item as T);
      }
      resourceVersion = page.resourceVersion;
      continueToken = page.continueToken;
    } while (continueToken !== undefined && !signal.aborted);
    if (signal.aborted) return resourceVersion;
    this.stats.lists += 1;
    this.#sink.replace(this.#options.namespace, objects);
    if (!this.#synced) {
      this.#synced = true;
      this.#onSynced?.();
      this.#onSynced = undefined;
    }
    return resourceVersion;
  }

  /** One watch connection, until the server closes it; advances #resourceVersion as events arrive. */
  async #watch(from: string, signal: AbortSignal): Promise<void> {
    const [minTimeout, maxTimeout] = this.#options.watchTimeoutSeconds ?? [300, 600];
    const timeoutSeconds = Math.floor(minTimeout + Math.random() * (maxTimeout - minTimeout));
    const attempt = new AbortController();
    const stop = () => attempt.abort();
    signal.addEventListener('abort', stop, { once: true });
    const stallMs = this.#options.watchStallMs ?? 90_000;
    // A server that accepts the connection but never answers is as dead as a stream that outlives its timeout.
    let headersStalled = false;
    const headersTimer = setTimeout(() => {
      headersStalled = true;
      attempt.abort();
    }, stallMs);
    try {
      const stream = await this.#options.client.stream(
        resourcePath(this.#options.type, { namespace: this.#options.namespace }),
        {
          ...this.#selectors(),
          watch: 'true',
          resourceVersion: from,
          allowWatchBookmarks: this.#options.allowWatchBookmarks ?? true,
          timeoutSeconds,
        },
        attempt.signal,
        this.#options.metadataOnly ? METADATA_OBJECT_ACCEPT : undefined,
      );
      clearTimeout(headersTimer);
      const quietUntil = Date.now() + timeoutSeconds * 1000;
      this.stats.watches += 1;
      this.#backoff.reset();
      await consumeWatch(
        stream,
        (event: WatchEvent) => {
          if (event.type === 'BOOKMARK') {
            // Bookmarks carry only a resourceVersion: resuming from it avoids replaying (or a 410 on) old history.
            const rv = (event.object as { metadata?: { resourceVersion?: unknown } } | null)?.metadata?.resourceVersion;
            if (typeof rv === 'string' && rv !== '') this.#resourceVersion = rv;
            return;
          }
          if (!isKubeObject(event.object)) return;
          const obj = event.object as T;
          const rv = obj.metadata.resourceVersion;
          if (rv) this.#resourceVersion = rv;
          if (event.type === 'ADDED' || event.type === 'MODIFIED') this.#sink.upsert(obj);
          else this.#sink.remove(obj);
        },
        { quietUntil, stallMs, signal: attempt.signal },
      );
    } catch (err) {
      if (headersStalled && !signal.aborted) throw new WatchStalledError(`no response headers within ${stallMs} ms`);
      if (err instanceof KubeApiError || err instanceof WatchStalledError) throw err;
      throw toKubeError(err, `watch ${this.#describe()}`);
    } finally {
      clearTimeout(headersTimer);
      signal.removeEventListener('abort', stop);
      attempt.abort();
    }
  }
}
