// Events that tell a change of state come from condition changes: a condition whose reason moved to
// one of the reasons below is told once, on the pass that moves it. Conditions are compared by type
// and reason, never by message text, so a resync or a reworded message tells nothing twice.
import type { Condition, ConditionType } from '../../api/atom-status.js';
import { platformErrorDocs } from '../../platform/errors.js';
import { type PlannedEvent, Reasons } from '../../rollout/index.js';
import { reasons } from '../../api/reasons.js';
import { needsAPerson } from './decide-pod.js';

interface ConditionEventRule {
  type: ConditionType;
  /** The event for a condition that now shows `c`, or undefined when its new reason tells nobody anything. */
  event(c: { reason: string }): Omit<PlannedEvent, 'message'> | undefined;
}

const platformProblems: ReadonlySet<string> = new Set([...Object.keys(platformErrorDocs), reasons.PlatformCANotFound]);

const rules: readonly ConditionEventRule[] = [
  // Nothing runs, and only a person can change that.
  // (An unusable certificate is told by the CertificateValid rule below, once.)
  {
    type: 'Ready',
    event: (c) =>
      needsAPerson.has(c.reason) && c.reason !== reasons.CertificateInvalid
        ? { type: 'Warning', reason: c.reason }
        : undefined,
  },
  {
    type: 'CertificateValid',
    event: (c) => {
      if (c.reason === 'Valid') return undefined;
      if (c.reason === 'ExpiresSoon') return { type: 'Normal', reason: reasons.CertificateExpiresSoon };
      return { type: 'Warning', reason: reasons.CertificateInvalid };
    },
  },
  {
    type: 'UpToDate',
    event: (c) =>
      c.reason === Reasons.RolloutHalted || platformProblems.has(c.reason)
        ? { type: 'Warning', reason: c.reason }
        : undefined,
  },
];

/** The events for the conditions whose reason changed between `before` and `after`. */
export function conditionEvents(
  before: readonly Condition[] | undefined,
  after: readonly { type: string; reason: string; message: string }[] | undefined,
): PlannedEvent[] {
  const events: PlannedEvent[] = [];
  for (const rule of rules) {
    const now = after?.find((c) => c.type === rule.type);
    if (!now || before?.find((c) => c.type === rule.type)?.reason === now.reason) continue;
    const event = rule.event(now);
    if (event) events.push({ ...event, message: now.message });
  }
  return events;
}

/** A child written in this pass: created, updated to follow the spec, or restored after someone's edit. */
export interface ChildChange {
  kind: typeof reasons.Created | typeof reasons.Updated | typeof reasons.Restored;
  what: string;
}

const wording = {
  Created: (w: string) => `created ${w}`,
  Updated: (w: string) => `updated ${w} to match the Atom's spec`,
  Restored: (w: string) => `${w} changed by someone else; restored it`,
};

/**
 * One event per kind of change and pass: a new Atom gets one "Created" naming all its children. When
 * the same pass also creates the pod of the Atom's first install, that event names the pod and the
 * version too and stands for the install's own event: a new Atom is told in one event.
 */
export function childChangeEvents(
  changes: readonly ChildChange[],
  install: { pod: string; image: string; start: PlannedEvent } | undefined,
): PlannedEvent[] {
  const events: PlannedEvent[] = [];
  for (const kind of [reasons.Created, reasons.Updated, reasons.Restored]) {
    const items = changes.filter((c) => c.kind === kind).map((c) => c.what);
    if (!items.length) continue;
    if (kind === reasons.Created && install) {
      const message = `created ${items.join(', ')} and pod ${install.pod} running ${install.image}: ${install.start.message}`;
      events.push({ type: 'Normal', reason: kind, message });
    } else events.push({ type: 'Normal', reason: kind, message: wording[kind](items.join(', ')) });
  }
  return events;
}
