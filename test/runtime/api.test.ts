import { CoreV1Api } from '@kubernetes/client-node';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { KubeApi } from '../../src/kube/api.js';
import { KubeApiError, toKubeError } from '../../src/kube/errors.js';
import { EventRecorder } from '../../src/kube/event-recorder.js';
import { CoreTypes, type KubeObject, type ResourceType } from '../../src/kube/resource.js';
import { configMap, eventually, startEnv, type Env } from './helpers.js';

const Widgets: ResourceType = { group: 'test.io', version: 'v1', plural: 'widgets', kind: 'Widget', namespaced: true };
const Crds = CoreTypes.customResourceDefinitions;

let env: Env;
let api: KubeApi;

beforeEach(async () => {
  env = await startEnv();
  api = new KubeApi(env.client, [Widgets, Crds]);
  await api.create({
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: 'widgets.test.io' },
    spec: {
      group: 'test.io',
      scope: 'Namespaced',
      names: { plural: 'widgets', singular: 'widget', kind: 'Widget', listKind: 'WidgetList' },
      versions: [
        {
          name: 'v1',
          served: true,
          storage: true,
          subresources: { status: {} },
          schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } },
        },
      ],
    },
  } as KubeObject);
  await eventually(async () =>
    expect(
      await api.get({ apiVersion: 'test.io/v1', kind: 'Widget', namespace: 'default', name: 'none' }),
    ).toBeUndefined(),
  );
});

afterEach(async () => {
  await env.sandbox.stop();
});

const widget = (spec: Record<string, unknown>) => ({
  apiVersion: 'test.io/v1',
  kind: 'Widget',
  metadata: { name: 'w', namespace: 'default' },
  spec,
});

describe('KubeApi against the sandbox', () => {
  it('applies with the atom-operator field manager and returns the server object; a repeat apply changes nothing', async () => {
    const first: KubeObject = await api.applyObject<KubeObject>(widget({ size: 1 }));
    expect(first.metadata.uid).toBeTruthy();
    expect((first as { spec?: unknown }).spec).toEqual({ size: 1 });
    expect(env.sandbox.stats.count({ verb: 'patch', resource: 'widgets', fieldManager: 'atom-operator' })).toBe(1);
    // Server-populated metadata from a cached copy is stripped rather than sent back.
    const again = await api.applyObject({ ...first, spec: { size: 1 } } as KubeObject);
    expect(again.metadata.resourceVersion).toBe(first.metadata.resourceVersion);
  });

  it('writes status through /status only when it differs from the cached status', async () => {
    const created = await api.applyObject(widget({ size: 1 }));
    const first = await api.applyStatus(created, { phase: 'Ready', observedGeneration: 1 });
    expect(first.written).toBe(true);
    expect((first.object as { status?: unknown }).status).toEqual({ phase: 'Ready', observedGeneration: 1 });
    expect(env.sandbox.stats.count({ verb: 'patch', resource: 'widgets/status' })).toBe(1);
    const second = await api.applyStatus(first.object, { phase: 'Ready', observedGeneration: 1 });
    expect(second.written).toBe(false);
    expect(env.sandbox.stats.count({ verb: 'patch', resource: 'widgets/status' })).toBe(1);
    const third = await api.applyStatus(first.object, { phase: 'Degraded', observedGeneration: 1 });
    expect(third.written).toBe(true);
    expect((third.object as { spec?: unknown }).spec).toEqual({ size: 1 });
  });

  it('deletes with a uid precondition and reports an already-deleted object as false', async () => {
    const created = await api.create(configMap('doomed'));
    const ref = { apiVersion: 'v1', kind: 'ConfigMap', namespace: 'default', name: 'doomed' };
    await expect(api.deleteObject(ref, { uid: 'someone-else' })).rejects.toMatchObject({
      code: 'KubeConflict',
      status: 409,
    });
    expect(
      await api.deleteObject(ref, {
        uid: created.metadata.uid ?? '',
        propagationPolicy: 'Background',
        gracePeriodSeconds: 0,
      }),
    ).toBe(true);
    expect(await api.deleteObject(ref)).toBe(false);
  });

  it('maps API failures to typed errors by status and reason', async () => {
    await api.create(configMap('dup'));
    await expect(api.create(configMap('dup'))).rejects.toMatchObject({ code: 'KubeAlreadyExists', retryable: true });
    await expect(api.create(configMap('Not_A_Name'))).rejects.toMatchObject({
      code: 'KubeInvalid',
      status: 422,
      retryable: false,
    });
    env.sandbox.faults.error({ verb: 'get', resource: 'configmaps', code: 429, retryAfterSeconds: 7, times: 1 });
    await expect(
      api.get({ apiVersion: 'v1', kind: 'ConfigMap', namespace: 'default', name: 'dup' }),
    ).rejects.toMatchObject({
      code: 'KubeTooManyRequests',
      retryAfterSeconds: 7,
    });
    expect(
      await api.get({ apiVersion: 'v1', kind: 'ConfigMap', namespace: 'default', name: 'missing' }),
    ).toBeUndefined();
  });

  it("maps client-node's ApiException the same way", async () => {
    const core = env.sandbox.kubeConfig().makeApiClient(CoreV1Api);
    const err = await core.readNamespacedConfigMap({ name: 'missing', namespace: 'default' }).catch((e: unknown) => e);
    const mapped = toKubeError(err);
    expect(mapped).toBeInstanceOf(KubeApiError);
    expect(mapped).toMatchObject({ code: 'KubeNotFound', status: 404, reason: 'NotFound', retryable: false });
  });
});

describe('EventRecorder against the sandbox', () => {
  it('aggregates repeats into one Event with a count, and rate-limits per object', async () => {
    const target = await api.create(configMap('subject'));
    const recorder = new EventRecorder({ client: env.client, burst: 4, instance: 'pod-1' });
    expect(await recorder.record(target, 'Warning', 'CertificateExpiring', 'the certificate expires in 3 days')).toBe(
      true,
    );
    expect(await recorder.record(target, 'Warning', 'CertificateExpiring', 'the certificate expires in 3 days')).toBe(
      true,
    );
    expect(await recorder.record(target, 'Warning', 'CertificateExpiring', 'the certificate expires in 3 days')).toBe(
      true,
    );
    expect(await recorder.record(target, 'Normal', 'Updated', 'updated to 1.2.3')).toBe(true);
    expect(await recorder.record(target, 'Normal', 'Updated', 'flood')).toBe(false);
    expect(recorder.dropped).toBe(1);
    const events = env.sandbox.store.list('events', 'default') as (KubeObject & Record<string, unknown>)[];
    expect(events).toHaveLength(2);
    const expiring = events.find((e) => e.reason === 'CertificateExpiring');
    expect(expiring).toMatchObject({
      type: 'Warning',
      count: 3,
      message: 'the certificate expires in 3 days',
      involvedObject: { kind: 'ConfigMap', name: 'subject', namespace: 'default', uid: target.metadata.uid },
      source: { component: 'atom-operator' },
      reportingComponent: 'atom-operator',
      reportingInstance: 'pod-1',
    });
    // Another object has its own budget.
    const other = await api.create(configMap('other'));
    expect(await recorder.record(other, 'Normal', 'Updated', 'ok')).toBe(true);
  });

  it('never throws when the API server refuses the event', async () => {
    const target = await api.create(configMap('subject'));
    env.sandbox.faults.error({ verb: 'create', resource: 'events', code: 500 });
    const recorder = new EventRecorder({ client: env.client });
    expect(await recorder.record(target, 'Normal', 'Created', 'created')).toBe(false);
  });
});
