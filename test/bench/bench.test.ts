// Keeps the benchmark from rotting: a tiny fleet end to end, and a results file
// that carries every figure (the values are the benchmark's business, not the test's).
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { parseBenchOptions, runBench } from '../../bench/run.js';
import { formatTable } from '../../bench/report.js';

const figure = z.number().finite();
const distribution = z.object({ count: z.number().int().positive(), p50: figure, p99: figure, max: figure }).strict();
const counts = z
  .object({
    total: figure,
    writes: figure,
    writesExcludingEvents: figure,
    byVerb: z.record(z.string(), figure),
    byVerbAndResource: z.record(z.string(), figure),
  })
  .strict();
// Creation and rollout cannot happen without requests; an idle window may rightly have none.
const requests = counts.refine(
  (c) => c.total > 0 && Object.keys(c.byVerb).length > 0 && Object.keys(c.byVerbAndResource).length > 0,
  'no requests counted',
);
const sizeResult = z
  .object({
    atoms: z.literal(20),
    setupSeconds: figure,
    resyncPeriodSeconds: figure,
    creation: z
      .object({
        totalSeconds: figure,
        perAtomMs: distribution,
        requestsPerAtom: requests,
        minimumWritesPerAtom: z.literal(5),
        cpuSeconds: figure,
      })
      .strict(),
    idle: z
      .object({
        windowSeconds: figure,
        reconciles: z.number().int().min(20),
        requests: counts,
        cpuSeconds: figure,
        platform: z
          .object({
            pollIntervalSeconds: figure,
            intervals: figure,
            statusPollIntervalSeconds: z.literal(1),
            statusIntervals: figure,
            groups: z
              .array(
                z
                  .object({
                    group: z.enum(['shared', 'own']),
                    channel: z.string(),
                    atoms: z.literal(10),
                    secrets: z.number().int(),
                    credentials: z.literal(2),
                    requestsPerInterval: figure,
                    // Every group's Atoms are asked about, one request per certificate and interval.
                    statusRequestsPerInterval: figure.positive(),
                  })
                  .strict(),
              )
              .length(2),
          })
          .strict(),
      })
      .strict(),
    latency: z.object({ method: z.literal('first-write'), ms: distribution }).strict(),
    rollout: z
      .object({ atomsUpdated: z.literal(20), totalSeconds: figure, requestsPerAtom: requests, cpuSeconds: figure })
      .strict(),
    operator: z
      .object({
        runtime: z.literal('tsx'),
        peakRssMiB: figure.positive(),
        idleRssMiB: figure.positive(),
        idleHeapUsedMiB: figure.positive(),
        cpuSeconds: figure.positive(),
      })
      .strict(),
  })
  .strict();
const memory = z.object({ rssMiB: figure.positive(), peakRssMiB: figure.positive(), heapUsedMiB: figure.positive() });
const noisyCluster = z
  .object({
    noise: z
      .object({
        namespace: z.string(),
        secrets: z.literal(5),
        secretKiB: z.literal(180),
        pods: z.literal(5),
        configMaps: z.literal(5),
      })
      .strict(),
    quiet: memory.strict(),
    quietAgain: memory.strict(),
    noisy: memory.strict(),
    rssDeltaMiB: figure,
  })
  .strict();
const writeLatency = z
  .object({
    atoms: z.literal(10),
    writeLatencyMs: z.literal(20),
    createsSentSeconds: figure.positive(),
    allChildrenSeconds: figure.positive(),
    allReadySeconds: figure.positive(),
    writesPerAtom: figure.positive(),
    peakWritesPerSecond: z.number().int().positive(),
    operatorPeakRssMiB: figure.positive(),
  })
  .strict();
const resultsFile = z
  .object({
    startedAt: z.iso.datetime(),
    finishedAt: z.iso.datetime(),
    target: z.literal('sandbox'),
    machine: z
      .object({
        nproc: z.number().int().positive(),
        cpuModel: z.string(),
        memoryMiB: figure,
        node: z.string(),
        platform: z.string(),
      })
      .strict(),
    settings: z.record(z.string(), z.union([z.string(), z.number()])),
    sizes: z.array(sizeResult).length(1),
    noisyCluster,
    writeLatency,
  })
  .strict();

const out = mkdtempSync(join(tmpdir(), 'bench-results-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe('npm run bench', () => {
  it('measures a 20-Atom fleet and writes every figure to the results file', async () => {
    // tsx instead of a compiled dist/ keeps this quick; short periods keep the idle window short.
    const opts = parseBenchOptions([
      '--sizes=20',
      '--operator=tsx',
      `--out=${out}`,
      '--certificates=2',
      '--latency-samples=3',
      '--poll-interval=1s',
      '--status-poll-interval=1s',
      '--resync-period=2s',
      '--noisy-secrets=5',
      '--noisy-pods=5',
      '--noisy-configmaps=5',
      '--noisy-settle=1s',
      '--write-latency-atoms=10',
    ]);
    const { results, file } = await runBench(opts, () => undefined);
    expect(readdirSync(out)).toEqual([file.slice(out.length + 1)]);
    const parsed = resultsFile.safeParse(JSON.parse(readFileSync(file, 'utf8')));
    expect(parsed.success ? [] : parsed.error.issues).toEqual([]);
    const table = formatTable(results);
    expect(table).toContain('| N=20 |');
    expect(table).not.toContain('NaN');
    expect(table).toMatch(
      /\| platform status requests per status interval \| shared: [\d.]+ for 2 cred; own: [\d.]+ for 2 cred \|/,
    );
    expect(table).toMatch(/Noisy cluster, no Atoms \(5 Secrets of 180 KiB, 5 pods, 5 ConfigMaps/);
    expect(table).toMatch(
      /Creation of 10 Atoms with 20 ms per write:\n {2}creates sent [\d.]+ s; all children [\d.]+ s/,
    );
  }, 110_000);

  it('refuses options it cannot use, naming them', () => {
    expect(() => parseBenchOptions(['--sizes=10,x'])).toThrow(/--sizes/);
    expect(() => parseBenchOptions(['--operator=deno'])).toThrow(/--operator/);
    expect(() => parseBenchOptions(['--resync-period=soon'])).toThrow(/--resync-period.*not a duration/);
    expect(() => parseBenchOptions(['--sizse=10'])).toThrow(/sizse/);
    expect(() => parseBenchOptions(['--scenarios=fleet,chaos'])).toThrow(/--scenarios/);
    expect(() => parseBenchOptions(['--write-latency=fast'])).toThrow(/--write-latency.*not a duration/);
  });
});
