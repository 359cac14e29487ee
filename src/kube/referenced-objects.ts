// A cache of the contents of only those objects of a type that something references
// (controller-runtime's metadata-only watch plus reads of what is used): one
// metadata-only informer tells which objects exist and when each changes; the full
// object is read by GET when it is first needed and again when the metadata shows a
// new resourceVersion, and dropped when nothing references it any more. So a cluster
// of a thousand Helm release Secrets costs their metadata, not their 180 KB each,
// and a rotated Secret is still noticed by watch within seconds.
import type { Informer } from './informer.js';
import { objectKey, splitKey, type KubeObject } from './resource.js';

export interface ReferencedObjectsOptions<T extends KubeObject> {
  /** A metadata-only informer of the type (see InformerOptions.metadataOnly). */
  readonly metadata: Informer<KubeObject>;
  /** Reads the full object from the server; undefined when it does not exist. */
  readonly fetch: (namespace: string | undefined, name: string, signal?: AbortSignal) => Promise<T | undefined>;
  /** Reduces a fetched object before it is kept (as an informer's transform). */
  readonly transform?: (obj: T) => T;
  /** The objects that reference ours, with an index from the referenced key to them. */
  readonly referrers: Informer<KubeObject>;
  readonly referrerIndex: string;
  /** The keys ("namespace/name") one referrer references. */
  readonly refs: (referrer: KubeObject) => readonly string[];
}

/** Keeps of a metadata-only object what tells it apart and when it changed; the watch needs nothing more. */
export function keepIdentity(obj: KubeObject): KubeObject {
  const { name, namespace, uid, resourceVersion, deletionTimestamp } = obj.metadata;
  return {
    apiVersion: obj.apiVersion,
    kind: obj.kind,
    metadata: {
      name,
      ...(namespace !== undefined ? { namespace } : {}),
      ...(uid !== undefined ? { uid } : {}),
      ...(resourceVersion !== undefined ? { resourceVersion } : {}),
      ...(deletionTimestamp !== undefined ? { deletionTimestamp } : {}),
    },
  } as KubeObject;
}

export class ReferencedObjects<T extends KubeObject = KubeObject> {
  readonly metadata: Informer<KubeObject>;
  readonly #options: ReferencedObjectsOptions<T>;
  readonly #loaded = new Map<string, T>();
  readonly #inflight = new Map<string, Promise<void>>();
  /** The last read of an object failed (403, 5xx, timeout): why, until a read succeeds. */
  readonly #failures = new Map<string, Error>();

  constructor(options: ReferencedObjectsOptions<T>) {
    this.#options = options;
    this.metadata = options.metadata;
    this.metadata.addEventHandler({ delete: (obj) => this.#loaded.delete(objectKey(obj)) });
    // The referrer's index already shows its new references when these run: drop what nothing names any more.
    const dropUnreferenced = (referrer: KubeObject) => {
      for (const key of options.refs(referrer)) this.#release(key);
    };
    options.referrers.addEventHandler({ update: dropUnreferenced, delete: dropUnreferenced });
  }

  /** Objects whose contents are held. */
  get size(): number {
    return this.#loaded.size;
  }

  /**
   * Makes the contents of `keys` current: read when first referenced or when the metadata shows a
   * newer version than the one held. Call it before reading them; rejects when a read fails.
   */
  async load(keys: readonly string[], signal?: AbortSignal): Promise<void> {
    await Promise.all(keys.map((key) => this.#loadOne(key, signal)));
  }

  /** The contents of every referenced object `referrer` names, made current. */
  loadFor(referrer: KubeObject, signal?: AbortSignal): Promise<void> {
    return this.load(this.#options.refs(referrer), signal);
  }

  /** The object with its contents, if it exists and was loaded. Do not mutate it. */
  get(key: string): T | undefined {
    if (!this.metadata.get(key)) return undefined;
    return this.#loaded.get(key);
  }

  getByName(namespace: string | undefined, name: string): T | undefined {
    return this.get(namespace ? `${namespace}/${name}` : name);
  }

  /** Why the last read of an object failed, when it did and none has succeeded since. */
  failureOf(namespace: string | undefined, name: string): Error | undefined {
    return this.#failures.get(namespace ? `${namespace}/${name}` : name);
  }

  /** The loaded objects that still exist. */
  list(): T[] {
    return [...this.#loaded.entries()].filter(([key]) => this.metadata.get(key)).map(([, obj]) => obj);
  }

  byIndex(name: string, _value: string): T[] {
    throw new Error(`index "${name}" does not exist: referenced objects are read by key only`);
  }

  async #loadOne(key: string, signal: AbortSignal | undefined): Promise<void> {
    // A read already under way may have started before the latest change: check again after it.
    for (let attempt = 0; attempt < 2 && this.#stale(key); attempt += 1) {
      let pending = this.#inflight.get(key);
      if (!pending) {
        pending = this.#fetch(key, signal).finally(() => this.#inflight.delete(key));
        this.#inflight.set(key, pending);
      }
      await pending;
    }
  }

  #stale(key: string): boolean {
    const meta = this.metadata.get(key);
    if (!meta) {
      this.#loaded.delete(key);
      return false;
    }
    return this.#loaded.get(key)?.metadata.resourceVersion !== meta.metadata.resourceVersion;
  }

  async #fetch(key: string, signal: AbortSignal | undefined): Promise<void> {
    const { namespace, name } = splitKey(key);
    let obj: T | undefined;
    try {
      obj = await this.#options.fetch(namespace, name, signal);
    } catch (err) {
      if (!signal?.aborted) this.#failures.set(key, err as Error);
      throw err;
    }
    this.#failures.delete(key);
    if (!obj) {
      this.#loaded.delete(key);
      return;
    }
    if (!this.#referenced(key)) return;
    this.#loaded.set(key, this.#options.transform ? this.#options.transform(obj) : obj);
  }

  #referenced(key: string): boolean {
    return this.#options.referrers.byIndex(this.#options.referrerIndex, key).length > 0;
  }

  #release(key: string): void {
    if (this.#loaded.has(key) && !this.#referenced(key)) this.#loaded.delete(key);
  }
}
