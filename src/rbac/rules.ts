// Every permission the operator holds, in one list. The Helm chart's Roles and
// ClusterRole are generated from it (hack/generate-rbac.ts), docs/security.md
// explains each rule, and tests compare the rendered chart with it, so the
// operator, the chart and the docs cannot drift apart. The rules on the Atom's children come from
// the child registry, one per kind.
import { type ChildKind, childKinds } from '../resources/index.js';

/**
 * Where a rule is granted.
 * - `cluster`: where Atoms live. A ClusterRole when the operator watches every
 *   namespace; a Role in each watched namespace otherwise.
 * - `operator-namespace`: a Role in the operator's own (release) namespace only.
 */
export type RuleScope = 'cluster' | 'operator-namespace';

/** Chart features that gate a rule; the rule is granted only when the feature is on. */
export type RuleFeature = 'leaderElection';

export interface PolicyRule {
  apiGroups: readonly string[];
  resources: readonly string[];
  verbs: readonly string[];
  scope: RuleScope;
  /** When set, the rule exists only while this chart feature is enabled. */
  feature?: RuleFeature;
  /** Why the operator needs it, in a sentence (rendered into docs/security.md's table and the chart). */
  reason: string;
}

export const rbacRules: readonly PolicyRule[] = [
  {
    apiGroups: ['atomoperator.io'],
    resources: ['atoms'],
    verbs: ['list', 'watch'],
    scope: 'cluster',
    reason: 'Read Atoms into the cache the reconciler works from.',
  },
  {
    apiGroups: ['atomoperator.io'],
    resources: ['atoms/status'],
    verbs: ['patch'],
    scope: 'cluster',
    reason: 'Report phase, conditions, versions and certificate expiry; the operator writes nothing else on an Atom.',
  },
  {
    apiGroups: ['atomoperator.io'],
    resources: ['atoms/finalizers'],
    verbs: ['update'],
    scope: 'cluster',
    reason:
      "Children carry ownerReferences with blockOwnerDeletion, which the API server only allows to whoever may update the owner's finalizers.",
  },
  ...childKinds.map(childRule),
  {
    apiGroups: [''],
    resources: ['secrets'],
    verbs: ['get', 'list', 'watch'],
    scope: 'cluster',
    reason:
      'Inspect registration certificates (expiry, key match, rotation) and platform CAs; never written. Lists and watches ask for metadata only; the contents of a Secret are read (get) only while an Atom references it. (The release public keys are mounted into the operator pod, not read through the API.)',
  },
  {
    apiGroups: [''],
    resources: ['events'],
    verbs: ['create', 'patch'],
    scope: 'cluster',
    reason: 'Tell people what happened to an Atom and why.',
  },
  {
    apiGroups: ['coordination.k8s.io'],
    resources: ['leases'],
    verbs: ['get', 'create', 'update'],
    scope: 'operator-namespace',
    feature: 'leaderElection',
    reason: 'Leader election, so only one replica reconciles at a time.',
  },
];

/** A child kind's rule, from its entry in the registry (src/resources/registry.ts). */
function childRule(child: ChildKind): PolicyRule {
  return {
    apiGroups: [child.type.group],
    resources: [child.type.plural],
    verbs: child.rbac.verbs,
    scope: 'cluster',
    reason: child.rbac.reason,
  };
}

/** The rules granted at `scope` with the given features on, in list order. */
export function rulesFor(scope: RuleScope, features: ReadonlySet<RuleFeature> = new Set()): PolicyRule[] {
  return rbacRules.filter((r) => r.scope === scope && (r.feature === undefined || features.has(r.feature)));
}
