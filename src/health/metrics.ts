// The metrics of the connectivity decision, which the chart's AtomOffline alert uses. The
// controller calls record() with each decision and forget() when an Atom is deleted.
import { Counter, Gauge, type Registry } from 'prom-client';
import type { ConnectivityDecision } from './connectivity.js';

export class ConnectivityMetrics {
  readonly #offline: Gauge<'namespace' | 'atom'>;
  readonly #restarts: Counter<'namespace' | 'atom'>;

  constructor(registry: Registry) {
    this.#offline = new Gauge({
      name: 'atom_operator_atom_offline',
      help: 'Per Atom: 1 when its pod is Ready but the platform has not heard from it for longer than spec.health.offlineGracePeriod (Degraded, reason AtomOffline), else 0.',
      labelNames: ['namespace', 'atom'],
      registers: [registry],
    });
    this.#restarts = new Counter({
      name: 'atom_operator_offline_restarts_total',
      help: 'Pods replaced because their Atom stayed offline (spec.health.restartWhenOffline).',
      labelNames: ['namespace', 'atom'],
      registers: [registry],
    });
  }

  /** Records one Atom's decision. */
  record(namespace: string, atom: string, decision: Pick<ConnectivityDecision, 'offline' | 'replacePod'>): void {
    this.#offline.set({ namespace, atom }, decision.offline ? 1 : 0);
    if (decision.replacePod) this.#restarts.inc({ namespace, atom });
  }

  /** Drops a deleted Atom's series, so a gone Atom never alerts. */
  forget(namespace: string, atom: string): void {
    this.#offline.remove({ namespace, atom });
    this.#restarts.remove({ namespace, atom });
  }
}
