// The metrics of the connectivity decision, which the chart's AtomOffline alert uses. The
// controller calls record() with each decision and forget() when an Atom is deleted. Atoms are named
// by `atom_namespace` and `atom`, as in every per-Atom series (see controller/atom/metrics.ts).
import { Counter, Gauge, type Registry } from 'prom-client';
import type { ConnectivityDecision } from './connectivity.js';

export class ConnectivityMetrics {
  readonly #offline: Gauge<'atom_namespace' | 'atom'>;
  readonly #restarts: Counter<'atom_namespace' | 'atom'>;

  constructor(registry: Registry) {
    this.#offline = new Gauge({
      name: 'atom_operator_atom_offline',
      help: 'Present (1) for each Atom whose pod is Ready while the platform has not heard from it for longer than spec.health.offlineGracePeriod (Degraded, reason AtomOffline).',
      labelNames: ['atom_namespace', 'atom'],
      registers: [registry],
    });
    this.#restarts = new Counter({
      name: 'atom_operator_offline_restarts_total',
      help: 'Pods replaced because their Atom stayed offline (spec.health.restartWhenOffline).',
      labelNames: ['atom_namespace', 'atom'],
      registers: [registry],
    });
  }

  /** Records one Atom's decision. */
  record(namespace: string, atom: string, decision: Pick<ConnectivityDecision, 'offline' | 'replacePod'>): void {
    // One series per offline Atom only (as atom_operator_atom_degraded): a healthy fleet costs none.
    if (decision.offline) this.#offline.set({ atom_namespace: namespace, atom }, 1);
    else this.#offline.remove({ atom_namespace: namespace, atom });
    if (decision.replacePod) this.#restarts.inc({ atom_namespace: namespace, atom });
  }

  /** Drops a deleted Atom's series, so a gone Atom never alerts. */
  forget(namespace: string, atom: string): void {
    this.#offline.remove({ atom_namespace: namespace, atom });
    this.#restarts.remove({ atom_namespace: namespace, atom });
  }
}
