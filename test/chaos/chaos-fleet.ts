// The fixture of the chaos suite: sandbox API server and platform simulator in
// this process, a fleet of Atoms sharing one registration certificate (one poll
// per channel), the release keys file, and helpers that read the fleet's state.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateKeyPairSync } from 'node:crypto';
import { atomCRD } from '../../src/api/crd.js';
import { AtomType } from '../../src/controller/atom/controller.js';
import { KubeApi } from '../../src/kube/api.js';
import { KubeClient } from '../../src/kube/client.js';
import type { KubeObject } from '../../src/kube/resource.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { startPlatformSimulator, type PlatformSimulator } from '../../src/sandbox/platform-simulator/index.js';
import { USER } from '../support/harness.js';

export const NS = 'default';
export const CHANNEL = 'stable';
export const REPOSITORY = 'boomi/atom';
export const LEASE = 'atom-operator-leader';

export interface ChaosFleet {
  sandbox: Sandbox;
  simulator: PlatformSimulator;
  api: KubeApi;
  names: string[];
  /** PEM file holding the simulator's release public key. */
  keysFile: string;
  /** The private key of a signer the operator does not trust (forged releases). */
  forgerKeyPem: string;
  stop(): Promise<void>;
}

/** An operator's flags for this fleet: its simulator polled every second, its release key trusted, free ports, quiet logs. */
export const fleetOperatorArgs = (fleet: ChaosFleet): string[] => [
  `--platform-url=${fleet.simulator.url}`,
  '--platform-poll-interval=1s',
  `--platform-release-public-keys-file=${fleet.keysFile}`,
  '--metrics-address=127.0.0.1:0',
  '--health-address=127.0.0.1:0',
  '--log-level=warn',
];

export const digestOf = (c: string) => `sha256:${c.repeat(64)}`;
export const imageOf = (c: string) => `${REPOSITORY}@${digestOf(c)}`;
export const releaseOf = (version: string, c: string) => ({
  version,
  image: REPOSITORY,
  digest: digestOf(c),
  publishedAt: '2026-11-20T00:00:00Z',
  critical: false,
});

const b64 = (s: string) => Buffer.from(s).toString('base64');

export async function startChaosFleet(size: number): Promise<ChaosFleet> {
  const sandbox = await startSandbox({
    kubeletMode: 'auto',
    podStartDelayMs: 50,
    podTerminationDelayMs: 100,
    watchHistory: 5000,
  });
  const simulator = await startPlatformSimulator();
  const api = new KubeApi(new KubeClient(sandbox.kubeConfig()), [AtomType]);
  await api.applyObject(atomCRD() as unknown as KubeObject, { fieldManager: USER });
  const dir = mkdtempSync(join(tmpdir(), 'chaos-'));
  const keysFile = join(dir, 'release-keys.pem');
  writeFileSync(keysFile, simulator.releaseKeys.publicKeyPem);
  const forger = generateKeyPairSync('ed25519');
  const names = Array.from({ length: size }, (_, i) => `chaos-${String(i).padStart(3, '0')}`);
  const issued = await simulator.issueRegistrationCertificate('fleet');
  const data = { 'tls.crt': b64(issued.cert), 'tls.key': b64(issued.key), 'ca.crt': b64(issued.ca) };
  for (const name of names) {
    await api.applyObject(
      {
        apiVersion: 'v1',
        kind: 'Secret',
        type: 'kubernetes.io/tls',
        metadata: { name: `${name}-registration`, namespace: NS },
        data,
      } as KubeObject,
      { fieldManager: USER },
    );
    await api.applyObject(
      {
        apiVersion: 'atomoperator.io/v1alpha1',
        kind: 'Atom',
        metadata: { name, namespace: NS },
        spec: {
          platform: { accountId: 'acme' },
          registration: { certificateSecretRef: { name: `${name}-registration` } },
          update: { channel: CHANNEL },
        },
      } as KubeObject,
      { fieldManager: USER },
    );
  }
  return {
    sandbox,
    simulator,
    api,
    names,
    keysFile,
    forgerKeyPem: forger.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    async stop() {
      await simulator.stop();
      await sandbox.stop();
    },
  };
}

interface AtomState {
  status?: {
    currentVersion?: string;
    conditions?: { type: string; status: string; reason: string }[];
    rolloutHistory?: { to: string; result: string }[];
    failedVersions?: string[];
  };
}

export function atomState(fleet: ChaosFleet, name: string): AtomState | undefined {
  return fleet.sandbox.store.get('atoms.atomoperator.io', NS, name) as AtomState | undefined;
}

type PodSnapshot = { metadata: { labels?: Record<string, string> }; spec?: { containers: { image?: string }[] } };

/**
 * What keeps each Atom from being converged at `version` on `image` (empty when all are).
 * Reads every kind once per call: the store clones what it returns, and a per-Atom list
 * of all pods would load the sandbox (and so the operators' requests) quadratically.
 */
export function convergenceGaps(fleet: ChaosFleet, version: string, image: string, names = fleet.names): string[] {
  const store = fleet.sandbox.store;
  const byName = <T>(resource: string) => new Map(store.list(resource, NS).map((o) => [o.metadata.name, o as T]));
  const atoms = byName<AtomState>('atoms.atomoperator.io');
  const claims = byName('persistentvolumeclaims');
  const policies = byName('networkpolicies.networking.k8s.io');
  const accounts = byName('serviceaccounts');
  const pods = new Map<string, PodSnapshot[]>();
  for (const pod of store.list('pods', NS) as unknown as PodSnapshot[]) {
    const atom = pod.metadata.labels?.['atomoperator.io/atom'];
    if (atom) pods.set(atom, [...(pods.get(atom) ?? []), pod]);
  }
  return names.flatMap((name) => {
    const atom = atoms.get(name);
    if (!atom) return [`${name}: the Atom is gone`];
    const gaps: string[] = [];
    const ready = atom.status?.conditions?.find((c) => c.type === 'Ready');
    if (ready?.status !== 'True') gaps.push(`Ready is ${ready?.status ?? 'missing'} (${ready?.reason ?? '-'})`);
    if (atom.status?.currentVersion !== version) gaps.push(`currentVersion ${atom.status?.currentVersion ?? 'none'}`);
    const own = pods.get(name) ?? [];
    if (own.length !== 1) gaps.push(`${own.length} pods`);
    else if (own[0]?.spec?.containers[0]?.image !== image)
      gaps.push(`pod image ${own[0]?.spec?.containers[0]?.image ?? 'none'}`);
    if (!claims.has(`${name}-install`)) gaps.push('no PVC');
    if (!policies.has(`${name}-egress`)) gaps.push('no NetworkPolicy');
    if (!accounts.has(`${name}-agent`)) gaps.push('no ServiceAccount');
    return gaps.map((g) => `${name}: ${g}`);
  });
}

export function leaseHolder(fleet: ChaosFleet): string | undefined {
  const lease = fleet.sandbox.store.get('leases.coordination.k8s.io', NS, LEASE) as
    | { spec?: { holderIdentity?: string } }
    | undefined;
  return lease?.spec?.holderIdentity || undefined;
}
