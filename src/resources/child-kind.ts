// One kind of object an Atom becomes (Pod, claim, NetworkPolicy, ServiceAccount...), described once:
// how it is built, which cache holds it, and what the operator may do with it. The controller's
// caches, its drift repair and the RBAC rules loop over the registry (registry.ts), so a new child
// kind is one new folder with its builder, its golden files and this descriptor.
import type { Atom } from '../api/atom.js';
import type { KubeObject, ResourceType } from '../kube/resource.js';
import type { DNSConfig } from './network-policy/network-policy.js';

export interface ChildContext {
  dns: DNSConfig;
}

/** What the live object says that building the next one must respect (plain data). */
export type LiveFacts = Record<string, unknown>;

export interface DesiredChild {
  object: KubeObject;
  /** A warning for the Atom's owner about what could not be done as asked (told once per spec change). */
  warning?: { reason: string; message: string };
}

export interface ChildKind {
  kind: string;
  /** Its folder under src/resources: the builder, its golden files (__golden__/) and this descriptor. */
  folder: string;
  type: ResourceType;
  /** The label selector of the cache that holds this kind: only what the operator made, or what claims an Atom. */
  cacheSelector: string;
  /** The operator's permissions on this kind, and why (rendered into the chart's RBAC and docs/security.md). */
  rbac: { verbs: readonly string[]; reason: string };
  /** The child's name for an Atom. */
  name(atom: Atom): string;
  /**
   * What the Atom asks for, or undefined when it asks for none. The pod has no builder here: it is
   * built by the controller from the rollout plan (pod/pod.ts desiredPod).
   */
  desired?(atom: Atom, context: ChildContext, live: LiveFacts | undefined): DesiredChild | undefined;
  /** The facts of a live object that `desired` needs. */
  liveFacts?(live: KubeObject): LiveFacts;
  /** Delete an object the Atom owns once the Atom asks for none (otherwise it is left alone). */
  removeWhenUnwanted?: boolean;
}
