// Names and labels of an Atom's children: predictable, so a person can find them
// with kubectl, and unique per Atom, so selectors never catch another Atom's pod.
import { apiVersion, kind, type Atom } from '../api/atom.js';

export const fieldManager = 'atom-operator';
export const atomLabel = 'atomoperator.io/atom';
/** The label selector of every child the operator makes (its caches watch only these). */
export const managedBySelector = 'app.kubernetes.io/managed-by=atom-operator';
export const podSpecHashAnnotation = 'atomoperator.io/pod-spec-hash';
export const versionAnnotation = 'atomoperator.io/version';
export const certificateHashAnnotation = 'atomoperator.io/certificate-hash';
/** On the other children: hash of what the operator last applied, to tell our own changes from someone else's. */
export const specHashAnnotation = 'atomoperator.io/spec-hash';

export const podName = (atom: Atom) => `${atom.metadata.name}-agent`;
export const claimName = (atom: Atom) => `${atom.metadata.name}-install`;
export const networkPolicyName = (atom: Atom) => `${atom.metadata.name}-egress`;
export const serviceAccountName = (atom: Atom) => `${atom.metadata.name}-agent`;

/** Labels every child carries; the selector label alone picks exactly this Atom's pod. */
export function childLabels(atom: Atom): Record<string, string> {
  return {
    'app.kubernetes.io/name': 'atom',
    'app.kubernetes.io/instance': atom.metadata.name,
    'app.kubernetes.io/managed-by': 'atom-operator',
    [atomLabel]: atom.metadata.name,
  };
}

export function selectorLabels(atom: Atom): Record<string, string> {
  return { [atomLabel]: atom.metadata.name };
}

export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller: boolean;
  blockOwnerDeletion: boolean;
}

/** The Atom as controlling owner: garbage collection removes the child with it. */
export function ownerReference(atom: Atom): OwnerReference {
  if (!atom.metadata.uid)
    throw new Error(`Atom ${atom.metadata.name} has no uid: read it from the API server before building children`);
  return {
    apiVersion,
    kind,
    name: atom.metadata.name,
    uid: atom.metadata.uid,
    controller: true,
    blockOwnerDeletion: true,
  };
}

export function childMetadata(atom: Atom, name: string) {
  return {
    name,
    namespace: atom.metadata.namespace,
    labels: childLabels(atom),
    ownerReferences: [ownerReference(atom)],
  };
}
