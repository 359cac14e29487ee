// The Atom's observed state, written only by the operator through the status subresource.
import { z } from 'zod';

export const conditionTypes = [
  'Ready',
  'CertificateValid',
  'NetworkIsolated',
  'UpToDate',
  'Progressing',
  'Degraded',
  'Connected',
] as const;
export const phases = ['Pending', 'Starting', 'Running', 'Updating', 'Degraded', 'Failed'] as const;

const timestamp = z.iso.datetime({ offset: true });

export const condition = z
  .object({
    type: z
      .string()
      .min(1)
      .max(316)
      .describe(
        'Condition type: Ready, CertificateValid, NetworkIsolated, UpToDate, Progressing, Degraded or Connected.',
      ),
    status: z.enum(['True', 'False', 'Unknown']).describe('Status of the condition.'),
    observedGeneration: z.int().min(0).optional().describe('The .metadata.generation the condition was set for.'),
    lastTransitionTime: timestamp.describe('When the status last changed.'),
    reason: z
      .string()
      .min(1)
      .max(1024)
      .regex(/^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$/)
      .describe('CamelCase reason for the last transition.'),
    message: z.string().max(32_768).describe('What happened, in words a person can act on.'),
  })
  .describe('A standard Kubernetes condition.');

export const rolloutRecord = z
  .object({
    from: z.string().optional().describe('Version before the rollout.'),
    to: z.string().describe('Version rolled out.'),
    image: z.string().optional().describe('Image (with digest) rolled out.'),
    startedAt: timestamp.describe('When the rollout started.'),
    finishedAt: timestamp.optional().describe('When the rollout finished.'),
    result: z.enum(['InProgress', 'Succeeded', 'RolledBack', 'Failed']).describe('Outcome of the rollout.'),
    reason: z.string().optional().describe('Why it ended that way.'),
  })
  .describe('One rollout of a version.');

export const atomStatusShape = {
  observedGeneration: z.int().min(0).optional().describe('The .metadata.generation this status was computed for.'),
  phase: z.enum(phases).optional().describe('Summary: Pending, Starting, Running, Updating, Degraded or Failed.'),
  conditions: z
    .array(condition)
    .max(16)
    .optional()
    .meta({ 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['type'] })
    .describe('Conditions: Ready, CertificateValid, NetworkIsolated, UpToDate, Progressing, Degraded, Connected.'),
  podName: z.string().optional().describe('Name of the agent pod.'),
  currentVersion: z.string().optional().describe('Version the running pod was started with.'),
  currentImage: z.string().optional().describe('Image reference (with digest when known) of the running pod.'),
  advertisedVersion: z
    .string()
    .optional()
    .describe("Latest version the platform advertises on the Atom's channel (verified)."),
  targetVersion: z.string().optional().describe('Version the operator is rolling out or will roll out.'),
  lastUpdateCheckTime: timestamp
    .optional()
    .describe(
      'When the platform was last asked for releases; moves with a changed answer, otherwise at most hourly (a check every poll would be a status write every poll).',
    ),
  lastGoodVersion: z.string().optional().describe('Last version that became Ready; rollbacks return to it.'),
  lastGoodImage: z.string().optional().describe('Image of the last good version.'),
  failedVersions: z
    .array(z.string())
    .max(32)
    .optional()
    .describe('Versions that failed on this Atom and are not retried.'),
  certificate: z
    .object({
      subject: z.string().optional().describe('Subject of the registration certificate.'),
      issuer: z.string().optional().describe('Issuer of the registration certificate.'),
      notBefore: timestamp.optional().describe('Start of validity.'),
      notAfter: timestamp.optional().describe('End of validity.'),
      fingerprintSHA256: z.string().optional().describe('SHA-256 fingerprint of the certificate.'),
    })
    .optional()
    .describe('Facts about the registration certificate (never its contents).'),
  platform: z
    .object({
      atomId: z.string().max(256).optional().describe('The Atom as the platform identifies it.'),
      lastContactAt: timestamp
        .optional()
        .describe(
          'When the platform last heard from the Atom; while the Atom stays connected it moves at most hourly (a move every poll would be a status write every poll).',
        ),
      runningVersion: z.string().max(128).optional().describe('The version the platform says the Atom runs.'),
      offlineRestarts: z
        .int()
        .min(0)
        .optional()
        .describe(
          'Pods replaced because the Atom stayed offline (spec.health.restartWhenOffline), since it was last connected.',
        ),
      lastOfflineRestartTime: timestamp
        .optional()
        .describe('When the pod was last replaced because the Atom was offline.'),
    })
    .optional()
    .describe("What the platform reports about the Atom (GET /atom/v1/self with the Atom's own certificate)."),
  egressProxy: z.string().optional().describe('HTTPS proxy the NetworkPolicy lets the Atom reach, as CIDR:port.'),
  rolloutHistory: z.array(rolloutRecord).max(10).optional().describe('Most recent rollouts, newest last.'),
};

export const atomStatus = z.object(atomStatusShape).describe('Observed state of the Atom.');
export type AtomStatus = z.infer<typeof atomStatus>;
export type Condition = z.infer<typeof condition>;
export type ConditionType = (typeof conditionTypes)[number];
export type Phase = (typeof phases)[number];
export type RolloutRecord = z.infer<typeof rolloutRecord>;
