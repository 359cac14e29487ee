// Observe: everything one pass needs, read once from the caches and the release poller into one plain
// observation. Secrets are decoded here and only here; the Atom is subscribed to its platform's
// releases here (a subscription is how its answers reach the cache of poll results).
import type { V1Pod, V1Secret } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { type Atom, describeProblems, parseAtom } from '../../api/atom.js';
import type { AtomStatus } from '../../api/atom-status.js';
import {
  type CertificateVerdict,
  certificateReasons,
  inspectRegistration,
  type RegistrationSecret,
} from '../../certificates/inspect.js';
import type { KubeObject } from '../../kube/resource.js';
import { AdvertisementRejectedError, type PollResult } from '../../platform/index.js';
import { specChildKinds } from '../../resources/index.js';
import { fleetCandidate, type ReleaseObservation } from '../../rollout/index.js';
import type { DecideConfig } from './decide.js';
import type { FleetView } from './fleet-view.js';
import type { AtomMemory, AtomObservation, Observation } from './observation.js';
import { ATOM_POD_INDEX } from './pod-index.js';
import { podFacts } from './pod-step.js';
import type { CacheReader, ReleaseSource, SecretReader, StatusSource } from './ports.js';
import { reasons } from '../../api/reasons.js';

export interface ObserveDeps {
  pods: CacheReader;
  /** The cache of each child kind besides pods, by kind. */
  childCaches: ReadonlyMap<string, CacheReader>;
  secrets: SecretReader;
  releases: ReleaseSource;
  /** The platform's view of each Atom (GET /atom/v1/self), polled per endpoint and credential. */
  statuses?: StatusSource;
  fleet: Pick<FleetView, 'gateFor' | 'offlineRestarts'>;
  config: DecideConfig;
}

export function observe(
  deps: ObserveDeps,
  key: string,
  raw: KubeObject,
  memory: AtomMemory,
  now: Date,
  logger: Logger,
): Observation {
  const parsed = parseAtom(raw);
  if (!parsed.ok) {
    const status = (raw as { status?: AtomStatus }).status;
    return {
      kind: 'Invalid',
      now,
      ...(raw.metadata.generation !== undefined ? { generation: raw.metadata.generation } : {}),
      ...(status ? { status } : {}),
      problems: describeProblems(parsed.problems),
    };
  }
  const atom = parsed.atom;
  const ns = atom.metadata.namespace ?? '';
  const certName = atom.spec.registration.certificateSecretRef.name;
  const secret = deps.secrets.getByName(ns, certName) as V1Secret | undefined;
  const registration = decodeSecret(secret, certName);
  const unreadable = secret ? undefined : deps.secrets.failureOf?.(ns, certName);
  const certificate = unreadable
    ? unreadableVerdict(certName, unreadable)
    : inspectRegistration(registration, certName, now, deps.config.certificateWarningDays);
  const platformProblem = missingPlatform(deps, atom);
  const subscribed = !platformProblem && subscribe(deps, key, atom, certificate, registration, logger);
  if (!subscribed) {
    deps.releases.unregister(key);
    deps.statuses?.unregister(key);
  }
  const connectivity = subscribed ? deps.statuses?.resultFor(key) : undefined;
  const release = releaseObservation(deps.releases.resultFor(key));
  const candidate = fleetCandidate(atom, release?.release, deps.config, now);
  return {
    kind: 'Valid',
    key,
    now,
    atom,
    certificate,
    ...(platformProblem ? { platformProblem } : {}),
    subscribed,
    ...(release ? { release } : {}),
    ...(candidate ? { fleetGate: deps.fleet.gateFor(key, candidate, now) } : {}),
    ...(connectivity ? { connectivity } : {}),
    ...(subscribed && deps.statuses ? { statusSubscribed: true } : {}),
    ...(atom.spec.health.restartWhenOffline ? { fleetOfflineRestarts: deps.fleet.offlineRestarts(now) } : {}),
    pods: (deps.pods.byIndex(ATOM_POD_INDEX, `${ns}/${atom.metadata.name}`) as V1Pod[]).map(podFacts),
    children: liveChildren(deps.childCaches, atom),
    memory,
  } satisfies AtomObservation;
}

function decodeSecret(secret: V1Secret | undefined, name: string): RegistrationSecret | undefined {
  if (!secret) return undefined;
  const data: RegistrationSecret['data'] = {};
  for (const key of ['tls.crt', 'tls.key', 'ca.crt'] as const) {
    const value = secret.data?.[key];
    if (typeof value === 'string') data[key] = Buffer.from(value, 'base64');
  }
  return { name, data };
}

/** Why the platform cannot be asked, when it cannot: then no pod starts either (it would run on a guess). */
function missingPlatform(deps: ObserveDeps, atom: Atom): AtomObservation['platformProblem'] {
  if (!atom.spec.platform.url && !deps.config.defaultPlatformUrl) {
    const message =
      'no platform URL is set: set spec.platform.url on the Atom, or the operator-wide default (--platform-url, the chart value operator.platformUrl)';
    return { reason: reasons.PlatformURLMissing, message, blocksPod: true };
  }
  const ca = missingPlatformCA(deps.secrets, atom);
  return ca ? { reason: reasons.PlatformCANotFound, message: ca, blocksPod: true } : undefined;
}

/** The verdict on a registration Secret the operator could not read: no new pod until it can. */
function unreadableVerdict(name: string, failure: Error): CertificateVerdict {
  return {
    usable: false,
    reason: certificateReasons.SecretUnreadable,
    message: `Secret ${name} with the registration certificate could not be read (${failure.message}); check the operator's RBAC (get on secrets) and the API server; the operator retries with backoff`,
  };
}

/**
 * Why the CA named by spec.platform.caSecretRef cannot be used, if it cannot: the pod would not
 * start (the kubelet cannot mount it) and the platform could not be verified.
 */
function missingPlatformCA(secrets: SecretReader, atom: Atom): string | undefined {
  const ref = atom.spec.platform.caSecretRef;
  if (!ref) return undefined;
  const ca = secrets.getByName(atom.metadata.namespace, ref.name) as V1Secret | undefined;
  const failure = ca ? undefined : secrets.failureOf?.(atom.metadata.namespace, ref.name);
  if (failure)
    return `Secret ${ref.name} named by spec.platform.caSecretRef could not be read (${failure.message}); the operator retries with backoff`;
  if (!ca)
    return `Secret ${ref.name} named by spec.platform.caSecretRef does not exist; create it with kubectl create secret generic ${ref.name} --from-file=${ref.key}=ca.pem`;
  if (!ca.data?.[ref.key]) return `Secret ${ref.name} named by spec.platform.caSecretRef has no key ${ref.key}`;
  return undefined;
}

/** Subscribes the Atom to its platform's releases; false when it cannot be polled. */
function subscribe(
  deps: ObserveDeps,
  key: string,
  atom: Atom,
  certificate: CertificateVerdict,
  registration: RegistrationSecret | undefined,
  logger: Logger,
): boolean {
  const url = atom.spec.platform.url ?? deps.config.defaultPlatformUrl;
  const crt = registration?.data['tls.crt'];
  const tlsKey = registration?.data['tls.key'];
  if (!url || !certificate.usable || !crt || !tlsKey) return false;
  const caRef = atom.spec.platform.caSecretRef;
  // The platform CA: spec.platform.caSecretRef, else the registration Secret's ca.crt, else system roots.
  const ca = caRef
    ? (deps.secrets.getByName(atom.metadata.namespace, caRef.name) as V1Secret | undefined)?.data?.[caRef.key]
    : undefined;
  const caPem = caRef
    ? ca
      ? Buffer.from(ca, 'base64').toString('utf8')
      : undefined
    : registration?.data['ca.crt']?.toString('utf8');
  const endpoint = {
    url,
    credential: { certPem: crt.toString('utf8'), keyPem: tlsKey.toString('utf8') },
    ...(caPem ? { caPem } : {}),
  };
  try {
    deps.releases.register(key, {
      ...endpoint,
      channel: atom.spec.update.channel,
      allowedRepositories: [atom.spec.image.repository],
    });
    deps.statuses?.register(key, endpoint);
    return true;
  } catch (err) {
    // Only an unusable URL or credential gets here; the certificate condition already says which.
    logger.debug({ err: (err as Error).message }, 'release polling not possible for this Atom');
    return false;
  }
}

function releaseObservation(result: PollResult | undefined): ReleaseObservation | undefined {
  if (!result) return undefined;
  const { error, release } = result;
  return {
    checkedAt: result.checkedAt.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    ...(release ? { release } : {}),
    ...(error
      ? {
          error: {
            code: error.code,
            message: error.message,
            ...(error instanceof AdvertisementRejectedError ? { rejected: error.reason } : {}),
          },
        }
      : {}),
  };
}

function liveChildren(caches: ReadonlyMap<string, CacheReader>, atom: Atom): AtomObservation['children'] {
  const children: AtomObservation['children'] = {};
  for (const kind of specChildKinds) {
    const live = caches.get(kind.kind)?.getByName(atom.metadata.namespace, kind.name(atom));
    if (!live) continue;
    const { name, uid, resourceVersion, ownerReferences } = live.metadata;
    children[kind.kind] = {
      name,
      ...(uid ? { uid } : {}),
      ...(resourceVersion ? { resourceVersion } : {}),
      owned: Boolean(ownerReferences?.some((r) => r.uid === atom.metadata.uid)),
      ...(kind.liveFacts ? { facts: kind.liveFacts(live) } : {}),
    };
  }
  return children;
}
