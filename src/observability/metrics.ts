// Operator-level Prometheus metrics. Everything registers on a registry passed
// in (never the global one), so tests and multiple managers do not collide.
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

export interface BuildInfo {
  readonly version: string;
  readonly commit?: string;
}

export class OperatorMetrics {
  readonly registry: Registry;
  readonly reconcileTotal: Counter<'controller' | 'result'>;
  readonly reconcileErrors: Counter<'controller' | 'code'>;
  readonly reconcileDuration: Histogram<'controller' | 'result'>;
  readonly leader: Gauge<'lease'>;

  constructor(options: { registry?: Registry; build?: BuildInfo; defaultMetrics?: boolean } = {}) {
    this.registry = options.registry ?? new Registry();
    const registers = [this.registry];
    this.reconcileTotal = new Counter({
      name: 'controller_runtime_reconcile_total',
      help: 'Reconciles by controller and result (success, requeue_after, conflict, error, terminal).',
      labelNames: ['controller', 'result'],
      registers,
    });
    this.reconcileErrors = new Counter({
      name: 'controller_runtime_reconcile_errors_total',
      help: 'Failed reconciles by controller and error code (409 conflicts are not errors).',
      labelNames: ['controller', 'code'],
      registers,
    });
    this.reconcileDuration = new Histogram({
      name: 'controller_runtime_reconcile_time_seconds',
      help: 'Time spent in one reconcile.',
      labelNames: ['controller', 'result'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers,
    });
    this.leader = new Gauge({
      name: 'leader_election_master_status',
      help: '1 while this replica holds the lease, 0 otherwise.',
      labelNames: ['lease'],
      registers,
    });
    const build = new Gauge({
      name: 'atom_operator_build_info',
      help: 'Build information; always 1.',
      labelNames: ['version', 'commit', 'node_version'],
      registers,
    });
    build.set(
      {
        version: options.build?.version ?? 'dev',
        commit: options.build?.commit ?? 'unknown',
        node_version: process.version,
      },
      1,
    );
    if (options.defaultMetrics) collectDefaultMetrics({ register: this.registry });
  }
}
