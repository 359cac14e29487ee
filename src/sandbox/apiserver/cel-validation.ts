// x-kubernetes-validations: CEL rules on custom resources, evaluated with `self`
// (and `oldSelf` on updates, for transition rules) and reported like the
// real server: the field (plus fieldPath), the reason, and the rule's message.
import { parse, type ParseResult } from '@marcbachmann/cel-js';
import type { StatusCause } from './errors.js';
import type { JsonSchema } from './json-schema.js';
import { isPlainObject, keyOf } from './object-shape.js';

const compiled = new Map<string, ParseResult>();

/** Rules are compiled once: every write of a kind evaluates the same few expressions. */
function evaluate(expression: string, context: Record<string, unknown>): unknown {
  let program = compiled.get(expression);
  if (!program) {
    program = parse(expression);
    compiled.set(expression, program);
  }
  return program(context);
}

function typeOf(s: JsonSchema, v: unknown): string {
  if (s.type) return s.type;
  if (Array.isArray(v)) return 'array';
  if (isPlainObject(v)) return 'object';
  return typeof v;
}

const prefixes: Record<string, string> = {
  FieldValueForbidden: 'Forbidden',
  FieldValueRequired: 'Required value',
  FieldValueDuplicate: 'Duplicate value',
};

function ruleCauses(value: unknown, old: unknown, s: JsonSchema, path: string, isUpdate: boolean): StatusCause[] {
  const causes: StatusCause[] = [];
  for (const rule of s['x-kubernetes-validations'] ?? []) {
    const transition = /\boldSelf\b/.test(rule.rule);
    if (transition && (!isUpdate || old === undefined)) continue;
    let ok: unknown;
    let failure: string | undefined;
    try {
      ok = evaluate(rule.rule, transition ? { self: value, oldSelf: old } : { self: value });
    } catch (err) {
      failure = `${rule.rule}: ${err instanceof Error ? err.message : String(err)}`;
    }
    if (ok === true) continue;
    let message = failure ?? rule.message ?? `failed rule: ${rule.rule}`;
    if (!failure && rule.messageExpression) {
      try {
        const computed: unknown = evaluate(rule.messageExpression, { self: value, oldSelf: old });
        if (typeof computed === 'string' && computed.trim() !== '') message = computed;
      } catch {
        // The real server falls back to the static message when messageExpression fails.
      }
    }
    const field = rule.fieldPath
      ? `${path}${rule.fieldPath.startsWith('.') ? '' : '.'}${rule.fieldPath}`.replace(/^\./, '')
      : path;
    const reason = rule.reason ?? 'FieldValueInvalid';
    const prefix = prefixes[reason];
    causes.push({
      reason,
      message: prefix ? `${prefix}: ${message}` : `Invalid value: "${typeOf(s, value)}": ${message}`,
      field,
    });
  }
  return causes;
}

/** CEL causes for `value` under schema `s`; `old` is the previous value at the same place on updates. */
export function celCauses(
  value: unknown,
  s: JsonSchema,
  path: string,
  old: unknown,
  isUpdate: boolean,
  root = false,
): StatusCause[] {
  if (value === undefined || value === null) return [];
  const causes = root ? [] : ruleCauses(value, old, s, path, isUpdate);
  if (isPlainObject(value)) {
    const oldObj = isPlainObject(old) ? old : undefined;
    for (const [key, child] of Object.entries(value)) {
      if (root && (key === 'apiVersion' || key === 'kind' || key === 'metadata')) continue;
      const sub = s.properties?.[key] ?? (isPlainObject(s.additionalProperties) ? s.additionalProperties : undefined);
      if (sub) causes.push(...celCauses(child, sub, path ? `${path}.${key}` : key, oldObj?.[key], isUpdate));
    }
  } else if (Array.isArray(value) && s.items) {
    const keys = s['x-kubernetes-list-type'] === 'map' ? (s['x-kubernetes-list-map-keys'] ?? []) : undefined;
    const oldList = Array.isArray(old) ? old : [];
    value.forEach((item, i) => {
      const before = keys ? oldList.find((o) => keyOf(o, keys) === keyOf(item, keys)) : undefined;
      causes.push(...celCauses(item, s.items ?? {}, `${path}[${i}]`, before, isUpdate));
    });
  }
  if (root) causes.unshift(...ruleCauses(value, old, s, path, isUpdate));
  return causes;
}
