// An Atom's pods by an index on the pod cache. Filtering the namespace's pods by
// label made every reconcile scan every pod of the namespace: with 10,000 Atoms in
// one namespace that scan was most of the operator's CPU (fleet benchmark).
import type { KubeObject } from '../../kube/resource.js';
import { atomLabel } from '../../resources/names.js';

export const ATOM_POD_INDEX = 'atom-pods';

/** `namespace/atom` from the pod's Atom label; nothing for pods without it. */
export function atomPodKeys(pod: KubeObject): string[] {
  const atom = pod.metadata.labels?.[atomLabel];
  return atom === undefined ? [] : [`${pod.metadata.namespace ?? ''}/${atom}`];
}
