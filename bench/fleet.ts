// The fleet under test: Atom names, specs and Secrets, and reading the Atoms
// back (from the sandbox's store, or from the cluster with list requests).
import { AtomType } from '../src/controller/atom/controller.js';
import { resourcePath, type KubeObject } from '../src/kube/resource.js';
import type { SandboxStore } from '../src/sandbox/index.js';
import { mapLimit } from './concurrency.js';
import { applyRegistrationSecret, issueCertificates, type BenchEnvironment } from './environment.js';
import { BENCH_FIELD_MANAGER } from './request-tap.js';

/** Atoms of one group follow one channel; `shared` Atoms share a few Secrets, `own` Atoms each have one. */
export type Group = 'shared' | 'own';

export interface FleetAtom {
  name: string;
  group: Group;
  secret: string;
  /** Index into the group's certificate pool. */
  certificate: number;
}

export interface FleetPlan {
  atoms: FleetAtom[];
  certificatesPerGroup: number;
}

export interface AtomView {
  name: string;
  generation: number;
  observedGeneration: number | undefined;
  ready: boolean;
  currentVersion: string | undefined;
}

export const CHANNEL: Record<Group, string> = { shared: 'bench-shared', own: 'bench-own' };

export function planFleet(size: number, certificatesPerGroup: number): FleetPlan {
  const atoms = Array.from({ length: size }, (_, i): FleetAtom => {
    const name = `atom-${String(i).padStart(5, '0')}`;
    const group: Group = i % 2 === 0 ? 'shared' : 'own';
    const certificate = Math.floor(i / 2) % certificatesPerGroup;
    return {
      name,
      group,
      certificate,
      secret: group === 'shared' ? `bench-shared-${certificate}` : `${name}-registration`,
    };
  });
  return { atoms, certificatesPerGroup };
}

/** Issues the certificates and applies every Secret the plan names. */
export async function applySecrets(env: BenchEnvironment, plan: FleetPlan): Promise<void> {
  const pools = {
    shared: await issueCertificates(env, 'bench-shared', plan.certificatesPerGroup),
    own: await issueCertificates(env, 'bench-own', plan.certificatesPerGroup),
  };
  const secrets = new Map<string, FleetAtom>();
  for (const a of plan.atoms) secrets.set(a.secret, a);
  await mapLimit([...secrets.values()], 16, (a) =>
    applyRegistrationSecret(env, a.secret, pools[a.group][a.certificate]!),
  );
}

/** `variant` changes the egress CIDRs: a spec change that touches one child (the NetworkPolicy) and the status. */
export function atomManifest(namespace: string, a: FleetAtom, variant = 0): KubeObject {
  return {
    apiVersion: 'atomoperator.io/v1alpha1',
    kind: 'Atom',
    metadata: { name: a.name, namespace },
    spec: {
      platform: { accountId: 'bench' },
      registration: { certificateSecretRef: { name: a.secret } },
      update: { mode: 'Automatic', channel: CHANNEL[a.group] },
      ...(variant === 0 ? {} : { networkPolicy: { egressCIDRs: [`10.${variant % 256}.0.0/16`] } }),
    },
  } as KubeObject;
}

export async function applyAtom(env: BenchEnvironment, a: FleetAtom, variant = 0): Promise<void> {
  await env.api.applyObject(atomManifest(env.namespace, a, variant), { fieldManager: BENCH_FIELD_MANAGER });
}

interface RawAtom {
  metadata?: { name?: string; generation?: number };
  status?: { observedGeneration?: number; currentVersion?: string; conditions?: { type: string; status: string }[] };
}

function view(raw: RawAtom): AtomView {
  return {
    name: raw.metadata?.name ?? '',
    generation: raw.metadata?.generation ?? 0,
    observedGeneration: raw.status?.observedGeneration,
    ready: raw.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false,
    currentVersion: raw.status?.currentVersion,
  };
}

/** Every Atom in the namespace; the sandbox is read in memory so the benchmark's reads do not show up as requests. */
export async function listAtoms(env: BenchEnvironment): Promise<AtomView[]> {
  if (env.sandbox) return (env.sandbox.store.list('atoms.atomoperator.io', env.namespace) as RawAtom[]).map(view);
  const list = (await env.api.client.request({
    method: 'GET',
    path: resourcePath(AtomType, { namespace: env.namespace }),
  })) as { items?: RawAtom[] };
  return (list.items ?? []).map(view);
}

export function readAtomSync(store: SandboxStore, namespace: string, name: string): AtomView | undefined {
  const raw = store.get('atoms.atomoperator.io', namespace, name) as RawAtom | undefined;
  return raw ? view(raw) : undefined;
}

export async function readAtom(env: BenchEnvironment, name: string): Promise<AtomView | undefined> {
  if (env.sandbox) return readAtomSync(env.sandbox.store, env.namespace, name);
  const raw = await env.api.get<KubeObject>({
    apiVersion: 'atomoperator.io/v1alpha1',
    kind: 'Atom',
    namespace: env.namespace,
    name,
  });
  return raw ? view(raw as RawAtom) : undefined;
}

/** A release as the platform advertises it (the operator runs without release keys, so unsigned). */
export function release(version: string, digestChar: string): Record<string, unknown> {
  return {
    version,
    image: 'boomi/atom',
    digest: `sha256:${digestChar.repeat(64)}`,
    publishedAt: '2026-11-20T00:00:00Z',
    critical: false,
  };
}
