// Reconcile one Atom: read from the caches -> validate -> certificate -> release
// plan -> children (only what drifted) -> the pod's next step -> status (only if
// it changed). Level-triggered and idempotent: a second pass with nothing new
// writes nothing.
import type { V1PersistentVolumeClaim, V1Pod, V1Secret } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { describeProblems, parseAtom, type Atom } from '../../api/atom.js';
import type { AtomStatus } from '../../api/atom-status.js';
import { inspectRegistration, type CertificateVerdict, type RegistrationSecret } from '../../certificates/inspect.js';
import { KubeApiError, type KubeErrorCode } from '../../kube/errors.js';
import { CoreTypes, type KubeObject } from '../../kube/resource.js';
import {
  canonicalJSON,
  contentHash,
  desiredClaim,
  desiredNetworkPolicy,
  egressSummary,
  desiredPod,
  desiredServiceAccount,
  podName,
  specHashAnnotation,
  versionAnnotation,
  type AgentProfile,
  type DNSConfig,
} from '../../resources/index.js';
import { mergeConditions } from './conditions.js';
import { isSubset } from './drift.js';
import { podHealth, type PodHealth } from './pod-health.js';
import { Expectations } from './expectations.js';
import { decidePodStep, type PodStep } from './pod-step.js';
import type { RolloutPlanner } from './planner.js';
import type { CacheReader, ChildWriter, EventSink, ReleaseSource } from './ports.js';
import { reasons } from './reasons.js';
import { buildStatus, type NetworkState } from './status.js';
import { ATOM_POD_INDEX } from './pod-index.js';

export interface AtomControllerConfig {
  /** Platform URL for Atoms that name none. */
  defaultPlatformUrl?: string;
  profile: AgentProfile;
  dns: DNSConfig;
  certificateWarningDays: number;
}

export interface AtomReconcilerDeps {
  atoms: CacheReader;
  pods: CacheReader;
  claims: CacheReader;
  networkPolicies: CacheReader;
  serviceAccounts: CacheReader;
  secrets: CacheReader;
  writer: ChildWriter;
  events: EventSink;
  releases: ReleaseSource;
  planner: RolloutPlanner;
  config: AtomControllerConfig;
  now: () => Date;
}

interface ChildChange {
  kind: typeof reasons.Created | typeof reasons.Updated | typeof reasons.Restored;
  what: string;
}

export interface ReconcileOutcome {
  requeueAfterMs?: number;
}

const MAX_REQUEUE_MS = 24 * 3_600_000;
const POD_POLL_MS = 2_000;
/** A refused pod is tried again this often: the cause (a missing ServiceAccount, a quota) may be fixed meanwhile. */
const REFUSED_RETRY_MS = 30_000;
const REFUSALS: ReadonlySet<KubeErrorCode> = new Set<KubeErrorCode>([
  'KUBE_FORBIDDEN',
  'KUBE_INVALID',
  'KUBE_BAD_REQUEST',
]);

function decodeSecret(secret: V1Secret | undefined, name: string): RegistrationSecret | undefined {
  if (!secret) return undefined;
  const data: RegistrationSecret['data'] = {};
  for (const key of ['tls.crt', 'tls.key', 'ca.crt'] as const) {
    const value = secret.data?.[key];
    if (typeof value === 'string') data[key] = Buffer.from(value, 'base64');
  }
  return { name, data };
}

function podsOf(deps: AtomReconcilerDeps, atom: Atom): V1Pod[] {
  const ns = atom.metadata.namespace ?? '';
  return deps.pods.byIndex(ATOM_POD_INDEX, `${ns}/${atom.metadata.name}`) as V1Pod[];
}

function minDefined(...values: (number | undefined)[]): number | undefined {
  const defined = values.filter((v): v is number => v !== undefined && Number.isFinite(v));
  return defined.length ? Math.max(0, Math.min(...defined)) : undefined;
}

export class AtomReconciler {
  readonly #deps: AtomReconcilerDeps;
  readonly #expectations = new Expectations();
  /** Pods of an Atom that ended (Failed/Succeeded) in a row: their replacements back off. */
  readonly #podFailures = new Map<string, { count: number; lastAt: number }>();

  constructor(deps: AtomReconcilerDeps) {
    this.#deps = deps;
  }

  async reconcile(key: string, logger: Logger): Promise<ReconcileOutcome> {
    const deps = this.#deps;
    const raw = deps.atoms.get(key);
    if (!raw) {
      // Deleted: owner references take the children; only our in-memory subscription is left to drop.
      deps.releases.unregister(key);
      this.#expectations.forget(key);
      this.#podFailures.delete(key);
      return {};
    }
    // Our last writes are not in the cache yet: acting now would repeat them.
    if (!this.#expectations.satisfied(key, deps.now().getTime())) return { requeueAfterMs: 250 };
    if (raw.metadata.deletionTimestamp) return {};
    const parsed = parseAtom(raw);
    if (!parsed.ok) return this.#rejectSpec(raw, describeProblems(parsed.problems), logger);
    const atom = parsed.atom;
    const now = deps.now();
    const ns = atom.metadata.namespace ?? '';

    const certName = atom.spec.registration.certificateSecretRef.name;
    const secret = deps.secrets.getByName(ns, certName) as V1Secret | undefined;
    const certificate = inspectRegistration(
      decodeSecret(secret, certName),
      certName,
      now,
      deps.config.certificateWarningDays,
    );
    const missingCA = this.#missingPlatformCA(atom);
    const subscribed = !missingCA && this.#subscribe(key, atom, certificate, secret, logger);
    if (missingCA) deps.releases.unregister(key);

    const live = podsOf(deps, atom);
    const current = live.find((p) => p.metadata?.name === podName(atom) && !p.metadata?.deletionTimestamp);
    const health = current ? podHealth(current) : undefined;
    const plan = deps.planner({
      atom,
      key,
      now,
      release: deps.releases.resultFor(key),
      awaitingFirstCheck: subscribed && deps.releases.resultFor(key) === undefined,
      ...(missingCA ? { platformProblem: { reason: reasons.PlatformCANotFound, message: missingCA } } : {}),
      ...(!certificate.usable
        ? { blocked: { reason: reasons.CertificateInvalid, message: certificate.message } }
        : missingCA
          ? { blocked: { reason: reasons.PlatformCANotFound, message: missingCA } }
          : {}),
      ...(current && health
        ? {
            running: {
              version: current.metadata?.annotations?.[versionAnnotation],
              image: current.spec?.containers[0]?.image,
              health,
              createdAt: current.metadata?.creationTimestamp
                ? new Date(current.metadata.creationTimestamp).toISOString()
                : undefined,
            },
          }
        : {}),
    });
    for (const e of plan.events) {
      deps.events.record(raw, e.type, e.reason, e.message);
      if (e.type === 'Warning') logger.warn({ reason: e.reason }, e.message);
    }

    const network = await this.#ensureChildren(key, atom, raw, logger);
    const pod = desiredPod(atom, {
      image: plan.target.image,
      ...(plan.target.version ? { version: plan.target.version } : {}),
      certificateHash: certificate.contentHash ?? 'none',
      platformUrl: atom.spec.platform.url ?? deps.config.defaultPlatformUrl ?? '',
      profile: deps.config.profile,
    });
    let step = decidePodStep({
      desired: pod,
      live,
      canStart: certificate.usable && !missingCA && !plan.waitForRelease,
    });
    let blocked = !certificate.usable
      ? { reason: reasons.CertificateInvalid, message: certificate.message }
      : missingCA
        ? { reason: reasons.PlatformCANotFound, message: missingCA }
        : { reason: 'WaitingForRelease', message: plan.waitForRelease ?? '' };
    if (
      missingCA &&
      !live.length &&
      atom.status?.conditions?.find((c) => c.type === 'Ready')?.reason !== reasons.PlatformCANotFound
    ) {
      deps.events.record(raw, 'Warning', reasons.PlatformCANotFound, missingCA);
    }
    let backoffMs: number | undefined;
    const failures = this.#podFailures.get(key);
    // Healthy for a minute ends the series (the kubelet does the same for container restarts, after 10 minutes).
    if (health?.ready && health.readySince && now.getTime() - Date.parse(health.readySince) > 60_000)
      this.#podFailures.delete(key);
    if (step.kind === 'Replace' && step.reason === 'PodFailed')
      this.#podFailures.set(key, { count: (failures?.count ?? 0) + 1, lastAt: now.getTime() });
    if (step.kind === 'Create' && failures) {
      // The first ended pod is replaced at once; one that keeps ending backs off (10 s doubling to 5 min), no hot loop.
      backoffMs =
        failures.count < 2
          ? 0
          : Math.min(300_000, 10_000 * 2 ** (failures.count - 2)) - (now.getTime() - failures.lastAt);
      if (backoffMs > 0) {
        step = { kind: 'Hold' };
        blocked = {
          reason: reasons.PodFailed,
          message: `the pod ended ${failures.count} time(s) in a row; the next one starts in ${Math.ceil(backoffMs / 1000)}s. Check kubectl get events and the agent's logs`,
        };
      } else backoffMs = undefined;
    }
    // A rollout's own event (InitialInstall, UpdateStarting...) already names the image of the new pod.
    const acted = await this.#act(key, step, pod, raw, logger, plan.started === true);
    let podRequeue = typeof acted === 'number' ? acted : undefined;
    if (typeof acted === 'object') {
      const message = `the API server refused pod ${pod.metadata!.name}: ${acted.refused}`;
      step = { kind: 'Hold' };
      blocked = { reason: reasons.PodRefused, message };
      podRequeue = REFUSED_RETRY_MS;
      if (atom.status?.conditions?.find((c) => c.type === 'Ready')?.message !== `no pod is started: ${message}`) {
        deps.events.record(raw, 'Warning', reasons.PodRefused, message);
        logger.warn({ reason: reasons.PodRefused }, message);
      }
    }

    const status = buildStatus({
      atom,
      now,
      certificate,
      network,
      step,
      ...(health ? { health } : {}),
      podName: podName(atom),
      blocked,
      current: current
        ? { version: current.metadata?.annotations?.[versionAnnotation], image: current.spec?.containers[0]?.image }
        : {},
      rollout: plan.view,
    });
    await this.#writeStatus(key, raw, atom, status, certificate);
    return {
      requeueAfterMs: minDefined(
        podRequeue,
        backoffMs,
        plan.requeueAfterMs,
        this.#certificateRequeue(certificate, now),
        MAX_REQUEUE_MS,
      ),
    };
  }

  /**
   * Why the CA named by spec.platform.caSecretRef cannot be used, if it cannot: the pod would not
   * start (the kubelet cannot mount it) and the platform could not be verified.
   */
  #missingPlatformCA(atom: Atom): string | undefined {
    const ref = atom.spec.platform.caSecretRef;
    if (!ref) return undefined;
    const ca = this.#deps.secrets.getByName(atom.metadata.namespace, ref.name) as V1Secret | undefined;
    if (!ca)
      return `Secret ${ref.name} named by spec.platform.caSecretRef does not exist; create it with kubectl create secret generic ${ref.name} --from-file=${ref.key}=ca.pem`;
    if (!ca.data?.[ref.key]) return `Secret ${ref.name} named by spec.platform.caSecretRef has no key ${ref.key}`;
    return undefined;
  }

  /** Subscribes the Atom to its platform's releases; false when it cannot be polled. */
  #subscribe(
    key: string,
    atom: Atom,
    certificate: CertificateVerdict,
    secret: V1Secret | undefined,
    logger: Logger,
  ): boolean {
    const url = atom.spec.platform.url ?? this.#deps.config.defaultPlatformUrl;
    const crt = secret?.data?.['tls.crt'];
    const tlsKey = secret?.data?.['tls.key'];
    if (!url || !certificate.usable || !crt || !tlsKey) {
      this.#deps.releases.unregister(key);
      return false;
    }
    const ca = atom.spec.platform.caSecretRef
      ? (this.#deps.secrets.getByName(atom.metadata.namespace, atom.spec.platform.caSecretRef.name) as
          | V1Secret
          | undefined)
      : undefined;
    // The platform CA: spec.platform.caSecretRef, else the registration Secret's ca.crt, else system roots.
    const caValue = atom.spec.platform.caSecretRef
      ? ca?.data?.[atom.spec.platform.caSecretRef.key]
      : secret?.data?.['ca.crt'];
    try {
      this.#deps.releases.register(key, {
        url,
        channel: atom.spec.update.channel,
        credential: {
          certPem: Buffer.from(crt, 'base64').toString('utf8'),
          keyPem: Buffer.from(tlsKey, 'base64').toString('utf8'),
        },
        ...(caValue ? { caPem: Buffer.from(caValue, 'base64').toString('utf8') } : {}),
        allowedRepositories: [atom.spec.image.repository],
      });
      return true;
    } catch (err) {
      // Only an unusable URL or credential gets here; the certificate condition already says which.
      logger.debug({ err: (err as Error).message }, 'release polling not possible for this Atom');
      return false;
    }
  }

  async #ensureChildren(key: string, atom: Atom, raw: KubeObject, logger: Logger): Promise<NetworkState> {
    const deps = this.#deps;
    const ns = atom.metadata.namespace ?? '';
    const sa = desiredServiceAccount(atom);
    const changes: (ChildChange | undefined)[] = [];
    if (sa) changes.push(await this.#applyIfDrifted(key, deps.serviceAccounts, sa as KubeObject, logger));
    const claim = desiredClaim(atom);
    if (claim) {
      const existing = deps.claims.getByName(ns, claim.metadata!.name!) as V1PersistentVolumeClaim | undefined;
      // A claim's class and access modes are fixed once created: keep what it has (leaving them out of
      // the apply would tell the server we give them up) and let only labels, owners and size move.
      const live = existing?.spec;
      const kept = live
        ? {
            ...claim,
            spec: {
              ...claim.spec,
              accessModes: live.accessModes,
              ...(live.storageClassName ? { storageClassName: live.storageClassName } : {}),
            },
          }
        : claim;
      const { storageClassName, accessMode } = atom.spec.storage;
      const fixed =
        live &&
        ((storageClassName && live.storageClassName !== storageClassName) || live.accessModes?.[0] !== accessMode);
      // Said once, on the pass that first sees the new spec: repeating it would be a write per resync.
      if (fixed && atom.status?.observedGeneration !== atom.metadata.generation) {
        deps.events.record(
          raw,
          'Warning',
          reasons.ClaimImmutable,
          `claim ${claim.metadata!.name} keeps storage class ${live.storageClassName ?? '(default)'} and access mode ${live.accessModes?.join(', ')}: Kubernetes cannot change them on an existing claim; delete the claim (its data goes with it) to recreate it`,
        );
      }
      changes.push(await this.#applyIfDrifted(key, deps.claims, kept as KubeObject, logger));
    }
    const policy = desiredNetworkPolicy(atom, deps.config.dns);
    if (!policy) {
      const stale = deps.networkPolicies.getByName(ns, `${atom.metadata.name}-egress`);
      if (stale?.metadata.ownerReferences?.some((r) => r.uid === atom.metadata.uid)) {
        await deps.writer.remove(CoreTypes.networkPolicies, ns, stale.metadata.name, { uid: stale.metadata.uid! });
        this.#expectations.expect(
          key,
          deps.networkPolicies,
          ns,
          stale.metadata.name,
          stale.metadata.resourceVersion ?? null,
          deps.now().getTime(),
        );
      }
      this.#reportChanges(raw, changes);
      return { kind: 'Disabled' };
    }
    try {
      changes.push(await this.#applyIfDrifted(key, deps.networkPolicies, policy as KubeObject, logger));
    } catch (err) {
      this.#reportChanges(raw, changes);
      return {
        kind: 'Failed',
        message: `NetworkPolicy ${policy.metadata!.name} could not be applied: ${(err as Error).message}`,
      };
    }
    this.#reportChanges(raw, changes);
    return { kind: 'Applied', summary: egressSummary(atom) };
  }

  /** Applies `desired` unless the cached object already says all of it: zero writes in the steady state. */
  /** Applies `built` unless the cache already shows all of it; says what happened (for one event per pass). */
  async #applyIfDrifted(
    key: string,
    cache: CacheReader,
    built: KubeObject,
    logger: Logger,
  ): Promise<ChildChange | undefined> {
    const hash = contentHash(built);
    const desired = {
      ...built,
      metadata: { ...built.metadata, annotations: { ...built.metadata.annotations, [specHashAnnotation]: hash } },
    };
    const live = cache.getByName(desired.metadata.namespace, desired.metadata.name);
    const same = (field: 'labels' | 'annotations' | 'ownerReferences') =>
      isSubset(desired.metadata[field], live?.metadata[field]);
    if (
      live &&
      same('labels') &&
      same('annotations') &&
      same('ownerReferences') &&
      isSubset(withoutMetadata(desired), withoutMetadata(live))
    )
      return undefined;
    await this.#write(key, cache, desired.metadata.namespace ?? '', desired.metadata.name, live, () =>
      this.#deps.writer.apply(desired),
    );
    const what = `${desired.kind} ${desired.metadata.name}`;
    if (!live) return { kind: reasons.Created, what };
    // What we last applied is unchanged, so the difference is someone else's edit.
    if (live.metadata.annotations?.[specHashAnnotation] === hash) {
      logger.info({ kind: desired.kind, name: desired.metadata.name }, 'restored drifted child');
      return { kind: reasons.Restored, what };
    }
    return { kind: reasons.Updated, what };
  }

  /** One event per kind of change and pass: a new Atom gets one "Created" naming all its children. */
  #reportChanges(owner: KubeObject, changes: (ChildChange | undefined)[]): void {
    const wording = {
      Created: (w: string) => `created ${w}`,
      Updated: (w: string) => `updated ${w} to match the Atom's spec`,
      Restored: (w: string) => `${w} changed by someone else; restored it`,
    };
    for (const kind of [reasons.Created, reasons.Updated, reasons.Restored]) {
      const items = changes.filter((c): c is ChildChange => c?.kind === kind).map((c) => c.what);
      if (items.length) this.#deps.events.record(owner, 'Normal', kind, wording[kind](items.join(', ')));
    }
  }

  /** Runs one write and remembers it until the cache shows its effect. */
  async #write(
    key: string,
    cache: CacheReader,
    namespace: string,
    name: string,
    before: KubeObject | undefined,
    write: () => Promise<unknown>,
  ): Promise<void> {
    await write();
    this.#expectations.expect(
      key,
      cache,
      namespace,
      name,
      before?.metadata.resourceVersion ?? null,
      this.#deps.now().getTime(),
    );
  }

  async #removePod(key: string, pod: V1Pod): Promise<void> {
    const { namespace = '', name = '', uid } = pod.metadata ?? {};
    await this.#write(key, this.#deps.pods, namespace, name, pod as KubeObject, () =>
      this.#deps.writer.remove(CoreTypes.pods, namespace, name, uid ? { uid } : {}),
    );
  }

  /** Performs the pod step; resolves when to look again, or why the API server refused a new pod. */
  async #act(
    key: string,
    step: PodStep,
    desired: V1Pod,
    owner: KubeObject,
    logger: Logger,
    announced: boolean,
  ): Promise<number | { refused: string } | undefined> {
    const deps = this.#deps;
    switch (step.kind) {
      case 'Create':
        try {
          await this.#write(key, deps.pods, desired.metadata!.namespace!, desired.metadata!.name!, undefined, () =>
            deps.writer.apply(desired as KubeObject),
          );
        } catch (err) {
          // Admission, quota, RBAC or validation said no: retrying at once will not help, a person must act.
          if (err instanceof KubeApiError && REFUSALS.has(err.code)) return { refused: err.message };
          throw err;
        }
        if (!announced)
          deps.events.record(
            owner,
            'Normal',
            'PodCreated',
            `created pod ${desired.metadata!.name} running ${desired.spec!.containers[0]!.image}`,
          );
        return POD_POLL_MS;
      case 'Replace':
        logger.info({ reason: step.reason }, step.message);
        await this.#removePod(key, step.pod);
        deps.events.record(
          owner,
          'Normal',
          step.reason,
          `${step.message}; the new pod starts when the old one has stopped`,
        );
        return POD_POLL_MS;
      case 'DeleteStrays':
        for (const p of step.pods) await this.#removePod(key, p);
        deps.events.record(
          owner,
          'Warning',
          'StrayPodRemoved',
          `removed pods ${step.pods.map((p) => p.metadata?.name).join(', ')} that carried this Atom's label: one Atom runs exactly one pod`,
        );
        return POD_POLL_MS;
      case 'WaitForTermination':
        return POD_POLL_MS;
      case 'Hold':
      case 'Keep':
        return undefined;
    }
  }

  async #writeStatus(
    key: string,
    raw: KubeObject,
    atom: Atom,
    status: AtomStatus,
    certificate: CertificateVerdict,
  ): Promise<void> {
    const before = (raw as { status?: AtomStatus }).status;
    if (canonicalJSON(before ?? {}) === canonicalJSON(status)) return;
    const wasValid = before?.conditions?.find((c) => c.type === 'CertificateValid');
    if (wasValid?.reason !== certificate.reason && certificate.reason !== 'Valid') {
      this.#deps.events.record(
        raw,
        certificate.usable ? 'Normal' : 'Warning',
        certificate.reason === 'ExpiresSoon' ? 'CertificateExpiresSoon' : 'CertificateInvalid',
        certificate.message,
      );
    }
    const written = await this.#deps.writer.writeStatus(
      {
        namespace: atom.metadata.namespace ?? '',
        name: atom.metadata.name,
        ...(raw.metadata.resourceVersion ? { resourceVersion: raw.metadata.resourceVersion } : {}),
      },
      status,
    );
    if (written && written.metadata.resourceVersion !== raw.metadata.resourceVersion) {
      this.#expectations.expect(
        key,
        this.#deps.atoms,
        atom.metadata.namespace ?? '',
        atom.metadata.name,
        raw.metadata.resourceVersion ?? null,
        this.#deps.now().getTime(),
      );
    }
  }

  async #rejectSpec(raw: KubeObject, problems: string, logger: Logger): Promise<ReconcileOutcome> {
    const before = (raw as { status?: AtomStatus }).status;
    const message = `the Atom's spec is invalid, nothing is changed until it is fixed: ${problems}`;
    const status: AtomStatus = {
      ...before,
      observedGeneration: raw.metadata.generation,
      phase: 'Failed',
      conditions: mergeConditions(
        before?.conditions,
        [{ type: 'Ready', status: 'False', reason: reasons.InvalidSpec, message }],
        raw.metadata.generation,
        this.#deps.now(),
      ),
    };
    if (canonicalJSON(before ?? {}) !== canonicalJSON(status)) {
      logger.warn({ problems }, 'invalid Atom spec');
      this.#deps.events.record(raw, 'Warning', reasons.InvalidSpec, message);
      await this.#deps.writer.writeStatus({ namespace: raw.metadata.namespace ?? '', name: raw.metadata.name }, status);
    }
    return {};
  }

  #certificateRequeue(certificate: CertificateVerdict, now: Date): number | undefined {
    if (!certificate.facts) return undefined;
    const warnAt =
      new Date(certificate.facts.notAfter).getTime() - this.#deps.config.certificateWarningDays * 86_400_000;
    const t = now.getTime();
    const next = [
      warnAt,
      new Date(certificate.facts.notAfter).getTime(),
      new Date(certificate.facts.notBefore).getTime(),
    ].filter((x) => x > t);
    return next.length ? Math.min(...next) - t + 1_000 : undefined;
  }
}

function withoutMetadata(obj: KubeObject): Record<string, unknown> {
  const { metadata: _m, status: _s, apiVersion: _a, kind: _k, ...rest } = obj as KubeObject & { status?: unknown };
  return rest;
}

export type { PodHealth };
