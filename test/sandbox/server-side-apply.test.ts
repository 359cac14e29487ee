// Server-side apply through client-node's object API: creation, managedFields,
// conflicts between managers, force, and removal of fields an applier dropped.
import { KubernetesObjectApi, PatchStrategy, type KubernetesObject } from '@kubernetes/client-node';
import { beforeAll, describe, expect, it } from 'vitest';
import { failure, installWidgetCrd, useSandbox, widget } from './helpers.js';

const sandbox = useSandbox();

function objects(): KubernetesObjectApi {
  return KubernetesObjectApi.makeApiClient(sandbox().kubeConfig());
}

function apply<T extends KubernetesObject>(obj: T, manager: string, force = false): Promise<T> {
  return objects().patch(obj, undefined, undefined, manager, force, PatchStrategy.ServerSideApply);
}

interface Managed {
  manager: string;
  operation: string;
  fieldsV1: Record<string, unknown>;
  subresource?: string;
}

function managed(obj: KubernetesObject): Managed[] {
  return (obj.metadata?.managedFields ?? []) as unknown as Managed[];
}

beforeAll(async () => {
  await installWidgetCrd(sandbox());
});

describe('server-side apply', () => {
  it('creates the object when missing and records an Apply entry with the applied fields', async () => {
    const created = await apply(widget('ssa-create', { image: 'a:1', size: 2 }), 'operator');
    expect(created.metadata?.uid).toBeDefined();
    const entries = managed(created);
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({
      manager: 'operator',
      operation: 'Apply',
      fieldsV1: { 'f:spec': { 'f:image': {}, 'f:size': {} } },
    });
  });

  it('requires a field manager', async () => {
    const status = await failure(
      objects().patch(widget('ssa-noman'), undefined, undefined, undefined, undefined, PatchStrategy.ServerSideApply),
    );
    expect(status.code).toBe(422);
    expect(status.message).toContain('fieldManager: Required value');
  });

  it('reports a conflict when another manager owns a field with a different value', async () => {
    await apply(widget('ssa-conflict', { image: 'a:1', size: 2 }), 'alice');
    const status = await failure(apply(widget('ssa-conflict', { image: 'a:1', size: 3 }), 'bob'));
    expect(status).toMatchObject({ code: 409, reason: 'Conflict' });
    expect(status.message).toBe(
      'Apply failed with 1 conflict: conflict with "alice" using test.sandbox.io/v1: .spec.size',
    );
    expect(status.details?.causes).toEqual([
      {
        reason: 'FieldManagerConflict',
        message: 'conflict with "alice" using test.sandbox.io/v1',
        field: '.spec.size',
      },
    ]);
  });

  it('conflicts with fields its own manager name set through an ordinary update', async () => {
    await objects().create(widget('ssa-self', { image: 'a:1', size: 2 }), undefined, undefined, 'operator');
    const status = await failure(apply(widget('ssa-self', { image: 'a:1', size: 3 }), 'operator'));
    expect(status.message).toBe(
      'Apply failed with 1 conflict: conflict with "operator" using test.sandbox.io/v1: .spec.size',
    );
    const forced = await apply(widget('ssa-self', { image: 'a:1', size: 3 }), 'operator', true);
    expect(managed(forced).find((m) => m.operation === 'Update')?.fieldsV1).not.toHaveProperty(['f:spec', 'f:size']);
  });

  it('shares ownership without conflict when the value is the same', async () => {
    await apply(widget('ssa-share', { image: 'a:1', size: 2 }), 'alice');
    const shared = await apply(widget('ssa-share', { image: 'a:1', size: 2 }), 'bob');
    expect(
      managed(shared)
        .map((m) => m.manager)
        .sort(),
    ).toEqual(['alice', 'bob']);
  });

  it('takes ownership with force and removes the field from the loser', async () => {
    await apply(widget('ssa-force', { image: 'a:1', size: 2 }), 'alice');
    const forced = await apply(widget('ssa-force', { image: 'a:1', size: 5 }), 'bob', true);
    expect(forced.spec).toMatchObject({ size: 5 });
    const alice = managed(forced).find((m) => m.manager === 'alice');
    expect(alice?.fieldsV1).toEqual({ 'f:spec': { 'f:image': {} } });
  });

  it('removes fields the applier stopped sending when nobody else owns them', async () => {
    await apply(widget('ssa-drop', { image: 'a:1', size: 4, labels: { a: 'x' } }), 'operator');
    const after = await apply(widget('ssa-drop', { image: 'a:1' }), 'operator');
    // size falls back to its schema default once the applier stops owning it.
    expect((after.spec as { labels?: Record<string, string> }).labels?.a).toBeUndefined();
    expect((after.spec as { size: number }).size).toBe(1);
  });

  it('keeps a dropped field another manager also owns', async () => {
    await apply(widget('ssa-keep', { image: 'a:1', note: 'hi' }), 'alice');
    await apply(widget('ssa-keep', { image: 'a:1', note: 'hi' }), 'bob');
    const after = await apply(widget('ssa-keep', { image: 'a:1' }), 'alice');
    expect((after.spec as Record<string, unknown>).note).toBe('hi');
  });

  it('merges keyed lists by key between managers', async () => {
    await apply(widget('ssa-list', { image: 'a:1', ports: [{ name: 'http', number: 80 }] }), 'alice');
    const merged = await apply(widget('ssa-list', { image: 'a:1', ports: [{ name: 'metrics', number: 9090 }] }), 'bob');
    expect((merged.spec as { ports: unknown[] }).ports).toEqual([
      { name: 'http', number: 80 },
      { name: 'metrics', number: 9090 },
    ]);
    const bob = managed(merged).find((m) => m.manager === 'bob');
    expect(bob?.fieldsV1).toEqual({
      'f:spec': { 'f:image': {}, 'f:ports': { 'k:{"name":"metrics"}': { '.': {}, 'f:name': {}, 'f:number': {} } } },
    });
  });

  it('merges built-in containers by name', async () => {
    const deployment = (containers: unknown[]): KubernetesObject =>
      ({
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'ssa-deploy', namespace: 'default' },
        spec: {
          selector: { matchLabels: { app: 'x' } },
          template: { metadata: { labels: { app: 'x' } }, spec: { containers } },
        },
      }) as KubernetesObject;
    await apply(deployment([{ name: 'main', image: 'a:1' }]), 'alice');
    const both = await apply(deployment([{ name: 'side', image: 'b:1' }]), 'bob');
    const containers = (both as unknown as { spec: { template: { spec: { containers: { name: string }[] } } } }).spec
      .template.spec.containers;
    expect(containers.map((c) => c.name)).toEqual(['main', 'side']);
  });

  it('records Update entries for ordinary writes and moves ownership to the writer', async () => {
    await apply(widget('ssa-update', { image: 'a:1', size: 2 }), 'operator');
    const patched = await objects().patch(
      widget('ssa-update', { size: 3 }) as KubernetesObject,
      undefined,
      undefined,
      'kubectl-edit',
      undefined,
      PatchStrategy.MergePatch,
    );
    const entries = managed(patched);
    expect(entries.find((m) => m.manager === 'kubectl-edit')).toMatchObject({
      operation: 'Update',
      fieldsV1: { 'f:spec': { 'f:size': {} } },
    });
    expect(entries.find((m) => m.manager === 'operator')?.fieldsV1).toEqual({ 'f:spec': { 'f:image': {} } });
    // Now the operator's re-apply of size conflicts with kubectl-edit.
    const status = await failure(apply(widget('ssa-update', { image: 'a:1', size: 2 }), 'operator'));
    expect(status.details?.causes?.[0]?.message).toBe('conflict with "kubectl-edit" using test.sandbox.io/v1');
  });

  it('writes status only through the status subresource with its own entry', async () => {
    await apply(widget('ssa-status', { image: 'a:1' }), 'operator');
    const ignored = await apply({ ...widget('ssa-status', { image: 'a:1' }), status: { phase: 'Ready' } }, 'operator');
    expect(ignored.status).toBeUndefined();
    const res = await fetchStatusApply('ssa-status', { phase: 'Ready' });
    expect(res.status).toEqual({ phase: 'Ready' });
    expect(managed(res).find((m) => m.subresource === 'status')).toMatchObject({
      manager: 'operator',
      operation: 'Apply',
      fieldsV1: { 'f:status': { 'f:phase': {} } },
    });
  });

  it('records a create as an Update that owns the maps it added', async () => {
    const created = await objects().create(
      widget('ssa-created', { image: 'a:1', labels: { k: 'v' } }),
      undefined,
      undefined,
      'creator',
    );
    expect(managed(created)).toEqual([
      expect.objectContaining({
        manager: 'creator',
        operation: 'Update',
        fieldsV1: { 'f:spec': { '.': {}, 'f:image': {}, 'f:labels': { '.': {}, 'f:k': {} }, 'f:size': {} } },
      }),
    ]);
    const cm = await objects().create(
      {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'ssa-cm', namespace: 'default', labels: { a: 'b' } },
        data: { x: 'y' },
      } as KubernetesObject,
      undefined,
      undefined,
      'creator',
    );
    expect(managed(cm)[0]?.fieldsV1).toEqual({
      'f:data': { '.': {}, 'f:x': {} },
      'f:metadata': { 'f:labels': { '.': {}, 'f:a': {} } },
    });
  });

  it('does not write when a re-apply changes nothing', async () => {
    const first = await apply(widget('ssa-noop', { image: 'a:1' }), 'operator');
    const before = sandbox().stats.count({ verb: 'patch' });
    const second = await apply(widget('ssa-noop', { image: 'a:1' }), 'operator');
    expect(sandbox().stats.count({ verb: 'patch' })).toBe(before + 1);
    expect(second.metadata?.resourceVersion).toBe(first.metadata?.resourceVersion);
  });
});

async function fetchStatusApply(
  name: string,
  status: Record<string, unknown>,
): Promise<KubernetesObject & { status?: unknown }> {
  const { raw } = await import('./helpers.js');
  const res = await raw(
    sandbox(),
    'PATCH',
    `/apis/test.sandbox.io/v1/namespaces/default/widgets/${name}/status?fieldManager=operator`,
    {
      body: JSON.stringify({ apiVersion: 'test.sandbox.io/v1', kind: 'Widget', metadata: { name }, status }),
      contentType: 'application/apply-patch+yaml',
    },
  );
  expect(res.status).toBe(200);
  return res.json();
}
