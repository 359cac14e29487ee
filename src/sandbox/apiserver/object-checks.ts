// Decoding and validation of a request's object, before any storage logic:
// identity (apiVersion, kind, namespace), unknown fields, and every validation
// the real server runs (names, metadata, built-in specs, CRD schema and CEL).
import { builtinSpecCauses } from './builtin-validation.js';
import { nameCauses } from './builtin-semantics.js';
import { celCauses } from './cel-validation.js';
import type { WriteOptions } from './cluster.js';
import { crdCauses } from './crd-types.js';
import { badRequest, invalid, type StatusCause } from './errors.js';
import { eventCauses } from './event-validation.js';
import { metadataCauses, metadataTypeError } from './object-meta.js';
import { isPlainObject } from './object-shape.js';
import { apiVersionOf, type ResourceType } from './resource-types.js';
import { pruneAndDefault, unknownFields, validate } from './schema-validation.js';
import type { KubeObject } from './store.js';

export function checkIdentity(t: ResourceType, body: unknown, namespace: string | undefined): KubeObject {
  if (!isPlainObject(body)) throw badRequest('the body of the request could not be decoded as an object');
  if (body.apiVersion !== undefined && body.apiVersion !== apiVersionOf(t)) {
    throw badRequest(
      `the API version in the data (${String(body.apiVersion)}) does not match the expected API version (${apiVersionOf(t)})`,
    );
  }
  if (body.kind !== undefined && body.kind !== t.kind) {
    throw badRequest(`the kind in the data (${String(body.kind)}) does not match the expected kind (${t.kind})`);
  }
  if (body.metadata !== undefined && body.metadata !== null && !isPlainObject(body.metadata)) {
    throw badRequest('json: cannot unmarshal into Go struct field of type v1.ObjectMeta');
  }
  const metadata = isPlainObject(body.metadata) ? body.metadata : {};
  const typeError = metadataTypeError(metadata);
  if (typeError) throw typeError;
  if (
    t.namespaced &&
    metadata.namespace !== undefined &&
    metadata.namespace !== '' &&
    metadata.namespace !== namespace
  ) {
    throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
  }
  const decoded = { ...structuredClone(body), metadata: structuredClone(metadata) };
  const obj = (t.conversion ? t.conversion.toStored(decoded) : decoded) as KubeObject;
  obj.apiVersion = apiVersionOf(t);
  obj.kind = t.kind;
  if (t.namespaced) obj.metadata.namespace = namespace;
  else delete obj.metadata.namespace;
  return obj;
}

/** Strict/Warn field validation of fields the schema does not know (custom resources). */
export function checkUnknownFields(t: ResourceType, obj: unknown, opts: WriteOptions): void {
  if (!t.custom || !t.schema || opts.fieldValidation === 'Ignore') return;
  const unknown = unknownFields(obj, t.schema);
  if (unknown.length === 0) return;
  if (opts.fieldValidation === 'Strict') {
    const list = unknown.map((f) => `unknown field "${f}"`);
    throw badRequest(
      `${t.kind} in version "${t.version}" cannot be handled as a ${t.kind}: strict decoding error: ${list.join(', ')}`,
    );
  }
  opts.warnings?.push(...unknown.map((f) => `unknown field "${f}"`));
}

/** Schema validation (custom resources) plus name rules; throws 422 with every cause. */
export function validateObject(t: ResourceType, obj: KubeObject, extra: StatusCause[] = [], old?: KubeObject): void {
  const causes = [...nameCauses(t.kind, obj.metadata.name), ...metadataCauses(obj.metadata), ...extra];
  if (t.storeKey === 'apiextensions.k8s.io/customresourcedefinitions') causes.push(...crdCauses(obj));
  if (t.kind === 'Event' && !t.custom) causes.push(...eventCauses(t.group, obj));
  if (!t.custom) causes.push(...builtinSpecCauses(t.kind, obj));
  if (t.custom && t.schema) {
    pruneAndDefault(obj, t.schema, true);
    const schemaCauses = validate(obj, t.schema, '', true);
    causes.push(...schemaCauses);
    // CEL rules assume a schema-valid object, as on the real server.
    if (schemaCauses.length === 0) causes.push(...celCauses(obj, t.schema, '', old, old !== undefined, true));
  }
  if (causes.length > 0) throw invalid(t.kind, t.group, obj.metadata.name, causes);
}
