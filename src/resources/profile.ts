// The agent profile: how an Atom's container is shaped (env names, paths, probes,
// stop hook, user). Defaults follow the public Atom container image conventions;
// operators of other agent images override it in the operator's configuration.
import { z } from 'zod';

const command = z.array(z.string().min(1)).min(1);

const probe = z.object({
  command: command.describe('Command run in the container; exit 0 means healthy.'),
  initialDelaySeconds: z.int().min(0).describe('Seconds after start before the first probe.'),
  periodSeconds: z.int().min(1).describe('Seconds between probes.'),
  timeoutSeconds: z.int().min(1).default(5).describe('Seconds before a probe times out.'),
  failureThreshold: z.int().min(1).describe('Failed probes in a row that count as failure.'),
});

export const agentProfile = z
  .object({
    containerName: z.string().min(1).default('atom').describe('Name of the agent container.'),
    installDirectory: z
      .string()
      .startsWith('/')
      .default('/mnt/boomi')
      .describe('Where the installation-directory volume is mounted.'),
    certificateMountPath: z
      .string()
      .startsWith('/')
      .default('/etc/atom/registration')
      .describe('Where the registration Secret is mounted (read-only, mode 0400).'),
    platformCAMountPath: z
      .string()
      .startsWith('/')
      .default('/etc/atom/platform-ca')
      .describe('Where the platform CA Secret is mounted when spec.platform.caSecretRef is set.'),
    writablePaths: z
      .array(z.string().startsWith('/'))
      .default(['/tmp'])
      .describe('Paths that get an emptyDir, since the root file system is read-only.'),
    env: z
      .object({
        atomName: z.string().default('BOOMI_ATOMNAME').describe('Variable carrying the Atom name.'),
        accountId: z.string().default('BOOMI_ACCOUNTID').describe('Variable carrying spec.platform.accountId.'),
        installToken: z
          .string()
          .default('INSTALL_TOKEN')
          .describe('Variable carrying the install token (from spec.registration.installTokenSecretRef).'),
        localHostId: z
          .string()
          .default('ATOM_LOCALHOSTID')
          .describe('Variable carrying the pod name as the local host id.'),
        installationDirectory: z
          .string()
          .default('INSTALLATION_DIRECTORY')
          .describe('Variable carrying the installation directory.'),
        platformUrl: z.string().default('URL').describe('Variable carrying the platform URL.'),
        certificateDirectory: z
          .string()
          .default('ATOM_REGISTRATION_CERT_DIR')
          .describe('Variable carrying the registration certificate directory.'),
      })
      .prefault({})
      .describe('Names of the environment variables the agent reads.'),
    readinessProbe: probe
      .prefault({
        command: ['sh', '/home/boomi/probe.sh', 'readiness'],
        initialDelaySeconds: 10,
        periodSeconds: 10,
        failureThreshold: 3,
      })
      .describe('Readiness probe: the pod is Ready when the agent is connected.'),
    livenessProbe: probe
      .prefault({
        command: ['sh', '/home/boomi/probe.sh', 'liveness'],
        initialDelaySeconds: 60,
        periodSeconds: 30,
        failureThreshold: 5,
      })
      .describe('Liveness probe: the kubelet restarts a hung agent.'),
    preStopCommand: command
      .default(['sh', '/home/boomi/scaledown.sh'])
      .describe('Graceful stop hook run before the container is stopped.'),
    runAsUser: z.int().min(1).default(1000).describe('Numeric user the agent runs as (never root).'),
    runAsGroup: z.int().min(1).default(1000).describe('Numeric group the agent runs as.'),
    fsGroup: z.int().min(1).default(1000).describe('Group owning the mounted volumes.'),
  })
  .describe('How the agent container is shaped.');

export type AgentProfile = z.infer<typeof agentProfile>;
export const defaultAgentProfile: AgentProfile = agentProfile.parse({});
