// What kube-controller-manager and the apiextensions controllers would do, run
// after every change: garbage collection by owner uid, propagation policies,
// namespace termination, and serving CRDs once they are created.
import { nowTimestamp, type Cluster } from './cluster.js';
import { crdTypes, establishedStatus } from './crd-types.js';
import { deleteObject } from './deletion.js';
import type { ResourceType } from './resource-types.js';
import type { KubeObject, StoreEvent } from './store.js';

const crdKey = 'apiextensions.k8s.io/customresourcedefinitions';
const crdFinalizer = 'customresourcecleanup.apiextensions.k8s.io';

export class Controllers {
  private scheduled = false;
  private stopped = false;
  /** How long the last sweep took: a sweep visits every stored object, so its pace follows its cost. */
  private lastSweepMs = 0;
  private readonly unsubscribe: () => void;

  constructor(
    private readonly cluster: Cluster,
    private readonly onError: (err: unknown) => void,
  ) {
    this.unsubscribe = cluster.store.subscribe((e) => this.observe(e));
  }

  stop(): void {
    this.stopped = true;
    this.unsubscribe();
  }

  private observe(e: StoreEvent): void {
    // Serving starts synchronously so a CR can be created right after its CRD.
    if (e.storeKey === crdKey) this.syncCrdTypes(e);
    if (!this.scheduled && !this.stopped) {
      this.scheduled = true;
      // Batched: under a burst of writes one pass covers many changes, as informer-driven controllers do.
      // With tens of thousands of objects a pass costs milliseconds; spacing passes by ten times their
      // cost keeps collection under ~10% of the CPU instead of starving the API server (fleet benchmark).
      setTimeout(
        () => {
          this.scheduled = false;
          if (this.stopped) return;
          const started = performance.now();
          try {
            this.sweep();
          } catch (err) {
            this.onError(err);
          }
          this.lastSweepMs = performance.now() - started;
        },
        Math.max(10, 10 * this.lastSweepMs),
      );
    }
  }

  private syncCrdTypes(e: StoreEvent): void {
    const name = e.object.metadata.name;
    this.cluster.registry.removeWhere((t) => t.custom && crdNameOf(t) === name);
    if (e.type === 'DELETED' || e.object.metadata.deletionTimestamp) return;
    for (const t of crdTypes(e.object)) this.cluster.registry.add(t);
  }

  private typeFor(storeKey: string): ResourceType | undefined {
    return this.cluster.registry.all().find((t) => t.storeKey === storeKey);
  }

  private sweep(): void {
    const live = new Map<string, KubeObject>();
    const all: [string, KubeObject][] = [];
    for (const [storeKey, obj] of this.cluster.store.entries()) {
      if (obj.metadata.uid) live.set(obj.metadata.uid, obj);
      all.push([storeKey, obj]);
    }
    for (const [storeKey, obj] of all) {
      if (storeKey === crdKey) this.reconcileCrd(obj);
      if (storeKey === '/namespaces' && obj.metadata.deletionTimestamp) this.finishNamespace(obj, all);
      if (obj.metadata.deletionTimestamp) this.propagate(storeKey, obj, all);
      const refs = obj.metadata.ownerReferences ?? [];
      if (refs.length === 0 || obj.metadata.deletionTimestamp) continue;
      const dangling = refs.filter((r) => !live.has(r.uid));
      if (dangling.length === refs.length) this.delete(storeKey, obj, 'Background');
      else if (dangling.length > 0) this.dropOwnerReferences(storeKey, obj, new Set(dangling.map((r) => r.uid)));
    }
  }

  private delete(storeKey: string, obj: KubeObject, policy?: string): void {
    const t = this.typeFor(storeKey);
    if (!t) {
      this.cluster.store.remove(storeKey, obj.metadata.namespace, obj.metadata.name);
      return;
    }
    try {
      deleteObject(
        this.cluster,
        t,
        obj.metadata.namespace,
        obj.metadata.name,
        policy ? { propagationPolicy: policy } : {},
      );
    } catch (err) {
      if (!(err instanceof Error && 'code' in err && err.code === 404)) throw err;
    }
  }

  private removeFinalizer(storeKey: string, obj: KubeObject, finalizer: string): void {
    const current = this.cluster.store.get(storeKey, obj.metadata.namespace, obj.metadata.name);
    if (!current) return;
    current.metadata.finalizers = (current.metadata.finalizers ?? []).filter((f) => f !== finalizer);
    if (current.metadata.finalizers.length === 0) delete current.metadata.finalizers;
    const lingering = storeKey === '/pods' && (current.metadata.deletionGracePeriodSeconds ?? 0) > 0;
    if (current.metadata.deletionTimestamp && !current.metadata.finalizers && !lingering) {
      this.cluster.store.put(storeKey, current);
      this.cluster.store.remove(storeKey, current.metadata.namespace, current.metadata.name);
    } else this.cluster.store.put(storeKey, current);
  }

  /** With some owners still there, the collector only removes the references to the missing ones. */
  private dropOwnerReferences(storeKey: string, obj: KubeObject, uids: Set<string>): void {
    const current = this.cluster.store.get(storeKey, obj.metadata.namespace, obj.metadata.name);
    if (!current) return;
    current.metadata.ownerReferences = (current.metadata.ownerReferences ?? []).filter((r) => !uids.has(r.uid));
    if (current.metadata.ownerReferences.length === 0) delete current.metadata.ownerReferences;
    this.cluster.store.put(storeKey, current);
  }

  /** Foreground: delete dependents, wait for the blocking ones. Orphan: cut dependents loose. */
  private propagate(storeKey: string, owner: KubeObject, all: [string, KubeObject][]): void {
    const finalizers = owner.metadata.finalizers ?? [];
    if (!finalizers.includes('orphan') && !finalizers.includes('foregroundDeletion')) return;
    const uid = owner.metadata.uid;
    const dependents = all.filter(([, o]) => (o.metadata.ownerReferences ?? []).some((r) => r.uid === uid));
    if (finalizers.includes('orphan')) {
      for (const [key, dep] of dependents) this.dropOwnerReferences(key, dep, new Set([uid ?? '']));
      this.removeFinalizer(storeKey, owner, 'orphan');
      return;
    }
    if (finalizers.includes('foregroundDeletion')) {
      for (const [key, dep] of dependents) if (!dep.metadata.deletionTimestamp) this.delete(key, dep, 'Foreground');
      const blocking = dependents.some(([, dep]) =>
        (dep.metadata.ownerReferences ?? []).some((r) => r.uid === uid && r.blockOwnerDeletion === true),
      );
      if (!blocking) this.removeFinalizer(storeKey, owner, 'foregroundDeletion');
    }
  }

  private finishNamespace(ns: KubeObject, all: [string, KubeObject][]): void {
    const contents = all.filter(([key, o]) => key !== '/namespaces' && o.metadata.namespace === ns.metadata.name);
    for (const [key, obj] of contents) if (!obj.metadata.deletionTimestamp) this.delete(key, obj);
    if (contents.length === 0 && (ns.metadata.finalizers ?? []).length === 0) {
      this.cluster.store.remove('/namespaces', undefined, ns.metadata.name);
    }
  }

  private reconcileCrd(crd: KubeObject): void {
    const types = crdTypes(crd);
    if (crd.metadata.deletionTimestamp) {
      const storeKey = types[0]?.storeKey;
      if (storeKey) this.cluster.store.dropKind(storeKey);
      if ((crd.metadata.finalizers ?? []).includes(crdFinalizer)) this.removeFinalizer(crdKey, crd, crdFinalizer);
      return;
    }
    const status = crd.status as
      | { conditions?: { type: string; status: string }[]; acceptedNames?: unknown }
      | undefined;
    const established = status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True');
    const names = JSON.stringify(establishedStatus(crd, '').acceptedNames);
    if (
      established &&
      JSON.stringify(status?.acceptedNames) === names &&
      crd.metadata.finalizers?.includes(crdFinalizer)
    )
      return;
    const next = structuredClone(crd);
    const previous = established ? (status?.conditions as unknown[]) : undefined;
    const fresh = establishedStatus(crd, nowTimestamp());
    next.status = previous ? { ...fresh, conditions: previous } : fresh;
    next.metadata.finalizers = [...new Set([...(next.metadata.finalizers ?? []), crdFinalizer])];
    this.cluster.store.put(crdKey, next);
  }
}

function crdNameOf(t: ResourceType): string {
  return `${t.plural}.${t.group}`;
}
