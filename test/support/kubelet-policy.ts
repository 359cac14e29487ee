// A stand-in kubelet for rollout tests (the sandbox kubelet in manual mode, driven
// by a rule): pods of a "bad" image crash-loop, every other pod becomes Ready;
// terminating pods finish after a short grace. It also watches the invariants:
// never two pods of one Atom, and every image that ever ran.
import type { V1Pod } from '@kubernetes/client-node';
import type { Sandbox } from '../../src/sandbox/index.js';

export interface KubeletPolicy {
  badImages: Set<string>;
  /** Images seen per Atom (namespace/name), in order. */
  imagesRun: Map<string, string[]>;
  /** Times two pods of one Atom existed at once. */
  overlaps: string[];
  /** Highest number of Atoms whose newest rollout record was InProgress at one sample. */
  maxUpdating: number;
  stop(): void;
}

export function startKubeletPolicy(
  sandbox: Sandbox,
  options: { terminationMs?: number; intervalMs?: number } = {},
): KubeletPolicy {
  const policy: KubeletPolicy = {
    badImages: new Set(),
    imagesRun: new Map(),
    overlaps: [],
    maxUpdating: 0,
    stop: () => clearInterval(timer),
  };
  const terminating = new Map<string, number>();
  const tick = () => {
    const pods = sandbox.store.list('pods') as V1Pod[];
    const perAtom = new Map<string, number>();
    for (const pod of pods) {
      const ns = pod.metadata!.namespace!;
      const name = pod.metadata!.name!;
      const atom = pod.metadata?.labels?.['atomoperator.io/atom'];
      if (atom) {
        const k = `${ns}/${atom}`;
        perAtom.set(k, (perAtom.get(k) ?? 0) + 1);
        const image = pod.spec!.containers[0]!.image!;
        const seen = policy.imagesRun.get(k) ?? [];
        if (seen.at(-1) !== image) policy.imagesRun.set(k, [...seen, image]);
      }
      try {
        if (pod.metadata?.deletionTimestamp) {
          const since = terminating.get(pod.metadata.uid!) ?? Date.now();
          terminating.set(pod.metadata.uid!, since);
          if (Date.now() - since >= (options.terminationMs ?? 50)) sandbox.kubelet.finishTermination(ns, name);
        } else if (policy.badImages.has(pod.spec!.containers[0]!.image!)) {
          if (!pod.status?.containerStatuses?.some((c) => c.state?.waiting?.reason === 'CrashLoopBackOff'))
            sandbox.kubelet.crashLoop(ns, name);
        } else if (!pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')) {
          sandbox.kubelet.setPodReady(ns, name, true);
        }
      } catch {
        // The pod went away between list and action.
      }
    }
    for (const [k, n] of perAtom) if (n > 1) policy.overlaps.push(k);
    const updating = (
      sandbox.store.list('atoms.atomoperator.io') as { status?: { rolloutHistory?: { result: string }[] } }[]
    ).filter((a) => a.status?.rolloutHistory?.at(-1)?.result === 'InProgress').length;
    policy.maxUpdating = Math.max(policy.maxUpdating, updating);
  };
  const timer = setInterval(tick, options.intervalMs ?? 10);
  return policy;
}
