import type { KubeObject } from '../../kube/resource.js';
import { CoreTypes } from '../../kube/resource.js';
import type { ChildKind } from '../child-kind.js';
import { managedBySelector, networkPolicyName } from '../names.js';
import { desiredNetworkPolicy } from './network-policy.js';

export * from './network-policy.js';

export const networkPolicyChild: ChildKind = {
  kind: 'NetworkPolicy',
  folder: 'network-policy',
  type: CoreTypes.networkPolicies,
  cacheSelector: managedBySelector,
  rbac: {
    verbs: ['list', 'watch', 'create', 'patch', 'delete'],
    reason:
      'Keep each Atom isolated by its egress-only NetworkPolicy, undo drift, and remove it when an Atom turns it off.',
  },
  name: networkPolicyName,
  desired: (atom, { dns }) => {
    const policy = desiredNetworkPolicy(atom, dns);
    return policy ? { object: policy as KubeObject } : undefined;
  },
  removeWhenUnwanted: true,
};
