// The sandbox: an in-memory Kubernetes API server speaking the real REST
// protocol over HTTPS, for tests, benchmarks and the no-cluster "try it" mode.
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, mkdirSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { dump } from 'js-yaml';
import { Cluster } from './apiserver/cluster.js';
import { Controllers } from './apiserver/controllers.js';
import { SandboxFaults } from './apiserver/faults.js';
import { createApiServer } from './apiserver/http-server.js';
import { SandboxKubelet, type KubeletMode } from './apiserver/kubelet.js';
import { SandboxStats } from './apiserver/stats.js';
import type { KubeObject } from './apiserver/store.js';
import { WatchHub } from './apiserver/watch.js';
import { createCertificateAuthority } from './pki.js';

export type { KubeletMode, PodPhase, PhaseOptions } from './apiserver/kubelet.js';
export type { ErrorFault, FaultMatch, LatencyFault } from './apiserver/faults.js';
export type { CountFilter, RequestRecord, StatsSnapshot, Verb } from './apiserver/stats.js';
export type { KubeObject } from './apiserver/store.js';
export { SandboxFaults, SandboxKubelet, SandboxStats };

export interface SandboxOptions {
  /** 0 = random (default). */
  port?: number;
  /** auto: pods become Running+Ready shortly after creation. Default 'manual'. */
  kubeletMode?: KubeletMode;
  /** Auto mode: delay before a new pod is Running/Ready (default 50). */
  podStartDelayMs?: number;
  /** Auto mode: how long a gracefully deleted pod lingers (default 100; 0 = immediate). */
  podTerminationDelayMs?: number;
  /** Retained events for watch resume and continue tokens; older -> 410 (default 1000). */
  watchHistory?: number;
  /**
   * Interval of periodic BOOKMARK events on watches that allow them and do not accept gzip. Default
   * none: a real kube-apiserver promises no bookmark on a quiet watch, so nothing may depend on one.
   */
  bookmarkIntervalMs?: number;
  /** Where to write the kubeconfig (default a fresh temp dir). */
  dir?: string;
  /** Called for the sandbox's own bugs (500s); default prints to stderr. */
  onInternalError?: (err: unknown) => void;
}

/** Read-only view of stored objects, for assertions. */
export interface SandboxStore {
  /** `resource` is "pods", "atoms.atomoperator.io", or "group/plural" ("apps/deployments"). */
  get(resource: string, namespace: string | undefined, name: string): KubeObject | undefined;
  list(resource: string, namespace?: string): KubeObject[];
  /** The current resourceVersion of the whole store. */
  resourceVersion(): string;
  /**
   * Calls `listener` synchronously on every stored change of `resource` (invariant
   * checkers that must not miss a state between two samples). Returns the unsubscribe.
   */
  onChange(
    resource: string,
    listener: (type: 'ADDED' | 'MODIFIED' | 'DELETED', object: KubeObject) => void,
  ): () => void;
}

export interface Sandbox {
  url: string;
  kubeconfigPath: string;
  token: string;
  caCert: string;
  kubeConfig(): KubeConfig;
  stop(): Promise<void>;
  stats: SandboxStats;
  faults: SandboxFaults;
  kubelet: SandboxKubelet;
  store: SandboxStore;
}

/** Removes the kubeconfig, then its directory if that is left empty; synchronous, so it also runs on exit. */
function removeKubeconfig(kubeconfigPath: string, dir: string): void {
  rmSync(kubeconfigPath, { force: true });
  try {
    rmdirSync(dir);
  } catch {
    // not empty (someone else's files) or already gone: leave it
  }
}

function storeKeyOf(resource: string): string {
  if (resource.includes('/')) return resource;
  const dot = resource.indexOf('.');
  return dot < 0 ? `/${resource}` : `${resource.slice(dot + 1)}/${resource.slice(0, dot)}`;
}

const seedNamespaces = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];

/** The one node every pod is bound to; it exists so `kubectl get nodes` and `describe pod` read as on a cluster. */
function sandboxNode(): KubeObject {
  const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name: 'sandbox-node',
      uid: randomUUID(),
      creationTimestamp: now,
      labels: { 'kubernetes.io/hostname': 'sandbox-node', 'kubernetes.io/os': 'linux', 'kubernetes.io/arch': 'amd64' },
    },
    spec: {},
    status: {
      conditions: [
        {
          type: 'Ready',
          status: 'True',
          reason: 'KubeletReady',
          message: 'kubelet is posting ready status',
          lastHeartbeatTime: now,
          lastTransitionTime: now,
        },
      ],
      addresses: [
        { type: 'InternalIP', address: '10.0.0.10' },
        { type: 'Hostname', address: 'sandbox-node' },
      ],
      nodeInfo: {
        kubeletVersion: 'v1.32.0',
        containerRuntimeVersion: 'sandbox://1.0',
        operatingSystem: 'linux',
        architecture: 'amd64',
      },
      capacity: { cpu: '8', memory: '32Gi', pods: '110' },
      allocatable: { cpu: '8', memory: '32Gi', pods: '110' },
    },
  };
}

export async function startSandbox(opts: SandboxOptions = {}): Promise<Sandbox> {
  const report = opts.onInternalError ?? ((err: unknown) => console.error('sandbox: internal error', err));
  const cluster = new Cluster(opts.watchHistory ?? 1000);
  const nsType = cluster.registry.lookup('', 'v1', 'namespaces');
  if (!nsType) throw new Error('namespaces are not registered');
  for (const name of seedNamespaces) cluster.create(nsType, undefined, { metadata: { name } }, {}, 'kube-apiserver');
  const nodeType = cluster.registry.lookup('', 'v1', 'nodes');
  if (nodeType) cluster.store.put(nodeType.storeKey, sandboxNode());

  const controllers = new Controllers(cluster, report);
  const watches = new WatchHub(cluster.store, opts.bookmarkIntervalMs);
  const faults = new SandboxFaults(watches);
  const stats = new SandboxStats();
  const kubelet = new SandboxKubelet(
    cluster,
    opts.kubeletMode ?? 'manual',
    opts.podStartDelayMs ?? 50,
    opts.podTerminationDelayMs ?? 100,
    report,
  );

  const ca = await createCertificateAuthority('sandbox-ca');
  const serving = await ca.issue({ commonName: 'kube-apiserver', hosts: ['127.0.0.1', 'localhost'], usage: 'server' });
  const token = randomBytes(24).toString('hex');
  const server = createApiServer({
    cluster,
    watches,
    faults,
    stats,
    token,
    cert: serving.cert,
    key: serving.key,
    onInternalError: (err) => report(err),
  });
  const sockets = new Set<import('node:net').Socket>();
  server.on('secureConnection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const url = `https://127.0.0.1:${port}`;

  const dir = opts.dir ?? mkdtempSync(join(tmpdir(), 'sandbox-'));
  mkdirSync(dir, { recursive: true });
  const kubeconfigPath = join(dir, 'kubeconfig');
  writeFileSync(
    kubeconfigPath,
    dump({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [
        {
          name: 'sandbox',
          cluster: { server: url, 'certificate-authority-data': Buffer.from(ca.cert).toString('base64') },
        },
      ],
      users: [{ name: 'sandbox', user: { token } }],
      contexts: [{ name: 'sandbox', context: { cluster: 'sandbox', user: 'sandbox', namespace: 'default' } }],
      'current-context': 'sandbox',
    }),
    { mode: 0o600 },
  );

  // Also when the process exits without stop() (a second Ctrl-C, a failed start): nothing stays behind.
  const onExit = () => removeKubeconfig(kubeconfigPath, dir);
  if (opts.dir !== undefined) process.once('exit', onExit);

  let stopped = false;
  return {
    url,
    kubeconfigPath,
    token,
    caCert: ca.cert,
    kubeConfig() {
      const kc = new KubeConfig();
      kc.loadFromFile(kubeconfigPath);
      return kc;
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      kubelet.stop();
      controllers.stop();
      watches.closeAll();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const s of sockets) s.destroy();
      await closed;
      // The sandbox keeps nothing: its kubeconfig names a server that is gone. A directory it made
      // itself goes entirely; a caller's `dir` (`.sandbox/` of `make run`) only once nothing else is in it.
      if (opts.dir === undefined) rmSync(dir, { recursive: true, force: true });
      else {
        process.off('exit', onExit);
        removeKubeconfig(kubeconfigPath, dir);
      }
    },
    stats,
    faults,
    kubelet,
    store: {
      get: (resource, namespace, name) => cluster.store.get(storeKeyOf(resource), namespace, name),
      list: (resource, namespace) => cluster.store.list(storeKeyOf(resource), namespace),
      resourceVersion: () => String(cluster.store.currentRevision()),
      onChange(resource, listener) {
        const key = storeKeyOf(resource);
        return cluster.store.subscribe((e) => {
          if (e.storeKey === key) listener(e.type, structuredClone(e.object));
        });
      },
    },
  };
}
