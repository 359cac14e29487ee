// Standard conditions: lastTransitionTime moves only when the status flips, and
// observedGeneration says which spec the condition speaks about.
import { type Condition, type ConditionType, conditionTypes } from '../../api/atom-status.js';

export interface ConditionInput {
  type: ConditionType;
  status: 'True' | 'False' | 'Unknown';
  reason: string;
  message: string;
}

/** Merges `next` into `current`, keeping each condition's lastTransitionTime unless its status changed. */
export function mergeConditions(
  current: readonly Condition[] | undefined,
  next: readonly ConditionInput[],
  generation: number | undefined,
  now: Date,
): Condition[] {
  const stamp = now.toISOString().replace(/\.\d{3}Z$/, 'Z');
  const byType = new Map((current ?? []).map((c) => [c.type, c]));
  const merged = new Map<string, Condition>(byType);
  for (const n of next) {
    const old = byType.get(n.type);
    merged.set(n.type, {
      type: n.type,
      status: n.status,
      reason: n.reason,
      message: n.message,
      ...(generation !== undefined ? { observedGeneration: generation } : {}),
      lastTransitionTime: old && old.status === n.status ? old.lastTransitionTime : stamp,
    });
  }
  const order: readonly string[] = conditionTypes;
  return [...merged.values()].sort((a, b) => (order.indexOf(a.type) + 1 || 99) - (order.indexOf(b.type) + 1 || 99));
}

export function findCondition(
  conditions: readonly Condition[] | undefined,
  type: ConditionType,
): Condition | undefined {
  return conditions?.find((c) => c.type === type);
}
