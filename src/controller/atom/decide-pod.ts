// Why no pod can start now, decided once, in order (the first reason wins), and when to look again.
import type { CertificateVerdict } from '../../certificates/inspect.js';
import type { Problem } from '../../rollout/index.js';
import type { AtomMemory, AtomObservation } from './observation.js';
import { reasons } from '../../api/reasons.js';

/** A refused pod is tried again this often: the cause (a missing ServiceAccount, a quota) may be fixed meanwhile. */
export const REFUSED_RETRY_MS = 30_000;

export type Blocked = Problem & { retryInMs?: number };

/** Why no pod starts, when only a person can change it: phase Failed, Progressing=False, a Warning. */
export const needsAPerson: ReadonlySet<string> = new Set([
  reasons.InvalidSpec,
  reasons.CertificateInvalid,
  reasons.PodRefused,
  reasons.PlatformCANotFound,
  reasons.PlatformURLMissing,
]);

/**
 * Why no new pod may start, or undefined when one may:
 * 1. the registration certificate is unusable (the kubelet could mount it, the platform would refuse it);
 * 2. the platform cannot be asked in a way the pod depends on (its CA Secret is missing);
 * 3. the API server refused the same pod moments ago (retried every REFUSED_RETRY_MS, or at once when the
 *    pod changes; `specHash` undefined asks whether any pod was refused);
 * 4. no release is known yet that may run (`waitForRelease` from the rollout plan).
 */
export function blockedPod(
  obs: AtomObservation,
  specHash: string | undefined,
  waitForRelease: Problem | undefined,
): Blocked | undefined {
  const { certificate, platformProblem, memory } = obs;
  if (!certificate.usable) return { reason: reasons.CertificateInvalid, message: certificate.message };
  if (platformProblem?.blocksPod) return { reason: platformProblem.reason, message: platformProblem.message };
  const refused = memory.refused;
  const retryInMs = refused ? refused.at + REFUSED_RETRY_MS - obs.now.getTime() : 0;
  if (
    refused &&
    retryInMs > 0 &&
    (specHash === undefined || refused.specHash === undefined || refused.specHash === specHash)
  ) {
    return { reason: reasons.PodRefused, message: refused.message, retryInMs };
  }
  if (waitForRelease) return { reason: reasons.WaitingForRelease, message: waitForRelease.message };
  return undefined;
}

/**
 * The first ended pod is replaced at once; one that keeps ending backs off (10 s doubling to 5 min),
 * so a broken agent never becomes a hot loop.
 */
export function crashBackoff(failures: AtomMemory['podFailures'], now: Date): Blocked | undefined {
  if (!failures || failures.count < 2) return undefined;
  const waitMs = Math.min(300_000, 10_000 * 2 ** (failures.count - 2)) - (now.getTime() - failures.lastAt);
  if (waitMs <= 0) return undefined;
  return {
    reason: reasons.PodFailed,
    message: `the pod ended ${failures.count} time(s) in a row; the next one starts in ${Math.ceil(waitMs / 1000)}s. Check kubectl get events and the agent's logs`,
    retryInMs: waitMs,
  };
}

/** The next moment the certificate's verdict changes by itself (valid from, warning threshold, expiry). */
export function certificateRequeueMs(
  certificate: CertificateVerdict,
  now: Date,
  warningDays: number,
): number | undefined {
  if (!certificate.facts) return undefined;
  const notAfter = Date.parse(certificate.facts.notAfter);
  const t = now.getTime();
  const next = [notAfter - warningDays * 86_400_000, notAfter, Date.parse(certificate.facts.notBefore)].filter(
    (x) => x > t,
  );
  return next.length ? Math.min(...next) - t + 1_000 : undefined;
}
