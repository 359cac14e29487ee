// One fleet size from start to finish: a fresh environment and operator process,
// the measured phases in order, the operator's memory and CPU, and teardown.
import { startEnvironment } from './environment.js';
import { applySecrets, CHANNEL, planFleet, release } from './fleet.js';
import { metricSum, startOperatorProcess, type OperatorRuntime } from './operator-process.js';
import { round } from './percentiles.js';
import {
  measureCreation,
  measureIdle,
  measureLatency,
  measureRollout,
  type CreationFigures,
  type IdleFigures,
  type LatencyFigures,
  type RolloutFigures,
  type Run,
} from './phases.js';
import { RequestTap } from './request-tap.js';

export interface ScenarioOptions {
  atoms: number;
  runtime: OperatorRuntime;
  kubeconfig?: string;
  namespace: string;
  certificatesPerGroup: number;
  latencySamples: number;
  pollIntervalMs: number;
  statusPollIntervalMs: number;
  resyncPeriodMs: number;
  /** Absent: the operator's default. */
  workers?: number;
  rollout: boolean;
  profileDir?: string;
  /** Write a heap snapshot of the operator into this directory at the end of the creation phase. */
  heapSnapshotDir?: string;
  /** --max-old-space-size for the operator, as the chart derives it from its memory limit. */
  maxOldSpaceMiB?: number;
  log(message: string): void;
}

export interface OperatorFigures {
  runtime: OperatorRuntime;
  /** VmHWM over the whole run. */
  peakRssMiB: number;
  /** VmRSS once the fleet is created and the operator is idle. */
  idleRssMiB: number;
  /** V8 heap in use at the same moment (nodejs_heap_size_used_bytes): what the caches hold, without allocator slack. */
  idleHeapUsedMiB: number;
  cpuSeconds: number;
}

export interface SizeResult {
  atoms: number;
  setupSeconds: number;
  creation: CreationFigures;
  idle: IdleFigures;
  latency: LatencyFigures;
  /** Null when skipped (--rollout-max-atoms). */
  rollout: RolloutFigures | null;
  resyncPeriodSeconds: number;
  operator: OperatorFigures;
  /** Path of the heap snapshot taken after creation (--heap-snapshot). */
  heapSnapshot?: string;
}

const MiB = 1024 * 1024;

export async function runScenario(opts: ScenarioOptions): Promise<SizeResult> {
  const t0 = Date.now();
  const env = await startEnvironment({
    namespace: opts.namespace,
    ...(opts.kubeconfig ? { kubeconfig: opts.kubeconfig } : {}),
  });
  let stopOperator: (() => Promise<void>) | undefined;
  try {
    const plan = planFleet(opts.atoms, opts.certificatesPerGroup);
    for (const channel of Object.values(CHANNEL)) env.simulator.setRelease(channel, release('1.0.0', 'a'));
    await applySecrets(env, plan);
    const operator = await startOperatorProcess(
      opts.runtime,
      [
        `--kubeconfig=${env.kubeconfigPath}`,
        `--platform-url=${env.simulator.url}`,
        `--watch-namespaces=${env.namespace}`,
        `--resync-period=${opts.resyncPeriodMs}ms`,
        `--platform-poll-interval=${opts.pollIntervalMs}ms`,
        `--platform-status-poll-interval=${opts.statusPollIntervalMs}ms`,
        ...(opts.workers !== undefined ? [`--workers=${opts.workers}`] : []),
        '--fleet-max-concurrent=100%',
        '--fleet-soak-seconds=0',
        `--fleet-halt-threshold=${opts.atoms}`,
        '--shutdown-timeout=5s',
      ],
      opts.profileDir,
      // As the image runs it (Dockerfile ENTRYPOINT), with the chart's heap limit when given.
      ['--enable-source-maps', ...(opts.maxOldSpaceMiB ? [`--max-old-space-size=${opts.maxOldSpaceMiB}`] : [])],
      opts.heapSnapshotDir,
    );
    stopOperator = () => operator.stop();
    const tap = env.sandbox ? new RequestTap(env.sandbox) : undefined;
    const run: Run = {
      env,
      plan,
      operator,
      tap,
      pollIntervalMs: opts.pollIntervalMs,
      statusPollIntervalMs: opts.statusPollIntervalMs,
      resyncPeriodMs: opts.resyncPeriodMs,
      log: opts.log,
    };
    const setupSeconds = round((Date.now() - t0) / 1000);
    opts.log(`  setup (secrets, operator ready) ${setupSeconds} s`);
    const creation = await measureCreation(run);
    opts.log(
      `  creation: ${creation.totalSeconds} s, p50 ${creation.perAtomMs.p50} ms, p99 ${creation.perAtomMs.p99} ms`,
    );
    const heapSnapshot = opts.heapSnapshotDir ? await operator.heapSnapshot() : undefined;
    if (heapSnapshot) opts.log(`  heap snapshot after creation: ${heapSnapshot}`);
    const idle = await measureIdle(run);
    const idleRss = operator.usage().rssBytes;
    const idleHeap = metricSum(await operator.metrics(), 'nodejs_heap_size_used_bytes');
    opts.log(
      `  idle: ${idle.reconciles} reconciles, ${idle.requests?.writes ?? '?'} writes in ${idle.windowSeconds} s`,
    );
    const latency = await measureLatency(run, opts.latencySamples);
    opts.log(`  latency: p50 ${latency.ms.p50} ms, p99 ${latency.ms.p99} ms`);
    const rollout = opts.rollout ? await measureRollout(run, '1.1.0') : null;
    opts.log(rollout ? `  rollout: ${rollout.totalSeconds} s` : '  rollout: skipped (--rollout-max-atoms)');
    tap?.stop();
    const usage = operator.usage();
    return {
      atoms: opts.atoms,
      setupSeconds,
      creation,
      idle,
      latency,
      rollout,
      resyncPeriodSeconds: opts.resyncPeriodMs / 1000,
      operator: {
        runtime: opts.runtime,
        peakRssMiB: round(usage.peakRssBytes / MiB),
        idleRssMiB: round(idleRss / MiB),
        idleHeapUsedMiB: round(idleHeap / MiB),
        cpuSeconds: round(usage.cpuSeconds, 2),
      },
      ...(heapSnapshot ? { heapSnapshot } : {}),
    };
  } finally {
    await stopOperator?.();
    await env.stop();
  }
}
