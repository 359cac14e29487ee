// The protocol edge: authentication, discovery, bad requests, limits, fault
// injection and request accounting, over raw HTTPS.
import { CoreV1Api } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { failure, raw, useSandbox } from './helpers.js';

const sandbox = useSandbox();

function core(): CoreV1Api {
  return sandbox().kubeConfig().makeApiClient(CoreV1Api);
}

describe('authentication', () => {
  it('answers requests without the bearer token with a 401 Unauthorized Status', async () => {
    const res = await raw(sandbox(), 'GET', '/api/v1/namespaces', { token: null });
    expect(res.status).toBe(401);
    expect(res.json()).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'Unauthorized',
      reason: 'Unauthorized',
      code: 401,
    });
    expect((await raw(sandbox(), 'GET', '/api/v1/namespaces', { token: 'wrong' })).status).toBe(401);
  });
});

describe('discovery', () => {
  it('serves /version as a v1.32 server', async () => {
    const v = (await raw(sandbox(), 'GET', '/version')).json<{ gitVersion: string; major: string; minor: string }>();
    expect(v.gitVersion).toMatch(/^v1\.32\.\d+$/);
    expect([v.major, v.minor]).toEqual(['1', '32']);
  });

  it('serves /api, /api/v1, /apis and group versions', async () => {
    expect((await raw(sandbox(), 'GET', '/api')).json()).toMatchObject({ kind: 'APIVersions', versions: ['v1'] });
    const core = (await raw(sandbox(), 'GET', '/api/v1')).json<{
      kind: string;
      groupVersion: string;
      resources: { name: string; namespaced: boolean; kind: string; verbs: string[] }[];
    }>();
    expect(core.kind).toBe('APIResourceList');
    expect(core.resources.find((r) => r.name === 'pods')).toMatchObject({ namespaced: true, kind: 'Pod' });
    expect(core.resources.find((r) => r.name === 'pods/status')?.verbs).toEqual(['get', 'patch', 'update']);
    for (const name of [
      'namespaces',
      'secrets',
      'configmaps',
      'serviceaccounts',
      'services',
      'persistentvolumeclaims',
      'events',
    ]) {
      expect(core.resources.map((r) => r.name)).toContain(name);
    }
    const groups = (await raw(sandbox(), 'GET', '/apis')).json<{
      kind: string;
      groups: { name: string; preferredVersion: { groupVersion: string } }[];
    }>();
    expect(groups.kind).toBe('APIGroupList');
    expect(groups.groups.map((g) => g.preferredVersion.groupVersion)).toEqual(
      expect.arrayContaining([
        'apps/v1',
        'apiextensions.k8s.io/v1',
        'coordination.k8s.io/v1',
        'events.k8s.io/v1',
        'networking.k8s.io/v1',
      ]),
    );
    expect((await raw(sandbox(), 'GET', '/apis/coordination.k8s.io/v1')).json()).toMatchObject({
      groupVersion: 'coordination.k8s.io/v1',
    });
  });

  it('answers aggregated discovery requests with the plain type so clients fall back', async () => {
    const res = await raw(sandbox(), 'GET', '/apis', {
      accept: 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json;q=0.9',
    });
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(res.json<{ kind: string }>().kind).toBe('APIGroupList');
  });
});

describe('bad requests', () => {
  it('answers malformed JSON with 400 BadRequest', async () => {
    const res = await raw(sandbox(), 'POST', '/api/v1/namespaces/default/configmaps', {
      body: '{"metadata":',
      contentType: 'application/json',
    });
    expect(res.status).toBe(400);
    expect(res.json()).toMatchObject({ kind: 'Status', reason: 'BadRequest', code: 400 });
  });

  it('answers malformed YAML in an apply patch with 400', async () => {
    const res = await raw(sandbox(), 'PATCH', '/api/v1/namespaces/default/configmaps/x?fieldManager=t', {
      body: 'a: [b',
      contentType: 'application/apply-patch+yaml',
    });
    expect(res.status).toBe(400);
  });

  it('answers an unsupported patch content type with 415', async () => {
    const res = await raw(sandbox(), 'PATCH', '/api/v1/namespaces/default/configmaps/x', {
      body: '{}',
      contentType: 'text/plain',
    });
    expect(res.status).toBe(415);
    expect(res.json<{ reason: string }>().reason).toBe('UnsupportedMediaType');
  });

  it('answers bodies over 3 MiB with 413', async () => {
    const big = JSON.stringify({ metadata: { name: 'big' }, data: { x: 'a'.repeat(3 * 1024 * 1024 + 10) } });
    const res = await raw(sandbox(), 'POST', '/api/v1/namespaces/default/configmaps', {
      body: big,
      contentType: 'application/json',
    });
    expect(res.status).toBe(413);
    expect(res.json()).toMatchObject({ reason: 'RequestEntityTooLarge', code: 413 });
  });

  it('answers unknown resources with a NotFound Status and unknown paths with 404 page not found', async () => {
    const unknownResource = await raw(sandbox(), 'GET', '/api/v1/widgets');
    expect(unknownResource.status).toBe(404);
    expect(unknownResource.json()).toMatchObject({
      reason: 'NotFound',
      message: 'the server could not find the requested resource',
    });
    const unknownPath = await raw(sandbox(), 'GET', '/nothing/here');
    expect(unknownPath.status).toBe(404);
    expect(unknownPath.text).toBe('404 page not found\n');
    expect((await raw(sandbox(), 'GET', '/apis/nope.io/v1/things')).status).toBe(404);
  });

  it('routes namespaced kinds without a namespace only for list and watch', async () => {
    expect((await raw(sandbox(), 'GET', '/api/v1/pods')).status).toBe(200);
    const create = await raw(sandbox(), 'POST', '/api/v1/pods', {
      body: '{"metadata":{"name":"x"}}',
      contentType: 'application/json',
    });
    expect(create.status).toBe(405);
    expect(create.json()).toMatchObject({ reason: 'MethodNotAllowed' });
    expect((await raw(sandbox(), 'GET', '/api/v1/pods/x')).status).toBe(404);
  });

  it('refuses managedFields inside an apply configuration', async () => {
    const res = await raw(sandbox(), 'PATCH', '/api/v1/namespaces/default/configmaps/mf?fieldManager=t', {
      body: JSON.stringify({
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'mf', managedFields: [{ manager: 'x' }] },
      }),
      contentType: 'application/apply-patch+yaml',
    });
    expect(res.status).toBe(400);
    expect(res.json<{ message: string }>().message).toBe('metadata.managedFields must be nil');
  });

  it('answers a kind mismatch in the body with 400', async () => {
    const res = await raw(sandbox(), 'POST', '/api/v1/namespaces/default/configmaps', {
      body: JSON.stringify({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'x' } }),
      contentType: 'application/json',
    });
    expect(res.status).toBe(400);
  });

  it('ignores undecodable managedFields sent by a client instead of failing', async () => {
    await raw(sandbox(), 'POST', '/api/v1/namespaces/default/configmaps', {
      body: JSON.stringify({ metadata: { name: 'mf-bad' } }),
      contentType: 'application/json',
    });
    const res = await raw(sandbox(), 'PATCH', '/api/v1/namespaces/default/configmaps/mf-bad', {
      body: JSON.stringify({
        metadata: { managedFields: [{ manager: 'x', operation: 'Update', fieldsV1: { 'k:{bad': {} } }] },
        data: { a: 'b' },
      }),
      contentType: 'application/merge-patch+json',
    });
    expect(res.status).toBe(200);
  });

  it('refuses to delete the default namespace', async () => {
    const res = await raw(sandbox(), 'DELETE', '/api/v1/namespaces/default');
    expect(res.status).toBe(403);
    expect(res.json<{ message: string }>().message).toBe(
      'namespaces "default" is forbidden: this namespace may not be deleted',
    );
  });

  it('survives garbage of every kind and keeps serving', async () => {
    const bodies = [
      'null',
      '[]',
      '"str"',
      '{"metadata":null}',
      '{"metadata":{"name":5}}',
      '[{"op":"bogus"}]',
      '\u0000\u0001',
    ];
    for (const body of bodies) {
      for (const [method, type] of [
        ['POST', 'application/json'],
        ['PATCH', 'application/merge-patch+json'],
        ['PATCH', 'application/json-patch+json'],
        ['PATCH', 'application/strategic-merge-patch+json'],
        ['PUT', 'application/json'],
      ] as const) {
        const path =
          method === 'POST'
            ? '/api/v1/namespaces/default/configmaps'
            : '/api/v1/namespaces/default/configmaps/kube-root';
        const res = await raw(sandbox(), method, path, { body, contentType: type });
        expect(res.status, `${method} ${type} ${body}`).toBeGreaterThanOrEqual(400);
        expect(res.status, `${method} ${type} ${body}: ${res.text}`).toBeLessThan(500);
      }
    }
    expect((await raw(sandbox(), 'GET', '/api/v1/namespaces/default')).status).toBe(200);
  });
});

describe('fault injection', () => {
  it('answers with 429 and Retry-After for the matching verb/resource only', async () => {
    sandbox().faults.error({ code: 429, verb: 'list', resource: 'secrets', retryAfterSeconds: 3, times: 1 });
    const res = await raw(sandbox(), 'GET', '/api/v1/namespaces/default/secrets');
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('3');
    expect(res.json()).toMatchObject({ reason: 'TooManyRequests', details: { retryAfterSeconds: 3 } });
    expect((await raw(sandbox(), 'GET', '/api/v1/namespaces/default/secrets')).status).toBe(200);
    sandbox().faults.clear();
  });

  it('injects 500 and 503 until cleared', async () => {
    sandbox().faults.error({ code: 503, verb: 'create' });
    const status = await failure(
      core().createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'f' } } }),
    );
    expect(status).toMatchObject({ code: 503, reason: 'ServiceUnavailable' });
    sandbox().faults.clear();
    sandbox().faults.error({ code: 500, resource: 'configmaps', rate: 1 });
    expect((await raw(sandbox(), 'GET', '/api/v1/namespaces/default/configmaps')).status).toBe(500);
    sandbox().faults.clear();
    await core().createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'f' } } });
  });

  it('adds latency to matching requests', async () => {
    sandbox().faults.latency({ ms: 200, verb: 'get', resource: 'namespaces' });
    const started = Date.now();
    await core().readNamespace({ name: 'default' });
    // Only a lower bound: the machine may be slow, never faster than the injected delay.
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
    sandbox().faults.clear();
  });
});

describe('request accounting', () => {
  it('counts by verb, resource (with subresource) and field manager, and resets', async () => {
    sandbox().stats.reset();
    await core().createNamespacedPod({
      namespace: 'default',
      body: { metadata: { name: 'counted' }, spec: { containers: [{ name: 'c', image: 'i' }] } },
      fieldManager: 'counter',
    });
    await core().readNamespacedPod({ namespace: 'default', name: 'counted' });
    await core().listNamespacedPod({ namespace: 'default' });
    await raw(sandbox(), 'PATCH', '/api/v1/namespaces/default/pods/counted/status?fieldManager=kubelet-ish', {
      body: '{"status":{"phase":"Running"}}',
      contentType: 'application/merge-patch+json',
    });
    await core().deleteNamespacedPod({ namespace: 'default', name: 'counted', gracePeriodSeconds: 0 });
    const snap = sandbox().stats.snapshot();
    expect(snap.byVerb).toEqual({ create: 1, get: 1, list: 1, patch: 1, delete: 1 });
    expect(snap.byResource).toEqual({ pods: 4, 'pods/status': 1 });
    expect(snap.byFieldManager).toEqual({ counter: 1, 'kubelet-ish': 1 });
    expect(sandbox().stats.writes()).toBe(3);
    expect(sandbox().stats.writes({ fieldManager: 'counter' })).toBe(1);
    expect(
      sandbox()
        .stats.requests()
        .every((r) => r.at > 0 && r.code >= 200 && (r.durationMs ?? -1) >= 0),
    ).toBe(true);
    sandbox().stats.reset();
    expect(sandbox().stats.snapshot().total).toBe(0);
  });
});
