// Reconcile one Atom in three steps, as cert-manager does: observe (caches and poller -> one plain
// observation), decide (a pure function -> children, pod step, status, events, requeue), apply
// (writes only where something differs). Level-triggered and idempotent: a second pass with nothing
// new writes nothing.
import type { Logger } from 'pino';
import type { ReconcileResult } from '../runtime/controller.js';
import type { ConnectivityMetrics } from '../../health/index.js';
import type { KubeObject } from '../../kube/resource.js';
import { podSpecHashAnnotation } from '../../resources/index.js';
import { type ApplyDeps, type ApplyFeedback, applyDecision, applyStatus } from './apply.js';
import { type DecideConfig, type Decision, decide, decideInvalid } from './decide.js';
import { Expectations } from './expectations.js';
import type { FleetView } from './fleet-view.js';
import type { RolloutCounters } from './metrics.js';
import type { AtomMemory, AtomObservation } from './observation.js';
import { observe } from './observe.js';
import { type ChildChange, childChangeEvents } from './events.js';
import { reasons } from '../../api/reasons.js';
import type { PlannedEvent } from '../../rollout/index.js';
import type { CacheReader, ChildWriter, EventSink, ReleaseSource, SecretReader, StatusSource } from './ports.js';

export interface AtomReconcilerDeps {
  atoms: CacheReader;
  pods: CacheReader;
  /** The cache of each child kind besides pods (the registry's kinds), by kind. */
  childCaches: ReadonlyMap<string, CacheReader>;
  secrets: SecretReader;
  writer: ChildWriter;
  events: EventSink;
  releases: ReleaseSource;
  statuses?: StatusSource;
  fleet: Pick<FleetView, 'gateFor' | 'noteStarted' | 'offlineRestarts' | 'noteOfflineRestart'>;
  counters?: RolloutCounters;
  offlineMetrics?: ConnectivityMetrics;
  config: DecideConfig;
  now: () => Date;
}

/** Our last writes are not in the cache yet: this soon we look again. */
const EXPECTATION_WAIT_MS = 250;

export class AtomReconciler {
  readonly #deps: AtomReconcilerDeps;
  readonly #expectations = new Expectations();
  readonly #apply: ApplyDeps;
  /** What the controller remembers of each Atom between passes (crash backoff, refused pods). */
  readonly #memory = new Map<string, AtomMemory>();

  constructor(deps: AtomReconcilerDeps) {
    this.#deps = deps;
    this.#apply = {
      atoms: deps.atoms,
      pods: deps.pods,
      childCaches: deps.childCaches,
      writer: deps.writer,
      events: deps.events,
      expectations: this.#expectations,
      now: deps.now,
    };
  }

  async reconcile(key: string, logger: Logger): Promise<ReconcileResult> {
    const deps = this.#deps;
    const raw = deps.atoms.get(key);
    if (!raw) {
      // Deleted: owner references take the children; only our in-memory state is left to drop.
      deps.releases.unregister(key);
      deps.statuses?.unregister(key);
      const [namespace = '', name = ''] = key.split('/');
      deps.offlineMetrics?.forget(namespace, name);
      this.#expectations.forget(key);
      this.#memory.delete(key);
      return {};
    }
    // Acting before the cache shows our last writes would repeat them.
    if (!this.#expectations.satisfied(key, deps.now().getTime())) return { requeueAfter: EXPECTATION_WAIT_MS };
    if (raw.metadata.deletionTimestamp) return {};
    const now = deps.now();
    const obs = observe(deps, key, raw, this.#memory.get(key) ?? {}, now, logger);
    if (obs.kind === 'Invalid') {
      const { status, events } = decideInvalid(obs);
      await applyStatus(this.#apply, key, raw, status, events, logger);
      return {};
    }
    const { decision, changes } = await this.#carryOut(obs, raw, logger);
    this.#memory.set(key, decision.memory);
    if (decision.rollout.started) deps.fleet.noteStarted(key, decision.rollout.started.version, now);
    for (const result of decision.rollout.outcomes) deps.counters?.updates.inc({ result });
    deps.offlineMetrics?.record(obs.atom.metadata.namespace ?? '', obs.atom.metadata.name, decision.connectivity);
    await applyStatus(this.#apply, key, raw, decision.status, eventsOf(decision, changes), logger);
    return decision.requeueAfterMs !== undefined ? { requeueAfter: decision.requeueAfterMs } : {};
  }

  /** Decides and applies; what the API server refused is decided again, so the status tells it. */
  async #carryOut(
    obs: AtomObservation,
    raw: KubeObject,
    logger: Logger,
  ): Promise<{ decision: Decision; changes: ChildChange[] }> {
    const decision = decide(obs, this.#deps.config);
    // Before the first await, so a pass of another Atom in the meantime counts this restart.
    if (decision.connectivity.replacePod) this.#deps.fleet.noteOfflineRestart(obs.key, obs.now);
    const feedback = await applyDecision(this.#apply, obs.key, raw, decision, logger);
    const { changes } = feedback;
    if (!feedback.refused && !feedback.networkPolicyFailed) {
      if (decision.pod.kind !== 'Create') return { decision, changes };
      const { refused: _done, ...memory } = decision.memory;
      return { decision: { ...decision, memory }, changes };
    }
    const memory = heard(decision, feedback, obs.now);
    return { decision: decide({ ...obs, memory }, this.#deps.config), changes };
  }
}

function heard(decision: Decision, feedback: ApplyFeedback, now: Date): AtomMemory {
  const specHash =
    decision.pod.kind === 'Create' ? decision.pod.pod.metadata?.annotations?.[podSpecHashAnnotation] : undefined;
  return {
    ...decision.memory,
    ...(feedback.refused
      ? { refused: { message: feedback.refused, at: now.getTime(), ...(specHash ? { specHash } : {}) } }
      : {}),
    ...(feedback.networkPolicyFailed ? { networkPolicyFailed: feedback.networkPolicyFailed } : {}),
  };
}

/** The pass's events: what its children's writes tell (one event for a new Atom's first install) and what was decided. */
function eventsOf(decision: Decision, changes: readonly ChildChange[]): PlannedEvent[] {
  const start = decision.rollout.started?.event;
  const pod = decision.pod.kind === 'Create' ? decision.pod.pod : undefined;
  const install =
    start && pod && changes.some((c) => c.kind === reasons.Created)
      ? { pod: pod.metadata?.name ?? '', image: pod.spec?.containers[0]?.image ?? '', start }
      : undefined;
  return [...childChangeEvents(changes, install), ...decision.events.filter((e) => !install || e !== start)];
}
