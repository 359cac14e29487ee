// An indexed, in-memory object store (client-go's thread-safe store + indexer).
// Objects are stored once, as parsed from the API; readers must not mutate them.
import { objectKey, type KubeObject } from './resource.js';

export type IndexFunction<T extends KubeObject> = (obj: T) => readonly string[];

interface Index<T extends KubeObject> {
  readonly fn: IndexFunction<T>;
  readonly byValue: Map<string, Set<string>>;
}

export const NAMESPACE_INDEX = 'namespace';
export const OWNER_UID_INDEX = 'owner-uid';

export const namespaceIndex = <T extends KubeObject>(obj: T): readonly string[] => [obj.metadata.namespace ?? ''];
export const ownerUidIndex = <T extends KubeObject>(obj: T): readonly string[] =>
  (obj.metadata.ownerReferences ?? []).map((ref) => ref.uid);

export class ObjectStore<T extends KubeObject = KubeObject> {
  readonly #items = new Map<string, T>();
  readonly #indexes = new Map<string, Index<T>>();
  // key -> values per index, so updates and deletes do not have to re-run index functions on the old object
  readonly #indexedValues = new Map<string, Map<string, readonly string[]>>();

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
    if (!keys) return [];
    const out: T[] = [];
    for (const key of keys) {
      const obj = this.#items.get(key);
      if (obj) out.push(obj);
    }
    return out;
  }

  /** Stores the object and returns the previous version, if any. */
  upsert(obj: T): T | undefined {
    const key = objectKey(obj);
    const old = this.#items.get(key);
    if (old) this.#unindex(key);
    this.#items.set(key, obj);
    for (const [name, index] of this.#indexes) this.#indexOne(name, index, key, obj);
    return old;
  }

  delete(key: string): T | undefined {
    const old = this.#items.get(key);
    if (!old) return undefined;
    this.#unindex(key);
    this.#items.delete(key);
    return old;
  }

  #indexOne(name: string, index: Index<T>, key: string, obj: T): void {
    const values = index.fn(obj);
    if (values.length === 0) return;
    let perKey = this.#indexedValues.get(key);
    if (!perKey) {
      perKey = new Map();
      this.#indexedValues.set(key, perKey);
    }
    perKey.set(name, values);
    for (const value of values) {
      let keys = index.byValue.get(value);
      if (!keys) {
        keys = new Set();
        index.byValue.set(value, keys);
      }
      keys.add(key);
    }
  }

  #unindex(key: string): void {
    const perKey = this.#indexedValues.get(key);
    if (!perKey) return;
    for (const [name, values] of perKey) {
      const index = this.#indexes.get(name);
      if (!index) continue;
      for (const value of values) {
        const keys = index.byValue.get(value);
        if (!keys) continue;
        keys.delete(key);
        if (keys.size === 0) index.byValue.delete(value);
      }
    }
    this.#indexedValues.delete(key);
  }
}
