// Validates objects against the generated CRD the way the API server does:
// the OpenAPI schema (with defaults) and then the CEL x-kubernetes-validations.
import { Ajv, type ErrorObject } from 'ajv';
import addFormats from 'ajv-formats';
import { celRuleHolds } from '../../src/api/cel-rules.js';
import type { JSONSchema } from '../../src/api/crd.js';

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

interface CelValidation {
  rule: string;
  message: string;
  fieldPath?: string;
}

function celErrors(schema: JSONSchema, value: unknown, path: string): string[] {
  const errors: string[] = [];
  const rules = (schema['x-kubernetes-validations'] ?? []) as CelValidation[];
  for (const r of rules) if (!celRuleHolds(r.rule, value)) errors.push(`${path}${r.fieldPath ?? ''}: ${r.message}`);
  if (isObject(value) && isObject(schema.properties)) {
    for (const [k, child] of Object.entries(schema.properties)) {
      if (k in value && isObject(child)) errors.push(...celErrors(child, value[k], `${path}.${k}`));
    }
  }
  if (Array.isArray(value) && isObject(schema.items)) {
    value.forEach((v, i) => errors.push(...celErrors(schema.items as JSONSchema, v, `${path}[${i}]`)));
  }
  return errors;
}

function describe(e: ErrorObject): string {
  const path = e.instancePath
    .replace(/^\//, '')
    .replace(/\/(\d+)(?=\/|$)/g, '[$1]')
    .replace(/\//g, '.');
  // Like the API server, name the missing field itself ("spec.x: Required value"), not its parent.
  if (e.keyword === 'required' && 'missingProperty' in e.params)
    return `${path ? `${path}.` : ''}${String(e.params.missingProperty)}: Required value`;
  return `${path || '(root)'}: ${e.message ?? 'invalid'}${e.params && 'allowedValues' in e.params ? ` (${(e.params.allowedValues as unknown[]).join(', ')})` : ''}`;
}

/** Returns a validator for objects of the CRD's (first) version; errors are `field: reason` lines. */
export function crdValidator(crd: JSONSchema): (obj: unknown) => string[] {
  const versions = (crd.spec as { versions: { schema: { openAPIV3Schema: JSONSchema } }[] }).versions;
  const schema = versions[0]!.schema.openAPIV3Schema;
  const ajv = new Ajv({ strict: false, useDefaults: true, allErrors: true });
  addFormats.default(ajv);
  const validate = ajv.compile(schema);
  return (obj) => {
    const copy = structuredClone(obj);
    if (!validate(copy)) return (validate.errors ?? []).map(describe);
    return celErrors(schema, copy, '').map((e) => e.replace(/^\./, ''));
  };
}
