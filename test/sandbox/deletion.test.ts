// Deletion as the operator sees it: finalizers, graceful pod termination with
// the stand-in kubelet, propagation policies, garbage collection by owner uid,
// namespace termination and deletecollection.
import { AppsV1Api, CoreV1Api, type V1ConfigMap, type V1Pod } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { failure, raw, useSandbox, waitFor } from './helpers.js';

const sandbox = useSandbox({ kubeletMode: 'manual' });

function core(): CoreV1Api {
  return sandbox().kubeConfig().makeApiClient(CoreV1Api);
}

function pod(name: string, extra: Partial<V1Pod['metadata']> = {}): V1Pod {
  return { metadata: { name, ...extra }, spec: { containers: [{ name: 'main', image: 'agent:1.0' }] } };
}

const gone =
  (ns: string, name: string, resource = 'pods') =>
  () =>
    sandbox().store.get(resource, ns, name) === undefined || undefined;

describe('finalizers', () => {
  it('keep a deleted object with a deletionTimestamp until they are removed', async () => {
    await core().createNamespacedConfigMap({
      namespace: 'default',
      body: { metadata: { name: 'fin', finalizers: ['example.com/cleanup'] } },
    });
    // The typed client decodes the answer as a V1Status; the raw body is the object itself.
    const res = await raw(sandbox(), 'DELETE', '/api/v1/namespaces/default/configmaps/fin');
    expect(res.status).toBe(200);
    const deleted = res.json<V1ConfigMap>();
    expect(deleted.kind).toBe('ConfigMap');
    expect(deleted.metadata?.deletionTimestamp).toBeDefined();
    const read = await core().readNamespacedConfigMap({ namespace: 'default', name: 'fin' });
    expect(read.metadata?.deletionTimestamp).toBeDefined();
    await core().patchNamespacedConfigMap({
      namespace: 'default',
      name: 'fin',
      body: [
        { op: 'test', path: '/metadata/finalizers/0', value: 'example.com/cleanup' },
        { op: 'remove', path: '/metadata/finalizers/0' },
      ],
    });
    expect(sandbox().store.get('configmaps', 'default', 'fin')).toBeUndefined();
  });

  it('may only be removed, not added, once deletion started', async () => {
    await core().createNamespacedConfigMap({
      namespace: 'default',
      body: { metadata: { name: 'fin-add', finalizers: ['a.io/x'] } },
    });
    await core().deleteNamespacedConfigMap({ namespace: 'default', name: 'fin-add' });
    const status = await failure(
      core().patchNamespacedConfigMap({
        namespace: 'default',
        name: 'fin-add',
        body: [{ op: 'add', path: '/metadata/finalizers/-', value: 'b.io/y' }],
      }),
    );
    expect(status.code).toBe(422);
    expect(status.details?.causes?.[0]?.field).toBe('metadata.finalizers');
  });
});

describe('pods', () => {
  it('linger with deletionTimestamp and deletionGracePeriodSeconds until the kubelet finishes (manual)', async () => {
    await core().createNamespacedPod({
      namespace: 'default',
      body: { ...pod('graceful'), spec: { ...pod('graceful').spec!, terminationGracePeriodSeconds: 45 } },
    });
    const deleted = (await core().deleteNamespacedPod({ namespace: 'default', name: 'graceful' })) as V1Pod;
    expect(deleted.metadata?.deletionGracePeriodSeconds).toBe(45);
    expect(deleted.metadata?.deletionTimestamp).toBeDefined();
    expect(sandbox().store.get('pods', 'default', 'graceful')).toBeDefined();
    sandbox().kubelet.finishTermination('default', 'graceful');
    expect(sandbox().store.get('pods', 'default', 'graceful')).toBeUndefined();
  });

  it('go at once with gracePeriodSeconds=0', async () => {
    await core().createNamespacedPod({ namespace: 'default', body: pod('now') });
    await core().deleteNamespacedPod({ namespace: 'default', name: 'now', gracePeriodSeconds: 0 });
    expect(sandbox().store.get('pods', 'default', 'now')).toBeUndefined();
  });

  it('become Ready, crash-loop, finish, all driven by the kubelet', async () => {
    await core().createNamespacedPod({ namespace: 'default', body: pod('life') });
    expect((await core().readNamespacedPod({ namespace: 'default', name: 'life' })).status?.phase).toBe('Pending');
    sandbox().kubelet.setPodReady('default', 'life', true);
    let p = await core().readNamespacedPod({ namespace: 'default', name: 'life' });
    expect(p.status?.phase).toBe('Running');
    expect(p.status?.conditions?.find((c) => c.type === 'Ready')?.status).toBe('True');
    sandbox().kubelet.crashLoop('default', 'life');
    p = await core().readNamespacedPod({ namespace: 'default', name: 'life' });
    expect(p.status?.containerStatuses?.[0]?.state?.waiting?.reason).toBe('CrashLoopBackOff');
    expect(p.status?.containerStatuses?.[0]?.restartCount).toBe(1);
    expect(p.status?.conditions?.find((c) => c.type === 'Ready')?.status).toBe('False');
    sandbox().kubelet.setPodPhase('default', 'life', 'Failed', { reason: 'Evicted', message: 'out of disk' });
    p = await core().readNamespacedPod({ namespace: 'default', name: 'life' });
    expect(p.status).toMatchObject({ phase: 'Failed', reason: 'Evicted' });
    expect(p.metadata?.managedFields?.some((m) => m.manager === 'kubelet' && m.subresource === 'status')).toBe(true);
  });

  it('start and terminate on their own in auto mode', async () => {
    sandbox().kubelet.mode = 'auto';
    try {
      await core().createNamespacedPod({ namespace: 'default', body: pod('auto') });
      await waitFor(() => {
        const status = sandbox().store.get('pods', 'default', 'auto')?.status as V1Pod['status'];
        return status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');
      }, 'pod Ready');
      await core().deleteNamespacedPod({ namespace: 'default', name: 'auto' });
      expect(sandbox().store.get('pods', 'default', 'auto')?.metadata.deletionTimestamp).toBeDefined();
      await waitFor(gone('default', 'auto'), 'pod removed');
    } finally {
      sandbox().kubelet.mode = 'manual';
    }
  });
});

describe('propagation and garbage collection', () => {
  async function ownerWithChildren(prefix: string, block = false): Promise<string> {
    const owner = await core().createNamespacedConfigMap({
      namespace: 'default',
      body: { metadata: { name: `${prefix}-owner` } },
    });
    const ref = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      name: `${prefix}-owner`,
      uid: owner.metadata?.uid ?? '',
      blockOwnerDeletion: block,
      controller: true,
    };
    await core().createNamespacedSecret({
      namespace: 'default',
      body: { metadata: { name: `${prefix}-secret`, ownerReferences: [ref] } },
    });
    await core().createNamespacedPod({ namespace: 'default', body: pod(`${prefix}-pod`, { ownerReferences: [ref] }) });
    return owner.metadata?.uid ?? '';
  }

  it('Background: the owner goes at once, dependents are collected after', async () => {
    await ownerWithChildren('bg');
    await core().deleteNamespacedConfigMap({ namespace: 'default', name: 'bg-owner', propagationPolicy: 'Background' });
    expect(sandbox().store.get('configmaps', 'default', 'bg-owner')).toBeUndefined();
    await waitFor(gone('default', 'bg-secret', 'secrets'), 'secret collected');
    await waitFor(
      () => sandbox().store.get('pods', 'default', 'bg-pod')?.metadata.deletionTimestamp,
      'pod terminating',
    );
    sandbox().kubelet.finishTermination('default', 'bg-pod');
  });

  it('Foreground: the owner waits with foregroundDeletion until blocking dependents are gone', async () => {
    await ownerWithChildren('fg', true);
    await core().deleteNamespacedConfigMap({ namespace: 'default', name: 'fg-owner', propagationPolicy: 'Foreground' });
    const owner = sandbox().store.get('configmaps', 'default', 'fg-owner');
    expect(owner?.metadata.finalizers).toContain('foregroundDeletion');
    await waitFor(gone('default', 'fg-secret', 'secrets'), 'secret collected');
    await waitFor(
      () => sandbox().store.get('pods', 'default', 'fg-pod')?.metadata.deletionTimestamp,
      'pod terminating',
    );
    expect(sandbox().store.get('configmaps', 'default', 'fg-owner')).toBeDefined();
    sandbox().kubelet.finishTermination('default', 'fg-pod');
    await waitFor(gone('default', 'fg-owner', 'configmaps'), 'owner removed');
  });

  it('Orphan: dependents stay and lose their owner reference', async () => {
    const uid = await ownerWithChildren('or');
    await core().deleteNamespacedConfigMap({ namespace: 'default', name: 'or-owner', propagationPolicy: 'Orphan' });
    await waitFor(gone('default', 'or-owner', 'configmaps'), 'owner removed');
    const secret = sandbox().store.get('secrets', 'default', 'or-secret');
    expect(secret).toBeDefined();
    expect(secret?.metadata.ownerReferences?.some((r) => r.uid === uid) ?? false).toBe(false);
  });

  it('collects an object created with an owner reference to a uid that does not exist', async () => {
    await core().createNamespacedSecret({
      namespace: 'default',
      body: {
        metadata: {
          name: 'dangling',
          ownerReferences: [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'ghost', uid: 'no-such-uid' }],
        },
      },
    });
    await waitFor(gone('default', 'dangling', 'secrets'), 'dangling secret collected');
  });

  it('removes only the dangling reference when another owner still exists', async () => {
    const a = await core().createNamespacedConfigMap({
      namespace: 'default',
      body: { metadata: { name: 'two-owners-a' } },
    });
    const b = await core().createNamespacedConfigMap({
      namespace: 'default',
      body: { metadata: { name: 'two-owners-b' } },
    });
    const ref = (o: typeof a) => ({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      name: o.metadata?.name ?? '',
      uid: o.metadata?.uid ?? '',
    });
    await core().createNamespacedSecret({
      namespace: 'default',
      body: { metadata: { name: 'two-owners-child', ownerReferences: [ref(a), ref(b)] } },
    });
    await core().deleteNamespacedConfigMap({ namespace: 'default', name: 'two-owners-a' });
    await waitFor(
      () =>
        sandbox().store.get('secrets', 'default', 'two-owners-child')?.metadata.ownerReferences?.length === 1 ||
        undefined,
      'dangling reference removed',
    );
    expect(sandbox().store.get('secrets', 'default', 'two-owners-child')?.metadata.ownerReferences?.[0]?.uid).toBe(
      b.metadata?.uid,
    );
  });

  it('collects dependents of an owner uid even when a same-named owner was recreated', async () => {
    const first = await core().createNamespacedConfigMap({
      namespace: 'default',
      body: { metadata: { name: 'reborn' } },
    });
    await core().createNamespacedSecret({
      namespace: 'default',
      body: {
        metadata: {
          name: 'reborn-child',
          ownerReferences: [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'reborn', uid: first.metadata?.uid ?? '' }],
        },
      },
    });
    await core().deleteNamespacedConfigMap({ namespace: 'default', name: 'reborn' });
    await core().createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'reborn' } } });
    await waitFor(gone('default', 'reborn-child', 'secrets'), 'child of the old uid collected');
  });
});

describe('namespaces', () => {
  it('terminate: contents are deleted, pods gracefully, then the namespace goes', async () => {
    await core().createNamespace({ body: { metadata: { name: 'doomed' } } });
    await core().createNamespacedConfigMap({ namespace: 'doomed', body: { metadata: { name: 'c' } } });
    await core().createNamespacedPod({ namespace: 'doomed', body: pod('p') });
    const ns = await core().deleteNamespace({ name: 'doomed' });
    expect((ns as unknown as { status: { phase: string } }).status.phase).toBe('Terminating');
    const status = await failure(
      core().createNamespacedConfigMap({ namespace: 'doomed', body: { metadata: { name: 'late' } } }),
    );
    expect(status).toMatchObject({ code: 403, reason: 'Forbidden' });
    expect(status.message).toContain('because it is being terminated');
    await waitFor(gone('doomed', 'c', 'configmaps'), 'configmap deleted');
    await waitFor(() => sandbox().store.get('pods', 'doomed', 'p')?.metadata.deletionTimestamp, 'pod terminating');
    expect(sandbox().store.get('namespaces', undefined, 'doomed')).toBeDefined();
    sandbox().kubelet.finishTermination('doomed', 'p');
    await waitFor(gone('', 'doomed', 'namespaces'), 'namespace removed');
  });
});

describe('deletecollection', () => {
  it('deletes only what the label selector matches', async () => {
    for (const [name, tier] of [
      ['dc-1', 'a'],
      ['dc-2', 'a'],
      ['dc-3', 'b'],
    ] as const) {
      await core().createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name, labels: { tier } } } });
    }
    await core().deleteCollectionNamespacedConfigMap({ namespace: 'default', labelSelector: 'tier=a' });
    expect(sandbox().store.get('configmaps', 'default', 'dc-1')).toBeUndefined();
    expect(sandbox().store.get('configmaps', 'default', 'dc-2')).toBeUndefined();
    expect(sandbox().store.get('configmaps', 'default', 'dc-3')).toBeDefined();
  });
});

describe('preconditions', () => {
  it('refuse a delete whose uid precondition does not match', async () => {
    await core().createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'pre' } } });
    const status = await failure(
      core().deleteNamespacedConfigMap({
        namespace: 'default',
        name: 'pre',
        body: { preconditions: { uid: 'other' } },
      }),
    );
    expect(status).toMatchObject({ code: 409, reason: 'Conflict' });
    expect(status.message).toContain('Precondition failed: UID in precondition: other');
  });

  it('delete deployments with a Success Status', async () => {
    const apps = sandbox().kubeConfig().makeApiClient(AppsV1Api);
    await apps.createNamespacedDeployment({
      namespace: 'default',
      body: {
        metadata: { name: 'd' },
        spec: {
          selector: { matchLabels: { a: 'b' } },
          template: { metadata: { labels: { a: 'b' } }, spec: { containers: [{ name: 'c', image: 'i' }] } },
        },
      },
    });
    const status = await apps.deleteNamespacedDeployment({ namespace: 'default', name: 'd' });
    expect(status).toMatchObject({
      kind: 'Status',
      status: 'Success',
      details: { name: 'd', group: 'apps', kind: 'deployments' },
    });
  });
});
