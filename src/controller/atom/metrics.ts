// Fleet metrics, computed from the Atom cache when Prometheus scrapes (nothing to
// keep in step), plus counters of rollout outcomes. The chart's alerts and dashboard use these.
// An Atom is named by `atom_namespace` and `atom`, never `namespace`: Prometheus gives every
// scraped series the operator pod's `namespace` as a target label, which would replace (or, with
// honorLabels, be replaced by) the Atom's.
import { Counter, Gauge, type Registry } from 'prom-client';
import type { Atom } from '../../api/atom.js';
import { conditionTypes } from '../../api/atom-status.js';
import type { KubeObject } from '../../kube/resource.js';
import { cachedAtom, type FleetView } from './fleet-view.js';
import type { CacheReader } from './ports.js';

export interface RolloutCounters {
  /** result: started | succeeded | rolled_back | failed */
  updates: Counter<'result'>;
}

const atomLabels = (atom: Atom) => ({ atom_namespace: atom.metadata.namespace ?? '', atom: atom.metadata.name });

type Atoms = () => Atom[];

export function registerAtomMetrics(
  registry: Registry,
  atoms: CacheReader,
  fleet: FleetView,
  now: () => Date = () => new Date(),
): RolloutCounters {
  const parsed: Atoms = () =>
    atoms
      .list()
      .map((raw: KubeObject) => cachedAtom(raw))
      .filter((a): a is Atom => a !== undefined);
  registerConditionCounts(registry, parsed);
  countBy(
    registry,
    parsed,
    'atom_operator_atoms_by_phase',
    'Atoms by status.phase.',
    'phase',
    (a) => a.status?.phase ?? 'Unknown',
  );
  countBy(
    registry,
    parsed,
    'atom_operator_atoms_by_version',
    'Atoms by the version they run (status.currentVersion; "none" before the first install).',
    'version',
    (a) => a.status?.currentVersion ?? 'none',
  );
  registerPerAtom(registry, parsed);
  registerHalts(registry, parsed, fleet, now);
  return {
    updates: new Counter({
      name: 'atom_operator_updates_total',
      help: 'Atom updates by outcome: started, succeeded, rolled_back, failed.',
      labelNames: ['result'],
      registers: [registry],
    }),
  };
}

function registerConditionCounts(registry: Registry, parsed: Atoms): void {
  new Gauge({
    name: 'atom_operator_atoms',
    help: 'Atoms whose condition is True, by condition type.',
    labelNames: ['condition'],
    registers: [registry],
    collect() {
      this.reset();
      const counts = new Map<string, number>();
      for (const type of conditionTypes) counts.set(type, 0);
      for (const atom of parsed())
        for (const c of atom.status?.conditions ?? [])
          if (c.status === 'True') counts.set(c.type, (counts.get(c.type) ?? 0) + 1);
      for (const [condition, n] of counts) this.set({ condition }, n);
    },
  });
}

function countBy(
  registry: Registry,
  parsed: Atoms,
  name: string,
  help: string,
  label: string,
  labelOf: (atom: Atom) => string,
): void {
  new Gauge({
    name,
    help,
    labelNames: [label],
    registers: [registry],
    collect() {
      this.reset();
      const counts = new Map<string, number>();
      for (const atom of parsed()) counts.set(labelOf(atom), (counts.get(labelOf(atom)) ?? 0) + 1);
      for (const [value, n] of counts) this.set({ [label]: value }, n);
    },
  });
}

/** Series that name one Atom: only where there is something to say about it. */
function registerPerAtom(registry: Registry, parsed: Atoms): void {
  new Gauge({
    name: 'atom_operator_certificate_expiry_timestamp_seconds',
    help: "When each Atom's registration certificate expires (Unix seconds).",
    labelNames: ['atom_namespace', 'atom'],
    registers: [registry],
    collect() {
      this.reset();
      for (const atom of parsed()) {
        const notAfter = atom.status?.certificate?.notAfter;
        if (notAfter) this.set(atomLabels(atom), Date.parse(notAfter) / 1000);
      }
    },
  });
  // One series per Degraded Atom only (not per Atom and condition), so an alert can name the Atom
  // without the cost of a series for every healthy one.
  new Gauge({
    name: 'atom_operator_atom_degraded',
    help: 'Present (1) for each Atom whose Degraded condition is True, with the condition reason.',
    labelNames: ['atom_namespace', 'atom', 'reason'],
    registers: [registry],
    collect() {
      this.reset();
      for (const atom of parsed()) {
        const degraded = atom.status?.conditions?.find((c) => c.type === 'Degraded' && c.status === 'True');
        if (degraded) this.set({ ...atomLabels(atom), reason: degraded.reason ?? '' }, 1);
      }
    },
  });
}

function registerHalts(registry: Registry, parsed: Atoms, fleet: FleetView, now: () => Date): void {
  new Gauge({
    name: 'atom_operator_rollout_halted',
    help: '1 when the fleet rollout of a version is halted in a scope (failures reached the threshold).',
    labelNames: ['version', 'scope'],
    registers: [registry],
    collect() {
      this.reset();
      const versions = new Set(
        parsed()
          .map((a) => a.status?.advertisedVersion)
          .filter((v): v is string => Boolean(v)),
      );
      for (const version of versions) {
        for (const scope of fleet.plan(version, now()).scopes)
          this.set({ version, scope: scope.scope || 'cluster' }, scope.halted ? 1 : 0);
      }
    },
  });
}
