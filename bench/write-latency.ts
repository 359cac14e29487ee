// Creation of a fleet against an API server that takes as long per write as an
// etcd-backed one (about 20 ms): the sandbox delays every create, update, patch and
// delete by --write-latency. Measured: from the first Atom create until every Atom
// has all of its children (Pod, PVC, NetworkPolicy, ServiceAccount), and until every
// Atom is Ready. The operator runs with its own default workers and rate limit, as
// installed. A figure, never a test assertion.
import { startEnvironment } from './environment.js';
import { applyAtom, applySecrets, CHANNEL, planFleet, readAtomSync, release } from './fleet.js';
import { mapLimit, pollUntil } from './concurrency.js';
import { startOperatorProcess, type OperatorRuntime } from './operator-process.js';
import { round } from './percentiles.js';
import { countRequests, isOperatorRequest, isWrite, RequestTap } from './request-tap.js';

export interface WriteLatencyOptions {
  atoms: number;
  writeLatencyMs: number;
  runtime: OperatorRuntime;
  certificatesPerGroup: number;
  log(message: string): void;
}

export interface WriteLatencyFigures {
  atoms: number;
  writeLatencyMs: number;
  /** The benchmark's own creates, 16 in flight (they pay the latency too). */
  createsSentSeconds: number;
  /** First create -> every Atom has its Pod, PVC, NetworkPolicy and ServiceAccount. Target 15 s at 1,000. */
  allChildrenSeconds: number;
  /** First create -> every Atom Ready=True with its generation observed. */
  allReadySeconds: number;
  /** The operator's writes in that time, per Atom (events included). */
  writesPerAtom: number;
  /** Highest number of the operator's writes in one second. */
  peakWritesPerSecond: number;
  operatorPeakRssMiB: number;
}

const CHILD_STORES = ['/pods', '/persistentvolumeclaims', 'networking.k8s.io/networkpolicies', '/serviceaccounts'];
const ATOM_LABEL = 'atomoperator.io/atom';
const WRITES = ['create', 'update', 'patch', 'delete'] as const;

export async function measureWriteLatency(opts: WriteLatencyOptions): Promise<WriteLatencyFigures> {
  const namespace = `atom-bench-latency-${opts.atoms}`;
  const env = await startEnvironment({ namespace });
  const sandbox = env.sandbox;
  if (!sandbox) throw new Error('the write-latency scenario needs the sandbox (it injects the latency)');
  let stop: (() => Promise<void>) | undefined;
  try {
    const plan = planFleet(opts.atoms, opts.certificatesPerGroup);
    for (const channel of Object.values(CHANNEL)) env.simulator.setRelease(channel, release('1.0.0', 'a'));
    await applySecrets(env, plan);
    const operator = await startOperatorProcess(opts.runtime, [
      `--kubeconfig=${env.kubeconfigPath}`,
      `--platform-url=${env.simulator.url}`,
      `--watch-namespaces=${namespace}`,
      '--resync-period=10m',
      '--fleet-max-concurrent=100%',
      '--fleet-soak-seconds=0',
      `--fleet-halt-threshold=${opts.atoms}`,
      '--shutdown-timeout=5s',
    ]);
    stop = () => operator.stop();
    for (const verb of WRITES) sandbox.faults.latency({ verb, ms: opts.writeLatencyMs });
    const tap = new RequestTap(sandbox);
    tap.take();
    const started = Date.now();
    await mapLimit(plan.atoms, 16, (a) => applyAtom(env, a));
    const createsSentSeconds = round((Date.now() - started) / 1000, 2);
    opts.log(`  write latency: ${opts.atoms} creates sent in ${createsSentSeconds} s`);
    const childrenOf = (storeKey: string) => {
      const atoms = new Set<string>();
      for (const o of sandbox.store.list(storeKey, namespace)) {
        const atom = o.metadata.labels?.[ATOM_LABEL];
        if (atom) atoms.add(atom);
      }
      return atoms.size;
    };
    const timeout = 120_000 + opts.atoms * 200;
    await pollUntil(
      'every child of every Atom',
      () => CHILD_STORES.every((k) => childrenOf(k) >= opts.atoms),
      timeout,
      50,
    );
    const allChildrenSeconds = round((Date.now() - started) / 1000, 2);
    opts.log(`  write latency: all children after ${allChildrenSeconds} s`);
    await pollUntil(
      'every Atom Ready',
      () =>
        plan.atoms.every((a) => {
          const atom = readAtomSync(sandbox.store, namespace, a.name);
          return atom?.ready === true && atom.observedGeneration === atom.generation;
        }),
      timeout,
      100,
    );
    const allReadySeconds = round((Date.now() - started) / 1000, 2);
    const records = tap.take().filter(isOperatorRequest);
    tap.stop();
    const counts = countRequests(records);
    const perSecond = new Map<number, number>();
    for (const r of records) {
      if (!isWrite(r)) continue;
      const second = Math.floor(r.at / 1000);
      perSecond.set(second, (perSecond.get(second) ?? 0) + 1);
    }
    opts.log(`  write latency: all Ready after ${allReadySeconds} s`);
    return {
      atoms: opts.atoms,
      writeLatencyMs: opts.writeLatencyMs,
      createsSentSeconds,
      allChildrenSeconds,
      allReadySeconds,
      writesPerAtom: round(counts.writes / opts.atoms, 2),
      peakWritesPerSecond: Math.max(0, ...perSecond.values()),
      operatorPeakRssMiB: round(operator.usage().peakRssBytes / 1024 / 1024),
    };
  } finally {
    sandbox.faults.clear();
    await stop?.();
    await env.stop();
  }
}
