// The children an Atom asks for besides its pod (ServiceAccount, claim, NetworkPolicy), as built
// objects, and what the NetworkIsolated condition says about them.
import type { KubeObject } from '../../kube/resource.js';
import { type ChildContext, egressSummary, networkPolicyName, specChildKinds } from '../../resources/index.js';
import type { PlannedEvent } from '../../rollout/index.js';
import type { Decision } from './decide.js';
import type { AtomObservation } from './observation.js';
import type { NetworkState } from './status.js';

export interface DesiredChildren {
  objects: KubeObject[];
  removals: Decision['removals'];
  events: PlannedEvent[];
}

/** What each kind in the registry asks for; an owned child no longer asked for is removed if its kind says so. */
export function desiredChildren(obs: AtomObservation, config: ChildContext): DesiredChildren {
  const { atom } = obs;
  const result: DesiredChildren = { objects: [], removals: [], events: [] };
  for (const kind of specChildKinds) {
    const live = obs.children[kind.kind];
    const wanted = kind.desired?.(atom, config, live?.facts);
    if (wanted) {
      result.objects.push(wanted.object);
      // Said once, on the pass that first sees the new spec: repeating it would be a write per resync.
      if (wanted.warning && atom.status?.observedGeneration !== atom.metadata.generation) {
        result.events.push({ type: 'Warning', ...wanted.warning });
      }
    } else if (live?.owned && kind.removeWhenUnwanted) {
      const { name, uid, resourceVersion } = live;
      result.removals.push({
        kind: kind.kind,
        name,
        ...(uid ? { uid } : {}),
        ...(resourceVersion ? { resourceVersion } : {}),
      });
    }
  }
  return result;
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
