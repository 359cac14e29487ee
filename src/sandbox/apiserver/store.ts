// In-memory object storage with one resourceVersion counter for the whole store
// (like etcd's revision) and a bounded event history for watch resume and
// consistent paginated lists.
import { expired } from './errors.js';

export interface ObjectMeta {
  name: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  deletionGracePeriodSeconds?: number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  finalizers?: string[];
  ownerReferences?: OwnerReference[];
  managedFields?: ManagedFieldsEntry[];
  generateName?: string;
  [key: string]: unknown;
}

export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

export interface ManagedFieldsEntry {
  manager: string;
  operation: 'Apply' | 'Update';
  apiVersion: string;
  time?: string;
  fieldsType: 'FieldsV1';
  fieldsV1: Record<string, unknown>;
  subresource?: string;
}

export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata: ObjectMeta;
  [key: string]: unknown;
}

export type EventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface StoreEvent {
  type: EventType;
  rv: number;
  storeKey: string;
  object: KubeObject;
  /** The object before this event (MODIFIED/DELETED), to rebuild past snapshots. */
  prev?: KubeObject;
}

function objectKey(namespace: string | undefined, name: string): string {
  return `${namespace ?? ''}/${name}`;
}

export class ObjectStore {
  private revision = 1;
  /** Highest revision no longer covered by history; watches/continues from before it are expired. */
  private compacted = 0;
  private readonly data = new Map<string, Map<string, KubeObject>>();
  private readonly history: StoreEvent[] = [];
  private readonly listeners = new Set<(e: StoreEvent) => void>();

  constructor(
    private readonly historyLimit: number,
    private readonly onListenerError: (err: unknown) => void = (err) =>
      console.error('sandbox: store listener failed', err),
  ) {}

  currentRevision(): number {
    return this.revision;
  }

  compactedRevision(): number {
    return this.compacted;
  }

  /** Drops all history (fault injection: the next resume gets 410). */
  compactAll(): void {
    this.history.length = 0;
    this.compacted = this.revision;
  }

  get(storeKey: string, namespace: string | undefined, name: string): KubeObject | undefined {
    const obj = this.data.get(storeKey)?.get(objectKey(namespace, name));
    return obj ? structuredClone(obj) : undefined;
  }

  /**
   * The stored objects themselves, sorted, without copying: callers must not mutate them
   * (lists and watches serialize them right away).
   */
  listShared(storeKey: string, namespace?: string): readonly KubeObject[] {
    const bucket = this.data.get(storeKey);
    if (!bucket) return [];
    return sortByKey([...bucket.values()].filter((o) => namespace === undefined || o.metadata.namespace === namespace));
  }

  list(storeKey: string, namespace?: string): KubeObject[] {
    const bucket = this.data.get(storeKey);
    if (!bucket) return [];
    return sortByKey(
      [...bucket.values()].filter((o) => namespace === undefined || o.metadata.namespace === namespace),
    ).map((o) => structuredClone(o));
  }

  /** Every object of every kind (garbage collection, namespace deletion). */
  *entries(): Generator<[string, KubeObject]> {
    for (const [storeKey, bucket] of this.data) for (const obj of bucket.values()) yield [storeKey, obj];
  }

  /** Stores the object under a new resourceVersion and returns the stored copy. */
  put(storeKey: string, obj: KubeObject): KubeObject {
    const bucket = this.data.get(storeKey) ?? new Map<string, KubeObject>();
    this.data.set(storeKey, bucket);
    const key = objectKey(obj.metadata.namespace, obj.metadata.name);
    const prev = bucket.get(key);
    const stored = structuredClone(obj);
    stored.metadata.resourceVersion = String(++this.revision);
    bucket.set(key, stored);
    this.emit({ type: prev ? 'MODIFIED' : 'ADDED', rv: this.revision, storeKey, object: stored, prev });
    return structuredClone(stored);
  }

  remove(storeKey: string, namespace: string | undefined, name: string): KubeObject | undefined {
    const bucket = this.data.get(storeKey);
    const key = objectKey(namespace, name);
    const prev = bucket?.get(key);
    if (!bucket || !prev) return undefined;
    bucket.delete(key);
    const gone = structuredClone(prev);
    gone.metadata.resourceVersion = String(++this.revision);
    this.emit({ type: 'DELETED', rv: this.revision, storeKey, object: gone, prev });
    return structuredClone(gone);
  }

  dropKind(storeKey: string): void {
    for (const obj of this.list(storeKey)) this.remove(storeKey, obj.metadata.namespace, obj.metadata.name);
    this.data.delete(storeKey);
  }

  subscribe(listener: (e: StoreEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Events of one kind after `rv`, or a 410 when history no longer reaches back that far. */
  eventsSince(storeKey: string, rv: number): StoreEvent[] {
    if (rv < this.compacted) {
      throw expired(`too old resource version: ${rv} (${this.compacted})`);
    }
    return this.history.filter((e) => e.rv > rv && e.storeKey === storeKey);
  }

  /** The objects of one kind as they were at revision `rv` (for continue tokens and exact lists); shared, not copies. */
  snapshotAt(storeKey: string, rv: number): KubeObject[] | undefined {
    if (rv < this.compacted) return undefined;
    const state = new Map<string, KubeObject>();
    for (const o of this.data.get(storeKey)?.values() ?? [])
      state.set(objectKey(o.metadata.namespace, o.metadata.name), o);
    for (let i = this.history.length - 1; i >= 0; i--) {
      const e = this.history[i];
      if (!e || e.rv <= rv) break;
      if (e.storeKey !== storeKey) continue;
      const key = objectKey(e.object.metadata.namespace, e.object.metadata.name);
      if (e.type === 'ADDED') state.delete(key);
      else if (e.prev) state.set(key, e.prev);
    }
    return sortByKey([...state.values()]);
  }

  private emit(e: StoreEvent): void {
    this.history.push(e);
    while (this.history.length > this.historyLimit) {
      const dropped = this.history.shift();
      if (dropped) this.compacted = dropped.rv;
    }
    for (const l of this.listeners) {
      // A failing observer (a test hook, a closed stream) must not fail the write that was already made.
      try {
        l(e);
      } catch (err) {
        this.onListenerError(err);
      }
    }
  }
}

function sortByKey(objects: KubeObject[]): KubeObject[] {
  return objects.sort((a, b) => {
    const ka = objectKey(a.metadata.namespace, a.metadata.name);
    const kb = objectKey(b.metadata.namespace, b.metadata.name);
    return ka < kb ? -1 : ka > kb ? 1 : 0;
  });
}
