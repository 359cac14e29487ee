// The API semantics independent of HTTP: create, read, update, patch with the
// real server's metadata rules, validation, generation and managedFields.
import { randomUUID } from 'node:crypto';
import { prepareBuiltinCreate, prepareBuiltinUpdate } from './builtin-semantics.js';
import {
  ApiError,
  alreadyExists,
  badRequest,
  conflict,
  forbidden,
  invalid,
  notFound,
  staleObjectMessage,
  unsupportedMediaType,
} from './errors.js';
import { applyConfig, recordUpdate, type Writer } from './managed-fields.js';
import { builtinShape, isPlainObject, schemaShape, type Shape } from './object-shape.js';
import { jsonPatch, mergePatch, strategicMergePatch } from './patches.js';
import { apiVersionOf, ResourceRegistry, type ResourceType } from './resource-types.js';
import { checkIdentity, checkUnknownFields, validateObject } from './object-checks.js';
import { pruneAndDefault } from './schema-validation.js';
import { ObjectStore, type KubeObject } from './store.js';
import { dropEmptyMetadata, lingers, specChanged, unchanged, withRequestedOwnership } from './write-rules.js';

export interface WriteOptions {
  dryRun?: boolean;
  fieldManager?: string;
  subresource?: string;
  force?: boolean;
  /** Strict: unknown fields are a 400; Warn (default): they are pruned and reported in `warnings`. */
  fieldValidation?: 'Strict' | 'Warn' | 'Ignore';
  /** Filled with warnings for the response's Warning headers. */
  warnings?: string[];
}

export type PatchType = 'merge' | 'json' | 'strategic' | 'apply';

export const namespaceType = { group: '', plural: 'namespaces' };

const generateChars = 'bcdfghjklmnpqrstvwxz2456789';

export function nowTimestamp(): string {
  return new Date().toISOString().replace(/\.\d+Z$/, 'Z');
}

export function shapeOf(t: ResourceType): Shape {
  return t.custom ? schemaShape(t.schema) : builtinShape(t.kind);
}

export class Cluster {
  readonly registry = new ResourceRegistry();
  readonly store: ObjectStore;

  constructor(watchHistory: number) {
    this.store = new ObjectStore(watchHistory);
  }

  get(t: ResourceType, namespace: string | undefined, name: string): KubeObject {
    const obj = this.store.get(t.storeKey, t.namespaced ? namespace : undefined, name);
    if (!obj) throw notFound(t, name);
    return this.present(t, obj);
  }

  find(t: ResourceType, namespace: string | undefined, name: string): KubeObject | undefined {
    const obj = this.store.get(t.storeKey, t.namespaced ? namespace : undefined, name);
    return obj ? this.present(t, obj) : undefined;
  }

  /** Objects are stored once per group/plural; they are shown in the version that was asked for. */
  present(t: ResourceType, obj: KubeObject): KubeObject {
    // A shallow copy: stored objects may be passed in by reference and must never change.
    const shown = { ...(t.conversion ? t.conversion.fromStored(obj) : obj) } as KubeObject;
    shown.apiVersion = apiVersionOf(t);
    shown.kind = t.kind;
    return shown;
  }

  /** The stored form with the requested apiVersion/kind, for computations on the live object. */
  private live(t: ResourceType, obj: KubeObject): KubeObject {
    const copy = structuredClone(obj);
    copy.apiVersion = apiVersionOf(t);
    copy.kind = t.kind;
    return copy;
  }

  private writer(t: ResourceType, opts: WriteOptions, fallbackManager: string): Writer {
    const sub = opts.subresource === 'status' ? 'status' : undefined;
    const w: Writer = {
      manager: opts.fieldManager ?? fallbackManager,
      apiVersion: apiVersionOf(t),
      section: sub ? 'status' : t.hasStatus ? 'main' : 'all',
      now: nowTimestamp(),
    };
    if (sub) w.subresource = sub;
    return w;
  }

  private checkNamespace(t: ResourceType, namespace: string | undefined, name: string): void {
    if (!t.namespaced) return;
    const ns = this.store.get('/namespaces', undefined, namespace ?? '');
    if (!ns) throw notFound(namespaceType, namespace ?? '');
    if (ns.metadata.deletionTimestamp) {
      const message = `unable to create new content in namespace ${namespace ?? ''} because it is being terminated`;
      throw forbidden(t, name, message, [{ reason: 'NamespaceTerminating', message, field: 'metadata.namespace' }]);
    }
  }

  create(
    t: ResourceType,
    namespace: string | undefined,
    body: unknown,
    opts: WriteOptions,
    fallbackManager: string,
  ): KubeObject {
    const obj = this.buildNew(t, namespace, body, opts, fallbackManager);
    if (opts.dryRun) return this.present(t, obj);
    return this.present(t, this.stored(t, obj));
  }

  /** Stores a new object; a new namespace gets its "default" ServiceAccount, as the token controller does. */
  private stored(t: ResourceType, obj: KubeObject): KubeObject {
    const stored = this.store.put(t.storeKey, obj);
    if (t.storeKey === '/namespaces') {
      const sa = this.registry.lookup('', 'v1', 'serviceaccounts');
      if (sa && !this.store.get('/serviceaccounts', obj.metadata.name, 'default')) {
        this.store.put(
          sa.storeKey,
          this.buildNew(sa, obj.metadata.name, { metadata: { name: 'default' } }, {}, 'kube-controller-manager'),
        );
      }
    }
    return stored;
  }

  /** The ServiceAccount admission plugin: a pod may only name a ServiceAccount that exists. */
  private checkServiceAccount(t: ResourceType, obj: KubeObject): void {
    if (t.storeKey !== '/pods') return;
    const name = (obj.spec as { serviceAccountName?: string } | undefined)?.serviceAccountName;
    const namespace = obj.metadata.namespace ?? '';
    if (!name || this.store.get('/serviceaccounts', namespace, name)) return;
    throw forbidden(
      t,
      obj.metadata.name,
      `error looking up service account ${namespace}/${name}: serviceaccount "${name}" not found`,
    );
  }

  /** A new object in stored form, validated, with server-set metadata and managedFields. */
  private buildNew(
    t: ResourceType,
    namespace: string | undefined,
    body: unknown,
    opts: WriteOptions,
    fallbackManager: string,
  ): KubeObject {
    const obj = checkIdentity(t, body, namespace);
    checkUnknownFields(t, obj, opts);
    const meta = obj.metadata;
    if (!meta.name && meta.generateName) {
      let suffix = '';
      for (let i = 0; i < 5; i++) suffix += generateChars[Math.floor(Math.random() * generateChars.length)];
      meta.name = `${meta.generateName}${suffix}`;
    }
    if (!meta.name) {
      throw invalid(t.kind, t.group, '', [
        {
          reason: 'FieldValueRequired',
          message: 'Required value: name or generateName is required',
          field: 'metadata.name',
        },
      ]);
    }
    this.checkNamespace(t, namespace, meta.name);
    if (this.store.get(t.storeKey, meta.namespace, meta.name)) throw alreadyExists(t, meta.name);
    for (const k of ['resourceVersion', 'deletionTimestamp', 'deletionGracePeriodSeconds', 'managedFields', 'selfLink'])
      delete meta[k];
    meta.uid = randomUUID();
    meta.creationTimestamp = nowTimestamp();
    if (t.tracksGeneration) meta.generation = 1;
    else delete meta.generation;
    // Status is written by controllers through /status; a create starts from the kind's initial status.
    if (t.hasStatus) delete obj.status;
    if (!t.custom) prepareBuiltinCreate(t.kind, obj);
    this.checkServiceAccount(t, obj);
    validateObject(t, obj);
    dropEmptyMetadata(obj);
    obj.metadata.managedFields = recordUpdate(
      undefined,
      obj,
      this.writer(t, opts, fallbackManager),
      shapeOf(t),
      t.custom,
    );
    return obj;
  }

  /** PUT semantics: the body replaces the object; resourceVersion, when given, must match. */
  update(
    t: ResourceType,
    namespace: string | undefined,
    name: string,
    body: unknown,
    opts: WriteOptions,
    fallbackManager: string,
  ): KubeObject {
    const next = checkIdentity(t, body, namespace);
    checkUnknownFields(t, next, opts);
    if (next.metadata.name !== name) {
      throw badRequest(
        `the name of the object (${next.metadata.name ?? ''}) does not match the name on the URL (${name})`,
      );
    }
    const old = this.store.get(t.storeKey, t.namespaced ? namespace : undefined, name);
    if (!old) throw notFound(t, name);
    const rv = next.metadata.resourceVersion;
    if (rv !== undefined && rv !== '' && rv !== old.metadata.resourceVersion)
      throw conflict(t, name, staleObjectMessage);
    if ((rv === undefined || rv === '') && t.custom) {
      // Built-ins allow unconditional updates; custom resources do not.
      throw invalid(t.kind, t.group, name, [
        {
          reason: 'FieldValueInvalid',
          message: 'Invalid value: 0x0: must be specified for an update',
          field: 'metadata.resourceVersion',
        },
      ]);
    }
    const w = this.writer(t, opts, fallbackManager);
    const candidate = this.mergeForSubresource(t, old, next, opts.subresource);
    candidate.metadata.managedFields = recordUpdate(
      withRequestedOwnership(old, next),
      candidate,
      w,
      shapeOf(t),
      t.custom,
    );
    return this.commit(t, old, candidate, opts);
  }

  patch(
    t: ResourceType,
    namespace: string | undefined,
    name: string,
    type: PatchType,
    patch: unknown,
    opts: WriteOptions,
    fallbackManager: string,
  ): KubeObject {
    const ns = t.namespaced ? namespace : undefined;
    const old = this.store.get(t.storeKey, ns, name);
    if (type === 'apply') return this.apply(t, namespace, name, old, patch, opts);
    if (!old) throw notFound(t, name);
    const current = this.present(t, structuredClone(old));
    let patched: unknown;
    if (type === 'merge') patched = mergePatch(current, patch);
    else if (type === 'json') patched = jsonPatch(current, patch);
    else {
      if (t.custom)
        throw unsupportedMediaType([
          'application/json-patch+json',
          'application/merge-patch+json',
          'application/apply-patch+yaml',
        ]);
      if (!isPlainObject(patch)) throw badRequest('strategic merge patch must be a JSON object');
      patched = strategicMergePatch(current, patch, shapeOf(t));
    }
    const next = checkIdentity(t, patched, namespace);
    checkUnknownFields(t, next, opts);
    if (next.metadata.name !== name)
      throw badRequest(
        `the name of the object (${String(next.metadata.name)}) does not match the name on the URL (${name})`,
      );
    const rv = next.metadata.resourceVersion;
    if (rv !== undefined && rv !== old.metadata.resourceVersion) throw conflict(t, name, staleObjectMessage);
    const candidate = this.mergeForSubresource(t, old, next, opts.subresource);
    candidate.metadata.managedFields = recordUpdate(
      withRequestedOwnership(old, next),
      candidate,
      this.writer(t, opts, fallbackManager),
      shapeOf(t),
      t.custom,
    );
    return this.commit(t, old, candidate, opts);
  }

  private apply(
    t: ResourceType,
    namespace: string | undefined,
    name: string,
    old: KubeObject | undefined,
    patch: unknown,
    opts: WriteOptions,
  ): KubeObject {
    if (!opts.fieldManager) {
      throw new ApiError(
        422,
        'Invalid',
        'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch',
        {
          group: 'meta.k8s.io',
          kind: 'PatchOptions',
          causes: [
            {
              reason: 'FieldValueRequired',
              message: 'Required value: is required for apply patch',
              field: 'fieldManager',
            },
          ],
        },
      );
    }
    if (!isPlainObject(patch)) throw badRequest('apply patch must be a YAML or JSON object');
    if (
      isPlainObject(patch.metadata) &&
      patch.metadata.managedFields !== undefined &&
      patch.metadata.managedFields !== null
    ) {
      throw badRequest('metadata.managedFields must be nil');
    }
    if (patch.apiVersion === undefined || patch.kind === undefined) {
      throw badRequest(`error decoding patch: Object 'Kind' is missing in '${JSON.stringify(patch)}'`);
    }
    const config = checkIdentity(t, patch, namespace);
    checkUnknownFields(t, config, opts);
    if (config.metadata.name !== undefined && config.metadata.name !== name) {
      throw badRequest(
        `the name of the object (${String(config.metadata.name)}) does not match the name on the URL (${name})`,
      );
    }
    config.metadata.name = name;
    // Pruned but not defaulted: defaults belong to nobody, not to the applier.
    if (t.custom && t.schema) pruneAndDefault(config, t.schema, true, false);
    const w = this.writer(t, opts, opts.fieldManager);
    if (!old) {
      if (opts.subresource) throw notFound(t, name);
      const merged = applyConfig(undefined, config, w, opts.force ?? false, shapeOf(t));
      const created = this.buildNew(
        t,
        namespace,
        { ...merged, metadata: { ...merged.metadata, managedFields: undefined } },
        { ...opts, warnings: [] },
        w.manager,
      );
      created.metadata.managedFields = merged.metadata.managedFields;
      if (opts.dryRun) return this.present(t, created);
      return this.present(t, this.stored(t, created));
    }
    const rv = config.metadata.resourceVersion;
    if (rv !== undefined && rv !== old.metadata.resourceVersion) throw conflict(t, name, staleObjectMessage);
    const live = this.live(t, old);
    const merged = applyConfig(live, config, w, opts.force ?? false, shapeOf(t));
    const managedFields = merged.metadata.managedFields;
    const candidate = this.mergeForSubresource(t, old, merged, opts.subresource);
    candidate.metadata.managedFields = managedFields;
    return this.commit(t, old, candidate, opts);
  }

  /** Applies the status-subresource split: each endpoint only changes its own half. */
  private mergeForSubresource(t: ResourceType, old: KubeObject, next: KubeObject, subresource?: string): KubeObject {
    if (subresource === 'status') {
      const candidate = structuredClone(old);
      if (next.status === undefined) delete candidate.status;
      else candidate.status = next.status;
      return candidate;
    }
    const candidate = structuredClone(next);
    if (t.hasStatus) {
      if (old.status === undefined) delete candidate.status;
      else candidate.status = structuredClone(old.status);
    }
    return candidate;
  }

  /** Final checks shared by update/patch/apply, then the write (or not, for no-ops and dry runs). */
  private commit(t: ResourceType, old: KubeObject, candidate: KubeObject, opts: WriteOptions): KubeObject {
    const meta = candidate.metadata;
    meta.uid = old.metadata.uid;
    meta.creationTimestamp = old.metadata.creationTimestamp;
    meta.resourceVersion = old.metadata.resourceVersion;
    for (const k of ['deletionTimestamp', 'deletionGracePeriodSeconds', 'generation'] as const) {
      if (old.metadata[k] === undefined) delete meta[k];
      else (meta as Record<string, unknown>)[k] = old.metadata[k];
    }
    if (old.metadata.generateName !== undefined) meta.generateName ??= old.metadata.generateName;
    const extra = t.custom ? [] : prepareBuiltinUpdate(t.kind, old, candidate);
    if (old.metadata.deletionTimestamp) {
      const added = (meta.finalizers ?? []).filter((f) => !(old.metadata.finalizers ?? []).includes(f));
      if (added.length > 0) {
        extra.push({
          reason: 'FieldValueForbidden',
          message: `Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers []string{${added.map((f) => JSON.stringify(f)).join(', ')}}`,
          field: 'metadata.finalizers',
        });
      }
    }
    validateObject(t, candidate, extra, old);
    if (t.tracksGeneration && specChanged(t, old, candidate)) meta.generation = (old.metadata.generation ?? 1) + 1;
    dropEmptyMetadata(candidate);
    if (unchanged(old, candidate)) return this.present(t, old);
    if (opts.dryRun) return this.present(t, candidate);
    if (meta.deletionTimestamp && (meta.finalizers ?? []).length === 0 && !lingers(t, candidate)) {
      const stored = this.store.put(t.storeKey, candidate);
      this.store.remove(t.storeKey, meta.namespace, meta.name);
      return this.present(t, stored);
    }
    return this.present(t, this.store.put(t.storeKey, candidate));
  }
}
