// The no-cluster "try it" mode: a sandbox API server and a platform simulator on
// 127.0.0.1, the Atom CRD, sample Atoms with real registration certificates
// issued by the simulator, and a signed release on the "stable" channel.
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadAll } from 'js-yaml';
import { atomCRD } from '../api/crd.js';
import { KubeApi } from '../kube/api.js';
import { KubeClient } from '../kube/client.js';
import type { KubeObject } from '../kube/resource.js';
import { AtomType } from '../controller/atom/controller.js';
import { startSandbox, type Sandbox } from '../sandbox/index.js';
import { startPlatformSimulator, type PlatformSimulator } from '../sandbox/platform-simulator/index.js';

export interface Demo {
  sandbox: Sandbox;
  simulator: PlatformSimulator;
  /** Release signing keys the operator must trust. */
  releasePublicKeys: string[];
  atoms: string[];
  /** The sample Atom the platform stops hearing from a minute after start (namespace/name). */
  goesOffline: string;
  stop(): Promise<void>;
}

/** Shows the platform's view of an Atom: this sample drops off the platform after a minute. */
export const demoOffline = { namespace: 'atoms-eu', name: 'atom-eu-3', afterMs: 60_000 };

export const demoRelease = {
  version: '5.0.2',
  image: 'boomi/atom',
  digest: `sha256:${'5'.repeat(64)}`,
  publishedAt: '2026-11-20T00:00:00Z',
  critical: false,
};

/** Starts the sandbox demo; `examplesDir` holds the sample Atoms to apply (minimal and fleet). */
export async function startDemo(options: { dir: string; examplesDir: string; offlineAfterMs?: number }): Promise<Demo> {
  mkdirSync(options.dir, { recursive: true });
  const sandbox = await startSandbox({
    dir: options.dir,
    kubeletMode: 'auto',
    podStartDelayMs: 1_500,
    podTerminationDelayMs: 1_000,
  });
  const simulator = await startPlatformSimulator();
  simulator.signWith(simulator.releaseKeys.privateKeyPem);
  simulator.setRelease('stable', demoRelease);
  const api = new KubeApi(new KubeClient(sandbox.kubeConfig()), [AtomType]);
  await api.applyObject(atomCRD() as unknown as KubeObject, { fieldManager: 'atom-operator-demo' });

  // The fleet example's kustomization puts its Atoms in atoms-eu; here we do the same by hand.
  const samples = [
    { file: 'minimal/atom.yaml', namespace: 'default' },
    ...['atom-eu-1', 'atom-eu-2', 'atom-eu-3', 'atom-eu-manual'].map((name) => ({
      file: `fleet/${name}.yaml`,
      namespace: 'atoms-eu',
    })),
  ];
  await api.applyObject(
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'atoms-eu' } },
    { fieldManager: 'atom-operator-demo' },
  );
  const atoms: string[] = [];
  for (const { file, namespace } of samples) {
    const doc = loadAll(readFileSync(join(options.examplesDir, file), 'utf8'))[0] as KubeObject & {
      spec: { registration: { certificateSecretRef: { name: string } } };
    };
    const issued = await simulator.issueRegistrationCertificate(`${namespace}.${doc.metadata.name}`);
    await api.applyObject(
      {
        apiVersion: 'v1',
        kind: 'Secret',
        type: 'kubernetes.io/tls',
        metadata: { name: doc.spec.registration.certificateSecretRef.name, namespace },
        data: { 'tls.crt': b64(issued.cert), 'tls.key': b64(issued.key), 'ca.crt': b64(issued.ca) },
      } as KubeObject,
      { fieldManager: 'atom-operator-demo' },
    );
    await api.applyObject({ ...doc, metadata: { ...doc.metadata, namespace } }, { fieldManager: 'atom-operator-demo' });
    atoms.push(`${namespace}/${doc.metadata.name}`);
  }
  // Registration certificates are named namespace.name, and the simulator answers per certificate.
  const offline = setTimeout(
    () => simulator.setSelfStatus(`${demoOffline.namespace}.${demoOffline.name}`, { answer: 'offline' }),
    options.offlineAfterMs ?? demoOffline.afterMs,
  );
  offline.unref();
  return {
    sandbox,
    simulator,
    goesOffline: `${demoOffline.namespace}/${demoOffline.name}`,
    releasePublicKeys: [simulator.releaseKeys.publicKeyPem],
    atoms,
    async stop() {
      clearTimeout(offline);
      await simulator.stop();
      await sandbox.stop();
    },
  };
}

const b64 = (text: string) => Buffer.from(text).toString('base64');
