// Every kind of child an Atom becomes, in the order they are written (the pod last: it needs the
// ServiceAccount, and its claim, to exist). Add a kind here and in its own folder; the caches, the
// drift repair, the RBAC rules and the golden tests pick it up.
import type { ChildKind } from './child-kind.js';
import { claimChild } from './claim/index.js';
import { networkPolicyChild } from './network-policy/index.js';
import { podChild } from './pod/index.js';
import { serviceAccountChild } from './service-account/index.js';

export const childKinds: readonly ChildKind[] = [serviceAccountChild, claimChild, networkPolicyChild, podChild];

/** The children built from the spec alone (all but the pod, which follows the rollout plan). */
export const specChildKinds = childKinds.filter((c) => c.desired !== undefined);
