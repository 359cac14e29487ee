// Cross-field rules written once, in CEL: the CRD carries them as
// x-kubernetes-validations (the API server enforces them) and zod evaluates the
// very same expressions, so kubectl and the operator reject the same specs.
import { evaluate } from '@marcbachmann/cel-js';
import type { z } from 'zod';

export interface CelRule {
  /** CEL over `self`, the node the rule is attached to; true means valid. */
  rule: string;
  /** What is wrong and how to fix it, in words a person can act on. */
  message: string;
  /** Field the message is about, relative to the node (e.g. `.version`). */
  fieldPath?: string;
  reason?: 'FieldValueInvalid' | 'FieldValueForbidden' | 'FieldValueRequired';
}

/** Evaluates one rule against `self` the way the API server reads it: anything but true (errors too) fails. */
export function celRuleHolds(rule: string, self: unknown): boolean {
  try {
    return evaluate(rule, { self }) === true;
  } catch {
    return false;
  }
}

/** Attaches CEL rules to a schema node: emitted into the CRD and checked by zod. */
export function withCelRules<T extends z.ZodType>(schema: T, rules: CelRule[]): T {
  return schema
    .meta({
      'x-kubernetes-validations': rules.map(({ rule, message, fieldPath, reason }) => ({
        rule,
        message,
        ...(fieldPath ? { fieldPath } : {}),
        ...(reason ? { reason } : {}),
      })),
    })
    .superRefine((value, ctx) => {
      for (const r of rules) {
        if (!celRuleHolds(r.rule, value)) {
          const path = (r.fieldPath ?? '').split('.').filter(Boolean);
          ctx.addIssue({ code: 'custom', message: r.message, path });
        }
      }
    }) as T;
}
