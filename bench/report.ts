// The results file and the table printed for people: one column per fleet size.
import { cpus, totalmem } from 'node:os';
import type { NoisyClusterFigures } from './noisy-cluster.js';
import type { SizeResult } from './scenario.js';
import type { WriteLatencyFigures } from './write-latency.js';

export interface Machine {
  nproc: number;
  cpuModel: string;
  memoryMiB: number;
  node: string;
  platform: string;
}

export interface BenchResults {
  startedAt: string;
  finishedAt: string;
  target: 'sandbox' | 'cluster';
  machine: Machine;
  settings: Record<string, string | number>;
  sizes: SizeResult[];
  /** Operator memory with no Atoms, on a quiet cluster and on one full of unrelated objects. */
  noisyCluster?: NoisyClusterFigures;
  /** Creation of a fleet with the sandbox's writes slowed to an etcd-backed server's latency. */
  writeLatency?: WriteLatencyFigures;
}

export function describeMachine(): Machine {
  return {
    nproc: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    memoryMiB: Math.round(totalmem() / 1024 / 1024),
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
  };
}

const fmt = (v: number | undefined | null, digits = 1): string =>
  v === undefined || v === null || Number.isNaN(v) ? 'n/a' : String(Math.round(v * 10 ** digits) / 10 ** digits);

function verbs(byVerb: Record<string, number> | undefined): string {
  if (!byVerb) return 'n/a';
  return Object.entries(byVerb)
    .filter(([, v]) => v > 0)
    .map(([k, v]) => `${k} ${fmt(v, 2)}`)
    .join(', ');
}

function platformStatus(r: SizeResult): string {
  return r.idle.platform.groups
    .map((g) => `${g.group}: ${fmt(g.statusRequestsPerInterval, 2)} for ${g.credentials} cred`)
    .join('; ');
}

function platform(r: SizeResult): string {
  return r.idle.platform.groups
    .map((g) => `${g.group}: ${fmt(g.requestsPerInterval, 2)} for ${g.credentials} cred`)
    .join('; ');
}

export function formatTable(results: BenchResults): string {
  const rows: [string, (r: SizeResult) => string][] = [
    ['Atoms', (r) => String(r.atoms)],
    ['create -> Ready, total (s)', (r) => fmt(r.creation.totalSeconds, 1)],
    [
      'create -> Ready per Atom p50 / p99 (ms)',
      (r) => `${fmt(r.creation.perAtomMs.p50, 0)} / ${fmt(r.creation.perAtomMs.p99, 0)}`,
    ],
    ['creation: requests per Atom', (r) => fmt(r.creation.requestsPerAtom?.total, 2)],
    [
      'creation: writes per Atom (min 5)',
      (r) =>
        `${fmt(r.creation.requestsPerAtom?.writes, 2)} (${fmt(r.creation.requestsPerAtom?.writesExcludingEvents, 2)} w/o events)`,
    ],
    ['creation: by verb per Atom', (r) => verbs(r.creation.requestsPerAtom?.byVerb)],
    ['resync period (s)', (r) => fmt(r.resyncPeriodSeconds)],
    ['resync of unchanged Atoms: reconciles', (r) => String(r.idle.reconciles)],
    ['resync: writes in window (target 0)', (r) => fmt(r.idle.requests?.writes, 0)],
    ['resync: all requests in window', (r) => fmt(r.idle.requests?.total, 0)],
    ['rollout: total (s)', (r) => fmt(r.rollout?.totalSeconds, 1)],
    ['rollout: requests per Atom', (r) => fmt(r.rollout?.requestsPerAtom?.total, 2)],
    ['rollout: by verb per Atom', (r) => verbs(r.rollout?.requestsPerAtom?.byVerb)],
    ['event -> first write p50 / p99 (ms)', (r) => `${fmt(r.latency.ms.p50, 0)} / ${fmt(r.latency.ms.p99, 0)}`],
    ['platform requests per poll interval', platform],
    ['platform status requests per status interval', platformStatus],
    ['operator peak RSS (MiB)', (r) => fmt(r.operator.peakRssMiB)],
    ['operator idle RSS (MiB)', (r) => fmt(r.operator.idleRssMiB)],
    ['operator idle V8 heap used (MiB)', (r) => fmt(r.operator.idleHeapUsedMiB)],
    [
      'operator CPU s: creation / idle / rollout / total',
      (r) =>
        `${fmt(r.creation.cpuSeconds)} / ${fmt(r.idle.cpuSeconds)} / ${fmt(r.rollout?.cpuSeconds)} / ${fmt(r.operator.cpuSeconds)}`,
    ],
  ];
  const header = `| Figure | ${results.sizes.map((r) => `N=${r.atoms}`).join(' | ')} |`;
  const rule = `|---|${results.sizes.map(() => '---').join('|')}|`;
  const body = rows.map(([label, cell]) => `| ${label} | ${results.sizes.map(cell).join(' | ')} |`);
  const m = results.machine;
  return [
    `${m.nproc} CPUs (${m.cpuModel}), ${m.memoryMiB} MiB, Node ${m.node}, target ${results.target}`,
    ...(results.sizes.length ? ['', header, rule, ...body] : []),
    ...scenarioLines(results),
  ].join('\n');
}

function scenarioLines(results: BenchResults): string[] {
  const lines: string[] = [];
  const n = results.noisyCluster;
  if (n) {
    lines.push(
      '',
      `Noisy cluster, no Atoms (${n.noise.secrets} Secrets of ${n.noise.secretKiB} KiB, ${n.noise.pods} pods, ${n.noise.configMaps} ConfigMaps in ${n.noise.namespace}):`,
      `  operator RSS quiet ${fmt(n.quiet.rssMiB)} and ${fmt(n.quietAgain.rssMiB)} MiB (peak ${fmt(n.quiet.peakRssMiB)}, heap ${fmt(n.quiet.heapUsedMiB)}), noisy ${fmt(n.noisy.rssMiB)} MiB (peak ${fmt(n.noisy.peakRssMiB)}, heap ${fmt(n.noisy.heapUsedMiB)}): delta ${fmt(n.rssDeltaMiB)} MiB (target <= 10)`,
    );
  }
  const w = results.writeLatency;
  if (w) {
    lines.push(
      '',
      `Creation of ${w.atoms} Atoms with ${w.writeLatencyMs} ms per write:`,
      `  creates sent ${fmt(w.createsSentSeconds)} s; all children ${fmt(w.allChildrenSeconds)} s (target <= 15); all Ready ${fmt(w.allReadySeconds)} s; ${fmt(w.writesPerAtom, 2)} writes per Atom, peak ${w.peakWritesPerSecond} writes/s; peak RSS ${fmt(w.operatorPeakRssMiB)} MiB`,
    );
  }
  return lines;
}
