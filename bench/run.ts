// npm run bench [-- --sizes=100,1000,10000 --kubeconfig=PATH --operator=dist|tsx ...]
// Starts the sandbox API server and the platform simulator in this process, the
// operator as a separate process, measures each fleet size, prints a table and
// writes bench/results/<timestamp>.json.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { parseGoDuration } from '../src/util/go-duration.js';
import { buildOperator } from './operator-process.js';
import { measureNoisyCluster } from './noisy-cluster.js';
import { describeMachine, formatTable, type BenchResults } from './report.js';
import { runRestIfAsked } from './rest.js';
import { measureWriteLatency } from './write-latency.js';
import { runScenario } from './scenario.js';

const duration = z
  .string()
  .transform(
    (s, ctx) => parseGoDuration(s) ?? (ctx.addIssue({ code: 'custom', message: `not a duration: ${s}` }), z.NEVER),
  );
const count = (min: number) => z.coerce.number().int().min(min);

const optionsSchema = z.object({
  sizes: z
    .string()
    .default('100,1000,10000')
    .transform((s) => s.split(',').map((x) => Number(x.replaceAll('_', ''))))
    .pipe(z.array(z.number().int().min(2)).min(1)),
  kubeconfig: z.string().min(1).optional(),
  operator: z.enum(['dist', 'tsx']).default('dist'),
  out: z.string().default(join(new URL('.', import.meta.url).pathname, 'results')),
  certificates: count(1).default(4),
  'latency-samples': count(1).default(40),
  'poll-interval': duration.prefault('5s'),
  'status-poll-interval': duration.prefault('5s'),
  /** Default: 15s, or 6 ms per Atom when larger, so a resync pass can finish before the next one starts. */
  'resync-period': duration.optional(),
  /** The rollout phase replaces every pod; above this size it is skipped by default to keep the run short. */
  'rollout-max-atoms': count(0).default(1000),
  /** Absent: the operator's own default (what an installation gets). */
  workers: count(1).optional(),
  'skip-build': z.boolean().default(false),
  /** Write a CPU profile of each operator process into this directory (dist runtime). */
  'profile-dir': z.string().min(1).optional(),
  /** Write a heap snapshot of the operator at the end of each creation phase into --out (dist runtime). */
  'heap-snapshot': z.boolean().default(false),
  /** V8's old-space limit for the operator (MiB), as the chart sets it from the memory limit; none by default. */
  'max-old-space-mib': count(16).optional(),
  /** Which runs: the fleet sizes, the noisy cluster, the creation under write latency. */
  scenarios: z
    .string()
    .default('fleet,noisy,write-latency')
    .transform((s) => s.split(','))
    .pipe(z.array(z.enum(['fleet', 'noisy', 'write-latency'])).min(1)),
  'noisy-secrets': count(0).default(1000),
  'noisy-secret-kib': count(1).default(180),
  'noisy-pods': count(0).default(5000),
  'noisy-configmaps': count(0).default(5000),
  'noisy-settle': duration.prefault('10s'),
  'write-latency': duration.prefault('20ms'),
  'write-latency-atoms': count(2).default(1000),
});

export type BenchOptions = z.output<typeof optionsSchema>;

export function parseBenchOptions(argv: string[]): BenchOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      sizes: { type: 'string' },
      kubeconfig: { type: 'string' },
      operator: { type: 'string' },
      out: { type: 'string' },
      certificates: { type: 'string' },
      'latency-samples': { type: 'string' },
      'poll-interval': { type: 'string' },
      'status-poll-interval': { type: 'string' },
      'resync-period': { type: 'string' },
      'rollout-max-atoms': { type: 'string' },
      workers: { type: 'string' },
      'skip-build': { type: 'boolean' },
      'profile-dir': { type: 'string' },
      'heap-snapshot': { type: 'boolean' },
      'max-old-space-mib': { type: 'string' },
      scenarios: { type: 'string' },
      'noisy-secrets': { type: 'string' },
      'noisy-secret-kib': { type: 'string' },
      'noisy-pods': { type: 'string' },
      'noisy-configmaps': { type: 'string' },
      'noisy-settle': { type: 'string' },
      'write-latency': { type: 'string' },
      'write-latency-atoms': { type: 'string' },
    },
    strict: true,
  });
  const parsed = optionsSchema.safeParse(values);
  if (!parsed.success) {
    throw new Error(parsed.error.issues.map((i) => `--${i.path.join('.')}: ${i.message}`).join('\n'));
  }
  return parsed.data;
}

export async function runBench(
  opts: BenchOptions,
  log: (m: string) => void,
): Promise<{ results: BenchResults; file: string }> {
  const startedAt = new Date();
  if (opts.operator === 'dist' && !opts['skip-build']) {
    log('building dist/ (npm run build)');
    await buildOperator();
  }
  const results: BenchResults = {
    startedAt: startedAt.toISOString(),
    finishedAt: '',
    target: opts.kubeconfig ? 'cluster' : 'sandbox',
    machine: describeMachine(),
    settings: {
      operator: opts.operator,
      certificatesPerGroup: opts.certificates,
      latencySamples: opts['latency-samples'],
      pollIntervalMs: opts['poll-interval'],
      statusPollIntervalMs: opts['status-poll-interval'],
      resyncPeriodMs: opts['resync-period'] ?? 'max(15s, 6ms per Atom)',
      rolloutMaxAtoms: opts['rollout-max-atoms'],
      workers: opts.workers ?? 'operator default',
      maxOldSpaceMiB: opts['max-old-space-mib'] ?? 'none',
      scenarios: opts.scenarios.join(','),
    },
    sizes: [],
  };
  mkdirSync(opts.out, { recursive: true });
  const file = join(opts.out, `${startedAt.toISOString().replace(/[:.]/g, '-')}.json`);
  // Written after every size, so a long run that fails later keeps what it measured.
  const save = () =>
    writeFileSync(file, `${JSON.stringify({ ...results, finishedAt: new Date().toISOString() }, null, 2)}\n`);
  const heapSnapshotDir = opts['heap-snapshot'] ? opts.out : undefined;
  if (heapSnapshotDir && opts.operator !== 'dist') throw new Error('--heap-snapshot needs --operator=dist');
  for (const atoms of opts.scenarios.includes('fleet') ? opts.sizes : []) {
    log(`N=${atoms}`);
    const t0 = Date.now();
    results.sizes.push(
      await runScenario({
        atoms,
        runtime: opts.operator,
        ...(opts.kubeconfig ? { kubeconfig: opts.kubeconfig } : {}),
        namespace: `atom-bench-${atoms}`,
        certificatesPerGroup: opts.certificates,
        latencySamples: opts['latency-samples'],
        pollIntervalMs: opts['poll-interval'],
        statusPollIntervalMs: opts['status-poll-interval'],
        resyncPeriodMs: opts['resync-period'] ?? Math.max(15_000, atoms * 6),
        rollout: atoms <= opts['rollout-max-atoms'],
        ...(opts['profile-dir'] ? { profileDir: opts['profile-dir'] } : {}),
        ...(heapSnapshotDir ? { heapSnapshotDir } : {}),
        ...(opts.workers !== undefined ? { workers: opts.workers } : {}),
        ...(opts['max-old-space-mib'] !== undefined ? { maxOldSpaceMiB: opts['max-old-space-mib'] } : {}),
        log,
      }),
    );
    log(`  N=${atoms} took ${Math.round((Date.now() - t0) / 1000)} s`);
    save();
  }
  if (opts.scenarios.includes('noisy') && !opts.kubeconfig) {
    log('noisy cluster');
    results.noisyCluster = await measureNoisyCluster({
      secrets: opts['noisy-secrets'],
      secretKiB: opts['noisy-secret-kib'],
      pods: opts['noisy-pods'],
      configMaps: opts['noisy-configmaps'],
      runtime: opts.operator,
      settleMs: opts['noisy-settle'],
      log,
    });
    save();
  }
  if (opts.scenarios.includes('write-latency') && !opts.kubeconfig) {
    log(`write latency ${opts['write-latency']} ms, N=${opts['write-latency-atoms']}`);
    results.writeLatency = await measureWriteLatency({
      atoms: opts['write-latency-atoms'],
      writeLatencyMs: opts['write-latency'],
      runtime: opts.operator,
      certificatesPerGroup: opts.certificates,
      log,
    });
    save();
  }
  results.finishedAt = new Date().toISOString();
  save();
  return { results, file };
}

const isMain = process.argv[1] !== undefined && new URL(import.meta.url).pathname === process.argv[1];
// `--rest` measures the idle process alone (bench/rest.ts) instead of the fleet sizes.
if (isMain && !(await runRestIfAsked(process.argv.slice(2)))) {
  const log = (m: string) => process.stderr.write(`${m}\n`);
  try {
    const { results, file } = await runBench(parseBenchOptions(process.argv.slice(2)), log);
    process.stdout.write(`${formatTable(results)}\n\nwritten to ${file}\n`);
  } catch (err) {
    process.stderr.write(`bench: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  }
}
