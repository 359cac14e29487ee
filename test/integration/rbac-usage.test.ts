// The RBAC rules the chart grants (src/rbac/rules.ts) are exactly what the operator uses.
// The real operator runs through a representative scenario with leader election on, and
// every request it makes goes through a recording proxy (test/integration/recording-proxy.ts):
// only the operator is given the proxy's address, while this test's own requests go to the
// sandbox directly, so the record holds the operator's traffic and nothing else. Each request
// becomes (verb, group, resource/subresource) the way the API server's authorizer sees it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.js';
import type { KubeObject } from '../../src/kube/resource.js';
import { silentLogger } from '../../src/observability/logger.js';
import { createOperator } from '../../src/operator.js';
import { rbacRules } from '../../src/rbac/rules.js';
import { defaultAgentProfile } from '../../src/resources/profile.js';
import { parseResourcePath, verbOf } from '../../src/sandbox/apiserver/request-info.js';
import { release, startHarness, USER, type Harness } from '../support/harness.js';
import { startRecordingProxy, type ProxiedRequest, type RecordingProxy } from './recording-proxy.js';

const NS = 'default';
const LEASE_NAMESPACE = 'default';
let h: Harness;
let proxy: RecordingProxy;

/**
 * Granted permissions no request can show. Each is needed on a real cluster all the same.
 * Keys are "verb group/resource" ("" is the core group).
 */
const notSeenInRequests: Record<string, string> = {
  // The API server checks this permission when a child is written with an ownerReference that sets
  // blockOwnerDeletion (the OwnerReferencesPermissionEnforcement admission plugin); no request
  // ever uses the verb, so no recording can show it.
  'update atomoperator.io/atoms/finalizers': 'checked by admission for blockOwnerDeletion, never requested',
};

interface Use {
  verb: string;
  group: string;
  resource: string;
  namespace: string | undefined;
}

/** What the authorizer sees for one request; SSA that created its object needs "create" as well as "patch". */
function usesOf(request: ProxiedRequest): Use[] {
  const url = new URL(request.url, 'https://x');
  const path = parseResourcePath(url.pathname);
  if (!path?.plural) return [];
  const watch = url.searchParams.get('watch') === 'true' || url.searchParams.get('watch') === '1';
  const verb = verbOf(request.method, path, watch);
  if (!verb) return [];
  const resource = path.subresource ? `${path.plural}/${path.subresource}` : path.plural;
  const use = { group: path.group, resource, namespace: path.namespace };
  const createdByApply = verb === 'patch' && request.status === 201;
  return createdByApply
    ? [
        { verb, ...use },
        { verb: 'create', ...use },
      ]
    : [{ verb, ...use }];
}

const key = (u: { verb: string; group: string; resource: string }) => `${u.verb} ${u.group}/${u.resource}`;
const granted = new Set(
  rbacRules.flatMap((r) =>
    r.apiGroups.flatMap((g) =>
      r.resources.flatMap((res) => r.verbs.map((verb) => key({ verb, group: g, resource: res }))),
    ),
  ),
);
const b64 = (s: string) => Buffer.from(s).toString('base64');
const imageOf = (name: string) => h.pods(NS, name)[0]?.spec?.containers[0]?.image;

beforeAll(async () => {
  h = await startHarness({ sandbox: { kubeletMode: 'auto' } });
  proxy = await startRecordingProxy(h.sandbox);
  h.simulator.signWith(h.simulator.releaseKeys.privateKeyPem);
  h.simulator.setRelease('stable', release('1.0.0', '1'));
  const config = parseConfig({
    argv: [
      '--leader-election-enabled=true',
      `--leader-election-namespace=${LEASE_NAMESPACE}`,
      // Renew often, so the short scenario sees renewals (update) and not only the first acquire (create).
      '--leader-election-lease-duration=3s',
      '--leader-election-renew-deadline=2s',
      '--leader-election-retry-period=500ms',
      '--metrics-address=127.0.0.1:0',
      '--health-address=127.0.0.1:0',
      `--platform-url=${h.simulator.url}`,
      '--platform-poll-interval=1s',
      '--fleet-soak-seconds=0',
      '--shutdown-timeout=2s',
    ],
    env: {},
    hostname: () => 'rbac-usage',
    podNamespace: () => LEASE_NAMESPACE,
  });
  const operator = createOperator({
    kubeConfig: proxy.kubeConfig(),
    config,
    logger: silentLogger(),
    profile: defaultAgentProfile,
    releasePublicKeys: [h.simulator.releaseKeys.publicKeyPem],
    platformClient: { retry: { maxAttempts: 1, baseDelayMs: 10, maxDelayMs: 10, maxRetryAfterMs: 10 } },
  });
  await operator.start();
  h.operator = operator;
  await operator.manager.waitForCacheSync();
}, 60_000);

afterAll(async () => {
  await h?.stop();
  await proxy?.stop();
});

describe('the operator through a representative scenario', () => {
  it('runs Atoms with valid, broken and missing registration Secrets', async () => {
    for (const name of ['good', 'other']) {
      await h.createRegistrationSecret(NS, `${name}-registration`);
      await h.applyAtom(NS, name);
    }
    await h.api.applyObject(
      {
        apiVersion: 'v1',
        kind: 'Secret',
        type: 'kubernetes.io/tls',
        metadata: { name: 'broken-registration', namespace: NS },
        data: { 'tls.crt': b64('not a certificate'), 'tls.key': b64('nor a key') },
      } as KubeObject,
      { fieldManager: USER },
    );
    await h.applyAtom(NS, 'broken');
    await h.applyAtom(NS, 'orphan');
    for (const name of ['good', 'other'])
      await h.waitFor(`${name} Ready`, () => h.condition(NS, name, 'Ready')?.status === 'True', 30_000);
    await h.waitFor(
      'broken reported',
      () => h.condition(NS, 'broken', 'CertificateValid')?.reason === 'Malformed',
      30_000,
    );
    await h.waitFor(
      'orphan reported',
      () => h.condition(NS, 'orphan', 'CertificateValid')?.reason === 'SecretNotFound',
      30_000,
    );
  }, 60_000);

  it('replaces the pod after an edit and repairs deleted children', async () => {
    const before = h.pods(NS, 'good')[0]?.metadata?.uid;
    await h.applyAtom(NS, 'good', { pod: { env: [{ name: 'EDITED', value: 'yes' }] } });
    await h.waitFor(
      'the edited pod',
      () => {
        const pod = h.pods(NS, 'good')[0];
        return (
          pod &&
          pod.metadata?.uid !== before &&
          pod.spec?.containers[0]?.env?.some((e) => e.name === 'EDITED') &&
          h.condition(NS, 'good', 'Ready')?.status === 'True'
        );
      },
      30_000,
    );
    const podUid = h.pods(NS, 'other')[0]?.metadata?.uid;
    await h.api.deleteObject(
      { apiVersion: 'v1', kind: 'Pod', namespace: NS, name: 'other-agent' },
      { gracePeriodSeconds: 0 },
    );
    await h.waitFor('a new pod', () => h.pods(NS, 'other').some((p) => p.metadata?.uid !== podUid), 30_000);
    for (let i = 0; i < 2; i++) {
      await h.api.deleteObject({
        apiVersion: 'networking.k8s.io/v1',
        kind: 'NetworkPolicy',
        namespace: NS,
        name: 'other-egress',
      });
      await h.waitFor(
        'the NetworkPolicy restored',
        () => h.sandbox.store.get('networking.k8s.io/networkpolicies', NS, 'other-egress'),
        30_000,
      );
    }
    // The second repair repeats the first one's event, which the recorder counts up with a patch.
    await h
      .waitFor('the repeated event counted', () => h.events(NS, 'other').some((e) => (e.count ?? 1) >= 2), 10_000)
      .catch((err: unknown) => {
        throw new Error(
          `${String(err)}; events: ${JSON.stringify(h.events(NS, 'other').map((e) => [e.reason, e.count, e.message]))}`,
        );
      });
  }, 60_000);

  it('removes a stray pod and the NetworkPolicy of an Atom that turns it off', async () => {
    // A copy of the Atom's pod under another name (as `kubectl get -o yaml` + edit + create makes): same labels and owner.
    const original = h.pods(NS, 'good')[0]!;
    const stray = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name: 'good-stray',
        namespace: NS,
        labels: original.metadata?.labels,
        ownerReferences: original.metadata?.ownerReferences,
      },
      spec: { containers: [{ name: 'c', image: 'busybox' }] },
    };
    await h.api.applyObject(stray as KubeObject, { fieldManager: USER });
    await h.waitFor('the stray pod removed', () => h.sandbox.store.get('pods', NS, 'good-stray') === undefined, 30_000);
    await h.applyAtom(NS, 'good', {
      pod: { env: [{ name: 'EDITED', value: 'yes' }] },
      networkPolicy: { enabled: false },
    });
    await h.waitFor(
      'the NetworkPolicy removed',
      () => h.sandbox.store.get('networking.k8s.io/networkpolicies', NS, 'good-egress') === undefined,
      30_000,
    );
  }, 60_000);

  it('rolls out an advertised version', async () => {
    h.simulator.setRelease('stable', release('1.1.0', '2'));
    for (const name of ['good', 'other']) {
      await h.waitFor(
        `${name} at 1.1.0`,
        () =>
          h.atom(NS, name)?.status?.currentVersion === '1.1.0' &&
          h.condition(NS, name, 'Ready')?.status === 'True' &&
          imageOf(name)?.endsWith('2'.repeat(64)),
        60_000,
      );
    }
  }, 90_000);

  it('lets a deleted Atom go', async () => {
    await h.api.deleteObject({ apiVersion: 'atomoperator.io/v1alpha1', kind: 'Atom', namespace: NS, name: 'other' });
    await h.waitFor('the Atom gone', () => h.atom(NS, 'other') === undefined, 30_000);
    await h.settle();
  });
});

describe('RBAC rules against what the operator used', () => {
  const used = () => proxy.requests.flatMap(usesOf);

  it('went through the proxy (the record is not empty by accident)', () => {
    expect(used().length).toBeGreaterThan(20);
    expect(proxy.requests.filter((r) => r.status === 403)).toEqual([]);
  });

  it('grants everything the operator used', () => {
    const missing = [...new Set(used().map(key))].filter((k) => !granted.has(k)).sort();
    expect(missing, 'requests the rules in src/rbac/rules.ts do not allow').toEqual([]);
  });

  it('grants nothing the operator did not use', () => {
    const seen = new Set(used().map(key));
    const extra = [...granted].filter((k) => !seen.has(k) && !(k in notSeenInRequests)).sort();
    expect(extra, 'rules in src/rbac/rules.ts that the scenario never needed').toEqual([]);
    expect(
      Object.keys(notSeenInRequests).filter((k) => !granted.has(k)),
      'exceptions for rules that no longer exist',
    ).toEqual([]);
  });

  it('reads no non-resource URL beyond what every authenticated user may (system:discovery, system:public-info-viewer)', () => {
    const discovery = /^\/(api|apis)(\/.*)?$|^\/(version|healthz|livez|readyz)$|^\/openapi\//;
    const others = proxy.requests
      .map((r) => new URL(r.url, 'https://x').pathname)
      .filter((p) => !parseResourcePath(p)?.plural && !discovery.test(p));
    expect(others).toEqual([]);
  });

  it('uses leases only in the leader election namespace, as the operator-namespace scope grants them', () => {
    const operatorNamespaceResources = new Set(
      rbacRules.filter((r) => r.scope === 'operator-namespace').flatMap((r) => r.resources),
    );
    const places = new Set(
      used()
        .filter((u) => operatorNamespaceResources.has(u.resource))
        .map((u) => u.namespace),
    );
    expect([...places]).toEqual([LEASE_NAMESPACE]);
  });
});
