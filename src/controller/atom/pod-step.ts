// The one-pod-per-Atom state machine. The pod's name is fixed per Atom, so the API
// server itself refuses a second pod while the old one still exists (even while it
// terminates); on top of that we only create once the old pod is gone.
import type { V1Pod } from '@kubernetes/client-node';
import { certificateHashAnnotation, podSpecHashAnnotation, versionAnnotation } from '../../resources/names.js';
import { podHealth } from './pod-health.js';

export type PodStep =
  /** No pod: create the desired one. */
  | { kind: 'Create' }
  /** The live pod is what we want. */
  | { kind: 'Keep'; pod: V1Pod }
  /** Stop the live pod gracefully; the new one is created once it is gone. */
  | {
      kind: 'Replace';
      pod: V1Pod;
      reason: 'VersionChanged' | 'CertificateRotated' | 'SpecChanged' | 'PodFailed';
      message: string;
    }
  /** The old pod is terminating: wait until it is gone. */
  | { kind: 'WaitForTermination'; pod: V1Pod }
  /** Pods carrying our label under another name (left by someone else): remove them first. */
  | { kind: 'DeleteStrays'; pods: V1Pod[] }
  /** No pod may be started (the certificate is unusable); `pod` is a running one left alone. */
  | { kind: 'Hold'; pod?: V1Pod };

export interface PodStepInput {
  desired: V1Pod;
  /** Every pod in the namespace carrying the Atom's selector label. */
  live: V1Pod[];
  /** Whether a new pod may be started (registration certificate usable). */
  canStart: boolean;
}

const annotation = (pod: V1Pod, key: string) => pod.metadata?.annotations?.[key];

export function decidePodStep({ desired, live, canStart }: PodStepInput): PodStep {
  const name = desired.metadata!.name!;
  const strays = live.filter((p) => p.metadata?.name !== name && !p.metadata?.deletionTimestamp);
  if (strays.length) return { kind: 'DeleteStrays', pods: strays };
  const pod = live.find((p) => p.metadata?.name === name);
  const terminating = live.find((p) => p.metadata?.deletionTimestamp);
  if (terminating) return { kind: 'WaitForTermination', pod: terminating };
  if (!pod) return canStart ? { kind: 'Create' } : { kind: 'Hold' };

  if (annotation(pod, podSpecHashAnnotation) !== annotation(desired, podSpecHashAnnotation)) {
    // A running pod keeps running on its old certificate until a usable one replaces it.
    if (!canStart) return { kind: 'Hold', pod };
    const fromVersion = annotation(pod, versionAnnotation);
    const toVersion = annotation(desired, versionAnnotation);
    if (fromVersion !== toVersion) {
      return {
        kind: 'Replace',
        pod,
        reason: 'VersionChanged',
        message: `replacing pod ${name} to move from version ${fromVersion ?? 'unknown'} to ${toVersion ?? 'unknown'}`,
      };
    }
    if (annotation(pod, certificateHashAnnotation) !== annotation(desired, certificateHashAnnotation)) {
      return {
        kind: 'Replace',
        pod,
        reason: 'CertificateRotated',
        message: `replacing pod ${name} because the registration certificate Secret changed`,
      };
    }
    return {
      kind: 'Replace',
      pod,
      reason: 'SpecChanged',
      message: `replacing pod ${name} because the Atom's spec changed`,
    };
  }
  const health = podHealth(pod);
  if (health.phase === 'Failed' || health.phase === 'Succeeded') {
    if (!canStart) return { kind: 'Hold', pod };
    return {
      kind: 'Replace',
      pod,
      reason: 'PodFailed',
      message: `replacing pod ${name}, which ended in phase ${health.phase}`,
    };
  }
  return { kind: 'Keep', pod };
}
