// desiredServiceAccount: a ServiceAccount per Atom with no permissions and no
// token mounted, so the agent holds no Kubernetes credentials at all.
import type { V1ServiceAccount } from '@kubernetes/client-node';
import type { Atom } from '../../api/atom.js';
import { childMetadata, serviceAccountName } from '../names.js';

/** The Atom's own ServiceAccount, or undefined when the user names one in spec.pod.serviceAccountName. */
export function desiredServiceAccount(atom: Atom): V1ServiceAccount | undefined {
  if (atom.spec.pod.serviceAccountName) return undefined;
  return {
    apiVersion: 'v1',
    kind: 'ServiceAccount',
    metadata: childMetadata(atom, serviceAccountName(atom)),
    automountServiceAccountToken: false,
  };
}
