// Rules applied to every write: what counts as a spec change (generation),
// what counts as no change at all (no write), and metadata normalization.
import { deepEqual } from './field-set.js';
import { isPlainObject } from './object-shape.js';
import type { ResourceType } from './resource-types.js';
import type { KubeObject } from './store.js';

/** ObjectMeta is a Go struct with omitempty fields: empty lists and maps are not stored. */
export function dropEmptyMetadata(obj: KubeObject): void {
  const meta = obj.metadata as Record<string, unknown>;
  for (const key of ['labels', 'annotations', 'finalizers', 'ownerReferences']) {
    const v = meta[key];
    if (v === null || (Array.isArray(v) && v.length === 0) || (isPlainObject(v) && Object.keys(v).length === 0))
      delete meta[key];
  }
}

/** A client that sends managedFields (kubectl's client-side to server-side apply upgrade) replaces them. */
export function withRequestedOwnership(old: KubeObject, next: KubeObject): KubeObject {
  const requested = next.metadata.managedFields;
  if (requested === undefined || deepEqual(requested, old.metadata.managedFields)) return old;
  // Undecodable managedFields are ignored, as the real server resets them rather than failing the write.
  if (!wellFormedManagedFields(requested)) return old;
  return { ...old, metadata: { ...old.metadata, managedFields: Array.isArray(requested) ? requested : [] } };
}

/** Pods being deleted gracefully stay until the kubelet lets go, finalizers or not. */
export function lingers(t: ResourceType, obj: KubeObject): boolean {
  return t.storeKey === '/pods' && (obj.metadata.deletionGracePeriodSeconds ?? 0) > 0;
}

export function specChanged(t: ResourceType, old: KubeObject, next: KubeObject): boolean {
  if (!t.custom) return !deepEqual(old.spec, next.spec);
  const strip = (o: KubeObject): Record<string, unknown> => {
    const { metadata: _m, status, apiVersion: _a, kind: _k, ...rest } = o;
    return t.hasStatus ? rest : { ...rest, status };
  };
  return !deepEqual(strip(old), strip(next));
}

/** Equal apart from managedFields timestamps: the real server skips such writes. */
export function unchanged(old: KubeObject, next: KubeObject): boolean {
  const norm = (o: KubeObject): KubeObject => {
    const c = structuredClone(o);
    delete c.apiVersion;
    delete c.kind;
    c.metadata.managedFields = (c.metadata.managedFields ?? []).map((e) => ({ ...e, time: '' }));
    return c;
  };
  return deepEqual(norm(old), norm(next));
}

const elementPattern = /^(f:.*|k:\{.*\}|v:.*|i:\d+|\.)$/s;

function wellFormedFields(node: unknown): boolean {
  if (!isPlainObject(node)) return false;
  return Object.entries(node).every(([k, child]) => {
    if (!elementPattern.test(k)) return false;
    if (k.startsWith('k:') || k.startsWith('v:')) {
      try {
        JSON.parse(k.slice(2));
      } catch {
        return false;
      }
    }
    return wellFormedFields(child);
  });
}

function wellFormedManagedFields(value: unknown): boolean {
  if (value === null) return true;
  return (
    Array.isArray(value) &&
    value.every(
      (e) =>
        isPlainObject(e) &&
        typeof e.manager === 'string' &&
        (e.operation === 'Apply' || e.operation === 'Update') &&
        (e.fieldsV1 === undefined || wellFormedFields(e.fieldsV1)),
    )
  );
}
