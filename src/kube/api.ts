// Writes and uncached reads against the API server: server-side apply under
// one field manager, status writes only when something changed, deletes with
// preconditions. Resource types are looked up by apiVersion+kind.
import type { KubeClient } from './client.js';
import { isNotFound } from './errors.js';
import { CoreTypes, resourcePath, type KubeObject, type ResourceType } from './resource.js';

export const FIELD_MANAGER = 'atom-operator';

export interface ApplyOptions {
  readonly fieldManager?: string;
  /** Take ownership of fields another manager owns (the usual choice for a controller). */
  readonly force?: boolean;
  readonly signal?: AbortSignal;
}

export interface DeleteOptions {
  /** Delete only if the object still has this uid (not a newer object of the same name). */
  readonly uid?: string;
  readonly resourceVersion?: string;
  readonly propagationPolicy?: 'Foreground' | 'Background' | 'Orphan';
  readonly gracePeriodSeconds?: number;
  readonly signal?: AbortSignal;
}

export interface ObjectRef {
  readonly apiVersion: string;
  readonly kind: string;
  readonly namespace?: string | undefined;
  readonly name: string;
}

// Server-populated metadata: sending it back would claim ownership or act as a stale precondition.
const SERVER_METADATA = [
  'managedFields',
  'resourceVersion',
  'uid',
  'creationTimestamp',
  'generation',
  'selfLink',
  'deletionTimestamp',
  'deletionGracePeriodSeconds',
] as const;

function typeKey(apiVersion: string, kind: string): string {
  return `${apiVersion}/${kind}`;
}

/** True when every field of `desired` equals the same field of `actual` (objects compared field by field, arrays and scalars exactly). */
export function isSubsetEqual(desired: unknown, actual: unknown): boolean {
  if (desired === actual) return true;
  if (Array.isArray(desired)) {
    return (
      Array.isArray(actual) && desired.length === actual.length && desired.every((d, i) => deepEqual(d, actual[i]))
    );
  }
  if (typeof desired === 'object' && desired !== null) {
    if (typeof actual !== 'object' || actual === null || Array.isArray(actual)) return false;
    const a = actual as Record<string, unknown>;
    return Object.entries(desired as Record<string, unknown>).every(([k, v]) =>
      v === undefined ? true : isSubsetEqual(v, a[k]),
    );
  }
  return false;
}

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  const ra = a as Record<string, unknown>;
  const rb = b as Record<string, unknown>;
  const ka = Object.keys(ra).filter((k) => ra[k] !== undefined);
  const kb = Object.keys(rb).filter((k) => rb[k] !== undefined);
  return ka.length === kb.length && ka.every((k) => deepEqual(ra[k], rb[k]));
}

export class KubeApi {
  readonly client: KubeClient;
  readonly #types = new Map<string, ResourceType>();

  constructor(client: KubeClient, types: readonly ResourceType[] = []) {
    this.client = client;
    for (const type of [...Object.values(CoreTypes), ...types]) this.registerType(type);
  }

  registerType(type: ResourceType): void {
    const apiVersion = type.group === '' ? type.version : `${type.group}/${type.version}`;
    this.#types.set(typeKey(apiVersion, type.kind), type);
  }

  typeOf(apiVersion: string, kind: string): ResourceType {
    const type = this.#types.get(typeKey(apiVersion, kind));
    if (!type) throw new Error(`resource type ${apiVersion} ${kind} is not registered with KubeApi`);
    return type;
  }

  #path(ref: ObjectRef, subresource?: string): string {
    const type = this.typeOf(ref.apiVersion, ref.kind);
    return resourcePath(type, { namespace: type.namespaced ? ref.namespace : undefined, name: ref.name, subresource });
  }

  /** Reads one object from the server (not the cache); undefined when it does not exist. */
  async get<T extends KubeObject>(ref: ObjectRef, signal?: AbortSignal): Promise<T | undefined> {
    try {
      return (await this.client.request({ method: 'GET', path: this.#path(ref), ...(signal ? { signal } : {}) })) as T;
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  /**
   * Server-side apply: the server merges the fields in `obj` (the ones we own)
   * and returns the full object. Server-populated metadata and status are stripped.
   */
  async applyObject<T extends KubeObject>(obj: T, options: ApplyOptions = {}): Promise<T> {
    const { status: _status, ...rest } = obj as T & { status?: unknown };
    const metadata: Record<string, unknown> = { ...obj.metadata };
    for (const field of SERVER_METADATA) delete metadata[field];
    const body = { ...rest, metadata };
    return (await this.client.request({
      method: 'PATCH',
      path: this.#path(this.#ref(obj)),
      query: { fieldManager: options.fieldManager ?? FIELD_MANAGER, force: options.force ?? true },
      body,
      contentType: 'application/apply-patch+yaml',
      ...(options.signal ? { signal: options.signal } : {}),
    })) as T;
  }

  /**
   * Writes `status` through the /status subresource with server-side apply, but
   * only when it differs from `current.status` (the cached object). Returns
   * whether a write happened and the resulting object. Fields we stop setting
   * are not compared: set them explicitly (e.g. to null) to clear them.
   */
  async applyStatus<T extends KubeObject>(
    current: T,
    status: Record<string, unknown>,
    options: ApplyOptions = {},
  ): Promise<{ written: boolean; object: T }> {
    if (isSubsetEqual(status, (current as T & { status?: unknown }).status ?? {}))
      return { written: false, object: current };
    const ref = this.#ref(current);
    const body = {
      apiVersion: current.apiVersion,
      kind: current.kind,
      metadata: { name: ref.name, ...(ref.namespace ? { namespace: ref.namespace } : {}) },
      status,
    };
    const object = (await this.client.request({
      method: 'PATCH',
      path: this.#path(ref, 'status'),
      query: { fieldManager: options.fieldManager ?? FIELD_MANAGER, force: options.force ?? true },
      body,
      contentType: 'application/apply-patch+yaml',
      ...(options.signal ? { signal: options.signal } : {}),
    })) as T;
    return { written: true, object };
  }

  /** A JSON Patch (RFC 6902), e.g. `test` + `remove` of one finalizer so other owners' entries are never clobbered. */
  async jsonPatch<T extends KubeObject>(
    ref: ObjectRef,
    operations: readonly unknown[],
    subresource?: string,
  ): Promise<T> {
    return (await this.client.request({
      method: 'PATCH',
      path: this.#path(ref, subresource),
      body: operations,
      contentType: 'application/json-patch+json',
    })) as T;
  }

  async mergePatch<T extends KubeObject>(ref: ObjectRef, patch: unknown, subresource?: string): Promise<T> {
    return (await this.client.request({
      method: 'PATCH',
      path: this.#path(ref, subresource),
      body: patch,
      contentType: 'application/merge-patch+json',
    })) as T;
  }

  async create<T extends KubeObject>(obj: T): Promise<T> {
    const ref = this.#ref(obj);
    const type = this.typeOf(ref.apiVersion, ref.kind);
    return (await this.client.request({
      method: 'POST',
      path: resourcePath(type, { namespace: type.namespaced ? ref.namespace : undefined }),
      body: obj,
    })) as T;
  }

  /** Deletes the object; resolves false when it was already gone. Preconditions that fail surface as KubeConflict. */
  async deleteObject(ref: ObjectRef, options: DeleteOptions = {}): Promise<boolean> {
    const preconditions = {
      ...(options.uid ? { uid: options.uid } : {}),
      ...(options.resourceVersion ? { resourceVersion: options.resourceVersion } : {}),
    };
    const body = {
      apiVersion: 'v1',
      kind: 'DeleteOptions',
      ...(Object.keys(preconditions).length > 0 ? { preconditions } : {}),
      ...(options.propagationPolicy ? { propagationPolicy: options.propagationPolicy } : {}),
      ...(options.gracePeriodSeconds !== undefined ? { gracePeriodSeconds: options.gracePeriodSeconds } : {}),
    };
    try {
      await this.client.request({
        method: 'DELETE',
        path: this.#path(ref),
        body,
        ...(options.signal ? { signal: options.signal } : {}),
      });
      return true;
    } catch (err) {
      if (isNotFound(err)) return false;
      throw err;
    }
  }

  #ref(obj: KubeObject): ObjectRef {
    if (!obj.apiVersion || !obj.kind) throw new Error(`object ${obj.metadata.name} has no apiVersion/kind`);
    return { apiVersion: obj.apiVersion, kind: obj.kind, namespace: obj.metadata.namespace, name: obj.metadata.name };
  }
}
