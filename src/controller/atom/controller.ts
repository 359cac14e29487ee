// Wires the Atom reconciler into the manager: the caches it reads (Atoms, their
// children by label, Secrets), the Secret -> Atom index, the release poller's
// fan-out, and the writer over server-side apply.
import type { Registry } from 'prom-client';
import type { Logger } from 'pino';
import { apiVersion as atomApiVersion, group, kind, plural, version } from '../../api/atom.js';
import type { Manager } from '../runtime/manager.js';
import type { Controller } from '../runtime/controller.js';
import { CoreTypes, type KubeObject, type ResourceType } from '../../kube/resource.js';
import { keepIdentity, ReferencedObjects } from '../../kube/referenced-objects.js';
import { ReleasePoller, type ReleaseFetcher } from '../../platform/index.js';
import type { FleetPolicyConfig } from '../../rollout/config.js';
import { resumeRolloutAnnotation } from '../../rollout/index.js';
import { atomLabel } from '../../resources/names.js';
import { slimAtom, slimPod, slimSecret } from './cache-transforms.js';
import { FleetView } from './fleet-view.js';
import { registerAtomMetrics } from './metrics.js';
import type { ChildWriter, EventSink } from './ports.js';
import { AtomReconciler, type AtomControllerConfig } from './reconciler.js';
import { createRolloutPlanner } from './rollout-planner.js';
import { ATOM_POD_INDEX, atomPodKeys } from './pod-index.js';
import { SECRET_INDEX, secretRefs } from './secret-index.js';

type WithStatus = KubeObject & {
  status?: { rolloutHistory?: { result?: string }[]; conditions?: { type: string; reason?: string }[] };
};
const lastResult = (a: KubeObject) => (a as WithStatus).status?.rolloutHistory?.at(-1)?.result;
const fleetMoved = (old: KubeObject, cur: KubeObject) =>
  (lastResult(old) === 'InProgress' && lastResult(cur) !== 'InProgress') ||
  old.metadata.annotations?.[resumeRolloutAnnotation] !== cur.metadata.annotations?.[resumeRolloutAnnotation];
const fleetWaits = new Set(['WaitingForEarlierWave', 'ConcurrencyLimitReached', 'RolloutHalted']);
const waitsOnFleet = (a: KubeObject) =>
  fleetWaits.has((a as WithStatus).status?.conditions?.find((c) => c.type === 'UpToDate')?.reason ?? '');

export const AtomType: ResourceType = { group, version, plural, kind, namespaced: true };
const managedBy = 'app.kubernetes.io/managed-by=atom-operator';

export interface AtomControllerOptions {
  config: AtomControllerConfig;
  fleet: FleetPolicyConfig;
  /** Fetches releases (the platform client); the poller dedupes by endpoint, credential and channel. */
  fetcher: ReleaseFetcher;
  pollIntervalMs: number;
  releasePublicKeys: readonly string[];
  registry: Registry;
  logger: Logger;
  now?: () => Date;
}

export interface AtomController {
  controller: Controller;
  poller: ReleasePoller;
}

export function registerAtomController(manager: Manager, options: AtomControllerOptions): AtomController {
  manager.api.registerType(AtomType);
  const atoms = manager.informer(AtomType, { transform: slimAtom });
  atoms.addIndex(SECRET_INDEX, secretRefs);
  // Pods by the Atom label itself: a pod someone else made with it would share the Atom's identity
  // and NetworkPolicy, so the operator must see it (and remove it) at once.
  const pods = manager.informer(CoreTypes.pods, { labelSelector: atomLabel, transform: slimPod });
  pods.addIndex(ATOM_POD_INDEX, atomPodKeys);
  const claims = manager.informer(CoreTypes.persistentVolumeClaims, { labelSelector: managedBy });
  const networkPolicies = manager.informer(CoreTypes.networkPolicies, { labelSelector: managedBy });
  const serviceAccounts = manager.informer(CoreTypes.serviceAccounts, { labelSelector: managedBy });
  // Secrets: metadata of all (to notice changes by watch), contents of only those an Atom references.
  const secrets = new ReferencedObjects({
    metadata: manager.informer(CoreTypes.secrets, { metadataOnly: true, transform: keepIdentity }),
    fetch: (namespace, name, signal) => manager.api.get({ apiVersion: 'v1', kind: 'Secret', namespace, name }, signal),
    transform: slimSecret,
    referrers: atoms,
    referrerIndex: SECRET_INDEX,
    refs: secretRefs,
  });

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
  const fleet = new FleetView({
    atoms,
    policy: options.fleet,
    allowCriticalOverride: options.fleet.allowCriticalOverride,
    releaseOf: (key) => poller.resultFor(key)?.release,
  });
  const writer: ChildWriter = {
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
  const events: EventSink = {
    record: (obj, type, reason, message) =>
      void manager.events.record(
        { ...obj, apiVersion: obj.apiVersion ?? atomApiVersion, kind: obj.kind ?? kind },
        type,
        reason,
        message,
      ),
  };
  const reconciler = new AtomReconciler({
    atoms,
    pods,
    claims,
    networkPolicies,
    serviceAccounts,
    secrets,
    writer,
    events,
    releases: poller,
    planner: createRolloutPlanner({
      fleet,
      allowCriticalOverride: options.fleet.allowCriticalOverride,
      counters: registerAtomMetrics(options.registry, atoms, fleet),
      requireVerifiedRelease: options.releasePublicKeys.length > 0,
    }),
    config: options.config,
    now: options.now ?? (() => new Date()),
  });
  // When a rollout ends (as the cache now shows) or a resume annotation changes, Atoms waiting on
  // the fleet may go: plan afresh and wake them, rather than wait for their periodic recheck.
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
  controller = manager.addController({
    name: 'atom',
    primary: atoms,
    owns: [pods, claims, networkPolicies, serviceAccounts],
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
    async reconcile(key, ctx) {
      const atom = atoms.get(key);
      if (atom) await secrets.loadFor(atom, ctx.signal);
      const outcome = await reconciler.reconcile(key, ctx.logger);
      return outcome.requeueAfterMs !== undefined ? { requeueAfter: outcome.requeueAfterMs } : undefined;
    },
  });
  return { controller, poller };
}
