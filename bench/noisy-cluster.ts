// The operator's memory must not grow with what it does not manage. Two operator
// processes, no Atoms, watching every namespace as a default install does: one on a
// quiet cluster, one on the same cluster after unrelated objects arrive in their own
// namespace (Helm release sized Secrets, pods, ConfigMaps). Each is measured once its
// caches have synced and it has settled. A figure, never a test assertion.
import { startEnvironment, type BenchEnvironment } from './environment.js';
import { mapLimit, sleep } from './concurrency.js';
import { metricSum, startOperatorProcess, type OperatorRuntime } from './operator-process.js';
import { round } from './percentiles.js';
import { BENCH_FIELD_MANAGER } from './request-tap.js';
import type { KubeObject } from '../src/kube/resource.js';

export interface NoisyClusterOptions {
  secrets: number;
  secretKiB: number;
  pods: number;
  configMaps: number;
  runtime: OperatorRuntime;
  /** How long each operator runs after it is ready before it is measured. */
  settleMs: number;
  log(message: string): void;
}

export interface OperatorMemory {
  rssMiB: number;
  peakRssMiB: number;
  heapUsedMiB: number;
}

export interface NoisyClusterFigures {
  noise: { namespace: string; secrets: number; secretKiB: number; pods: number; configMaps: number };
  quiet: OperatorMemory;
  /** A second operator on the same quiet cluster: how much RSS differs from one process to the next anyway. */
  quietAgain: OperatorMemory;
  noisy: OperatorMemory;
  /** noisy - the mean of the two quiet RSS; target: within 10 MiB. */
  rssDeltaMiB: number;
}

const NOISE_NS = 'unrelated-noise';
const MiB = 1024 * 1024;

async function measureOperator(env: BenchEnvironment, opts: NoisyClusterOptions): Promise<OperatorMemory> {
  const operator = await startOperatorProcess(opts.runtime, [
    `--kubeconfig=${env.kubeconfigPath}`,
    `--platform-url=${env.simulator.url}`,
    '--shutdown-timeout=5s',
  ]);
  try {
    await sleep(opts.settleMs);
    const usage = operator.usage();
    const heap = metricSum(await operator.metrics(), 'nodejs_heap_size_used_bytes');
    return {
      rssMiB: round(usage.rssBytes / MiB),
      peakRssMiB: round(usage.peakRssBytes / MiB),
      heapUsedMiB: round(heap / MiB),
    };
  } finally {
    await operator.stop();
  }
}

/** A Helm release Secret: its payload is a gzipped, base64 release record of about `kib` KiB. */
function helmSecret(i: number, kib: number): KubeObject {
  const payload = Buffer.alloc(kib * 1024, i % 251).toString('base64');
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    type: 'helm.sh/release.v1',
    metadata: {
      name: `sh.helm.release.v1.app-${i}.v1`,
      namespace: NOISE_NS,
      labels: { owner: 'helm', name: `app-${i}`, status: 'deployed', version: '1' },
    },
    data: { release: payload },
  } as KubeObject;
}

function pod(i: number): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: `web-${i}`, namespace: NOISE_NS, labels: { app: 'web' } },
    spec: { containers: [{ name: 'web', image: 'registry.example/web:1.0' }] },
  } as KubeObject;
}

function configMap(i: number): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: `settings-${i}`, namespace: NOISE_NS },
    data: { 'settings.yaml': `replicas: ${i}\nfeature: on\n`.repeat(20) },
  } as KubeObject;
}

async function createNoise(env: BenchEnvironment, opts: NoisyClusterOptions): Promise<void> {
  const create = (obj: KubeObject) => env.api.applyObject(obj, { fieldManager: BENCH_FIELD_MANAGER });
  await create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: NOISE_NS } } as KubeObject);
  const range = (n: number) => Array.from({ length: n }, (_, i) => i);
  await mapLimit(range(opts.secrets), 8, (i) => create(helmSecret(i, opts.secretKiB)));
  await mapLimit(range(opts.pods), 16, (i) => create(pod(i)));
  await mapLimit(range(opts.configMaps), 16, (i) => create(configMap(i)));
}

export async function measureNoisyCluster(opts: NoisyClusterOptions): Promise<NoisyClusterFigures> {
  const env = await startEnvironment({ namespace: 'atom-bench-noisy' });
  try {
    const quiet = await measureOperator(env, opts);
    const quietAgain = await measureOperator(env, opts);
    opts.log(
      `  noisy cluster: quiet operators ${quiet.rssMiB} and ${quietAgain.rssMiB} MiB RSS (peak ${quiet.peakRssMiB}, ${quietAgain.peakRssMiB})`,
    );
    const t0 = Date.now();
    await createNoise(env, opts);
    opts.log(
      `  noisy cluster: ${opts.secrets} Secrets of ${opts.secretKiB} KiB, ${opts.pods} pods, ${opts.configMaps} ConfigMaps in ${round((Date.now() - t0) / 1000)} s`,
    );
    const noisy = await measureOperator(env, opts);
    opts.log(`  noisy cluster: noisy operator ${noisy.rssMiB} MiB RSS (peak ${noisy.peakRssMiB})`);
    return {
      noise: {
        namespace: NOISE_NS,
        secrets: opts.secrets,
        secretKiB: opts.secretKiB,
        pods: opts.pods,
        configMaps: opts.configMaps,
      },
      quiet,
      quietAgain,
      noisy,
      rssDeltaMiB: round(noisy.rssMiB - (quiet.rssMiB + quietAgain.rssMiB) / 2),
    };
  } finally {
    await env.stop();
  }
}
