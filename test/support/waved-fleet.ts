// A fleet of Atoms in rollout waves, installed at 1.0.0 behind the stand-in kubelet: the setup
// every fleet-rollout test starts from (the integration suite and the kubectl-atom fleet commands).
import { release, startHarness, type Harness } from './harness.js';
import { startKubeletPolicy, type KubeletPolicy } from './kubelet-policy.js';

export interface WavedFleet {
  h: Harness;
  kubelet: KubeletPolicy;
}

/** The image reference a release made with `release(version, digestChar)` runs. */
export const fleetImage = (digestChar: string) => `boomi/atom@sha256:${digestChar.repeat(64)}`;

/**
 * Starts the harness (manual kubelet driven by the policy), advertises 1.0.0 on `stable`, starts
 * the operator with `operatorArgs`, and applies one Atom per name in the wave given at its index.
 * Waiting for the fleet to be installed is left to the caller, which may add Atoms of its own.
 */
export async function startWavedFleet(
  ns: string,
  names: string[],
  waves: number[],
  operatorArgs: string[],
): Promise<WavedFleet> {
  const h = await startHarness({ sandbox: { kubeletMode: 'manual' }, operatorArgs });
  const kubelet = startKubeletPolicy(h.sandbox);
  h.simulator.setRelease('stable', release('1.0.0', '1'));
  await h.startOperator();
  for (const [i, name] of names.entries()) {
    await h.createRegistrationSecret(ns, `${name}-registration`, { commonName: 'fleet' });
    await h.applyAtom(ns, name, { update: { wave: waves[i] } });
  }
  return { h, kubelet };
}
