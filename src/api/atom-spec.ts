// The Atom's desired state. Defaults live here (and therefore in the CRD too):
// what a user leaves out is filled in the same way by the API server and by us.
import { z } from 'zod';
import {
  atomVersion,
  cidr,
  digest,
  goDuration,
  objectName,
  preserved,
  quantity,
  secretKeyRef,
  stringMap,
} from './common.js';
import { additionalEgress } from './egress-spec.js';

export const weekdays = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'] as const;

export const imageSpec = z
  .object({
    repository: z
      .string()
      .min(1)
      .max(255)
      .regex(/^[a-z0-9]+([._\-/:][a-z0-9]+)*$/, {
        message: 'must be an image repository such as registry.example.com/team/atom, without tag or digest',
      })
      .default('boomi/atom')
      .describe('Image repository of the agent, without tag or digest.'),
    tag: z
      .string()
      .regex(/^[\w][\w.-]{0,127}$/, { message: 'must be a valid image tag' })
      .optional()
      .describe('Image tag, used only when no digest is known.'),
    digest: digest.optional().describe('Image digest (sha256:...). When set, the pod runs exactly this image.'),
    pullPolicy: z
      .enum(['IfNotPresent', 'Always', 'Never'])
      .default('IfNotPresent')
      .describe('Image pull policy of the agent container.'),
    pullSecrets: z
      .array(
        z
          .object({ name: objectName.describe("Name of a docker-registry Secret in the Atom's namespace.") })
          .describe('A pull Secret reference.'),
      )
      .max(16)
      .optional()
      .describe('Secrets used to pull the image.'),
  })
  .describe('The agent image.');

export const platformSpec = z
  .object({
    url: z
      .string()
      .max(2048)
      .regex(/^https:\/\/[A-Za-z0-9.\-[\]:]+(\/[^\s?#]*)?$/, {
        message: 'must be an https:// URL without query or fragment: the platform is only reached over TLS',
      })
      .optional()
      .describe("Base URL of the platform (https only). Defaults to the operator's configured platform URL."),
    accountId: z.string().min(1).max(128).describe('Platform account the Atom belongs to.'),
    caSecretRef: secretKeyRef(
      'ca.crt',
      "the PEM CA bundle that signs the platform's server certificate (private CA)",
    ).optional(),
  })
  .describe('Where the Atom connects to and as whom.');

export const registrationSpec = z
  .object({
    certificateSecretRef: z
      .object({
        name: objectName.describe('Name of a kubernetes.io/tls Secret with tls.crt, tls.key and optional ca.crt.'),
      })
      .describe('The registration certificate (client certificate) of the Atom.'),
    installTokenSecretRef: secretKeyRef('token', 'the platform install token for first-time registration').optional(),
  })
  .describe("The Atom's registration identity.");

export const storageSpec = z
  .object({
    size: quantity.default('10Gi').describe('Requested size of the installation-directory volume.'),
    storageClassName: z
      .string()
      .min(1)
      .optional()
      .describe('StorageClass of the claim. Empty uses the cluster default.'),
    accessMode: z
      .enum(['ReadWriteOnce', 'ReadWriteOncePod', 'ReadWriteMany'])
      .default('ReadWriteOnce')
      .describe('Access mode of the claim.'),
    deleteClaimOnAtomDeletion: z
      .boolean()
      .default(false)
      .describe('Delete the claim (and the installation directory) when the Atom is deleted. By default it is kept.'),
    emptyDir: z
      .object({
        sizeLimit: quantity.optional().describe('Size limit of the emptyDir volume.'),
      })
      .optional()
      .describe('Use a throw-away emptyDir instead of a claim: the installation is lost with each pod.'),
  })
  .describe("The volume holding the Atom's installation directory.");

export const maintenanceWindow = z
  .object({
    days: z.array(z.enum(weekdays)).min(1).max(7).describe('Days of the week on which the window opens.'),
    start: z
      .string()
      .regex(/^([01][0-9]|2[0-3]):[0-5][0-9]$/, { message: 'must be a time of day HH:MM (24h)' })
      .describe('Local time the window opens (HH:MM, 24h).'),
    duration: goDuration.describe('How long the window stays open, e.g. 4h or 90m (at most 168h).'),
    timeZone: z
      .string()
      .min(1)
      .default('UTC')
      .describe('IANA time zone of start, e.g. Europe/Berlin. Daylight saving time is honoured.'),
  })
  .describe('A recurring maintenance window.');

export const updateSpec = z
  .object({
    mode: z
      .enum(['Automatic', 'Manual', 'Disabled'])
      .default('Automatic')
      .describe(
        'Automatic rolls out advertised versions when allowed; Manual waits for a person to set spec.version; Disabled never updates.',
      ),
    channel: z
      .string()
      .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, { message: 'must be a lowercase channel name such as stable' })
      .default('stable')
      .describe('Release channel to follow.'),
    windows: z
      .array(maintenanceWindow)
      .max(16)
      .default([])
      .describe('Maintenance windows. Updates start only inside one; none means any time.'),
    allowCriticalOutsideWindow: z
      .boolean()
      .default(false)
      .describe('Let releases the platform marks critical start outside the maintenance windows.'),
    wave: z
      .int()
      .min(0)
      .max(100)
      .default(0)
      .describe(
        'Rollout order in the fleet: wave 0 first; a wave starts when the previous one is updated and healthy.',
      ),
    progressDeadlineSeconds: z
      .int()
      .min(30)
      .max(86_400)
      .default(600)
      .describe('How long a new version has to become Ready before it is rolled back.'),
  })
  .describe('How advertised Atom code updates are rolled out.');

export const networkPolicySpec = z
  .object({
    enabled: z.boolean().default(true).describe('Fence the Atom with an egress-only NetworkPolicy.'),
    egressCIDRs: z
      .array(cidr)
      .min(1)
      .max(64)
      .default(['0.0.0.0/0', '::/0'])
      .describe('Destinations the Atom may reach on TCP 443.'),
    allowDNS: z.boolean().default(true).describe('Allow DNS (UDP and TCP 53) to the cluster DNS pods.'),
    additionalEgress: additionalEgress.optional(),
    proxy: z
      .object({
        cidr: cidr.describe('Address range of the HTTPS proxy.'),
        port: z.int().min(1).max(65_535).describe('Port of the HTTPS proxy.'),
      })
      .optional()
      .describe('An HTTPS proxy the Atom must reach the platform through.'),
  })
  .describe('The egress-only NetworkPolicy around the Atom.');

const toleration = z
  .object({
    key: z.string().optional().describe('Taint key the toleration applies to; empty with Exists matches all taints.'),
    operator: z.enum(['Exists', 'Equal']).optional().describe('Exists or Equal (default Equal).'),
    value: z.string().optional().describe('Taint value to match with Equal.'),
    effect: z
      .enum(['NoSchedule', 'PreferNoSchedule', 'NoExecute'])
      .optional()
      .describe('Taint effect to match; empty matches all.'),
    tolerationSeconds: z.int().optional().describe('How long a NoExecute taint is tolerated.'),
  })
  .describe('A core/v1 Toleration.');

const envVar = z
  .object({
    name: z
      .string()
      .min(1)
      .regex(/^[-._a-zA-Z][-._a-zA-Z0-9]*$/, { message: 'must be a valid environment variable name' })
      .describe('Variable name.'),
    value: z.string().optional().describe('Literal value.'),
    valueFrom: preserved(z.looseObject({})).optional().describe('Source of the value (core/v1 EnvVarSource).'),
  })
  .describe('A core/v1 EnvVar.');

export const podSpec = z
  .object({
    resources: z
      .object({
        requests: z.record(z.string(), quantity).optional().describe('Minimum resources, e.g. cpu: 500m, memory: 1Gi.'),
        limits: z.record(z.string(), quantity).optional().describe('Maximum resources, e.g. memory: 2Gi.'),
      })
      .optional()
      .describe('CPU and memory requests and limits of the agent container.'),
    env: z.array(envVar).max(128).optional().describe('Extra environment variables of the agent container.'),
    nodeSelector: stringMap.optional().describe('Node labels the pod must be scheduled on.'),
    tolerations: z.array(toleration).max(64).optional().describe('Tolerations of the pod.'),
    affinity: preserved(z.looseObject({})).optional().describe('Affinity of the pod (core/v1 Affinity).'),
    priorityClassName: z.string().min(1).optional().describe('PriorityClass of the pod.'),
    labels: stringMap.optional().describe('Extra labels on the pod.'),
    annotations: stringMap.optional().describe('Extra annotations on the pod.'),
    terminationGracePeriodSeconds: z
      .int()
      .min(0)
      .max(3_600)
      .default(120)
      .describe('Time the agent has to stop gracefully.'),
    serviceAccountName: objectName
      .optional()
      .describe('ServiceAccount of the pod. By default a shared one without permissions.'),
  })
  .describe('How the agent pod is shaped.');

export const healthSpec = z
  .object({
    offlineGracePeriod: goDuration
      .default('5m')
      .describe(
        'How long the pod may be Ready while the platform has not heard from the Atom before the Atom is Degraded (reason AtomOffline), e.g. 5m or 1h.',
      ),
    restartWhenOffline: z
      .boolean()
      .default(false)
      .describe(
        'Replace the pod gracefully when it stays offline beyond offlineGracePeriod: at most once per grace period with exponential backoff, never during a rollout, and no more Atoms at once than the fleet concurrency allows.',
      ),
  })
  .describe("What the operator does with the platform's view of the Atom (online status).");

/** An object whose own defaults apply even when the user leaves it out entirely. */
export function defaulted<T extends z.ZodObject>(schema: T) {
  return schema.prefault({} as z.input<T>).describe(schema.description ?? '');
}

export const atomSpecShape = {
  image: defaulted(imageSpec),
  version: atomVersion
    .optional()
    .describe('Pin the Atom to this version. Empty follows what the platform advertises, under update.'),
  platform: platformSpec,
  registration: registrationSpec,
  storage: defaulted(storageSpec),
  update: defaulted(updateSpec),
  networkPolicy: defaulted(networkPolicySpec),
  pod: defaulted(podSpec),
  health: defaulted(healthSpec),
};
