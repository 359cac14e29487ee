// What `helm template` produces for the values people actually use: valid Kubernetes
// objects, the restricted security profile, the right shape per mode, and loud
// failures for values that would break the operator.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { load } from 'js-yaml';
import { CustomResourceDefinition } from 'kubernetes-models/apiextensions.k8s.io/v1';
import { Deployment } from 'kubernetes-models/apps/v1';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { ClusterRole, ClusterRoleBinding, Role, RoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1';
import { ConfigMap, Service, ServiceAccount } from 'kubernetes-models/v1';
import {
  chartDir,
  helmWithValues,
  only,
  releaseNamespace,
  render,
  repoRoot,
  restrictedContainerSecurityContext,
  scenarioList,
  scenarios,
  type Manifest,
} from './helm.js';

type Validatable = { validate(): void };
const models: Record<string, (o: Manifest) => Validatable> = {
  'apps/v1/Deployment': (o) => new Deployment(o as never),
  'v1/ServiceAccount': (o) => new ServiceAccount(o as never),
  'v1/Service': (o) => new Service(o as never),
  'v1/ConfigMap': (o) => new ConfigMap(o as never),
  'policy/v1/PodDisruptionBudget': (o) => new PodDisruptionBudget(o as never),
  'networking.k8s.io/v1/NetworkPolicy': (o) => new NetworkPolicy(o as never),
  'rbac.authorization.k8s.io/v1/ClusterRole': (o) => new ClusterRole(o as never),
  'rbac.authorization.k8s.io/v1/ClusterRoleBinding': (o) => new ClusterRoleBinding(o as never),
  'rbac.authorization.k8s.io/v1/Role': (o) => new Role(o as never),
  'rbac.authorization.k8s.io/v1/RoleBinding': (o) => new RoleBinding(o as never),
  'apiextensions.k8s.io/v1/CustomResourceDefinition': (o) => new CustomResourceDefinition(o as never),
};

interface Container {
  name: string;
  image: string;
  env: { name: string; value?: string; valueFrom?: { fieldRef?: { fieldPath: string } } }[];
  securityContext: Record<string, unknown>;
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  livenessProbe?: { httpGet?: { path: string; port: string | number } };
  readinessProbe?: { httpGet?: { path: string; port: string | number } };
  ports: { name: string; containerPort: number }[];
}
interface PodSpec {
  automountServiceAccountToken?: boolean;
  serviceAccountName: string;
  securityContext: Record<string, unknown>;
  containers: Container[];
  topologySpreadConstraints?: { topologyKey: string }[];
  terminationGracePeriodSeconds?: number;
  imagePullSecrets?: { name: string }[];
  priorityClassName?: string;
}

function deployment(objects: Manifest[]): { replicas: number; pod: PodSpec; container: Container } {
  const d = only(objects, 'Deployment') as unknown as { spec: { replicas: number; template: { spec: PodSpec } } };
  const pod = d.spec.template.spec;
  const container = pod.containers[0];
  if (!container) throw new Error('the Deployment has no container');
  return { replicas: d.spec.replicas, pod, container };
}

function env(container: Container): Record<string, string | undefined> {
  return Object.fromEntries(container.env.map((e) => [e.name, e.value ?? e.valueFrom?.fieldRef?.fieldPath]));
}

describe.each(scenarioList)('helm template with %s values', (_name, values) => {
  const objects = render(values);

  it('renders only objects that validate against the Kubernetes schemas (monitoring CRDs: minimal shape)', () => {
    expect(objects.length).toBeGreaterThan(5);
    for (const o of objects) {
      const key = `${o.apiVersion}/${o.kind}`;
      if (o.apiVersion === 'monitoring.coreos.com/v1') {
        expect(['ServiceMonitor', 'PodMonitor', 'PrometheusRule']).toContain(o.kind);
        expect(o.spec, `${key} ${o.metadata.name} has a spec`).toBeTypeOf('object');
        continue;
      }
      const model = models[key];
      expect(model, `no schema check for ${key}`).toBeDefined();
      expect(() => model?.(o).validate(), `${key} ${o.metadata.name}`).not.toThrow();
    }
  });

  it('puts every namespaced object it owns in the release namespace, or a watched namespace for RBAC', () => {
    const watched = (values.watchNamespaces as string[] | undefined) ?? [];
    const dashboardNamespace = (values.grafanaDashboard as { namespace?: string } | undefined)?.namespace;
    for (const o of objects) {
      if (['CustomResourceDefinition', 'ClusterRole', 'ClusterRoleBinding'].includes(o.kind)) {
        expect(o.metadata.namespace).toBeUndefined();
      } else if (o.metadata.name === 'ops-atom-operator-dashboard' && dashboardNamespace) {
        // The dashboard goes where the Grafana sidecar looks, when one is named.
        expect(o.metadata.namespace).toBe(dashboardNamespace);
      } else {
        expect([releaseNamespace, ...watched]).toContain(o.metadata.namespace);
      }
    }
  });

  it('runs the operator under the restricted Pod Security profile with a read-only root file system', () => {
    const { pod, container } = deployment(objects);
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
    expect(container.securityContext).toMatchObject(restrictedContainerSecurityContext);
    expect(pod.automountServiceAccountToken).toBe(true);
    expect(container.resources?.requests).toMatchObject({ cpu: expect.any(String), memory: expect.any(String) });
    expect(container.resources?.limits).toMatchObject({ memory: expect.any(String) });
  });

  it('probes /healthz and /readyz on the health port and exposes metrics on 8080', () => {
    const { container } = deployment(objects);
    expect(container.livenessProbe?.httpGet).toEqual({ path: '/healthz', port: 'health' });
    expect(container.readinessProbe?.httpGet).toEqual({ path: '/readyz', port: 'health' });
    expect(container.ports).toEqual([
      { name: 'metrics', containerPort: 8080, protocol: 'TCP' },
      { name: 'health', containerPort: 8081, protocol: 'TCP' },
    ]);
    const service = only(objects, 'Service') as unknown as { spec: { ports: { port: number; targetPort: string }[] } };
    expect(service.spec.ports).toEqual([{ name: 'metrics', port: 8080, targetPort: 'metrics', protocol: 'TCP' }]);
  });

  it('tells the pod its own name and namespace through the downward API', () => {
    const e = env(deployment(objects).container);
    expect(e.POD_NAME).toBe('metadata.name');
    expect(e.POD_NAMESPACE).toBe('metadata.namespace');
    expect(e.ATOM_OPERATOR_METRICS_ADDRESS).toBe(':8080');
    expect(e.ATOM_OPERATOR_HEALTH_ADDRESS).toBe(':8081');
  });

  it('installs the CRD from files/crds with its schema unchanged and keeps it on uninstall', () => {
    const crd = only(objects, 'CustomResourceDefinition') as unknown as {
      metadata: { annotations?: Record<string, string> };
      spec: unknown;
    };
    const source = load(readFileSync(join(chartDir, 'files', 'crds', 'atoms.atomoperator.io.yaml'), 'utf8')) as {
      spec: unknown;
    };
    expect(crd.spec).toEqual(source.spec);
    expect(crd.metadata.annotations?.['helm.sh/resource-policy']).toBe('keep');
  });
});

describe('deployment shape per mode', () => {
  it('defaults to two replicas with leader election, spread over nodes and zones, and a PDB of minAvailable 1', () => {
    const objects = render(scenarios.defaults);
    const { replicas, pod, container } = deployment(objects);
    expect(replicas).toBe(2);
    expect(env(container).ATOM_OPERATOR_LEADER_ELECTION_ENABLED).toBe('true');
    expect(env(container).ATOM_OPERATOR_LEADER_ELECTION_NAMESPACE).toBe(releaseNamespace);
    expect(env(container).ATOM_OPERATOR_WATCH_NAMESPACES).toBe('');
    expect(pod.topologySpreadConstraints?.map((t) => t.topologyKey)).toEqual([
      'kubernetes.io/hostname',
      'topology.kubernetes.io/zone',
    ]);
    expect(pod.terminationGracePeriodSeconds).toBe(30);
    expect(container.image).toBe('atom-operator:0.1.0');
    expect(only(objects, 'PodDisruptionBudget').spec).toMatchObject({ minAvailable: 1 });
    expect(
      objects.filter((o) => o.apiVersion.startsWith('monitoring.coreos.com') || o.kind === 'NetworkPolicy'),
    ).toEqual([]);
  });

  it('with one replica and no leader election renders no PDB (it would block drains) and no spread constraints', () => {
    const objects = render(scenarios.single);
    const { replicas, pod, container } = deployment(objects);
    expect(replicas).toBe(1);
    expect(env(container).ATOM_OPERATOR_LEADER_ELECTION_ENABLED).toBe('false');
    expect(pod.topologySpreadConstraints).toBeUndefined();
    expect(objects.some((o) => o.kind === 'PodDisruptionBudget')).toBe(false);
  });

  it('in namespaced mode tells the operator which namespaces to watch', () => {
    expect(env(deployment(render(scenarios.namespaced)).container).ATOM_OPERATOR_WATCH_NAMESPACES).toBe(
      'team-a,team-b',
    );
  });

  it('with everything on pins the image by digest and renders ServiceMonitor, PrometheusRule and NetworkPolicy', () => {
    const objects = render(scenarios.everything);
    const { pod, container } = deployment(objects);
    expect(container.image).toBe(`atom-operator@sha256:${'a'.repeat(64)}`);
    expect(pod.imagePullSecrets).toEqual([{ name: 'regcred' }]);
    expect(pod.priorityClassName).toBe('system-cluster-critical');
    expect(env(container)).toMatchObject({ ATOM_OPERATOR_PLATFORM_URL: 'https://platform.example.com' });
    const monitor = only(objects, 'ServiceMonitor') as unknown as {
      metadata: { labels: Record<string, string> };
      spec: { selector: { matchLabels: Record<string, string> }; endpoints: { port: string }[] };
    };
    expect(monitor.metadata.labels.release).toBe('prometheus');
    expect(monitor.spec.endpoints[0]?.port).toBe('metrics');
    // The ServiceMonitor must select the metrics Service and nothing else.
    const service = only(objects, 'Service') as unknown as { metadata: { labels: Record<string, string> } };
    expect(service.metadata.labels).toMatchObject(monitor.spec.selector.matchLabels);
  });

  it('alerts on operator down, reconcile errors, expiring certificates, halted rollouts and degraded Atoms, each with a runbook link', () => {
    const rule = only(render(scenarios.everything), 'PrometheusRule') as unknown as {
      spec: {
        groups: {
          rules: { alert: string; expr: string; labels: Record<string, string>; annotations: Record<string, string> }[];
        }[];
      };
    };
    const rules = rule.spec.groups.flatMap((g) => g.rules);
    expect(rules.map((r) => r.alert)).toEqual([
      'AtomOperatorDown',
      'AtomOperatorNoLeader',
      'AtomOperatorReconcileErrors',
      'AtomCertificateExpiringSoon',
      'AtomRolloutHalted',
      'AtomDegraded',
      'AtomOffline',
    ]);
    for (const r of rules) {
      expect(r.annotations.summary, r.alert).toMatch(/\w/);
      expect(r.annotations.runbook_url, r.alert).toBe(`docs/troubleshooting.md#${r.alert.toLowerCase()}`);
      expect(['warning', 'critical']).toContain(r.labels.severity);
      expect(r.labels.team).toBe('integration');
      expect(r.expr, r.alert).toContain('job="ops-atom-operator-metrics"');
    }
    expect(rules.find((r) => r.alert === 'AtomCertificateExpiringSoon')?.expr).toContain(
      'atom_operator_certificate_expiry_timestamp_seconds',
    );
    expect(rules.find((r) => r.alert === 'AtomCertificateExpiringSoon')?.expr).toContain(`< ${14 * 86400}`);
    expect(rules.find((r) => r.alert === 'AtomRolloutHalted')?.expr).toContain('atom_operator_rollout_halted');
    expect(rules.find((r) => r.alert === 'AtomOperatorReconcileErrors')?.expr).toContain(
      'controller_runtime_reconcile_errors_total',
    );
    expect(rules.find((r) => r.alert === 'AtomOperatorNoLeader')?.expr).toContain('leader_election_master_status');
    // An offline Atom pages once, through AtomOffline.
    expect(rules.find((r) => r.alert === 'AtomDegraded')?.expr).toBe(
      'max by (atom_namespace, atom, reason) (atom_operator_atom_degraded{job="ops-atom-operator-metrics", reason!="AtomOffline"}) > 0',
    );
    const offline = rules.find((r) => r.alert === 'AtomOffline');
    expect(offline?.expr).toBe(
      'max by (atom_namespace, atom) (atom_operator_atom_offline{job="ops-atom-operator-metrics"}) > 0',
    );
    expect(offline?.annotations.summary).toBe(
      'Atom {{ $labels.atom_namespace }}/{{ $labels.atom }} is Ready in Kubernetes but offline for its platform.',
    );
  });

  it('isolates the operator: ingress only to metrics and health, egress only to DNS, the API server and 443', () => {
    const policy = only(render(scenarios.everything), 'NetworkPolicy') as unknown as {
      spec: {
        policyTypes: string[];
        ingress: { ports: { port: string | number }[]; from?: unknown[] }[];
        egress: { ports: { port: number; protocol: string }[]; to?: unknown[] }[];
      };
    };
    expect(policy.spec.policyTypes).toEqual(['Ingress', 'Egress']);
    expect(policy.spec.ingress.flatMap((r) => r.ports.map((p) => p.port))).toEqual(['metrics', 'health']);
    expect(policy.spec.ingress[0]?.from).toEqual([
      { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } } },
    ]);
    expect(policy.spec.egress.map((r) => r.ports.map((p) => `${p.protocol}/${p.port}`))).toEqual([
      ['UDP/53', 'TCP/53'],
      ['TCP/443', 'TCP/6443'],
      ['TCP/443'],
    ]);
    expect(policy.spec.egress[1]?.to).toEqual([{ ipBlock: { cidr: '10.0.0.1/32' } }]);
    expect(policy.spec.egress[2]?.to).toEqual([{ ipBlock: { cidr: '0.0.0.0/0' } }, { ipBlock: { cidr: '::/0' } }]);
    // DNS goes to the same pods the operator lets Atoms reach.
    expect(policy.spec.egress[0]?.to).toEqual([
      {
        namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'dns-system' } },
        podSelector: { matchLabels: { 'app.kubernetes.io/name': 'coredns', tier: 'dns' } },
      },
    ]);
  });

  it('does not alert on a missing leader when leader election is off', () => {
    const rule = only(
      render({ ...scenarios.single, prometheusRule: { enabled: true } }),
      'PrometheusRule',
    ) as unknown as { spec: { groups: { rules: { alert: string }[] }[] } };
    expect(rule.spec.groups.flatMap((g) => g.rules.map((r) => r.alert))).not.toContain('AtomOperatorNoLeader');
  });

  it('leaves the CRD out when crds.enabled is false, and drops the keep policy when crds.keep is false', () => {
    expect(render({ crds: { enabled: false } }).some((o) => o.kind === 'CustomResourceDefinition')).toBe(false);
    const crd = only(render({ crds: { keep: false } }), 'CustomResourceDefinition') as unknown as {
      metadata: { annotations?: Record<string, string> };
    };
    expect(crd.metadata.annotations?.['helm.sh/resource-policy']).toBeUndefined();
  });
});

describe('values that would break the operator fail the render', () => {
  it.each([
    ['a misspelled key', { replicaCont: 3 }, /additional properties 'replicaCont' not allowed/],
    ['a misspelled nested key', { image: { tga: '1.0.0' } }, /additional properties 'tga' not allowed/],
    ['an unknown pull policy', { image: { pullPolicy: 'Sometimes' } }, /pullPolicy/],
    ['a digest that is not sha256', { image: { digest: 'latest' } }, /digest/],
    ['a plain-http platform URL', { operator: { platformUrl: 'http://platform.example.com' } }, /platformUrl/],
    ['an unknown log level', { operator: { logLevel: 'verbose' } }, /logLevel/],
    ['zero replicas', { replicaCount: 0 }, /replicaCount/],
    ['a namespace name that is not a DNS label', { watchNamespaces: ['Team_A'] }, /watchNamespaces/],
    [
      'two replicas without leader election',
      { replicaCount: 2, leaderElection: { enabled: false } },
      /needs leaderElection.enabled=true/,
    ],
    [
      'a PodDisruptionBudget that would block every drain',
      { replicaCount: 2, pdb: { minAvailable: 2 } },
      /pdb.minAvailable must be lower than replicaCount/,
    ],
    [
      'an existing service account left unnamed',
      { serviceAccount: { create: false } },
      /serviceAccount.name is required/,
    ],
  ])('%s', (_what, values, message) => {
    const r = helmWithValues(['template', 'ops', chartDir], values);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(message);
  });
});

describe('the chart ships the generated CRD', () => {
  it('files/crds/atoms.atomoperator.io.yaml equals crds/atoms.atomoperator.io.yaml byte for byte', () => {
    const chartCopy = readFileSync(join(chartDir, 'files', 'crds', 'atoms.atomoperator.io.yaml'));
    const source = readFileSync(join(repoRoot, 'crds', 'atoms.atomoperator.io.yaml'));
    expect(chartCopy.equals(source)).toBe(true);
  });
});
