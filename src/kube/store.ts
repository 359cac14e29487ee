// An indexed, in-memory object store (client-go's thread-safe store + indexer).
// Objects are stored once, as parsed from the API; readers must not mutate them.
import { objectKey, type KubeObject } from './resource.js';

export type IndexFunction<T extends KubeObject> = (obj: T) => readonly string[];

interface Index<T extends KubeObject> {
  readonly fn: IndexFunction<T>;
  // Most values name one object (an owner uid, an Atom's Secret): a lone key is kept as itself, a
  // Set only once a second key arrives. With a cache per child kind that is one Set less per Atom each.
  readonly byValue: Map<string, string | Set<string>>;
}

export const NAMESPACE_INDEX = 'namespace';
export const OWNER_UID_INDEX = 'owner-uid';

export const namespaceIndex = <T extends KubeObject>(obj: T): readonly string[] => [obj.metadata.namespace ?? ''];
export const ownerUidIndex = <T extends KubeObject>(obj: T): readonly string[] =>
  (obj.metadata.ownerReferences ?? []).map((ref) => ref.uid);

export class ObjectStore<T extends KubeObject = KubeObject> {
  readonly #items = new Map<string, T>();
  readonly #indexes = new Map<string, Index<T>>();

  constructor() {
    this.addIndex(NAMESPACE_INDEX, namespaceIndex);
    this.addIndex(OWNER_UID_INDEX, ownerUidIndex);
  }

  get size(): number {
    return this.#items.size;
  }

  /** Adds an index; existing objects are indexed at once. Names must be unique. */
  addIndex(name: string, fn: IndexFunction<T>): void {
    if (this.#indexes.has(name)) throw new Error(`index "${name}" already exists`);
    const index: Index<T> = { fn, byValue: new Map() };
    this.#indexes.set(name, index);
    for (const [key, obj] of this.#items) this.#indexOne(name, index, key, obj);
  }

  hasIndex(name: string): boolean {
    return this.#indexes.has(name);
  }

  get(key: string): T | undefined {
    return this.#items.get(key);
  }

  keys(): IterableIterator<string> {
    return this.#items.keys();
  }

  values(): IterableIterator<T> {
    return this.#items.values();
  }

  list(): T[] {
    return [...this.#items.values()];
  }

  /** Objects whose index function returned `value`. Unknown index names throw: a typo should fail loudly. */
  byIndex(name: string, value: string): T[] {
    const index = this.#indexes.get(name);
    if (!index) throw new Error(`index "${name}" does not exist`);
    const keys = index.byValue.get(value);
    if (keys === undefined) return [];
    const out: T[] = [];
    for (const key of typeof keys === 'string' ? [keys] : keys) {
      const obj = this.#items.get(key);
      if (obj) out.push(obj);
    }
    return out;
  }

  /** Stores the object and returns the previous version, if any. */
  upsert(obj: T): T | undefined {
    const key = objectKey(obj);
    const old = this.#items.get(key);
    if (old) this.#unindex(key, old);
    this.#items.set(key, obj);
    for (const [name, index] of this.#indexes) this.#indexOne(name, index, key, obj);
    return old;
  }

  delete(key: string): T | undefined {
    const old = this.#items.get(key);
    if (!old) return undefined;
    this.#unindex(key, old);
    this.#items.delete(key);
    return old;
  }

  #indexOne(_name: string, index: Index<T>, key: string, obj: T): void {
    for (const value of index.fn(obj)) {
      const keys = index.byValue.get(value);
      if (keys === undefined) index.byValue.set(value, key);
      else if (typeof keys === 'string') {
        if (keys !== key) index.byValue.set(value, new Set([keys, key]));
      } else keys.add(key);
    }
  }

  // Index functions are pure and stored objects are never mutated, so the old object's values are
  // computed again rather than remembered per key (a Map per cached object, for every cache).
  #unindex(key: string, old: T): void {
    for (const index of this.#indexes.values()) {
      for (const value of index.fn(old)) {
        const keys = index.byValue.get(value);
        if (keys === undefined) continue;
        if (typeof keys === 'string') {
          if (keys === key) index.byValue.delete(value);
          continue;
        }
        keys.delete(key);
        if (keys.size === 1) index.byValue.set(value, keys.values().next().value as string);
        else if (keys.size === 0) index.byValue.delete(value);
      }
    }
  }
}
