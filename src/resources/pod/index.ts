import { CoreTypes } from '../../kube/resource.js';
import type { ChildKind } from '../child-kind.js';
import { atomLabel, podName } from '../names.js';

export * from './pod.js';

/** The agent pod: one per Atom. Cached by the Atom label itself, so a pod someone else made with it is seen. */
export const podChild: ChildKind = {
  kind: 'Pod',
  folder: 'pod',
  type: CoreTypes.pods,
  cacheSelector: atomLabel,
  rbac: {
    verbs: ['list', 'watch', 'create', 'patch', 'delete'],
    reason: "Start each Atom's one agent pod, and stop it gracefully before its replacement starts.",
  },
  name: podName,
};
