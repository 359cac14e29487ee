import type { KubeObject } from '../../kube/resource.js';
import { CoreTypes } from '../../kube/resource.js';
import type { ChildKind } from '../child-kind.js';
import { managedBySelector, serviceAccountName } from '../names.js';
import { desiredServiceAccount } from './service-account.js';

export * from './service-account.js';

export const serviceAccountChild: ChildKind = {
  kind: 'ServiceAccount',
  folder: 'service-account',
  type: CoreTypes.serviceAccounts,
  cacheSelector: managedBySelector,
  rbac: {
    verbs: ['list', 'watch', 'create', 'patch'],
    reason:
      'Create and repair the permissionless service account of each Atom (garbage collection, not the operator, deletes it).',
  },
  name: serviceAccountName,
  desired: (atom) => {
    const sa = desiredServiceAccount(atom);
    return sa ? { object: sa as KubeObject } : undefined;
  },
};
