// The structural-schema rules kube-apiserver applies to a CRD's openAPIV3Schema
// (apiextensions "NonStructural" checks), so a test can reject a schema the
// server would refuse before anyone applies it.
import type { JSONSchema } from './crd.js';

const JUNCTORS = ['allOf', 'anyOf', 'oneOf', 'not'] as const;
const FORBIDDEN_IN_JUNCTORS = ['description', 'type', 'default', 'additionalProperties', 'nullable', 'title'];
const ALLOWED_KEYS = new Set([
  'type',
  'format',
  'title',
  'description',
  'default',
  'maximum',
  'exclusiveMaximum',
  'minimum',
  'exclusiveMinimum',
  'maxLength',
  'minLength',
  'pattern',
  'maxItems',
  'minItems',
  'uniqueItems',
  'multipleOf',
  'enum',
  'maxProperties',
  'minProperties',
  'required',
  'items',
  'allOf',
  'oneOf',
  'anyOf',
  'not',
  'properties',
  'additionalProperties',
  'nullable',
  'example',
  'externalDocs',
  'x-kubernetes-preserve-unknown-fields',
  'x-kubernetes-embedded-resource',
  'x-kubernetes-int-or-string',
  'x-kubernetes-list-map-keys',
  'x-kubernetes-list-type',
  'x-kubernetes-map-type',
  'x-kubernetes-validations',
]);

function isObject(v: unknown): v is JSONSchema {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Returns one message per violation; empty means the schema is structural. */
export function structuralSchemaErrors(schema: JSONSchema, path = ''): string[] {
  const errors: string[] = [];
  const at = path || '(root)';
  for (const key of Object.keys(schema)) {
    if (!ALLOWED_KEYS.has(key)) errors.push(`${at}: ${key} is not allowed in a CRD schema`);
  }
  const intOrString = schema['x-kubernetes-int-or-string'] === true;
  const preserve = schema['x-kubernetes-preserve-unknown-fields'] === true;
  if (typeof schema.type !== 'string' || schema.type === '') {
    if (!intOrString && !preserve) errors.push(`${at}: type must not be empty`);
  }
  if (
    schema.properties !== undefined &&
    schema.additionalProperties !== undefined &&
    schema.additionalProperties !== false
  ) {
    errors.push(`${at}: additionalProperties and properties are mutually exclusive`);
  }
  if (schema.additionalProperties === false) errors.push(`${at}: additionalProperties: false is not allowed`);
  if (schema.type === 'array' && !isObject(schema.items)) errors.push(`${at}: items must be a single schema`);
  if (intOrString) {
    const anyOf = schema.anyOf;
    const ok =
      schema.type === undefined &&
      Array.isArray(anyOf) &&
      anyOf.length === 2 &&
      anyOf.every((n) => isObject(n) && Object.keys(n).length === 1) &&
      anyOf.some((n) => (n as JSONSchema).type === 'integer') &&
      anyOf.some((n) => (n as JSONSchema).type === 'string');
    if (!ok && schema.type === undefined)
      errors.push(`${at}: x-kubernetes-int-or-string needs anyOf [integer, string] or no junctors`);
  }
  for (const j of JUNCTORS) {
    const value = schema[j];
    if (value === undefined) continue;
    if (!intOrString && (typeof schema.type !== 'string' || schema.type === ''))
      errors.push(`${at}: ${j} requires a type beside it`);
    const nested = Array.isArray(value) ? value : [value];
    nested.forEach((n, i) => {
      if (!isObject(n)) return;
      for (const bad of FORBIDDEN_IN_JUNCTORS) {
        if (n[bad] !== undefined && !(intOrString && bad === 'type'))
          errors.push(`${at}.${j}[${i}]: ${bad} is forbidden inside ${j}`);
      }
    });
  }
  if (schema['x-kubernetes-list-type'] === 'map') {
    const keys = schema['x-kubernetes-list-map-keys'];
    const items = schema.items;
    if (!Array.isArray(keys) || keys.length === 0) errors.push(`${at}: list-type map needs x-kubernetes-list-map-keys`);
    else if (isObject(items)) {
      const required = Array.isArray(items.required) ? items.required : [];
      const props = isObject(items.properties) ? items.properties : {};
      for (const k of keys as string[]) {
        const prop = props[k];
        if (!isObject(prop)) errors.push(`${at}: list map key ${k} is not a property of the items`);
        else if (!required.includes(k) && prop.default === undefined)
          errors.push(`${at}: list map key ${k} must be required or defaulted`);
      }
    }
  }
  if (isObject(schema.properties)) {
    for (const [name, child] of Object.entries(schema.properties)) {
      if (isObject(child)) errors.push(...structuralSchemaErrors(child, path ? `${path}.${name}` : name));
    }
  }
  if (isObject(schema.items)) errors.push(...structuralSchemaErrors(schema.items, `${path}[*]`));
  if (isObject(schema.additionalProperties))
    errors.push(...structuralSchemaErrors(schema.additionalProperties, `${path}{*}`));
  return errors;
}

/** Paths of properties that carry no description (every field of our API must explain itself). */
export function undescribedFields(schema: JSONSchema, path = ''): string[] {
  const missing: string[] = [];
  if (isObject(schema.properties)) {
    for (const [name, child] of Object.entries(schema.properties)) {
      if (!isObject(child)) continue;
      const here = path ? `${path}.${name}` : name;
      if (typeof child.description !== 'string' || child.description === '') missing.push(here);
      missing.push(...undescribedFields(child, here));
    }
  }
  if (isObject(schema.items)) missing.push(...undescribedFields(schema.items, `${path}[*]`));
  return missing;
}
