// Wires the Atom reconciler into the manager: the caches it reads (Atoms, their
// children by label, Secrets), the Secret -> Atom index, the release poller's
// fan-out, and the writer over server-side apply.
import type { Registry } from 'prom-client';
import type { Logger } from 'pino';
import { apiVersion as atomApiVersion, group, kind, plural, version } from '../../api/atom.js';
import type { Informer } from '../../kube/index.js';
import type { Manager } from '../runtime/manager.js';
import type { Controller, ReconcileContext, ReconcileResult } from '../runtime/controller.js';
import { CoreTypes, type KubeObject, type ResourceType } from '../../kube/resource.js';
import { ConnectivityMetrics } from '../../health/index.js';
import { ReleasePoller, type ReleaseFetcher, type StatusFetcher, StatusPoller } from '../../platform/index.js';
import { keepIdentity, ReferencedObjects } from '../../kube/referenced-objects.js';
import type { FleetPolicyConfig } from '../../rollout/config.js';
import { Reasons, resumeRolloutAnnotation } from '../../rollout/index.js';
import { atomLabel, childKinds, podChild } from '../../resources/index.js';
import { slimAtom, slimPod, slimSecret } from './cache-transforms.js';
import { FleetView } from './fleet-view.js';
import { registerAtomMetrics } from './metrics.js';
import type { ChildWriter, EventSink } from './ports.js';
import type { DecideConfig } from './decide.js';
import { AtomReconciler } from './reconciler.js';
import { ATOM_POD_INDEX, atomPodKeys } from './pod-index.js';
import { SECRET_INDEX, secretRefs } from './secret-index.js';

type WithStatus = KubeObject & {
  status?: { rolloutHistory?: { result?: string }[]; conditions?: { type: string; reason?: string }[] };
};
const lastResult = (a: KubeObject) => (a as WithStatus).status?.rolloutHistory?.at(-1)?.result;
const fleetMoved = (old: KubeObject, cur: KubeObject) =>
  (lastResult(old) === 'InProgress' && lastResult(cur) !== 'InProgress') ||
  old.metadata.annotations?.[resumeRolloutAnnotation] !== cur.metadata.annotations?.[resumeRolloutAnnotation];
const fleetWaits: ReadonlySet<string> = new Set([
  Reasons.WaitingForEarlierWave,
  Reasons.ConcurrencyLimitReached,
  Reasons.RolloutHalted,
]);
const waitsOnFleet = (a: KubeObject) =>
  fleetWaits.has((a as WithStatus).status?.conditions?.find((c) => c.type === 'UpToDate')?.reason ?? '');

export const AtomType: ResourceType = { group, version, plural, kind, namespaced: true };

export interface AtomControllerOptions {
  config: Omit<DecideConfig, 'allowCriticalOverride' | 'requireVerifiedRelease'>;
  fleet: FleetPolicyConfig;
  /** Fetches releases and the Atoms' online status (the platform client); the pollers dedupe requests. */
  fetcher: ReleaseFetcher & StatusFetcher;
  pollIntervalMs: number;
  statusPollIntervalMs: number;
  releasePublicKeys: readonly string[];
  registry: Registry;
  logger: Logger;
  now?: () => Date;
}

export interface AtomController {
  controller: Controller;
  poller: ReleasePoller;
  statusPoller: StatusPoller;
}

export function registerAtomController(manager: Manager, options: AtomControllerOptions): AtomController {
  manager.api.registerType(AtomType);
  const atoms = manager.informer(AtomType, { transform: slimAtom });
  atoms.addIndex(SECRET_INDEX, secretRefs);
  const children = childInformers(manager);
  const pods = children.get(podChild.kind)!;
  pods.addIndex(ATOM_POD_INDEX, atomPodKeys);
  const secrets = referencedSecrets(manager, atoms);

  let controller: Controller | undefined;
  const enqueue = (keys: readonly string[]) => {
    for (const k of keys) controller?.queue.add(k);
  };
  const poller = new ReleasePoller({
    fetcher: options.fetcher,
    registry: options.registry,
    onResult: enqueue,
    intervalMs: options.pollIntervalMs,
    releasePublicKeys: options.releasePublicKeys,
  });
  const statusPoller = new StatusPoller({
    fetcher: options.fetcher,
    registry: options.registry,
    onResult: enqueue,
    intervalMs: options.statusPollIntervalMs,
  });
  const fleet = new FleetView({
    atoms,
    policy: options.fleet,
    allowCriticalOverride: options.fleet.allowCriticalOverride,
    releaseOf: (key) => poller.resultFor(key)?.release,
  });
  const reconciler = new AtomReconciler({
    atoms,
    pods,
    childCaches: new Map([...children].filter(([k]) => k !== podChild.kind)),
    secrets,
    writer: childWriter(manager, atoms),
    events: eventSink(manager),
    releases: poller,
    statuses: statusPoller,
    offlineMetrics: new ConnectivityMetrics(options.registry),
    fleet,
    counters: registerAtomMetrics(options.registry, atoms, fleet),
    config: {
      ...options.config,
      allowCriticalOverride: options.fleet.allowCriticalOverride,
      requireVerifiedRelease: options.releasePublicKeys.length > 0,
    },
    now: options.now ?? (() => new Date()),
  });
  wakeFleetWaiters(atoms, fleet, enqueue);
  controller = manager.addController({
    name: 'atom',
    primary: atoms,
    owns: [...children.values()],
    watches: [
      { informer: pods, map: (pod) => [`${pod.metadata.namespace ?? ''}/${pod.metadata.labels?.[atomLabel] ?? ''}`] },
      {
        informer: secrets.metadata,
        map: (secret) =>
          atoms
            .byIndex(SECRET_INDEX, `${secret.metadata.namespace ?? ''}/${secret.metadata.name}`)
            .map((a) => `${a.metadata.namespace}/${a.metadata.name}`),
      },
    ],
    reconcile: readSecretsThenReconcile(atoms, secrets, reconciler),
  });
  return { controller, poller, statusPoller };
}

/**
 * One cache per child kind of the registry, holding only what its selector picks: what the
 * operator made, and (for pods) whatever carries an Atom's label, since a pod someone else made with
 * it would share the Atom's identity and NetworkPolicy and must be seen (and removed) at once.
 */
function childInformers(manager: Manager): Map<string, Informer> {
  return new Map(
    childKinds.map((c) => [
      c.kind,
      manager.informer(c.type, { labelSelector: c.cacheSelector, ...(c === podChild ? { transform: slimPod } : {}) }),
    ]),
  );
}

/**
 * The contents of the Secrets an Atom references are read (once per version) before it is observed. A
 * read that fails (RBAC, the API server) is shown on the Atom first, then retried with backoff.
 */
function readSecretsThenReconcile(
  atoms: Informer,
  secrets: ReferencedObjects,
  reconciler: AtomReconciler,
): (key: string, ctx: ReconcileContext) => Promise<ReconcileResult> {
  return async (key, ctx) => {
    const atom = atoms.get(key);
    let unread: unknown;
    if (atom) await secrets.loadFor(atom, ctx.signal).catch((err: unknown) => (unread = err));
    const result = await reconciler.reconcile(key, ctx.logger);
    if (unread !== undefined && !ctx.signal.aborted) throw unread;
    return result;
  };
}

/** Secrets: metadata of all (to notice changes by watch), contents of only those an Atom references. */
function referencedSecrets(manager: Manager, atoms: Informer): ReferencedObjects {
  return new ReferencedObjects({
    metadata: manager.informer(CoreTypes.secrets, { metadataOnly: true, transform: keepIdentity }),
    fetch: (namespace, name, signal) => manager.api.get({ apiVersion: 'v1', kind: 'Secret', namespace, name }, signal),
    transform: slimSecret,
    referrers: atoms,
    referrerIndex: SECRET_INDEX,
    refs: secretRefs,
  });
}

/** Writes through server-side apply under the operator's field manager; status through its subresource. */
function childWriter(manager: Manager, atoms: Informer): ChildWriter {
  return {
    apply: (obj) => manager.api.applyObject(obj, { force: true }),
    async remove(type, namespace, name, opts = {}) {
      await manager.api.deleteObject(
        { apiVersion: type.group ? `${type.group}/${type.version}` : type.version, kind: type.kind, namespace, name },
        opts,
      );
    },
    async writeStatus(ref, status) {
      const current =
        atoms.getByName(ref.namespace, ref.name) ??
        ({ apiVersion: atomApiVersion, kind, metadata: { name: ref.name, namespace: ref.namespace } } as KubeObject);
      const result = await manager.api.applyStatus(
        { ...current, apiVersion: atomApiVersion, kind },
        status as Record<string, unknown>,
      );
      return result.written ? result.object : undefined;
    },
  };
}

function eventSink(manager: Manager): EventSink {
  return {
    record: (obj, type, reason, message) =>
      void manager.events.record(
        { ...obj, apiVersion: obj.apiVersion ?? atomApiVersion, kind: obj.kind ?? kind },
        type,
        reason,
        message,
      ),
  };
}

/**
 * When a rollout ends (as the cache now shows) or a resume annotation changes, Atoms waiting on the
 * fleet may go: plan afresh and wake them, rather than wait for their periodic recheck.
 */
function wakeFleetWaiters(atoms: Informer, fleet: FleetView, enqueue: (keys: readonly string[]) => void): void {
  atoms.addEventHandler({
    update(old, cur) {
      if (!fleetMoved(old, cur)) return;
      fleet.invalidate();
      enqueue(
        atoms
          .list()
          .filter(waitsOnFleet)
          .map((a) => `${a.metadata.namespace}/${a.metadata.name}`),
      );
    },
  });
}
