// The chart configures the operator only through ATOM_OPERATOR_* variables; this feeds the
// rendered env to the operator's own parser (src/config), so a renamed or mistyped setting
// fails here instead of crash-looping in a cluster.
import { describe, expect, it } from 'vitest';
import { settingDocs } from '../../hack/generate-config-docs.js';
import { parseConfig } from '../../src/config/load.js';
import { only, releaseNamespace, render, scenarioList, scenarios, type Manifest } from './helm.js';

interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: unknown;
}
interface PodTemplate {
  spec: {
    containers: { env: EnvVar[]; volumeMounts: { name: string; mountPath: string; readOnly?: boolean }[] }[];
    volumes: {
      name: string;
      secret?: { secretName: string; items?: { key: string; path: string }[] };
      configMap?: { name: string };
    }[];
  };
}

function podTemplate(objects: Manifest[]): PodTemplate {
  return (only(objects, 'Deployment') as unknown as { spec: { template: PodTemplate } }).spec.template;
}

/** What the operator process sees: the literal values (downward API values are not ATOM_OPERATOR_* settings). */
function operatorEnv(objects: Manifest[]): Record<string, string> {
  const env = podTemplate(objects).spec.containers[0]?.env ?? [];
  return Object.fromEntries(env.filter((e) => e.value !== undefined).map((e) => [e.name, e.value as string]));
}

const sources = (env: Record<string, string>) => ({
  argv: [],
  env,
  podNamespace: () => 'from-file',
  hostname: () => 'pod-0',
});

describe.each(scenarioList)('the operator accepts the configuration rendered with %s values', (_name, values) => {
  const objects = render(values);

  it('parses without a problem, and takes the lease from the release namespace', () => {
    const config = parseConfig(sources(operatorEnv(objects)));
    expect(config.leaderElection.namespace).toBe(releaseNamespace);
    expect(config.metricsAddress).toBe(':8080');
    expect(config.healthAddress).toBe(':8081');
    expect(config.watchNamespaces).toEqual((values.watchNamespaces as string[] | undefined) ?? []);
  });

  it('stops reconciling before the kubelet kills the pod', () => {
    const config = parseConfig(sources(operatorEnv(objects)));
    const grace = (
      only(objects, 'Deployment') as unknown as {
        spec: { template: { spec: { terminationGracePeriodSeconds: number } } };
      }
    ).spec.template.spec.terminationGracePeriodSeconds;
    expect(config.shutdownTimeout).toBeLessThan(grace * 1000);
  });
});

describe('chart values reach the operator', () => {
  it('with defaults: leader election on, 5m polls, default DNS pods, fleet of one at a time', () => {
    const config = parseConfig(sources(operatorEnv(render(scenarios.defaults))));
    expect(config.leaderElection).toMatchObject({ enabled: true, leaseName: 'ops-atom-operator-leader' });
    expect(config.platform).toMatchObject({ pollInterval: 300_000, statusPollInterval: 60_000 });
    expect(config.platform.url).toBeUndefined();
    expect(config.platform.releasePublicKeysFile).toBeUndefined();
    expect(config.atoms).toMatchObject({
      dnsNamespace: 'kube-system',
      dnsPodLabels: ['k8s-app=kube-dns'],
      certificateWarning: 720 * 3_600_000,
    });
    expect(config.atoms.agentProfileFile).toBeUndefined();
    // Counts arrive as digit strings from env, which the fleet policy accepts as they are.
    expect(config.fleet).toEqual({
      maxConcurrent: '1',
      soakSeconds: 300,
      haltThreshold: '2',
      scope: 'Cluster',
      allowCriticalOverride: true,
    });
    expect(config).toMatchObject({ workers: 16, logLevel: 'info', resyncPeriod: 600_000 });
    expect(config.kubeApi).toEqual({ qps: 500, burst: 1000 });
  });

  it('with a single replica: leader election off', () => {
    expect(parseConfig(sources(operatorEnv(render(scenarios.single)))).leaderElection.enabled).toBe(false);
  });

  it('with everything set: platform, proxy, DNS pods, fleet policy and extra settings', () => {
    const config = parseConfig(sources(operatorEnv(render(scenarios.everything))));
    expect(config.platform).toMatchObject({
      url: 'https://platform.example.com',
      pollInterval: 60_000,
      statusPollInterval: 30_000,
      httpsProxy: 'http://proxy.internal:3128',
      noProxy: '.internal,10.0.0.0/8',
      releasePublicKeysFile: '/etc/atom-operator/release-keys/keys.pem',
    });
    expect(config.atoms).toMatchObject({
      dnsNamespace: 'dns-system',
      dnsPodLabels: ['app.kubernetes.io/name=coredns', 'tier=dns'],
      agentProfileFile: '/etc/atom-operator/agent-profile/profile.yaml',
    });
    expect(config.fleet).toEqual({
      maxConcurrent: '25%',
      soakSeconds: 60,
      haltThreshold: '3',
      scope: 'Namespace',
      allowCriticalOverride: false,
    });
    expect(config.kubeApi).toEqual({ qps: 50, burst: 100 });
    expect(config.leaderElection.leaseDuration).toBe(30_000);
  });

  it('mounts the release public keys Secret read-only where the operator is told to read them', () => {
    const pod = podTemplate(render(scenarios.everything));
    const volume = pod.spec.volumes.find((v) => v.name === 'release-keys');
    expect(volume?.secret).toMatchObject({
      secretName: 'atom-release-keys',
      items: [{ key: 'keys.pem', path: 'keys.pem' }],
    });
    expect(pod.spec.containers[0]?.volumeMounts).toContainEqual({
      name: 'release-keys',
      mountPath: '/etc/atom-operator/release-keys',
      readOnly: true,
    });
  });

  it('renders the agent profile into a ConfigMap mounted where the operator is told to read it', () => {
    const objects = render(scenarios.everything);
    const configMap = only(objects, 'ConfigMap') as unknown as {
      metadata: { name: string };
      data: Record<string, string>;
    };
    expect(configMap.data['profile.yaml']).toBe('containerName: agent\nrunAsUser: 2000\n');
    const pod = podTemplate(objects);
    expect(pod.spec.volumes.find((v) => v.name === 'agent-profile')?.configMap).toEqual({
      name: configMap.metadata.name,
    });
    expect(pod.spec.containers[0]?.volumeMounts).toContainEqual({
      name: 'agent-profile',
      mountPath: '/etc/atom-operator/agent-profile',
      readOnly: true,
    });
  });

  it('rolls the operator pods when the agent profile changes, since it is read once at start', () => {
    const annotations = (agentProfile: Record<string, unknown>) =>
      (
        only(
          render({ podAnnotations: { 'example.com/a': 'b' }, operator: { agentProfile } }),
          'Deployment',
        ) as unknown as {
          spec: { template: { metadata: { annotations: Record<string, string> } } };
        }
      ).spec.template.metadata.annotations;
    const first = annotations({ runAsUser: 2000 });
    const second = annotations({ runAsUser: 2001 });
    expect(first['example.com/a']).toBe('b');
    expect(first['checksum/agent-profile']).toMatch(/^[a-f0-9]{64}$/);
    expect(second['checksum/agent-profile']).not.toBe(first['checksum/agent-profile']);
  });

  it('renders every operator setting from a value, except those left to extraEnv on purpose', () => {
    // Lease timings and identity have working defaults and rarely need changing; the kubeconfig is never
    // used in a pod (in-cluster config). Any other new setting needs a chart value (or a line here).
    const leftToExtraEnv = [
      'ATOM_OPERATOR_KUBECONFIG',
      'ATOM_OPERATOR_LEADER_ELECTION_IDENTITY',
      'ATOM_OPERATOR_LEADER_ELECTION_LEASE_DURATION',
      'ATOM_OPERATOR_LEADER_ELECTION_RENEW_DEADLINE',
      'ATOM_OPERATOR_LEADER_ELECTION_RETRY_PERIOD',
    ];
    const everything = { ...scenarios.everything, operator: { ...scenarios.everything.operator, extraEnv: [] } };
    const rendered = Object.keys(operatorEnv(render(everything)));
    const missing = settingDocs()
      .map((s) => s.env)
      .filter((env) => !rendered.includes(env) && !leftToExtraEnv.includes(env));
    expect(missing).toEqual([]);
  });

  it('an extra ATOM_OPERATOR_* variable the operator does not know makes it refuse to start, naming it', () => {
    const objects = render({ operator: { extraEnv: [{ name: 'ATOM_OPERATOR_POLL_INTERVAL_SECONDS', value: '30' }] } });
    expect(() => parseConfig(sources(operatorEnv(objects)))).toThrow(
      /ATOM_OPERATOR_POLL_INTERVAL_SECONDS: unknown setting/,
    );
  });
});
