// The children an Atom asks for besides its pod (ServiceAccount, claim, NetworkPolicy), as built
// objects, and what the NetworkIsolated condition says about them.
import type { KubeObject } from '../../kube/resource.js';
import {
  type DNSConfig,
  desiredClaim,
  desiredNetworkPolicy,
  desiredServiceAccount,
  egressSummary,
  networkPolicyName,
} from '../../resources/index.js';
import type { PlannedEvent } from '../../rollout/index.js';
import type { Decision } from './decide.js';
import type { AtomObservation } from './observation.js';
import { reasons } from './reasons.js';
import type { NetworkState } from './status.js';

export interface DesiredChildren {
  objects: KubeObject[];
  removals: Decision['removals'];
  events: PlannedEvent[];
}

export function desiredChildren(obs: AtomObservation, config: { dns: DNSConfig }): DesiredChildren {
  const { atom } = obs;
  const objects: KubeObject[] = [];
  const events: PlannedEvent[] = [];
  const removals: Decision['removals'] = [];
  const sa = desiredServiceAccount(atom);
  if (sa) objects.push(sa as KubeObject);
  const claim = desiredClaim(atom);
  if (claim) {
    const kept = keptClaim(obs, claim as KubeObject);
    objects.push(kept.object);
    if (kept.event) events.push(kept.event);
  }
  const policy = desiredNetworkPolicy(atom, config.dns);
  if (policy) objects.push(policy as KubeObject);
  else if (obs.ownedNetworkPolicy) removals.push({ kind: 'NetworkPolicy', ...obs.ownedNetworkPolicy });
  return { objects, removals, events };
}

/**
 * A claim's class and access modes are fixed once created: keep what it has (leaving them out of the
 * apply would tell the server we give them up) and let only labels, owners and size move.
 */
function keptClaim(obs: AtomObservation, claim: KubeObject): { object: KubeObject; event?: PlannedEvent } {
  const live = obs.claim;
  if (!live) return { object: claim };
  const spec = (claim as { spec?: Record<string, unknown> }).spec ?? {};
  const object = {
    ...claim,
    spec: {
      ...spec,
      accessModes: live.accessModes,
      ...(live.storageClassName ? { storageClassName: live.storageClassName } : {}),
    },
  } as KubeObject;
  const { atom } = obs;
  const { storageClassName, accessMode } = atom.spec.storage;
  const fixed =
    (storageClassName && live.storageClassName !== storageClassName) || live.accessModes?.[0] !== accessMode;
  // Said once, on the pass that first sees the new spec: repeating it would be a write per resync.
  if (!fixed || atom.status?.observedGeneration === atom.metadata.generation) return { object };
  return {
    object,
    event: {
      type: 'Warning',
      reason: reasons.ClaimImmutable,
      message: `claim ${claim.metadata.name} keeps storage class ${live.storageClassName ?? '(default)'} and access mode ${live.accessModes?.join(', ')}: Kubernetes cannot change them on an existing claim; delete the claim (its data goes with it) to recreate it`,
    },
  };
}

export function networkState(obs: AtomObservation): NetworkState {
  const { atom } = obs;
  if (!atom.spec.networkPolicy.enabled) return { kind: 'Disabled' };
  if (obs.memory.networkPolicyFailed) {
    return {
      kind: 'Failed',
      message: `NetworkPolicy ${networkPolicyName(atom)} could not be applied: ${obs.memory.networkPolicyFailed}`,
    };
  }
  return { kind: 'Applied', summary: egressSummary(atom) };
}
