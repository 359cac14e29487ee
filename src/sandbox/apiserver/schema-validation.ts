// Custom resource validation as the apiextensions server does it: prune unknown
// fields, apply defaults, then validate against the structural schema, reporting
// causes with the same fields, reasons and wording.
import type { StatusCause } from './errors.js';
import type { JsonSchema } from './json-schema.js';
import { isPlainObject } from './object-shape.js';

function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

function showValue(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (v === null) return '"null"';
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

function matchesType(v: unknown, s: JsonSchema): boolean {
  if (s['x-kubernetes-int-or-string']) return typeof v === 'string' || (typeof v === 'number' && Number.isInteger(v));
  switch (s.type) {
    case undefined:
      return true;
    case 'object':
      return isPlainObject(v);
    case 'array':
      return Array.isArray(v);
    case 'string':
      return typeof v === 'string';
    case 'integer':
      return typeof v === 'number' && Number.isInteger(v);
    case 'number':
      return typeof v === 'number';
    case 'boolean':
      return typeof v === 'boolean';
    default:
      return true;
  }
}

const dateTime = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

/** Removes fields the schema does not declare and fills in defaults, in place. */
export function pruneAndDefault(value: unknown, s: JsonSchema, root = false, defaults = true): unknown {
  if (isPlainObject(value)) {
    const preserve = s['x-kubernetes-preserve-unknown-fields'] === true || s['x-kubernetes-embedded-resource'] === true;
    const props = s.properties ?? {};
    const ap = s.additionalProperties;
    for (const key of Object.keys(value)) {
      if (root && (key === 'apiVersion' || key === 'kind' || key === 'metadata')) continue;
      const child = props[key] ?? (isPlainObject(ap) ? ap : undefined);
      // Like the real server: null in a non-nullable field is dropped, then defaulted if it has a default.
      if (child && value[key] === null && !child.nullable) delete value[key];
      else if (child) value[key] = pruneAndDefault(value[key], child, false, defaults);
      else if (!preserve && ap !== true) delete value[key];
    }
    for (const [key, child] of Object.entries(props)) {
      if (!defaults) break;
      if (root && key === 'metadata') continue;
      if (value[key] === undefined && child.default !== undefined) {
        value[key] = pruneAndDefault(structuredClone(child.default), child);
      }
    }
    return value;
  }
  if (Array.isArray(value) && s.items)
    return value.map((item) => pruneAndDefault(item, s.items ?? {}, false, defaults));
  return value;
}

/** Validation causes for `value` against schema `s` at `path`. */
export function validate(value: unknown, s: JsonSchema, path: string, root = false): StatusCause[] {
  const causes: StatusCause[] = [];
  const invalid = (message: string): void => {
    causes.push({
      reason: 'FieldValueInvalid',
      message: `Invalid value: ${showValue(value)}: ${message}`,
      field: path,
    });
  };
  if (value === null) {
    if (s.nullable) return causes;
    if (s.type || s['x-kubernetes-int-or-string']) {
      const expected = s['x-kubernetes-int-or-string'] ? 'integer,string' : s.type;
      causes.push({
        reason: 'FieldValueTypeInvalid',
        message: `Invalid value: "null": ${path} in body must be of type ${expected}: "null"`,
        field: path,
      });
    }
    return causes;
  }
  if (!matchesType(value, s)) {
    const actual = typeName(value);
    const expected = s['x-kubernetes-int-or-string'] ? 'integer,string' : s.type;
    causes.push({
      reason: 'FieldValueTypeInvalid',
      message: `Invalid value: "${actual}": ${path} in body must be of type ${expected}: "${actual}"`,
      field: path,
    });
    return causes;
  }
  if (s.enum && !s.enum.some((e) => JSON.stringify(e) === JSON.stringify(value))) {
    causes.push({
      reason: 'FieldValueNotSupported',
      message: `Unsupported value: ${showValue(value)}: supported values: ${s.enum.map((e) => showValue(e)).join(', ')}`,
      field: path,
    });
  }
  if (typeof value === 'string') {
    if (s.maxLength !== undefined && [...value].length > s.maxLength) {
      causes.push({
        reason: 'FieldValueTooLong',
        message: `Too long: may not be more than ${s.maxLength} bytes`,
        field: path,
      });
    }
    if (s.minLength !== undefined && [...value].length < s.minLength) {
      invalid(`${path} in body should be at least ${s.minLength} chars long`);
    }
    if (s.pattern !== undefined && !new RegExp(s.pattern, 'u').test(value)) {
      invalid(`${path} in body should match '${s.pattern}'`);
    }
    if (s.format === 'date-time' && !dateTime.test(value)) {
      invalid(`${path} in body must be of type date-time: ${showValue(value)}`);
    }
  }
  if (typeof value === 'number') {
    if (s.minimum !== undefined && (s.exclusiveMinimum ? value <= s.minimum : value < s.minimum)) {
      invalid(`${path} in body should be greater than ${s.exclusiveMinimum ? '' : 'or equal to '}${s.minimum}`);
    }
    if (s.maximum !== undefined && (s.exclusiveMaximum ? value >= s.maximum : value > s.maximum)) {
      invalid(`${path} in body should be less than ${s.exclusiveMaximum ? '' : 'or equal to '}${s.maximum}`);
    }
  }
  if (Array.isArray(value)) {
    if (s.maxItems !== undefined && value.length > s.maxItems) {
      causes.push({
        reason: 'FieldValueTooMany',
        message: `Too many: ${value.length}: must have at most ${s.maxItems} items`,
        field: path,
      });
    }
    if (s.minItems !== undefined && value.length < s.minItems) {
      causes.push({
        reason: 'FieldValueInvalid',
        message: `Invalid value: ${value.length}: ${path} in body should have at least ${s.minItems} items`,
        field: path,
      });
    }
    if (s['x-kubernetes-list-type'] === 'map')
      causes.push(...duplicateKeys(value, s['x-kubernetes-list-map-keys'] ?? [], path));
    if (s['x-kubernetes-list-type'] === 'set') {
      value.forEach((item, i) => {
        if (value.findIndex((o) => JSON.stringify(o) === JSON.stringify(item)) !== i) {
          causes.push({
            reason: 'FieldValueDuplicate',
            message: `Duplicate value: ${showValue(item)}`,
            field: `${path}[${i}]`,
          });
        }
      });
    }
    if (s.items) value.forEach((item, i) => causes.push(...validate(item, s.items ?? {}, `${path}[${i}]`)));
  }
  if (isPlainObject(value)) {
    for (const req of s.required ?? []) {
      if (value[req] === undefined) {
        causes.push({ reason: 'FieldValueRequired', message: 'Required value', field: path ? `${path}.${req}` : req });
      }
    }
    const count = Object.keys(value).length;
    if (s.minProperties !== undefined && count < s.minProperties) {
      invalid(`${path} in body should have at least ${s.minProperties} properties`);
    }
    if (s.maxProperties !== undefined && count > s.maxProperties) {
      invalid(`${path} in body should have at most ${s.maxProperties} properties`);
    }
    for (const [key, child] of Object.entries(value)) {
      if (root && (key === 'apiVersion' || key === 'kind' || key === 'metadata')) continue;
      const sub = s.properties?.[key] ?? (isPlainObject(s.additionalProperties) ? s.additionalProperties : undefined);
      if (sub) causes.push(...validate(child, sub, path ? `${path}.${key}` : key));
    }
  }
  for (const sub of s.allOf ?? []) causes.push(...validate(value, sub, path));
  if (s.anyOf && !s.anyOf.some((sub) => validate(value, sub, path).length === 0)) {
    invalid(`${path} in body must validate at least one schema (anyOf)`);
  }
  if (s.oneOf && s.oneOf.filter((sub) => validate(value, sub, path).length === 0).length !== 1) {
    invalid(`${path} in body must validate one and only one schema (oneOf)`);
  }
  if (s.not && validate(value, s.not, path).length === 0) invalid(`${path} in body must not validate the schema (not)`);
  return causes;
}

function duplicateKeys(list: unknown[], keys: string[], path: string): StatusCause[] {
  const seen = new Set<string>();
  const causes: StatusCause[] = [];
  list.forEach((item, i) => {
    if (!isPlainObject(item)) return;
    const key = JSON.stringify(keys.map((k) => item[k]));
    if (seen.has(key)) {
      const shown = keys.map((k) => `"${k}":${JSON.stringify(item[k])}`).join(',');
      causes.push({
        reason: 'FieldValueDuplicate',
        message: `Duplicate value: map[string]interface {}{${shown}}`,
        field: `${path}[${i}]`,
      });
    }
    seen.add(key);
  });
  return causes;
}

/** Paths of fields the schema would prune, as strict field validation names them. */
export function unknownFields(value: unknown, s: JsonSchema, path = '', root = true): string[] {
  const out: string[] = [];
  if (isPlainObject(value)) {
    const preserve = s['x-kubernetes-preserve-unknown-fields'] === true || s['x-kubernetes-embedded-resource'] === true;
    const props = s.properties ?? {};
    const ap = s.additionalProperties;
    for (const [key, child] of Object.entries(value)) {
      if (root && (key === 'apiVersion' || key === 'kind' || key === 'metadata')) continue;
      const sub = props[key] ?? (isPlainObject(ap) ? ap : undefined);
      const childPath = path ? `${path}.${key}` : key;
      if (sub) out.push(...unknownFields(child, sub, childPath, false));
      else if (!preserve && ap !== true) out.push(childPath);
    }
  } else if (Array.isArray(value) && s.items) {
    value.forEach((item, i) => out.push(...unknownFields(item, s.items ?? {}, `${path}[${i}]`, false)));
  }
  return out;
}
