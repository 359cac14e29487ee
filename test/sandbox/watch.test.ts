// Watch streams and informers from client-node: initial state, resume by
// resourceVersion, 410 Expired, bookmarks, timeouts and injected disruptions.
import { CoreV1Api, makeInformer, Watch, type V1ConfigMap } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { raw, useSandbox, waitFor } from './helpers.js';

const sandbox = useSandbox({ watchHistory: 30, bookmarkIntervalMs: 100 });

function core(): CoreV1Api {
  return sandbox().kubeConfig().makeApiClient(CoreV1Api);
}

interface Event {
  type: string;
  object: {
    kind?: string;
    metadata?: { name?: string; resourceVersion?: string; annotations?: Record<string, string> };
    code?: number;
    reason?: string;
    message?: string;
  };
}

async function collect(
  path: string,
  query: Record<string, string | number | boolean | undefined>,
): Promise<{ events: Event[]; done: Promise<unknown>; stop(): void }> {
  const events: Event[] = [];
  let finish: (err: unknown) => void = () => undefined;
  const done = new Promise((resolve) => (finish = resolve));
  const controller = await new Watch(sandbox().kubeConfig()).watch(
    path,
    query,
    (type, object) => events.push({ type, object: object as Event['object'] }),
    (err) => finish(err ?? null),
  );
  return { events, done, stop: () => controller.abort() };
}

describe('watch', () => {
  it('sends ADDED for the current state, then changes, in order', async () => {
    await core().createNamespace({ body: { metadata: { name: 'watch-a' } } });
    await core().createNamespacedConfigMap({ namespace: 'watch-a', body: { metadata: { name: 'one' } } });
    const w = await collect('/api/v1/namespaces/watch-a/configmaps', {});
    await waitFor(() => w.events.length === 1, 'initial ADDED');
    await core().patchNamespacedConfigMap({
      namespace: 'watch-a',
      name: 'one',
      body: [{ op: 'add', path: '/data', value: { k: 'v' } }],
    });
    await core().deleteNamespacedConfigMap({ namespace: 'watch-a', name: 'one' });
    await waitFor(() => w.events.length === 3, 'three events');
    w.stop();
    expect(w.events.map((e) => `${e.type} ${e.object.metadata?.name}`)).toEqual([
      'ADDED one',
      'MODIFIED one',
      'DELETED one',
    ]);
    expect(w.events[0]?.object.kind).toBe('ConfigMap');
  });

  it('resumes after a resourceVersion with only the later events', async () => {
    const first = await core().createNamespacedConfigMap({
      namespace: 'default',
      body: { metadata: { name: 'resume-1' } },
    });
    await core().createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'resume-2' } } });
    const w = await collect('/api/v1/namespaces/default/configmaps', {
      resourceVersion: first.metadata?.resourceVersion,
    });
    await waitFor(() => w.events.length >= 1, 'resume-2 ADDED');
    await new Promise((r) => setTimeout(r, 100));
    w.stop();
    expect(w.events.map((e) => e.object.metadata?.name)).toEqual(['resume-2']);
  });

  it('answers a resume from before the retained history with an ERROR event carrying 410 Expired', async () => {
    const old = await core().createNamespacedConfigMap({
      namespace: 'default',
      body: { metadata: { name: 'old-rv' } },
    });
    for (let i = 0; i < 40; i++) {
      await core().createNamespacedConfigMap({ namespace: 'default', body: { metadata: { generateName: 'churn-' } } });
    }
    const res = await raw(
      sandbox(),
      'GET',
      `/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=${old.metadata?.resourceVersion}`,
    );
    expect(res.status).toBe(200);
    const event = JSON.parse(res.text.trim()) as Event;
    expect(event.type).toBe('ERROR');
    expect(event.object).toMatchObject({ kind: 'Status', code: 410, reason: 'Expired' });
    expect(event.object.message).toMatch(/^too old resource version: \d+ \(\d+\)$/);
  });

  it('sends periodic BOOKMARK events with the current resourceVersion when allowed, but not through gzip', async () => {
    const path = '/api/v1/namespaces/default/secrets?watch=true&allowWatchBookmarks=true&timeoutSeconds=1';
    const plain = await raw(sandbox(), 'GET', path, { acceptEncoding: 'identity' });
    const events = plain.text
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Event);
    const bookmark = events.find((e) => e.type === 'BOOKMARK');
    expect(bookmark?.object.kind).toBe('Secret');
    expect(Number(bookmark?.object.metadata?.resourceVersion)).toBeGreaterThan(0);
    // As kube-apiserver v1.32: a quiet watch that accepts gzip gets no bookmark before its timeout.
    const gzip = await raw(sandbox(), 'GET', path, { acceptEncoding: 'gzip, deflate' });
    expect(gzip.text).not.toContain('BOOKMARK');
  });

  it('ends the stream after timeoutSeconds', async () => {
    const w = await collect('/api/v1/namespaces/default/secrets', { timeoutSeconds: 1 });
    await expect(
      Promise.race([w.done.then(() => 'closed'), new Promise((r) => setTimeout(() => r('open'), 10_000))]),
    ).resolves.toBe('closed');
  });

  it('turns an object that stops matching the label selector into DELETED, and one that starts matching into ADDED', async () => {
    await core().createNamespacedConfigMap({
      namespace: 'default',
      body: { metadata: { name: 'sel', labels: { app: 'x' } } },
    });
    const w = await collect('/api/v1/namespaces/default/configmaps', { labelSelector: 'app=x' });
    await waitFor(() => w.events.length === 1, 'initial');
    await core().patchNamespacedConfigMap({
      namespace: 'default',
      name: 'sel',
      body: [{ op: 'replace', path: '/metadata/labels/app', value: 'y' }],
    });
    await core().patchNamespacedConfigMap({
      namespace: 'default',
      name: 'sel',
      body: [{ op: 'replace', path: '/metadata/labels/app', value: 'x' }],
    });
    await waitFor(() => w.events.length === 3, 'three events');
    w.stop();
    expect(w.events.map((e) => e.type)).toEqual(['ADDED', 'DELETED', 'ADDED']);
  });

  it('watches across namespaces on the cluster-wide path', async () => {
    await core().createNamespace({ body: { metadata: { name: 'watch-b' } } });
    const w = await collect('/api/v1/serviceaccounts', { labelSelector: 'watched=yes' });
    await core().createNamespacedServiceAccount({
      namespace: 'watch-b',
      body: { metadata: { name: 'sa1', labels: { watched: 'yes' } } },
    });
    await core().createNamespacedServiceAccount({
      namespace: 'default',
      body: { metadata: { name: 'sa2', labels: { watched: 'yes' } } },
    });
    await waitFor(() => w.events.length === 2, 'two ADDED');
    w.stop();
    expect(w.events.map((e) => `${e.object.metadata?.name}`).sort()).toEqual(['sa1', 'sa2']);
  });

  it('sends nothing on stalled streams', async () => {
    const w = await collect('/api/v1/namespaces/default/persistentvolumeclaims', {});
    await waitFor(
      () => sandbox().stats.count({ verb: 'watch', resource: 'persistentvolumeclaims' }) >= 1 || undefined,
      'watch registered',
    );
    sandbox().faults.stallWatches('persistentvolumeclaims');
    await core().createNamespacedPersistentVolumeClaim({
      namespace: 'default',
      body: {
        metadata: { name: 'stalled' },
        spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
      },
    });
    await new Promise((r) => setTimeout(r, 300));
    w.stop();
    expect(w.events).toEqual([]);
  });
});

describe('informer', () => {
  it('keeps its cache right through dropped watches and a forced 410', async () => {
    await core().createNamespace({ body: { metadata: { name: 'informer' } } });
    const informer = makeInformer<V1ConfigMap>(sandbox().kubeConfig(), '/api/v1/namespaces/informer/configmaps', () =>
      core().listNamespacedConfigMap({ namespace: 'informer' }),
    );
    const seen: string[] = [];
    informer.on('add', (o) => seen.push(`add ${o.metadata?.name}`));
    informer.on('delete', (o) => seen.push(`delete ${o.metadata?.name}`));
    informer.on('error', () => setTimeout(() => void informer.start(), 50));
    await informer.start();
    await core().createNamespacedConfigMap({ namespace: 'informer', body: { metadata: { name: 'i1' } } });
    await waitFor(() => informer.get('i1', 'informer'), 'i1 in cache');
    const listsBefore = sandbox().stats.count({ verb: 'list', resource: 'configmaps', namespace: 'informer' });
    sandbox().faults.forceGone('configmaps');
    sandbox().faults.dropWatches('configmaps');
    await core().createNamespacedConfigMap({ namespace: 'informer', body: { metadata: { name: 'i2' } } });
    await core().deleteNamespacedConfigMap({ namespace: 'informer', name: 'i1' });
    await waitFor(() => informer.get('i2', 'informer') && !informer.get('i1', 'informer'), 'cache to converge', 15_000);
    expect(sandbox().stats.count({ verb: 'list', resource: 'configmaps', namespace: 'informer' })).toBeGreaterThan(
      listsBefore,
    );
    await informer.stop();
    expect(informer.list('informer').map((o) => o.metadata?.name)).toEqual(['i2']);
  });
});
