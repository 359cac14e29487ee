import type { V1PersistentVolumeClaim } from '@kubernetes/client-node';
import type { KubeObject } from '../../kube/resource.js';
import { CoreTypes } from '../../kube/resource.js';
import type { ChildKind, DesiredChild, LiveFacts } from '../child-kind.js';
import { reasons } from '../../api/reasons.js';
import { claimName, managedBySelector } from '../names.js';
import { desiredClaim } from './claim.js';

export * from './claim.js';

/** The live claim's fields that cannot change once it exists. */
interface FixedFields {
  storageClassName?: string;
  accessModes?: string[];
}

export const claimChild: ChildKind = {
  kind: 'PersistentVolumeClaim',
  folder: 'claim',
  type: CoreTypes.persistentVolumeClaims,
  cacheSelector: managedBySelector,
  rbac: {
    verbs: ['list', 'watch', 'create', 'patch'],
    reason:
      'Create and repair the installation volume claim of each Atom (garbage collection, not the operator, deletes it).',
  },
  name: claimName,
  desired: (atom, _context, live) => {
    const claim = desiredClaim(atom);
    return claim ? keptFixedFields(claim, atom.spec.storage, live as FixedFields | undefined) : undefined;
  },
  liveFacts: (live) => {
    const spec = (live as V1PersistentVolumeClaim).spec;
    return {
      ...(spec?.storageClassName ? { storageClassName: spec.storageClassName } : {}),
      ...(spec?.accessModes ? { accessModes: spec.accessModes } : {}),
    } satisfies FixedFields as LiveFacts;
  },
};

/**
 * A claim's class and access modes are fixed once created: keep what it has (leaving them out of the
 * apply would tell the server we give them up) and let only labels, owners and size move.
 */
function keptFixedFields(
  claim: V1PersistentVolumeClaim,
  storage: { storageClassName?: string | undefined; accessMode: string },
  live: FixedFields | undefined,
): DesiredChild {
  if (!live) return { object: claim as KubeObject };
  const object = {
    ...claim,
    spec: {
      ...claim.spec,
      accessModes: live.accessModes,
      ...(live.storageClassName ? { storageClassName: live.storageClassName } : {}),
    },
  } as KubeObject;
  const fixed =
    (storage.storageClassName && live.storageClassName !== storage.storageClassName) ||
    live.accessModes?.[0] !== storage.accessMode;
  if (!fixed) return { object };
  return {
    object,
    warning: {
      reason: reasons.ClaimImmutable,
      message: `claim ${claim.metadata?.name} keeps storage class ${live.storageClassName ?? '(default)'} and access mode ${live.accessModes?.join(', ')}: Kubernetes cannot change them on an existing claim; delete the claim (its data goes with it) to recreate it`,
    },
  };
}
