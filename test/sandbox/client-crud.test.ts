// Typed client-node CRUD against the sandbox: object metadata rules and the
// Status errors a real API server returns.
import { CoreV1Api, KubernetesObjectApi, type KubernetesObject, type V1ConfigMap } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { failure, installWidgetCrd, useSandbox, widget } from './helpers.js';

const sandbox = useSandbox();

function core(): CoreV1Api {
  return sandbox().kubeConfig().makeApiClient(CoreV1Api);
}

function cm(name: string, data: Record<string, string> = { a: '1' }): V1ConfigMap {
  return { metadata: { name }, data };
}

describe('create/read/update/delete through CoreV1Api', () => {
  it('assigns uid, creationTimestamp and a resourceVersion that grows across the whole store', async () => {
    const a = await core().createNamespacedConfigMap({ namespace: 'default', body: cm('crud-a') });
    const b = await core().createNamespacedSecret({
      namespace: 'default',
      body: { metadata: { name: 'crud-b' }, stringData: { k: 'v' } },
    });
    expect(a.metadata?.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(a.metadata?.creationTimestamp).toBeInstanceOf(Date);
    expect(Number(b.metadata?.resourceVersion)).toBeGreaterThan(Number(a.metadata?.resourceVersion));
    expect(b.data).toEqual({ k: Buffer.from('v').toString('base64') });
    expect(b.type).toBe('Opaque');
    const read = await core().readNamespacedConfigMap({ namespace: 'default', name: 'crud-a' });
    expect(read.data).toEqual({ a: '1' });
  });

  it('answers a missing object with 404 NotFound naming the resource', async () => {
    const status = await failure(core().readNamespacedConfigMap({ namespace: 'default', name: 'nope' }));
    expect(status).toMatchObject({
      kind: 'Status',
      apiVersion: 'v1',
      status: 'Failure',
      reason: 'NotFound',
      code: 404,
      message: 'configmaps "nope" not found',
      details: { name: 'nope', kind: 'configmaps' },
    });
  });

  it('refuses to create an existing object with 409 AlreadyExists', async () => {
    await core().createNamespacedConfigMap({ namespace: 'default', body: cm('crud-dup') });
    const status = await failure(core().createNamespacedConfigMap({ namespace: 'default', body: cm('crud-dup') }));
    expect(status).toMatchObject({
      reason: 'AlreadyExists',
      code: 409,
      message: 'configmaps "crud-dup" already exists',
    });
  });

  it('rejects an update with a stale resourceVersion with 409 Conflict', async () => {
    const created = await core().createNamespacedConfigMap({ namespace: 'default', body: cm('crud-conflict') });
    await core().replaceNamespacedConfigMap({
      namespace: 'default',
      name: 'crud-conflict',
      body: { ...created, data: { a: '2' } },
    });
    const status = await failure(
      core().replaceNamespacedConfigMap({
        namespace: 'default',
        name: 'crud-conflict',
        body: { ...created, data: { a: '3' } },
      }),
    );
    expect(status).toMatchObject({
      reason: 'Conflict',
      code: 409,
      message:
        'Operation cannot be fulfilled on configmaps "crud-conflict": the object has been modified; please apply your changes to the latest version and try again',
    });
  });

  it('needs the namespace to exist', async () => {
    const status = await failure(core().createNamespacedConfigMap({ namespace: 'missing-ns', body: cm('x') }));
    expect(status).toMatchObject({ reason: 'NotFound', code: 404, message: 'namespaces "missing-ns" not found' });
  });

  it('generates names from generateName', async () => {
    const created = await core().createNamespacedConfigMap({
      namespace: 'default',
      body: { metadata: { generateName: 'gen-' } },
    });
    expect(created.metadata?.name).toMatch(/^gen-[a-z0-9]{5}$/);
  });

  it('validates names with the real message', async () => {
    const status = await failure(core().createNamespacedConfigMap({ namespace: 'default', body: cm('Bad_Name') }));
    expect(status.reason).toBe('Invalid');
    expect(status.code).toBe(422);
    expect(status.message).toContain(
      'ConfigMap "Bad_Name" is invalid: metadata.name: Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain',
    );
    expect(status.details?.causes?.[0]).toMatchObject({ field: 'metadata.name', reason: 'FieldValueInvalid' });
  });

  it('does not write when an update changes nothing', async () => {
    const created = await core().createNamespacedConfigMap({ namespace: 'default', body: cm('crud-noop') });
    const same = await core().replaceNamespacedConfigMap({ namespace: 'default', name: 'crud-noop', body: created });
    expect(same.metadata?.resourceVersion).toBe(created.metadata?.resourceVersion);
  });

  it('stores nothing on dryRun=All but returns the would-be object', async () => {
    const dry = await core().createNamespacedConfigMap({ namespace: 'default', body: cm('crud-dry'), dryRun: 'All' });
    expect(dry.metadata?.name).toBe('crud-dry');
    expect(sandbox().store.get('configmaps', 'default', 'crud-dry')).toBeUndefined();
    const created = await core().createNamespacedConfigMap({ namespace: 'default', body: cm('crud-dry2') });
    await core().patchNamespacedConfigMap({
      namespace: 'default',
      name: 'crud-dry2',
      body: [{ op: 'replace', path: '/data/a', value: 'changed' }],
      dryRun: 'All',
    });
    expect(sandbox().store.get('configmaps', 'default', 'crud-dry2')?.data).toEqual(created.data);
  });

  it('deletes a config map with a Success Status and a pod with the object itself', async () => {
    await core().createNamespacedConfigMap({ namespace: 'default', body: cm('crud-del') });
    const status = await core().deleteNamespacedConfigMap({ namespace: 'default', name: 'crud-del' });
    expect(status).toMatchObject({
      kind: 'Status',
      status: 'Success',
      details: { name: 'crud-del', kind: 'configmaps' },
    });
    await expect(core().readNamespacedConfigMap({ namespace: 'default', name: 'crud-del' })).rejects.toThrow();
  });

  it('starts with the default and kube-system namespaces', async () => {
    const list = await core().listNamespace();
    const names = list.items.map((n) => n.metadata?.name);
    expect(names).toEqual(expect.arrayContaining(['default', 'kube-system']));
    expect(list.items.find((n) => n.metadata?.name === 'default')?.status?.phase).toBe('Active');
  });
});

describe('generation', () => {
  it('is bumped by spec changes only, for custom resources and built-ins with a spec', async () => {
    await installWidgetCrd(sandbox());
    const objects = KubernetesObjectApi.makeApiClient(sandbox().kubeConfig());
    const created = await objects.create(widget('gen-w'));
    expect(created.metadata?.generation).toBe(1);
    const labelled = await objects.patch<KubernetesObject>(
      {
        apiVersion: 'test.sandbox.io/v1',
        kind: 'Widget',
        metadata: { name: 'gen-w', namespace: 'default', labels: { x: 'y' } },
      },
      undefined,
      undefined,
      undefined,
      undefined,
      'application/merge-patch+json',
    );
    expect(labelled.metadata?.generation).toBe(1);
    const changed = await objects.patch(
      widget('gen-w', { image: 'nginx:1.26' }),
      undefined,
      undefined,
      undefined,
      undefined,
      'application/merge-patch+json',
    );
    expect(changed.metadata?.generation).toBe(2);

    const np = await objects.create({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'gen-np', namespace: 'default' },
      spec: { podSelector: {}, policyTypes: ['Egress'] },
    } as KubernetesObject);
    expect(np.metadata?.generation).toBe(1);
    const np2 = await objects.patch<KubernetesObject>(
      {
        apiVersion: 'networking.k8s.io/v1',
        kind: 'NetworkPolicy',
        metadata: { name: 'gen-np', namespace: 'default', annotations: { a: 'b' } },
      },
      undefined,
      undefined,
      undefined,
      undefined,
      'application/merge-patch+json',
    );
    expect(np2.metadata?.generation).toBe(1);
  });
});
