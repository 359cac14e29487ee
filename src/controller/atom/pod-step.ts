// The one-pod-per-Atom state machine. The pod's name is fixed per Atom, so the API server itself
// refuses a second pod while the old one still exists (even while it terminates); on top of that we
// only create once the old pod is gone.
import type { V1Pod } from '@kubernetes/client-node';
import { certificateHashAnnotation, podSpecHashAnnotation, versionAnnotation } from '../../resources/names.js';
import { reasons } from '../../api/reasons.js';
import type { OfflineRestart } from '../../health/index.js';
import type { PodFacts } from './observation.js';
import { podHealth } from './pod-health.js';

export type ReplaceReason =
  | typeof reasons.VersionChanged
  | typeof reasons.CertificateRotated
  | typeof reasons.SpecChanged
  | typeof reasons.PodFailed
  | typeof OfflineRestart;

export type PodStep =
  /** No pod: create the desired one. */
  | { kind: 'Create' }
  /** The live pod is what we want. */
  | { kind: 'Keep'; pod: PodFacts }
  /** Stop the live pod gracefully; the new one is created once it is gone. */
  | { kind: 'Replace'; pod: PodFacts; reason: ReplaceReason; message: string }
  /** The old pod is terminating: wait until it is gone. */
  | { kind: 'WaitForTermination'; pod: PodFacts }
  /** Pods carrying our label under another name (left by someone else): remove them first. */
  | { kind: 'DeleteStrays'; pods: PodFacts[] }
  /** No pod may be started now; `pod` is a running one left alone. */
  | { kind: 'Hold'; pod?: PodFacts };

/** The facts of a pod, as the cache shows it (or as the operator builds it). */
export function podFacts(pod: V1Pod): PodFacts {
  const m = pod.metadata ?? {};
  const created = m.creationTimestamp as unknown;
  return {
    name: m.name ?? '',
    ...(m.uid ? { uid: m.uid } : {}),
    ...(m.resourceVersion ? { resourceVersion: m.resourceVersion } : {}),
    deleting: Boolean(m.deletionTimestamp),
    ...optional('specHash', m.annotations?.[podSpecHashAnnotation]),
    ...optional('certificateHash', m.annotations?.[certificateHashAnnotation]),
    ...optional('version', m.annotations?.[versionAnnotation]),
    ...optional('image', pod.spec?.containers[0]?.image),
    ...optional('createdAt', created instanceof Date ? created.toISOString() : (created as string | undefined)),
    health: podHealth(pod),
  };
}

const optional = <K extends string>(key: K, value: string | undefined) =>
  (value ? { [key]: value } : {}) as Partial<Record<K, string>>;

export interface PodStepInput {
  desired: PodFacts;
  /** Every pod in the namespace carrying the Atom's selector label. */
  live: readonly PodFacts[];
  /** Whether a new pod may be started (nothing blocks it). */
  canStart: boolean;
}

export function decidePodStep({ desired, live, canStart }: PodStepInput): PodStep {
  const name = desired.name;
  const strays = live.filter((p) => p.name !== name && !p.deleting);
  if (strays.length) return { kind: 'DeleteStrays', pods: strays };
  const pod = live.find((p) => p.name === name);
  const terminating = live.find((p) => p.deleting);
  if (terminating) return { kind: 'WaitForTermination', pod: terminating };
  if (!pod) return canStart ? { kind: 'Create' } : { kind: 'Hold' };

  if (pod.specHash !== desired.specHash) {
    // A running pod keeps running on its old certificate until a usable one replaces it.
    if (!canStart) return { kind: 'Hold', pod };
    return { kind: 'Replace', pod, ...whyReplaced(pod, desired) };
  }
  const { phase } = pod.health;
  if (phase === 'Failed' || phase === 'Succeeded') {
    if (!canStart) return { kind: 'Hold', pod };
    return {
      kind: 'Replace',
      pod,
      reason: reasons.PodFailed,
      message: `replacing pod ${name}, which ended in phase ${phase}`,
    };
  }
  return { kind: 'Keep', pod };
}

function whyReplaced(pod: PodFacts, desired: PodFacts): { reason: ReplaceReason; message: string } {
  const name = desired.name;
  if (pod.version !== desired.version) {
    return {
      reason: reasons.VersionChanged,
      message: `replacing pod ${name} to move from version ${pod.version ?? 'unknown'} to ${desired.version ?? 'unknown'}`,
    };
  }
  if (pod.certificateHash !== desired.certificateHash) {
    return {
      reason: reasons.CertificateRotated,
      message: `replacing pod ${name} because the registration certificate Secret changed`,
    };
  }
  return { reason: reasons.SpecChanged, message: `replacing pod ${name} because the Atom's spec changed` };
}
