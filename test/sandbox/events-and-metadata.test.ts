// Events through both APIs (one storage, converted field names, validation)
// and ObjectMeta validation that applies to every kind.
import { CoreV1Api, EventsV1Api } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { failure, raw, useSandbox } from './helpers.js';

const sandbox = useSandbox();

function core(): CoreV1Api {
  return sandbox().kubeConfig().makeApiClient(CoreV1Api);
}

function events(): EventsV1Api {
  return sandbox().kubeConfig().makeApiClient(EventsV1Api);
}

const now = (): Date => new Date();

describe('events', () => {
  it('created through events.k8s.io/v1 are listed as core/v1 events, and back', async () => {
    await events().createNamespacedEvent({
      namespace: 'default',
      body: {
        metadata: { name: 'ev-new' },
        eventTime: now() as never,
        reportingController: 'atomoperator.io/controller',
        reportingInstance: 'op-0',
        action: 'Reconcile',
        reason: 'Created',
        note: 'created pod atom-a',
        type: 'Normal',
        regarding: { apiVersion: 'v1', kind: 'Pod', name: 'atom-a', namespace: 'default' },
      },
    });
    const legacy = await core().readNamespacedEvent({ namespace: 'default', name: 'ev-new' });
    expect(legacy).toMatchObject({
      message: 'created pod atom-a',
      reportingComponent: 'atomoperator.io/controller',
      involvedObject: { kind: 'Pod', name: 'atom-a' },
    });
    const back = await events().readNamespacedEvent({ namespace: 'default', name: 'ev-new' });
    expect(back).toMatchObject({
      note: 'created pod atom-a',
      reportingController: 'atomoperator.io/controller',
      regarding: { name: 'atom-a' },
    });
  });

  it('through events.k8s.io/v1 need eventTime, reporting controller and instance, action and reason', async () => {
    const res = await raw(sandbox(), 'POST', '/apis/events.k8s.io/v1/namespaces/default/events', {
      contentType: 'application/json',
      body: JSON.stringify({
        apiVersion: 'events.k8s.io/v1',
        kind: 'Event',
        metadata: { name: 'ev-bad' },
        type: 'Normal',
        regarding: { kind: 'Pod', name: 'x', namespace: 'default' },
      }),
    });
    expect(res.status).toBe(422);
    const fields = res
      .json<{ details: { causes: { field: string; reason: string }[] } }>()
      .details.causes.map((c) => `${c.field} ${c.reason}`);
    expect(fields).toEqual(
      expect.arrayContaining([
        'eventTime FieldValueRequired',
        'reportingController FieldValueRequired',
        'reportingInstance FieldValueRequired',
        'action FieldValueRequired',
        'reason FieldValueRequired',
      ]),
    );
  });

  it('must be in the namespace of the object they are about', async () => {
    const status = await failure(
      core().createNamespacedEvent({
        namespace: 'default',
        body: {
          metadata: { name: 'ev-ns' },
          involvedObject: { kind: 'Pod', name: 'x', namespace: 'kube-system' },
          reason: 'R',
          message: 'm',
        },
      }),
    );
    expect(status.code).toBe(422);
    expect(status.details?.causes?.[0]).toMatchObject({
      field: 'involvedObject.namespace',
      message: 'Invalid value: "kube-system": does not match event.namespace',
    });
  });
});

describe('object metadata', () => {
  it.each([
    ['a label value with spaces', { labels: { app: 'has space' } }, 'metadata.labels'],
    ['a label value over 63 characters', { labels: { app: 'v'.repeat(64) } }, 'metadata.labels'],
    ['a label key with two slashes', { labels: { 'a/b/c': 'x' } }, 'metadata.labels'],
    [
      'an owner reference without uid',
      { ownerReferences: [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'o', uid: '' }] },
      'metadata.ownerReferences.uid',
    ],
  ])('rejects %s with 422', async (_what, meta, field) => {
    const status = await failure(
      core().createNamespacedConfigMap({
        namespace: 'default',
        body: { metadata: { name: 'meta-bad', ...meta } } as never,
      }),
    );
    expect(status.code).toBe(422);
    expect(status.details?.causes?.map((c) => c.field)).toContain(field);
  });

  it('rejects two controller owner references', async () => {
    const a = await core().createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'owner-a' } } });
    const b = await core().createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'owner-b' } } });
    const ref = (o: typeof a) => ({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      name: o.metadata?.name ?? '',
      uid: o.metadata?.uid ?? '',
      controller: true,
    });
    const status = await failure(
      core().createNamespacedSecret({
        namespace: 'default',
        body: { metadata: { name: 'two-controllers', ownerReferences: [ref(a), ref(b)] } },
      }),
    );
    expect(status.details?.causes?.[0]?.message).toContain('Only one reference can have Controller set to true');
  });

  it('answers wrongly typed metadata with 400', async () => {
    const res = await raw(sandbox(), 'POST', '/api/v1/namespaces/default/configmaps', {
      contentType: 'application/json',
      body: JSON.stringify({ metadata: { name: 'x', labels: { a: 1 } } }),
    });
    expect(res.status).toBe(400);
  });

  it('accepts prefixed label keys and empty label values', async () => {
    const cm = await core().createNamespacedConfigMap({
      namespace: 'default',
      body: { metadata: { name: 'meta-ok', labels: { 'app.kubernetes.io/name': 'atom', empty: '' } } },
    });
    expect(cm.metadata?.labels).toEqual({ 'app.kubernetes.io/name': 'atom', empty: '' });
  });
});
