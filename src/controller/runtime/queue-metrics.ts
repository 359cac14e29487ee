// client-go's workqueue metrics, through prom-client, labelled by queue name.
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** What a queue reports; gauges that depend on "now" are read at scrape time. */
export interface QueueMetricsSink {
  add(): void;
  depth(n: number): void;
  queued(seconds: number): void;
  worked(seconds: number): void;
  retry(): void;
}

export interface QueueProbe {
  unfinishedWorkSeconds(): number;
  longestRunningProcessorSeconds(): number;
}

const DURATION_BUCKETS = [1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 0.1, 1, 10, 100, 1000];

class QueueMetrics {
  readonly probes = new Map<string, QueueProbe>();
  readonly depth: Gauge<'name'>;
  readonly adds: Counter<'name'>;
  readonly latency: Histogram<'name'>;
  readonly workDuration: Histogram<'name'>;
  readonly retries: Counter<'name'>;

  constructor(registry: Registry) {
    const registers = [registry];
    const probes = this.probes;
    this.depth = new Gauge({
      name: 'workqueue_depth',
      help: 'Current depth of the work queue.',
      labelNames: ['name'],
      registers,
    });
    this.adds = new Counter({
      name: 'workqueue_adds_total',
      help: 'Keys added to the work queue.',
      labelNames: ['name'],
      registers,
    });
    this.latency = new Histogram({
      name: 'workqueue_queue_duration_seconds',
      help: 'How long a key waits in the queue before a worker takes it.',
      labelNames: ['name'],
      buckets: DURATION_BUCKETS,
      registers,
    });
    this.workDuration = new Histogram({
      name: 'workqueue_work_duration_seconds',
      help: 'How long processing one key takes.',
      labelNames: ['name'],
      buckets: DURATION_BUCKETS,
      registers,
    });
    this.retries = new Counter({
      name: 'workqueue_retries_total',
      help: 'Rate-limited re-adds (retries).',
      labelNames: ['name'],
      registers,
    });
    new Gauge({
      name: 'workqueue_unfinished_work_seconds',
      help: 'Seconds of work in progress not yet observed by work_duration; large values mean stuck workers.',
      labelNames: ['name'],
      registers,
      collect() {
        for (const [name, probe] of probes) this.set({ name }, probe.unfinishedWorkSeconds());
      },
    });
    new Gauge({
      name: 'workqueue_longest_running_processor_seconds',
      help: 'Seconds the longest-running worker has been processing its key.',
      labelNames: ['name'],
      registers,
      collect() {
        for (const [name, probe] of probes) this.set({ name }, probe.longestRunningProcessorSeconds());
      },
    });
  }
}

const perRegistry = new WeakMap<Registry, QueueMetrics>();

/** Registers (once per registry) the workqueue metrics and returns a sink for the queue `name`. */
export function queueMetrics(registry: Registry, name: string, probe: QueueProbe): QueueMetricsSink {
  let metrics = perRegistry.get(registry);
  if (!metrics) {
    metrics = new QueueMetrics(registry);
    perRegistry.set(registry, metrics);
  }
  const m = metrics;
  m.probes.set(name, probe);
  const labels = { name };
  return {
    add: () => m.adds.inc(labels),
    depth: (n) => m.depth.set(labels, n),
    queued: (s) => m.latency.observe(labels, s),
    worked: (s) => m.workDuration.observe(labels, s),
    retry: () => m.retries.inc(labels),
  };
}
