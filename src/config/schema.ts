// The operator's configuration: one zod schema, grouped in sections. Every
// leaf is settable by flag (--kebab-case of its path) and environment variable
// (ATOM_OPERATOR_ + UPPER_SNAKE of its path); flags win. Add a feature's
// settings as a new section object here; docs are generated from .describe().
import { z } from 'zod';
import { countOrPercentage, fleetPolicyConfig } from '../rollout/config.js';
import { boolean, dnsLabel, duration, httpsUrl, integer, listenAddress, MAX_TIMER_MS, stringList } from './fields.js';

const fleetShape = fleetPolicyConfig.shape;

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

export const leaderElectionSection = z
  .object({
    enabled: boolean()
      .default(true)
      .describe('Run leader election so only one replica reconciles; turn off only for a single replica.'),
    namespace: dnsLabel()
      .optional()
      .describe(
        'Namespace of the Lease; defaults to the operator pod\'s own namespace (from its service account), else "default".',
      ),
    leaseName: dnsLabel().default('atom-operator-leader').describe('Name of the coordination.k8s.io/v1 Lease.'),
    identity: z
      .string()
      .min(1)
      .optional()
      .describe("This replica's identity in the Lease; defaults to the host name (the pod name) plus a random suffix."),
    leaseDuration: duration({ min: 1000, max: MAX_TIMER_MS })
      .prefault('15s')
      .describe('How long a lease is valid without renewal before others may take it.'),
    renewDeadline: duration({ min: 500, max: MAX_TIMER_MS })
      .prefault('10s')
      .describe(
        'How long the leader keeps trying to renew before it stops acting; must be shorter than --leader-election-lease-duration.',
      ),
    retryPeriod: duration({ min: 100, max: MAX_TIMER_MS })
      .prefault('2s')
      .describe('Interval between attempts to acquire or renew the lease.'),
  })
  .superRefine((value, ctx) => {
    if (value.renewDeadline >= value.leaseDuration) {
      ctx.addIssue({
        code: 'custom',
        path: ['renewDeadline'],
        message: 'must be shorter than --leader-election-lease-duration',
      });
    }
    if (value.retryPeriod * 1.2 >= value.renewDeadline) {
      ctx.addIssue({
        code: 'custom',
        path: ['retryPeriod'],
        message: 'must be shorter than --leader-election-renew-deadline divided by 1.2',
      });
    }
  })
  .describe('Leader election on a Lease: only the leader runs controllers; every replica serves health and metrics.');

export const kubeApiSection = z
  .object({
    qps: integer(0, 10_000)
      .default(500)
      .describe(
        "Requests per second the operator sends to the API server at most, sustained (client-go's QPS); 0 turns the limit off. At about 20 ms a request, 500/s keeps about 10 requests in flight, far below an API server's own in-flight limits, while creating 1,000 Atoms is not held back for long.",
      ),
    burst: integer(1, 20_000)
      .default(1000)
      .describe(
        "Requests the operator may send at once above qps before it waits (client-go's burst), e.g. the first writes of a fleet created in one apply.",
      ),
  })
  .describe(
    'Client-side rate limit of requests to the Kubernetes API server (leader election has its own, unlimited client).',
  );

export const platformSection = z
  .object({
    url: httpsUrl()
      .optional()
      .describe('Default platform URL for Atoms that do not set spec.platform.url (https only).'),
    pollInterval: duration({ min: 1_000, max: MAX_TIMER_MS })
      .prefault('5m')
      .describe('How often to ask the platform for the advertised release.'),
    statusPollInterval: duration({ min: 1_000, max: MAX_TIMER_MS })
      .prefault('1m')
      .describe(
        'How often to ask the platform whether each Atom is online (GET /atom/v1/self, once per distinct certificate). A platform that answers 404 (it does not offer this) is asked again only hourly.',
      ),
    httpsProxy: z
      .string()
      .min(1)
      .optional()
      .describe(
        'HTTPS proxy (http://host:port) for requests to platforms; the operator never reads HTTPS_PROXY itself, set it here.',
      ),
    noProxy: z
      .string()
      .optional()
      .describe('Comma-separated hosts, domains and CIDRs reached without the proxy (NO_PROXY syntax).'),
    releasePublicKeysFile: z
      .string()
      .min(1)
      .optional()
      .describe(
        'PEM file with one or more ed25519 public keys; when set, only advertisements signed by one of them are rolled out.',
      ),
  })
  .describe('Defaults for talking to the vendor platform.');

const labelPair = z
  .string()
  .regex(
    /^([a-z0-9A-Z]([-a-z0-9A-Z_./]*[a-z0-9A-Z])?)=([a-z0-9A-Z]([-a-z0-9A-Z_.]*[a-z0-9A-Z])?)?$/,
    'must be key=value pairs separated by commas, e.g. k8s-app=kube-dns',
  );

export const atomsSection = z
  .object({
    agentProfileFile: z
      .string()
      .min(1)
      .optional()
      .describe(
        'YAML or JSON file overriding the agent profile (env names, mount paths, probes, stop hook, user) for agent images other than the default.',
      ),
    certificateWarning: duration({ min: 0 })
      .prefault('720h')
      .describe(
        'Warn (CertificateValid reason ExpiresSoon, an event) this long before a registration certificate expires.',
      ),
    dnsNamespace: dnsLabel()
      .default('kube-system')
      .describe('Namespace of the cluster DNS pods the NetworkPolicy lets Atoms reach on port 53.'),
    dnsPodLabels: stringList(labelPair)
      .default(['k8s-app=kube-dns'])
      .describe('Labels of the cluster DNS pods, as key=value pairs separated by commas.'),
  })
  .describe('How Atoms are run.');

export const fleetSection = z
  .object({
    maxConcurrent: countOrPercentage.default(1).describe(fleetShape.maxConcurrent.description ?? ''),
    soakSeconds: integer(0, 7 * 86_400)
      .default(300)
      .describe(fleetShape.soakSeconds.description ?? ''),
    haltThreshold: countOrPercentage.default(2).describe(fleetShape.haltThreshold.description ?? ''),
    scope: z
      .enum(['Cluster', 'Namespace'])
      .default('Cluster')
      .describe(fleetShape.scope.description ?? ''),
    allowCriticalOverride: boolean()
      .default(true)
      .describe(fleetShape.allowCriticalOverride.description ?? ''),
  })
  .describe(fleetPolicyConfig.description ?? 'How advertised updates roll out across the fleet.');

export const operatorConfigSchema = z
  .object({
    watchNamespaces: stringList(dnsLabel())
      .default([])
      .describe('Namespaces to watch, comma-separated; empty means all namespaces.'),
    workers: integer(1, 64)
      .default(16)
      .describe(
        'Concurrent reconciles per controller (one per object at a time). Reconciles mostly wait on the API server, so a fleet needs more than a few; the client rate limit (kubeApi) bounds what they send.',
      ),
    kubeApi: kubeApiSection.prefault({}),
    leaderElection: leaderElectionSection.prefault({}),
    metricsAddress: listenAddress().default(':8080').describe('Listen address of the Prometheus /metrics endpoint.'),
    healthAddress: listenAddress().default(':8081').describe('Listen address of the /healthz and /readyz probes.'),
    logLevel: z.enum(LOG_LEVELS).default('info').describe('Log level of the JSON logs.'),
    kubeconfig: z
      .string()
      .min(1)
      .optional()
      .describe(
        'Path to a kubeconfig; empty means in-cluster config (or KUBECONFIG / ~/.kube/config outside a cluster).',
      ),
    resyncPeriod: duration({ min: 1000, max: MAX_TIMER_MS })
      .prefault('10m')
      .describe('How often every cached object is reconciled again even without changes.'),
    platform: platformSection.prefault({}),
    atoms: atomsSection.prefault({}),
    fleet: fleetSection.prefault({}),
    shutdownTimeout: duration({ min: 0, max: MAX_TIMER_MS })
      .prefault('30s')
      .describe('How long in-flight reconciles may run after SIGTERM before the operator exits.'),
  })
  .strict();

export type OperatorConfigInput = z.input<typeof operatorConfigSchema>;
type Parsed = z.output<typeof operatorConfigSchema>;
/** The parsed configuration; durations are milliseconds. Identity and lease namespace are always resolved. */
export type OperatorConfig = Readonly<
  Omit<Parsed, 'leaderElection' | 'platform' | 'watchNamespaces' | 'atoms' | 'fleet'> & {
    atoms: Readonly<Parsed['atoms']>;
    fleet: Readonly<Parsed['fleet']>;
    watchNamespaces: readonly string[];
    leaderElection: Readonly<Parsed['leaderElection'] & { namespace: string; identity: string }>;
    platform: Readonly<Parsed['platform']>;
  }
>;
