// ObjectMeta checks the real server makes on every kind: JSON types (400 on
// decode) and label, annotation and owner reference validation (422).
import { badRequest, type ApiError, type StatusCause } from './errors.js';
import { isPlainObject } from './object-shape.js';

const stringFields = [
  'name',
  'generateName',
  'namespace',
  'uid',
  'resourceVersion',
  'creationTimestamp',
  'deletionTimestamp',
];

function decodeError(field: string, got: unknown, want: string): ApiError {
  const kind = Array.isArray(got) ? 'array' : got === null ? 'null' : typeof got === 'object' ? 'object' : typeof got;
  return badRequest(`json: cannot unmarshal ${kind} into Go struct field ObjectMeta.metadata.${field} of type ${want}`);
}

/** Wrong JSON types in metadata fail decoding on the real server, before any validation. */
export function metadataTypeError(meta: Record<string, unknown>): ApiError | undefined {
  for (const f of stringFields) {
    if (meta[f] !== undefined && meta[f] !== null && typeof meta[f] !== 'string')
      return decodeError(f, meta[f], 'string');
  }
  for (const f of ['labels', 'annotations']) {
    const v = meta[f];
    if (v === undefined || v === null) continue;
    if (!isPlainObject(v)) return decodeError(f, v, 'map[string]string');
    for (const value of Object.values(v)) if (typeof value !== 'string') return decodeError(f, value, 'string');
  }
  const finalizers = meta.finalizers;
  if (finalizers !== undefined && finalizers !== null) {
    if (!Array.isArray(finalizers) || finalizers.some((x) => typeof x !== 'string'))
      return decodeError('finalizers', finalizers, '[]string');
  }
  const refs = meta.ownerReferences;
  if (refs !== undefined && refs !== null && (!Array.isArray(refs) || refs.some((r) => !isPlainObject(r)))) {
    return decodeError('ownerReferences', refs, '[]v1.OwnerReference');
  }
  return undefined;
}

const namePart = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const subdomain = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const labelValue = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

export function qualifiedNameErrors(key: string): string[] {
  const parts = key.split('/');
  const errors: string[] = [];
  let name = key;
  if (parts.length === 2) {
    const [prefix = '', rest = ''] = parts;
    name = rest;
    if (prefix.length === 0) errors.push('prefix part must be non-empty');
    else if (prefix.length > 253 || !subdomain.test(prefix)) {
      errors.push(
        "prefix part a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
      );
    }
  } else if (parts.length > 2) {
    return [
      "a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')",
    ];
  }
  if (name.length === 0) errors.push('name part must be non-empty');
  else if (name.length > 63) errors.push('name part must be no more than 63 characters');
  else if (!namePart.test(name)) {
    errors.push(
      "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')",
    );
  }
  return errors;
}

export function metadataCauses(meta: Record<string, unknown>): StatusCause[] {
  const causes: StatusCause[] = [];
  const invalid = (field: string, value: string, message: string): void => {
    causes.push({ reason: 'FieldValueInvalid', message: `Invalid value: ${JSON.stringify(value)}: ${message}`, field });
  };
  const labels = isPlainObject(meta.labels) ? (meta.labels as Record<string, string>) : {};
  for (const [key, value] of Object.entries(labels)) {
    for (const e of qualifiedNameErrors(key)) invalid('metadata.labels', key, e);
    if (value.length > 63) invalid('metadata.labels', value, 'must be no more than 63 characters');
    else if (!labelValue.test(value)) {
      invalid(
        'metadata.labels',
        value,
        "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')",
      );
    }
  }
  const annotations = isPlainObject(meta.annotations) ? (meta.annotations as Record<string, string>) : {};
  let size = 0;
  for (const [key, value] of Object.entries(annotations)) {
    for (const e of qualifiedNameErrors(key.toLowerCase())) invalid('metadata.annotations', key, e);
    size += key.length + value.length;
  }
  if (size > 262144)
    causes.push({
      reason: 'FieldValueTooLong',
      message: 'Too long: must have at most 262144 bytes',
      field: 'metadata.annotations',
    });
  const refs = Array.isArray(meta.ownerReferences) ? (meta.ownerReferences as Record<string, unknown>[]) : [];
  for (const ref of refs) {
    const check = (key: string, what: string): void => {
      if (typeof ref[key] !== 'string' || ref[key] === '')
        invalid(`metadata.ownerReferences.${key}`, '', `${what} must not be empty`);
    };
    check('apiVersion', 'version');
    check('kind', 'kind');
    check('name', 'name');
    check('uid', 'uid');
  }
  const controllers = refs.filter((r) => r.controller === true);
  if (controllers.length > 1) {
    causes.push({
      reason: 'FieldValueInvalid',
      message: `Invalid value: "": Only one reference can have Controller set to true. Found "true" in references for ${controllers.map((c) => `${String(c.kind)}/${String(c.name)}`).join(' and ')}`,
      field: 'metadata.ownerReferences',
    });
  }
  return causes;
}
