// DELETE semantics: preconditions, finalizers, graceful pod termination and
// propagation policies. Garbage collection itself lives in controllers.ts.
import { ApiError, badRequest, conflict, forbidden, notFound } from './errors.js';
import type { Cluster } from './cluster.js';
import type { ResourceType } from './resource-types.js';
import type { KubeObject } from './store.js';

export interface DeleteOptions {
  gracePeriodSeconds?: number;
  propagationPolicy?: string;
  preconditions?: { uid?: string; resourceVersion?: string };
  dryRun?: boolean;
}

/** Kinds whose DELETE answers with the object rather than a Status (ReturnDeletedObject in the real registry). */
const returnsObject = new Set([
  '/pods',
  '/serviceaccounts',
  '/services',
  '/namespaces',
  'apiextensions.k8s.io/customresourcedefinitions',
]);

export interface DeleteResult {
  /** The object as it is after the call (with deletionTimestamp when it lingers). */
  object: KubeObject;
  /** True when the object was removed from storage by this call. */
  removed: boolean;
}

export function successStatus(t: ResourceType, obj: KubeObject): Record<string, unknown> {
  const details: Record<string, unknown> = { name: obj.metadata.name };
  if (t.group) details.group = t.group;
  details.kind = t.plural;
  details.uid = obj.metadata.uid;
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details };
}

export function deleteResponse(t: ResourceType, result: DeleteResult): unknown {
  if (!result.removed || returnsObject.has(t.storeKey)) return result.object;
  return successStatus(t, result.object);
}

export function deleteObject(
  cluster: Cluster,
  t: ResourceType,
  namespace: string | undefined,
  name: string,
  opts: DeleteOptions,
): DeleteResult {
  const ns = t.namespaced ? namespace : undefined;
  const obj = cluster.store.get(t.storeKey, ns, name);
  if (!obj) throw notFound(t, name);
  const pre = opts.preconditions;
  if (pre?.uid && pre.uid !== obj.metadata.uid) {
    throw conflict(
      t,
      name,
      `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${obj.metadata.uid ?? ''}`,
    );
  }
  if (pre?.resourceVersion && pre.resourceVersion !== obj.metadata.resourceVersion) {
    throw conflict(
      t,
      name,
      `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${obj.metadata.resourceVersion ?? ''}`,
    );
  }
  const policy = opts.propagationPolicy;
  if (policy !== undefined && !['Foreground', 'Background', 'Orphan'].includes(policy)) {
    throw new ApiError(
      422,
      'Invalid',
      `DeleteOptions.meta.k8s.io "" is invalid: propagationPolicy: Unsupported value: "${policy}": supported values: "Foreground", "Background", "Orphan"`,
    );
  }
  if (opts.gracePeriodSeconds !== undefined && opts.gracePeriodSeconds < 0)
    throw badRequest('gracePeriodSeconds must be non-negative');

  const meta = obj.metadata;
  const finalizers = [...(meta.finalizers ?? [])];
  if (policy === 'Foreground' && !finalizers.includes('foregroundDeletion')) finalizers.push('foregroundDeletion');
  if (policy === 'Orphan' && !finalizers.includes('orphan')) finalizers.push('orphan');
  // A CRD always goes through cleanup of its custom resources, even if it was never established.
  const crdCleanup = 'customresourcecleanup.apiextensions.k8s.io';
  if (t.storeKey === 'apiextensions.k8s.io/customresourcedefinitions' && !finalizers.includes(crdCleanup))
    finalizers.push(crdCleanup);
  const grace = graceFor(t, obj, opts.gracePeriodSeconds);

  if (meta.deletionTimestamp) {
    // Already terminating: only a shorter pod grace period changes anything.
    if (t.storeKey === '/pods' && grace === 0 && finalizers.length === 0) return remove(cluster, t, obj, opts);
    return { object: cluster.present(t, obj), removed: false };
  }
  if (t.storeKey === '/namespaces') {
    if (['default', 'kube-system', 'kube-public'].includes(name))
      throw forbidden(t, name, 'this namespace may not be deleted');
    return markDeleting(cluster, t, obj, 0, finalizers, opts, (o) => {
      o.status = { ...(o.status as object | undefined), phase: 'Terminating' };
    });
  }
  if (finalizers.length > 0 || grace > 0) return markDeleting(cluster, t, obj, grace, finalizers, opts);
  return remove(cluster, t, obj, opts);
}

function graceFor(t: ResourceType, obj: KubeObject, requested: number | undefined): number {
  if (t.storeKey !== '/pods') return 0;
  const status = obj.status as { phase?: string } | undefined;
  if (status?.phase === 'Succeeded' || status?.phase === 'Failed') return 0;
  const spec = obj.spec as { terminationGracePeriodSeconds?: number; nodeName?: string } | undefined;
  // An unscheduled pod has no kubelet to wait for; the real server deletes it at once.
  if (!spec?.nodeName) return 0;
  return requested ?? spec.terminationGracePeriodSeconds ?? 30;
}

function markDeleting(
  cluster: Cluster,
  t: ResourceType,
  obj: KubeObject,
  grace: number,
  finalizers: string[],
  opts: DeleteOptions,
  mutate?: (o: KubeObject) => void,
): DeleteResult {
  const next = structuredClone(obj);
  next.metadata.deletionTimestamp = new Date(Date.now() + grace * 1000).toISOString().replace(/\.\d+Z$/, 'Z');
  next.metadata.deletionGracePeriodSeconds = grace;
  if (finalizers.length > 0) next.metadata.finalizers = finalizers;
  if (t.tracksGeneration) next.metadata.generation = (next.metadata.generation ?? 1) + 1;
  mutate?.(next);
  if (opts.dryRun) return { object: cluster.present(t, next), removed: false };
  return { object: cluster.present(t, cluster.store.put(t.storeKey, next)), removed: false };
}

function remove(cluster: Cluster, t: ResourceType, obj: KubeObject, opts: DeleteOptions): DeleteResult {
  if (opts.dryRun) return { object: cluster.present(t, obj), removed: true };
  const gone = cluster.store.remove(t.storeKey, obj.metadata.namespace, obj.metadata.name);
  return { object: cluster.present(t, gone ?? obj), removed: true };
}
