// A shared informer: an indexed cache of one resource type kept in step with
// the API server by one reflector per watched namespace (or one for the whole
// cluster), with add/update/delete handlers and periodic resync.
import pino, { type Logger } from 'pino';
import type { BackoffOptions } from './backoff.js';
import type { KubeClient } from './client.js';
import { shareStrings, withoutManagedFields } from './compact.js';
import { Reflector, type ReflectorSink, type ReflectorStats } from './reflector.js';
import { objectKey, type KubeObject, type ResourceType } from './resource.js';
import { NAMESPACE_INDEX, ObjectStore, OWNER_UID_INDEX, type IndexFunction } from './store.js';

export interface EventHandlers<T extends KubeObject> {
  add?(obj: T): void;
  /** Also called by resync with old === new. */
  update?(oldObj: T, newObj: T): void;
  /** Receives the last state known (from the DELETED event or, after a re-list, from the cache). */
  delete?(obj: T): void;
}

export interface InformerOptions {
  readonly client: KubeClient;
  readonly type: ResourceType;
  /** Watch only these namespaces; empty or absent = every namespace (ignored for cluster-scoped types). */
  readonly namespaces?: readonly string[];
  readonly labelSelector?: string;
  readonly fieldSelector?: string;
  /** Calls update(obj, obj) for every cached object this often; 0 or absent = never. */
  readonly resyncPeriodMs?: number;
  readonly allowWatchBookmarks?: boolean;
  readonly watchStallMs?: number;
  readonly watchTimeoutSeconds?: readonly [number, number];
  readonly pageSize?: number;
  readonly backoff?: BackoffOptions;
  readonly logger?: Logger;
  /**
   * Keep metadata.managedFields in cached objects. Off by default, as in
   * controller-runtime's TransformStripManagedFields: they are often a third of
   * an object's size and controllers do not read them.
   */
  readonly keepManagedFields?: boolean;
  /**
   * Reduces each object before it is cached (controller-runtime's cache TransformFunc): keep only
   * what the controllers read, since the cache holds every object of the type at once.
   */
  readonly transform?: (obj: KubeObject) => KubeObject;
  /**
   * Cache metadata only (PartialObjectMetadata, controller-runtime's metadata informer): the server
   * sends no contents, so memory and watch traffic do not grow with what the objects hold.
   */
  readonly metadataOnly?: boolean;
}

export class Informer<T extends KubeObject = KubeObject> implements ReflectorSink<T> {
  readonly type: ResourceType;
  readonly #options: InformerOptions;
  readonly #store = new ObjectStore<T>();
  readonly #handlers = new Set<EventHandlers<T>>();
  readonly #logger: Logger;
  readonly #reflectors: Reflector<T>[] = [];
  readonly #syncWaiters = new Set<() => void>();
  #abort: AbortController | undefined;
  #running: Promise<unknown> | undefined;
  #resyncTimer: NodeJS.Timeout | undefined;

  constructor(options: InformerOptions) {
    this.type = options.type;
    this.#options = options;
    this.#logger = (options.logger ?? pino({ level: 'silent' })).child({ informer: options.type.plural });
  }

  /** True once every reflector has completed its first list. */
  get synced(): boolean {
    return this.#reflectors.length > 0 && this.#reflectors.every((r) => r.synced);
  }

  get stats(): ReflectorStats {
    const total: ReflectorStats = { lists: 0, watches: 0, relistsAfterGone: 0, stalls: 0, errors: 0 };
    for (const r of this.#reflectors) {
      for (const key of Object.keys(total) as (keyof ReflectorStats)[]) total[key] += r.stats[key];
    }
    return total;
  }

  start(): void {
    if (this.#abort) return;
    const abort = new AbortController();
    this.#abort = abort;
    const namespaces =
      this.type.namespaced && this.#options.namespaces?.length ? [...new Set(this.#options.namespaces)] : [undefined];
    for (const namespace of namespaces) {
      this.#reflectors.push(
        new Reflector<T>(
          {
            client: this.#options.client,
            type: this.type,
            namespace,
            labelSelector: this.#options.labelSelector,
            fieldSelector: this.#options.fieldSelector,
            ...(this.#options.pageSize !== undefined ? { pageSize: this.#options.pageSize } : {}),
            ...(this.#options.allowWatchBookmarks !== undefined
              ? { allowWatchBookmarks: this.#options.allowWatchBookmarks }
              : {}),
            ...(this.#options.watchStallMs !== undefined ? { watchStallMs: this.#options.watchStallMs } : {}),
            ...(this.#options.watchTimeoutSeconds !== undefined
              ? { watchTimeoutSeconds: this.#options.watchTimeoutSeconds }
              : {}),
            ...(this.#options.backoff !== undefined ? { backoff: this.#options.backoff } : {}),
            ...(this.#options.metadataOnly ? { metadataOnly: true } : {}),
            logger: this.#logger,
          },
          this,
          () => this.#checkSynced(),
        ),
      );
    }
    this.#running = Promise.all(this.#reflectors.map((r) => r.run(abort.signal)));
    const period = this.#options.resyncPeriodMs ?? 0;
    if (period > 0) {
      this.#resyncTimer = setInterval(() => this.resync(), period);
      this.#resyncTimer.unref();
    }
  }

  async stop(): Promise<void> {
    if (this.#resyncTimer !== undefined) clearInterval(this.#resyncTimer);
    this.#abort?.abort();
    await this.#running;
  }

  /** Resolves when synced, or false if `signal` aborts first. */
  waitForSync(signal?: AbortSignal): Promise<boolean> {
    if (this.synced) return Promise.resolve(true);
    return new Promise((resolve) => {
      const onAbort = () => {
        this.#syncWaiters.delete(done);
        resolve(false);
      };
      const done = () => {
        signal?.removeEventListener('abort', onAbort);
        resolve(true);
      };
      if (signal?.aborted) {
        resolve(false);
        return;
      }
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#syncWaiters.add(done);
    });
  }

  /** Registers handlers; if the cache already holds objects they are replayed as adds. Returns an unsubscribe function. */
  addEventHandler(handlers: EventHandlers<T>): () => void {
    this.#handlers.add(handlers);
    for (const obj of this.#store.values()) this.#call(handlers, 'add', obj);
    return () => this.#handlers.delete(handlers);
  }

  addIndex(name: string, fn: IndexFunction<T>): void {
    this.#store.addIndex(name, fn);
  }

  byIndex(name: string, value: string): T[] {
    return this.#store.byIndex(name, value);
  }

  byNamespace(namespace: string): T[] {
    return this.#store.byIndex(NAMESPACE_INDEX, namespace);
  }

  byOwnerUid(uid: string): T[] {
    return this.#store.byIndex(OWNER_UID_INDEX, uid);
  }

  /** The cached object by key ("namespace/name" or "name"). Do not mutate it. */
  get(key: string): T | undefined {
    return this.#store.get(key);
  }

  getByName(namespace: string | undefined, name: string): T | undefined {
    return this.#store.get(namespace ? `${namespace}/${name}` : name);
  }

  list(): T[] {
    return this.#store.list();
  }

  keys(): string[] {
    return [...this.#store.keys()];
  }

  get size(): number {
    return this.#store.size;
  }

  /** Calls update(obj, obj) for every cached object, so level-triggered controllers re-check everything. */
  resync(): void {
    for (const obj of this.#store.values()) this.#emit('update', obj, obj);
  }

  replace(namespace: string | undefined, objects: T[]): void {
    const seen = new Set<string>();
    for (const received of objects) {
      const obj = this.#trim(received);
      const key = objectKey(obj);
      seen.add(key);
      const old = this.#store.upsert(obj);
      if (!old) this.#emit('add', obj);
      else if (old.metadata.resourceVersion !== obj.metadata.resourceVersion) this.#emit('update', old, obj);
    }
    const inScope = namespace === undefined ? this.#store.list() : this.#store.byIndex(NAMESPACE_INDEX, namespace);
    for (const obj of inScope) {
      const key = objectKey(obj);
      if (seen.has(key)) continue;
      this.#store.delete(key);
      this.#emit('delete', obj);
    }
  }

  upsert(received: T): void {
    const obj = this.#trim(received);
    const old = this.#store.upsert(obj);
    if (old) this.#emit('update', old, obj);
    else this.#emit('add', obj);
  }

  remove(obj: T): void {
    const old = this.#store.delete(objectKey(obj));
    // Watches can replay a delete we already saw through a re-list; report each deletion once.
    if (old) this.#emit('delete', obj);
  }

  #trim(received: T): T {
    const obj =
      this.#options.keepManagedFields || received.metadata.managedFields === undefined
        ? received
        : ({ ...received, metadata: withoutManagedFields(received.metadata) } as T);
    return shareStrings(this.#options.transform ? (this.#options.transform(obj) as T) : obj);
  }

  #checkSynced(): void {
    if (!this.synced) return;
    for (const done of this.#syncWaiters) done();
    this.#syncWaiters.clear();
  }

  #emit(kind: 'add' | 'delete', obj: T): void;
  #emit(kind: 'update', oldObj: T, newObj: T): void;
  #emit(kind: 'add' | 'update' | 'delete', a: T, b?: T): void {
    for (const handlers of this.#handlers) this.#call(handlers, kind, a, b);
  }

  #call(handlers: EventHandlers<T>, kind: 'add' | 'update' | 'delete', a: T, b?: T): void {
    try {
      if (kind === 'add') handlers.add?.(a);
      else if (kind === 'update') handlers.update?.(a, b ?? a);
      else handlers.delete?.(a);
    } catch (err) {
      // A throwing handler must not break the cache or the other handlers.
      this.#logger.error({ err, event: kind, key: objectKey(a) }, 'event handler threw');
    }
  }
}
