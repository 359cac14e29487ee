// Runs the real helm binary (unpacked by hack/fetch-tools.ts) against the chart.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { load, loadAll } from 'js-yaml';
import { z } from 'zod';
import { ensureTools } from '../../hack/fetch-tools.js';

export const repoRoot = resolve(dirname(new URL(import.meta.url).pathname), '..', '..');
export const chartDir = join(repoRoot, 'charts', 'atom-operator');

export interface HelmResult {
  status: number;
  stdout: string;
  stderr: string;
}

export function helm(args: string[]): HelmResult {
  const { helm: bin } = ensureTools();
  const r = spawnSync(bin, args, {
    encoding: 'utf8',
    env: { ...process.env, HELM_CACHE_HOME: join(tmpdir(), 'atom-helm-cache') },
  });
  if (r.error) throw r.error;
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** Runs `helm <args> -f <values file>` with `values` written to a temporary file. */
export function helmWithValues(args: string[], values: Record<string, unknown>): HelmResult {
  const dir = mkdtempSync(join(tmpdir(), 'atom-chart-'));
  try {
    const file = join(dir, 'values.json');
    writeFileSync(file, JSON.stringify(values));
    return helm([...args, '-f', file]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export const manifest = z
  .object({
    apiVersion: z.string(),
    kind: z.string(),
    metadata: z.object({ name: z.string(), namespace: z.string().optional() }).loose(),
  })
  .loose();
export type Manifest = z.infer<typeof manifest>;

export const releaseName = 'ops';
export const releaseNamespace = 'atom-system';

/** The APIs the Prometheus Operator adds, for `helm template --api-versions`. */
export const prometheusOperatorApis = ['ServiceMonitor', 'PodMonitor', 'PrometheusRule'].flatMap((kind) => [
  '--api-versions',
  `monitoring.coreos.com/v1/${kind}`,
]);

/** `helm template` with these values; throws with helm's message when rendering fails. */
export function render(values: Record<string, unknown> = {}, flags: string[] = []): Manifest[] {
  const r = helmWithValues(['template', releaseName, chartDir, '--namespace', releaseNamespace, ...flags], values);
  if (r.status !== 0) throw new Error(`helm template failed: ${r.stderr}`);
  return loadAll(r.stdout)
    .filter((doc) => doc !== null && doc !== undefined)
    .map((doc) => manifest.parse(doc));
}

export function only(objects: Manifest[], kind: string, name?: string): Manifest {
  const found = objects.filter((o) => o.kind === kind && (name === undefined || o.metadata.name === name));
  if (found.length !== 1)
    throw new Error(`expected exactly one ${kind}${name ? ` ${name}` : ''}, found ${found.length}`);
  return found[0] as Manifest;
}

const valuesFile = z.record(z.string(), z.unknown());
/** A values file of the repository, parsed. */
export function valuesFrom(path: string): Record<string, unknown> {
  return valuesFile.parse(load(readFileSync(join(repoRoot, path), 'utf8')));
}

export const openshiftValuesPath = 'charts/atom-operator/examples/openshift-values.yaml';
export const everyKnobValuesPath = 'test/chart/fixtures/every-knob-values.yaml';

/** The values scenarios every chart test runs through. */
/** The operator container's securityContext with the chart's defaults: the restricted Pod Security profile. */
export const restrictedContainerSecurityContext = {
  allowPrivilegeEscalation: false,
  readOnlyRootFilesystem: true,
  runAsNonRoot: true,
  privileged: false,
  capabilities: { drop: ['ALL'] },
  seccompProfile: { type: 'RuntimeDefault' },
};

export const scenarios = {
  defaults: {},
  namespaced: { watchNamespaces: ['team-a', 'team-b'] },
  everything: {
    image: { digest: `sha256:${'a'.repeat(64)}` },
    serviceMonitor: { enabled: true, labels: { release: 'prometheus' } },
    prometheusRule: { enabled: true, additionalAlertLabels: { team: 'integration' } },
    networkPolicy: {
      enabled: true,
      apiServerCIDRs: ['10.0.0.1/32'],
      metricsFrom: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } } }],
    },
    operator: {
      platformUrl: 'https://platform.example.com',
      pollInterval: '1m',
      statusPollInterval: '30s',
      kubeApi: { qps: 50, burst: 100 },
      httpsProxy: 'http://proxy.internal:3128',
      noProxy: '.internal,10.0.0.0/8',
      releasePublicKeys: { secretName: 'atom-release-keys', key: 'keys.pem' },
      dns: { namespace: 'dns-system', podLabels: ['app.kubernetes.io/name=coredns', 'tier=dns'] },
      agentProfile: { containerName: 'agent', runAsUser: 2000 },
      fleet: {
        maxConcurrent: '25%',
        soakSeconds: 60,
        haltThreshold: 3,
        scope: 'Namespace',
        allowCriticalOverride: false,
      },
      extraEnv: [{ name: 'ATOM_OPERATOR_LEADER_ELECTION_LEASE_DURATION', value: '30s' }],
    },
    imagePullSecrets: [{ name: 'regcred' }],
    priorityClassName: 'system-cluster-critical',
    podAnnotations: { 'example.com/a': 'b' },
    podLabels: { team: 'integration' },
    nodeSelector: { 'kubernetes.io/os': 'linux' },
    tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'ops', effect: 'NoSchedule' }],
    affinity: {
      nodeAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: {
          nodeSelectorTerms: [
            { matchExpressions: [{ key: 'kubernetes.io/arch', operator: 'In', values: ['amd64', 'arm64'] }] },
          ],
        },
      },
    },
    serviceAccount: { annotations: { 'example.com/role': 'atom-operator' } },
  },
  single: { replicaCount: 1, leaderElection: { enabled: false } },
  openshift: valuesFrom(openshiftValuesPath),
  knobs: valuesFrom(everyKnobValuesPath),
} satisfies Record<string, Record<string, unknown>>;

/** The scenarios as [name, values] pairs, for describe.each. */
export const scenarioList: [string, Record<string, unknown>][] = Object.entries(scenarios);
