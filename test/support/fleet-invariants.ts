// Invariants over a whole run, checked on every change the sandbox store makes
// (synchronously, in the test process), so no state between two samples is missed:
// never two pods of one Atom, every pod image a trusted release, no Atom deleted.
import type { Sandbox } from '../../src/sandbox/index.js';

const ATOM_LABEL = 'atomoperator.io/atom';

export interface FleetInvariants {
  /** "ns/atom: pod-a + pod-b" for every moment two pods of one Atom existed. */
  readonly overlaps: string[];
  /** "ns/pod: image" for every pod that carried an image not in the trusted set. */
  readonly untrustedImages: string[];
  /** Atoms that were deleted while watched. */
  readonly lostAtoms: string[];
  /** Every image seen on a pod of an Atom. */
  readonly imagesSeen: Set<string>;
  /** Pods of Atoms created while watched. */
  podsCreated: number;
  /** Marks an image as a release the platform advertised with a valid signature. */
  trust(image: string): void;
  /** Every broken invariant, one line each (empty when all held). */
  violations(): string[];
  stop(): void;
}

interface PodLike {
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  spec?: { containers?: { image?: string }[]; initContainers?: { image?: string }[] };
}

export function watchFleetInvariants(sandbox: Sandbox): FleetInvariants {
  const trusted = new Set<string>();
  const podsByAtom = new Map<string, Set<string>>();
  const inv: FleetInvariants = {
    overlaps: [],
    untrustedImages: [],
    lostAtoms: [],
    imagesSeen: new Set(),
    podsCreated: 0,
    trust: (image) => void trusted.add(image),
    violations: () => [
      ...inv.overlaps.map((o) => `two pods of one Atom at once: ${o}`),
      ...inv.untrustedImages.map((i) => `a pod ran an image no valid signed release advertised: ${i}`),
      ...inv.lostAtoms.map((a) => `an Atom was lost: ${a}`),
    ],
    stop: () => {
      offPods();
      offAtoms();
    },
  };

  // What the Atom's status said when the pod appeared: why the operator chose that image.
  const upToDateOf = (namespace: string | undefined, name: string) => {
    const atom = sandbox.store.get('atoms.atomoperator.io', namespace, name) as
      | { status?: { conditions?: { type: string; reason?: string; message?: string }[] } }
      | undefined;
    const c = atom?.status?.conditions?.find((x) => x.type === 'UpToDate');
    return c ? `UpToDate ${c.reason ?? ''}: ${c.message ?? ''}` : 'no UpToDate condition';
  };
  const reported = new Set<string>();
  const report = (into: string[], line: string) => {
    if (reported.has(line)) return;
    reported.add(line);
    into.push(line);
  };
  const onPod = (type: string, object: unknown) => {
    const pod = object as PodLike;
    const atom = pod.metadata.labels?.[ATOM_LABEL];
    if (!atom) return;
    const key = `${pod.metadata.namespace ?? ''}/${atom}`;
    const pods = podsByAtom.get(key) ?? new Set<string>();
    podsByAtom.set(key, pods);
    if (type === 'DELETED') {
      pods.delete(pod.metadata.name);
      return;
    }
    pods.add(pod.metadata.name);
    if (pods.size > 1) report(inv.overlaps, `${key}: ${[...pods].sort().join(' + ')}`);
    // Images of a pod never change (the API server refuses it), so its creation tells all.
    if (type !== 'ADDED') return;
    inv.podsCreated += 1;
    for (const c of [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])]) {
      const image = c.image ?? '';
      inv.imagesSeen.add(image);
      if (!trusted.has(image))
        report(
          inv.untrustedImages,
          `${pod.metadata.namespace ?? ''}/${pod.metadata.name}: ${image} (the Atom said then: ${upToDateOf(pod.metadata.namespace, atom)})`,
        );
    }
  };
  const onAtom = (type: string, object: unknown) => {
    const { metadata } = object as PodLike;
    if (type === 'DELETED') inv.lostAtoms.push(`${metadata.namespace ?? ''}/${metadata.name}`);
  };

  // Pods that exist already are counted, so a watcher started late still sees overlaps.
  for (const pod of sandbox.store.list('pods')) onPod('ADDED', pod);
  const offPods = sandbox.store.onChange('pods', onPod);
  const offAtoms = sandbox.store.onChange('atoms.atomoperator.io', onAtom);
  return inv;
}
