// desiredPod: the one agent pod of an Atom, under the restricted Pod Security
// Standard. The pod-spec hash annotation tells the controller when the running
// pod no longer matches (spec change, rotated certificate, new image).
import type {
  V1Affinity,
  V1Container,
  V1EnvVar,
  V1Pod,
  V1PodSpec,
  V1Toleration,
  V1Volume,
  V1VolumeMount,
} from '@kubernetes/client-node';
import type { Atom } from '../../api/atom.js';
import { contentHash } from '../hash.js';
import {
  certificateHashAnnotation,
  childMetadata,
  claimName,
  podName,
  podSpecHashAnnotation,
  serviceAccountName,
  versionAnnotation,
} from '../names.js';
import type { AgentProfile } from '../profile.js';

export interface PodInputs {
  /** Resolved image reference: repository@sha256:... whenever a digest is known. */
  image: string;
  /** Version the image carries, when known (shown in status and on the pod). */
  version?: string;
  /** Content hash of the registration Secret: a rotation changes the pod hash. */
  certificateHash: string;
  /** Platform URL: spec.platform.url or the operator's default. */
  platformUrl: string;
  profile: AgentProfile;
}

/** repository@digest when a digest is known, else repository:tag (tag defaults to latest). */
export function imageReference(repository: string, ref: { digest?: string; tag?: string }): string {
  if (ref.digest) return `${repository}@${ref.digest}`;
  return `${repository}:${ref.tag ?? 'latest'}`;
}

function volumeName(path: string): string {
  return `writable${path.replace(/[^a-z0-9]+/gi, '-').toLowerCase()}`.replace(/-+$/, '');
}

function agentEnv(atom: Atom, inputs: PodInputs): V1EnvVar[] {
  const { env } = inputs.profile;
  const vars: V1EnvVar[] = [
    { name: env.atomName, value: atom.metadata.name },
    { name: env.accountId, value: atom.spec.platform.accountId },
    { name: env.localHostId, valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.name' } } },
    { name: env.installationDirectory, value: inputs.profile.installDirectory },
    { name: env.platformUrl, value: inputs.platformUrl },
    { name: env.certificateDirectory, value: inputs.profile.certificateMountPath },
  ];
  const token = atom.spec.registration.installTokenSecretRef;
  if (token) vars.push({ name: env.installToken, valueFrom: { secretKeyRef: { name: token.name, key: token.key } } });
  const ours = new Set(vars.map((v) => v.name));
  // A user's variable never shadows one the agent depends on.
  for (const v of atom.spec.pod.env ?? []) if (!ours.has(v.name)) vars.push(v as V1EnvVar);
  return vars;
}

function volumes(atom: Atom, profile: AgentProfile): { volumes: V1Volume[]; mounts: V1VolumeMount[] } {
  const { storage, registration, platform } = atom.spec;
  const volumes: V1Volume[] = [
    storage.emptyDir
      ? {
          name: 'install',
          emptyDir: storage.emptyDir.sizeLimit !== undefined ? { sizeLimit: String(storage.emptyDir.sizeLimit) } : {},
        }
      : { name: 'install', persistentVolumeClaim: { claimName: claimName(atom) } },
    { name: 'registration', secret: { secretName: registration.certificateSecretRef.name, defaultMode: 0o400 } },
  ];
  const mounts: V1VolumeMount[] = [
    { name: 'install', mountPath: profile.installDirectory },
    { name: 'registration', mountPath: profile.certificateMountPath, readOnly: true },
  ];
  if (platform.caSecretRef) {
    volumes.push({
      name: 'platform-ca',
      secret: {
        secretName: platform.caSecretRef.name,
        defaultMode: 0o400,
        items: [{ key: platform.caSecretRef.key, path: 'ca.crt' }],
      },
    });
    mounts.push({ name: 'platform-ca', mountPath: profile.platformCAMountPath, readOnly: true });
  }
  for (const path of profile.writablePaths) {
    volumes.push({ name: volumeName(path), emptyDir: {} });
    mounts.push({ name: volumeName(path), mountPath: path });
  }
  return { volumes, mounts };
}

function stringQuantities(q: Record<string, string | number> | undefined): Record<string, string> | undefined {
  return q ? Object.fromEntries(Object.entries(q).map(([k, v]) => [k, String(v)])) : undefined;
}

/** The desired agent pod for `atom`. Pure: same inputs, same pod, same hash. */
export function desiredPod(atom: Atom, inputs: PodInputs): V1Pod {
  const { profile } = inputs;
  const { pod, image } = atom.spec;
  const { volumes: vols, mounts } = volumes(atom, profile);
  const resources = pod.resources
    ? { requests: stringQuantities(pod.resources.requests), limits: stringQuantities(pod.resources.limits) }
    : undefined;
  const container: V1Container = {
    name: profile.containerName,
    image: inputs.image,
    imagePullPolicy: image.pullPolicy,
    env: agentEnv(atom, inputs),
    volumeMounts: mounts,
    ...(resources ? { resources } : {}),
    readinessProbe: {
      exec: { command: profile.readinessProbe.command },
      initialDelaySeconds: profile.readinessProbe.initialDelaySeconds,
      periodSeconds: profile.readinessProbe.periodSeconds,
      timeoutSeconds: profile.readinessProbe.timeoutSeconds,
      failureThreshold: profile.readinessProbe.failureThreshold,
    },
    livenessProbe: {
      exec: { command: profile.livenessProbe.command },
      initialDelaySeconds: profile.livenessProbe.initialDelaySeconds,
      periodSeconds: profile.livenessProbe.periodSeconds,
      timeoutSeconds: profile.livenessProbe.timeoutSeconds,
      failureThreshold: profile.livenessProbe.failureThreshold,
    },
    lifecycle: { preStop: { exec: { command: profile.preStopCommand } } },
    securityContext: {
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      runAsNonRoot: true,
      capabilities: { drop: ['ALL'] },
    },
  };
  const spec: V1PodSpec = {
    serviceAccountName: pod.serviceAccountName ?? serviceAccountName(atom),
    automountServiceAccountToken: false,
    enableServiceLinks: false,
    restartPolicy: 'Always',
    terminationGracePeriodSeconds: pod.terminationGracePeriodSeconds,
    securityContext: {
      runAsNonRoot: true,
      runAsUser: profile.runAsUser,
      runAsGroup: profile.runAsGroup,
      fsGroup: profile.fsGroup,
      seccompProfile: { type: 'RuntimeDefault' },
    },
    containers: [container],
    volumes: vols,
    ...(image.pullSecrets?.length ? { imagePullSecrets: image.pullSecrets } : {}),
    ...(pod.nodeSelector ? { nodeSelector: pod.nodeSelector } : {}),
    ...(pod.tolerations ? { tolerations: pod.tolerations as V1Toleration[] } : {}),
    ...(pod.affinity ? { affinity: pod.affinity as V1Affinity } : {}),
    ...(pod.priorityClassName ? { priorityClassName: pod.priorityClassName } : {}),
  };
  const meta = childMetadata(atom, podName(atom));
  const labels = {
    ...pod.labels,
    ...meta.labels,
    ...(inputs.version ? { 'app.kubernetes.io/version': inputs.version.slice(0, 63) } : {}),
  };
  const hash = contentHash({
    spec,
    labels,
    userAnnotations: pod.annotations ?? {},
    certificate: inputs.certificateHash,
  });
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      ...meta,
      labels,
      annotations: {
        ...pod.annotations,
        [podSpecHashAnnotation]: hash,
        [certificateHashAnnotation]: inputs.certificateHash,
        ...(inputs.version ? { [versionAnnotation]: inputs.version } : {}),
      },
    },
    spec,
  };
}
