// Condition reasons and event reasons of the Atom controller. Each is documented
// here once; docs/troubleshooting.md has an entry for every one (a test checks).
export const reasons = {
  /** The Atom's spec fails validation; the message names each field. */
  InvalidSpec: 'InvalidSpec',
  /** The agent pod is Ready. */
  PodReady: 'PodReady',
  /** The agent pod exists but is not Ready yet. */
  PodNotReady: 'PodNotReady',
  /** The pod is being created or started. */
  PodStarting: 'PodStarting',
  /** The old pod is stopping gracefully before its replacement starts. */
  PodTerminating: 'PodTerminating',
  /** The pod is being replaced (spec change, certificate rotation, new version). */
  PodReplacing: 'PodReplacing',
  /** No pod runs because the registration certificate is unusable. */
  CertificateInvalid: 'CertificateInvalid',
  /** A new Atom waits for the platform's first answer about which release to install. */
  WaitingForRelease: 'WaitingForRelease',
  /** The agent container keeps crashing; the kubelet backs off restarting it. */
  CrashLoopBackOff: 'CrashLoopBackOff',
  /** The image cannot be pulled. */
  ImagePullBackOff: 'ImagePullBackOff',
  /** The Secret or key named by spec.platform.caSecretRef is missing: no pod starts, the platform is not asked. */
  PlatformCANotFound: 'PlatformCANotFound',
  /** Neither the Atom (spec.platform.url) nor the operator (--platform-url) names the platform: nothing starts. */
  PlatformURLMissing: 'PlatformURLMissing',
  /** The API server refused the new pod (admission, quota, a missing ServiceAccount); the message says why. */
  PodRefused: 'PodRefused',
  /** The pod ended (Failed or Succeeded) and is replaced. */
  PodFailed: 'PodFailed',
  /** Nothing is wrong. */
  AsExpected: 'AsExpected',
  /** The Atom runs the version it should; nothing is changing. */
  Stable: 'Stable',
  /** The egress-only NetworkPolicy is in place. */
  PolicyApplied: 'PolicyApplied',
  /** spec.networkPolicy.enabled is false: the Atom is not fenced. */
  PolicyDisabled: 'PolicyDisabled',
  /** Event: the operator created children of the Atom (the message names them). */
  Created: 'Created',
  /** Event: the Atom's spec changed a child, and the operator applied the change. */
  Updated: 'Updated',
  /** Event: someone else changed a child, and the operator put back what the Atom asks for. */
  Restored: 'Restored',
  /** A child object could not be written; the operator retries. */
  ApplyFailed: 'ApplyFailed',
  /** A field of an existing claim cannot change (e.g. storageClassName). */
  ClaimImmutable: 'ClaimImmutable',
  /** An update is under way (Progressing); the UpToDate condition says which. */
  Updating: 'Updating',
  /** Event: the operator created the Atom's pod (when no rollout event already named its image). */
  PodCreated: 'PodCreated',
  /** Event: pods carrying the Atom's label under another name were removed. */
  StrayPodRemoved: 'StrayPodRemoved',
  /** Event: the registration certificate expires within the warning threshold. */
  CertificateExpiresSoon: 'CertificateExpiresSoon',
  /** Event: the pod is replaced to run another version. */
  VersionChanged: 'VersionChanged',
  /** Event: the pod is replaced because the registration certificate Secret changed. */
  CertificateRotated: 'CertificateRotated',
  /** Event: the pod is replaced because the Atom's spec changed. */
  SpecChanged: 'SpecChanged',
} as const;
export type Reason = keyof typeof reasons;
