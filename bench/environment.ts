// What the operator runs against: the sandbox API server (or a real cluster),
// the platform simulator, the Atom CRD, and the registration Secrets of a fleet.
import { atomCRD } from '../src/api/crd.js';
import { AtomType } from '../src/controller/atom/controller.js';
import { KubeApi } from '../src/kube/api.js';
import { KubeClient } from '../src/kube/client.js';
import { CoreTypes, type KubeObject } from '../src/kube/resource.js';
import { startSandbox, type Sandbox } from '../src/sandbox/index.js';
import { startPlatformSimulator, type PlatformSimulator } from '../src/sandbox/platform-simulator/index.js';
import { KubeConfig } from '@kubernetes/client-node';
import { BENCH_FIELD_MANAGER } from './request-tap.js';
import { mapLimit } from './concurrency.js';

export interface BenchEnvironment {
  /** Undefined against a real cluster. */
  sandbox: Sandbox | undefined;
  simulator: PlatformSimulator;
  api: KubeApi;
  kubeconfigPath: string;
  namespace: string;
  stop(): Promise<void>;
}

export interface EnvironmentOptions {
  /** Run against this cluster instead of starting the sandbox. */
  kubeconfig?: string;
  namespace: string;
}

export async function startEnvironment(opts: EnvironmentOptions): Promise<BenchEnvironment> {
  const sandbox = opts.kubeconfig
    ? undefined
    : await startSandbox({
        kubeletMode: 'auto',
        podStartDelayMs: 50,
        podTerminationDelayMs: 20,
        // A 10,000-Atom fleet makes ~60,000 changes; a short history would send the operator's watches into 410 relists.
        watchHistory: 200_000,
        bookmarkIntervalMs: 5_000,
      });
  const kubeconfigPath = opts.kubeconfig ?? sandbox!.kubeconfigPath;
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfigPath);
  const api = new KubeApi(new KubeClient(kc), [CoreTypes.customResourceDefinitions, AtomType]);
  await api.applyObject(atomCRD() as unknown as KubeObject, { fieldManager: BENCH_FIELD_MANAGER });
  await api.applyObject({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: opts.namespace } } as KubeObject, {
    fieldManager: BENCH_FIELD_MANAGER,
  });
  const simulator = await startPlatformSimulator();
  return {
    sandbox,
    simulator,
    api,
    kubeconfigPath,
    namespace: opts.namespace,
    async stop() {
      await simulator.stop();
      if (sandbox) await sandbox.stop();
      // On a real cluster the fleet would outlive the run: its namespace goes, and the Atoms with it.
      else await api.deleteObject({ apiVersion: 'v1', kind: 'Namespace', name: opts.namespace }).catch(() => undefined);
    },
  };
}

const b64 = (s: string) => Buffer.from(s).toString('base64');

export async function applyRegistrationSecret(
  env: BenchEnvironment,
  name: string,
  cert: { cert: string; key: string; ca: string },
): Promise<void> {
  await env.api.applyObject(
    {
      apiVersion: 'v1',
      kind: 'Secret',
      type: 'kubernetes.io/tls',
      metadata: { name, namespace: env.namespace },
      data: { 'tls.crt': b64(cert.cert), 'tls.key': b64(cert.key), 'ca.crt': b64(cert.ca) },
    } as KubeObject,
    { fieldManager: BENCH_FIELD_MANAGER },
  );
}

export async function issueCertificates(
  env: BenchEnvironment,
  prefix: string,
  count: number,
): Promise<{ cert: string; key: string; ca: string }[]> {
  return mapLimit(
    Array.from({ length: count }, (_, i) => i),
    4,
    (i) => env.simulator.issueRegistrationCertificate(`${prefix}-${i}`),
  );
}
