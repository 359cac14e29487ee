// Each extension point a platform team needs, rendered from test/chart/fixtures/every-knob-values.yaml
// (which sets all of them at once) and, where the default matters, from the defaults.
import { describe, expect, it } from 'vitest';
import { chartDir, helmWithValues, only, releaseNamespace, render, scenarios, type Manifest } from './helm.js';

interface Probe {
  httpGet: { path: string; port: string };
  [timing: string]: unknown;
}
interface Deployment {
  metadata: { labels: Record<string, string> };
  spec: {
    selector: { matchLabels: Record<string, string> };
    strategy: unknown;
    template: {
      metadata: { labels: Record<string, string> };
      spec: {
        topologySpreadConstraints?: Record<string, unknown>[];
        volumes: { name: string }[];
        containers: {
          livenessProbe: Probe;
          readinessProbe: Probe;
          startupProbe: Probe;
          volumeMounts: { name: string; mountPath: string; readOnly?: boolean }[];
        }[];
      };
    };
  };
}

const deploymentOf = (objects: Manifest[]) => only(objects, 'Deployment') as unknown as Deployment;
const labelsOf = (o: Manifest) => (o.metadata as { labels?: Record<string, string> }).labels ?? {};
const knobs = render(scenarios.knobs);
const defaults = render(scenarios.defaults);
const selector = { 'app.kubernetes.io/name': 'atom-operator', 'app.kubernetes.io/instance': 'ops' };

describe('commonLabels', () => {
  it('labels every object the chart renders, the operator pods too, and may replace part-of', () => {
    const chartObjects = knobs.filter((o) => o.kind !== 'ConfigMap' || !o.metadata.name.endsWith('proxy-ca'));
    for (const o of chartObjects) {
      expect(labelsOf(o), `${o.kind} ${o.metadata.name}`).toMatchObject({
        'example.com/cost-centre': 'integration',
        'app.kubernetes.io/part-of': 'platform-tools',
      });
    }
    expect(deploymentOf(knobs).spec.template.metadata.labels).toMatchObject({
      ...selector,
      'example.com/cost-centre': 'integration',
    });
  });

  it('never changes a selector label, so the Deployment still selects its pods', () => {
    const d = deploymentOf(render({ commonLabels: { 'app.kubernetes.io/name': 'other', team: 'a' } }));
    expect(d.spec.selector.matchLabels).toEqual(selector);
    expect(d.metadata.labels['app.kubernetes.io/name']).toBe('atom-operator');
    expect(d.spec.template.metadata.labels).toMatchObject({ ...selector, team: 'a' });
  });
});

describe('topologySpreadConstraints', () => {
  it('defaults to a best-effort spread over nodes and zones that selects the release pods', () => {
    expect(deploymentOf(defaults).spec.template.spec.topologySpreadConstraints).toEqual([
      {
        maxSkew: 1,
        topologyKey: 'kubernetes.io/hostname',
        whenUnsatisfiable: 'ScheduleAnyway',
        labelSelector: { matchLabels: selector },
      },
      {
        maxSkew: 1,
        topologyKey: 'topology.kubernetes.io/zone',
        whenUnsatisfiable: 'ScheduleAnyway',
        labelSelector: { matchLabels: selector },
      },
    ]);
  });

  it('renders the list as given, adding the release selector only where an entry has none', () => {
    expect(deploymentOf(knobs).spec.template.spec.topologySpreadConstraints).toEqual([
      {
        maxSkew: 1,
        topologyKey: 'topology.kubernetes.io/zone',
        whenUnsatisfiable: 'DoNotSchedule',
        matchLabelKeys: ['pod-template-hash'],
        labelSelector: { matchLabels: selector },
      },
      {
        maxSkew: 2,
        topologyKey: 'kubernetes.io/hostname',
        whenUnsatisfiable: 'ScheduleAnyway',
        labelSelector: { matchLabels: { 'app.kubernetes.io/name': 'atom-operator' } },
      },
    ]);
  });

  it('an empty list renders none', () => {
    expect(deploymentOf(render({ topologySpreadConstraints: [] })).spec.template.spec.topologySpreadConstraints).toBe(
      undefined,
    );
  });
});

describe('deployment strategy and probes', () => {
  it('defaults to one replica at a time and takes a strategy from values', () => {
    expect(deploymentOf(defaults).spec.strategy).toEqual({
      type: 'RollingUpdate',
      rollingUpdate: { maxUnavailable: 1, maxSurge: 1 },
    });
    expect(deploymentOf(knobs).spec.strategy).toEqual({
      type: 'RollingUpdate',
      rollingUpdate: { maxUnavailable: 0, maxSurge: 1 },
    });
    expect(deploymentOf(render({ strategy: { type: 'Recreate' } })).spec.strategy).toEqual({ type: 'Recreate' });
  });

  it('keeps the operator endpoints and takes the timing of every probe from values', () => {
    const c = deploymentOf(knobs).spec.template.spec.containers[0];
    expect(c?.livenessProbe).toEqual({
      httpGet: { path: '/healthz', port: 'health' },
      initialDelaySeconds: 30,
      periodSeconds: 15,
      timeoutSeconds: 3,
      failureThreshold: 5,
    });
    expect(c?.readinessProbe).toEqual({
      httpGet: { path: '/readyz', port: 'health' },
      periodSeconds: 7,
      timeoutSeconds: 2,
      failureThreshold: 2,
      successThreshold: 2,
    });
    expect(c?.startupProbe).toEqual({
      httpGet: { path: '/healthz', port: 'health' },
      periodSeconds: 10,
      failureThreshold: 30,
    });
  });
});

describe('extraVolumes, extraVolumeMounts and extraObjects', () => {
  it('adds the volumes and mounts next to the chart-owned /tmp', () => {
    const pod = deploymentOf(knobs).spec.template.spec;
    expect(pod.volumes).toContainEqual({ name: 'proxy-ca', configMap: { name: 'corporate-proxy-ca' } });
    expect(pod.volumes.map((v) => v.name)).toContain('tmp');
    expect(pod.containers[0]?.volumeMounts).toContainEqual({
      name: 'proxy-ca',
      mountPath: '/etc/ssl/proxy',
      readOnly: true,
    });
  });

  it('renders extra objects, given as objects or as strings, through tpl', () => {
    const extra = knobs.filter((o) => o.kind === 'ConfigMap' && o.metadata.name !== 'ops-atom-operator-dashboard');
    expect(extra.map((o) => [o.metadata.name, o.metadata.namespace])).toEqual([
      ['ops-proxy-ca', releaseNamespace],
      ['ops-atom-operator-extra', releaseNamespace],
    ]);
    expect((extra[0] as unknown as { data: Record<string, string> }).data.note).toBe('templated for ops');
    expect(labelsOf(extra[1] as Manifest)['app.kubernetes.io/instance']).toBe('ops');
  });
});

describe('PodDisruptionBudget', () => {
  const pdb = (objects: Manifest[]) => only(objects, 'PodDisruptionBudget').spec;

  it.each([
    ['neither set: minAvailable 1', {}, { minAvailable: 1 }],
    ['minAvailable', { minAvailable: '50%' }, { minAvailable: '50%' }],
    ['maxUnavailable', { maxUnavailable: 1 }, { maxUnavailable: 1 }],
  ])('%s', (_what, values, expected) => {
    const spec = pdb(render({ pdb: values }));
    expect(spec).toMatchObject(expected);
    expect(Object.keys(spec as object).filter((k) => k !== 'selector')).toEqual(Object.keys(expected));
  });

  it.each([
    ['both set', { minAvailable: 1, maxUnavailable: 1 }, /set pdb.minAvailable or pdb.maxUnavailable, not both/],
    ['maxUnavailable 0', { maxUnavailable: 0 }, /pdb.maxUnavailable must be at least 1/],
  ])('fails the render with %s', (_what, values, message) => {
    const r = helmWithValues(['template', 'ops', chartDir], { pdb: values });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(message);
  });
});
