// JSON merge patch, JSON patch (incl. failing `test`) and strategic merge patch
// on built-ins through client-node.
import { AppsV1Api, CoreV1Api, setHeaderOptions, type V1Deployment } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { failure, useSandbox } from './helpers.js';

const sandbox = useSandbox();

function apps(): AppsV1Api {
  return sandbox().kubeConfig().makeApiClient(AppsV1Api);
}

function core(): CoreV1Api {
  return sandbox().kubeConfig().makeApiClient(CoreV1Api);
}

const strategic = setHeaderOptions('Content-Type', 'application/strategic-merge-patch+json');
const merge = setHeaderOptions('Content-Type', 'application/merge-patch+json');

/** Owner references must point at a live object, or the garbage collector removes the dependent. */
async function ownerUid(name: string): Promise<string> {
  const owner = await core().createNamespacedConfigMap({
    namespace: 'default',
    body: { metadata: { name: `${name}-owner` } },
  });
  return owner.metadata?.uid ?? '';
}

function deployment(name: string, uid = 'none'): V1Deployment {
  return {
    metadata: { name, ownerReferences: [{ apiVersion: 'v1', kind: 'ConfigMap', name: `${name}-owner`, uid }] },
    spec: {
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: {
          containers: [
            {
              name: 'main',
              image: 'main:1',
              env: [
                { name: 'A', value: '1' },
                { name: 'B', value: '2' },
              ],
              volumeMounts: [{ name: 'data', mountPath: '/data' }],
            },
            { name: 'side', image: 'side:1' },
          ],
          volumes: [{ name: 'data', emptyDir: {} }],
          tolerations: [{ key: 'a', operator: 'Exists' }],
        },
      },
    },
  };
}

describe('strategic merge patch', () => {
  it('merges containers, env and volumes by name and replaces lists without a merge key', async () => {
    await apps().createNamespacedDeployment({ namespace: 'default', body: deployment('smp', await ownerUid('smp')) });
    const patched = await apps().patchNamespacedDeployment(
      {
        namespace: 'default',
        name: 'smp',
        body: {
          spec: {
            template: {
              spec: {
                containers: [
                  {
                    name: 'main',
                    image: 'main:2',
                    env: [
                      { name: 'B', value: 'two' },
                      { name: 'C', value: '3' },
                    ],
                  },
                ],
                volumes: [{ name: 'cache', emptyDir: {} }],
                tolerations: [{ key: 'b', operator: 'Exists' }],
              },
            },
          },
        },
      },
      strategic,
    );
    const spec = patched.spec?.template.spec;
    expect(spec?.containers.map((c) => `${c.name}=${c.image}`)).toEqual(['main=main:2', 'side=side:1']);
    expect(spec?.containers[0]?.env?.map((e) => `${e.name}=${e.value}`)).toEqual(['A=1', 'B=two', 'C=3']);
    expect(spec?.containers[0]?.volumeMounts).toEqual([{ name: 'data', mountPath: '/data' }]);
    expect(spec?.volumes?.map((v) => v.name)).toEqual(['data', 'cache']);
    expect(spec?.tolerations).toEqual([{ key: 'b', operator: 'Exists' }]);
  });

  it('honours $patch: delete in keyed lists and $patch: replace on maps', async () => {
    const created = await apps().createNamespacedDeployment({
      namespace: 'default',
      body: deployment('smp-directives', await ownerUid('smp-directives')),
    });
    const patched = await apps().patchNamespacedDeployment(
      {
        namespace: 'default',
        name: 'smp-directives',
        body: {
          metadata: { ownerReferences: [{ uid: created.metadata?.ownerReferences?.[0]?.uid, $patch: 'delete' }] },
          spec: {
            template: {
              spec: { containers: [{ name: 'side', $patch: 'delete' }] },
              metadata: { labels: { $patch: 'replace', app: 'smp-directives', tier: 'x' } },
            },
          },
        },
      },
      strategic,
    );
    expect(patched.spec?.template.spec?.containers.map((c) => c.name)).toEqual(['main']);
    expect(patched.metadata?.ownerReferences).toBeUndefined();
    expect(patched.spec?.template.metadata?.labels).toEqual({ app: 'smp-directives', tier: 'x' });
  });

  it('merges pod conditions by type on the status subresource', async () => {
    await core().createNamespacedPod({
      namespace: 'default',
      body: { metadata: { name: 'smp-pod' }, spec: { containers: [{ name: 'c', image: 'x:1' }] } },
    });
    await core().patchNamespacedPodStatus(
      {
        namespace: 'default',
        name: 'smp-pod',
        body: {
          status: {
            conditions: [
              { type: 'Ready', status: 'False' },
              { type: 'Initialized', status: 'True' },
            ],
          },
        },
      },
      strategic,
    );
    const pod = await core().patchNamespacedPodStatus(
      { namespace: 'default', name: 'smp-pod', body: { status: { conditions: [{ type: 'Ready', status: 'True' }] } } },
      strategic,
    );
    expect(pod.status?.conditions?.map((c) => `${c.type}=${c.status}`)).toEqual(['Ready=True', 'Initialized=True']);
  });
});

describe('JSON merge patch', () => {
  it('replaces lists wholesale and deletes keys set to null', async () => {
    await apps().createNamespacedDeployment({
      namespace: 'default',
      body: deployment('merge', await ownerUid('merge')),
    });
    const patched = await apps().patchNamespacedDeployment(
      {
        namespace: 'default',
        name: 'merge',
        body: {
          metadata: { labels: { a: 'b' } },
          spec: { template: { spec: { containers: [{ name: 'only', image: 'o:1' }], volumes: null } } },
        },
      },
      merge,
    );
    expect(patched.spec?.template.spec?.containers.map((c) => c.name)).toEqual(['only']);
    expect(patched.spec?.template.spec?.volumes).toBeUndefined();
    expect(patched.metadata?.labels).toEqual({ a: 'b' });
  });
});

describe('JSON patch', () => {
  it('applies add/replace/remove and guards with test', async () => {
    await core().createNamespacedConfigMap({
      namespace: 'default',
      body: { metadata: { name: 'jp', finalizers: ['a/x', 'b/y'] }, data: { k: 'v' } },
    });
    const patched = await core().patchNamespacedConfigMap({
      namespace: 'default',
      name: 'jp',
      body: [
        { op: 'test', path: '/metadata/finalizers/0', value: 'a/x' },
        { op: 'remove', path: '/metadata/finalizers/0' },
        { op: 'replace', path: '/data/k', value: 'w' },
        { op: 'add', path: '/data/n', value: '1' },
      ],
    });
    expect(patched.metadata?.finalizers).toEqual(['b/y']);
    expect(patched.data).toEqual({ k: 'w', n: '1' });
  });

  it('fails a failed test operation with 422 and changes nothing', async () => {
    const created = await core().createNamespacedConfigMap({
      namespace: 'default',
      body: { metadata: { name: 'jp-fail' }, data: { k: 'v' } },
    });
    const status = await failure(
      core().patchNamespacedConfigMap({
        namespace: 'default',
        name: 'jp-fail',
        body: [
          { op: 'test', path: '/data/k', value: 'other' },
          { op: 'replace', path: '/data/k', value: 'x' },
        ],
      }),
    );
    expect(status).toMatchObject({ code: 422, reason: 'Invalid' });
    expect(status.details?.causes?.[0]?.message).toBe('testing value /data/k failed: test failed');
    const after = await core().readNamespacedConfigMap({ namespace: 'default', name: 'jp-fail' });
    expect(after.metadata?.resourceVersion).toBe(created.metadata?.resourceVersion);
  });

  it('fails removing a missing path with 422', async () => {
    await core().createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'jp-missing' } } });
    const status = await failure(
      core().patchNamespacedConfigMap({
        namespace: 'default',
        name: 'jp-missing',
        body: [{ op: 'remove', path: '/metadata/finalizers/0' }],
      }),
    );
    expect(status.code).toBe(422);
  });

  it('uses a resourceVersion in the patch as a precondition', async () => {
    await core().createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'jp-rv' } } });
    const status = await failure(
      core().patchNamespacedConfigMap({
        namespace: 'default',
        name: 'jp-rv',
        body: [{ op: 'add', path: '/metadata/resourceVersion', value: '1' }],
      }),
    );
    expect(status).toMatchObject({ code: 409, reason: 'Conflict' });
  });
});
