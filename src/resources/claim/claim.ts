// desiredClaim: the installation directory's PersistentVolumeClaim. It outlives
// pods and rollouts; it is owned by the Atom (and so deleted with it) only when
// spec.storage.deleteClaimOnAtomDeletion asks for that.
import type { V1PersistentVolumeClaim } from '@kubernetes/client-node';
import type { Atom } from '../../api/atom.js';
import { childLabels, claimName, ownerReference } from '../names.js';

/** The claim for `atom`, or undefined for emptyDir Atoms (they have none). */
export function desiredClaim(atom: Atom): V1PersistentVolumeClaim | undefined {
  const { storage } = atom.spec;
  if (storage.emptyDir) return undefined;
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: {
      name: claimName(atom),
      namespace: atom.metadata.namespace,
      labels: childLabels(atom),
      ...(storage.deleteClaimOnAtomDeletion ? { ownerReferences: [ownerReference(atom)] } : {}),
    },
    spec: {
      accessModes: [storage.accessMode],
      resources: { requests: { storage: String(storage.size) } },
      ...(storage.storageClassName ? { storageClassName: storage.storageClassName } : {}),
    },
  };
}
