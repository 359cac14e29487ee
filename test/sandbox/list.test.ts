// LIST semantics: label and field selectors, pagination with continue tokens
// (and their expiry), resourceVersion parameters, list shapes.
import { CoreV1Api } from '@kubernetes/client-node';
import { beforeAll, describe, expect, it } from 'vitest';
import { raw, useSandbox } from './helpers.js';

const sandbox = useSandbox({ watchHistory: 50 });

function core(): CoreV1Api {
  return sandbox().kubeConfig().makeApiClient(CoreV1Api);
}

beforeAll(async () => {
  await core().createNamespace({ body: { metadata: { name: 'list' } } });
  const specs: [string, Record<string, string>][] = [
    ['a', { app: 'web', tier: 'front' }],
    ['b', { app: 'web', tier: 'back' }],
    ['c', { app: 'db' }],
    ['d', {}],
  ];
  for (const [name, labels] of specs) {
    await core().createNamespacedConfigMap({ namespace: 'list', body: { metadata: { name, labels } } });
  }
});

async function names(query: string, path = '/api/v1/namespaces/list/configmaps'): Promise<string[]> {
  const res = await raw(sandbox(), 'GET', `${path}?${query}`);
  expect(res.status, res.text).toBe(200);
  return res.json<{ items: { metadata: { name: string } }[] }>().items.map((i) => i.metadata.name);
}

describe('label selectors', () => {
  it.each([
    ['app=web', ['a', 'b']],
    ['app==web', ['a', 'b']],
    ['app!=web', ['c', 'd']],
    ['app in (web,db)', ['a', 'b', 'c']],
    ['app notin (web)', ['c', 'd']],
    ['tier', ['a', 'b']],
    ['!tier', ['c', 'd']],
    ['app=web,tier=back', ['b']],
  ])('%s', async (selector, expected) => {
    expect(await names(`labelSelector=${encodeURIComponent(selector)}`)).toEqual(expected);
  });

  it('rejects a malformed selector with 400', async () => {
    const res = await raw(
      sandbox(),
      'GET',
      `/api/v1/namespaces/list/configmaps?labelSelector=${encodeURIComponent('app in web')}`,
    );
    expect(res.status).toBe(400);
    expect(res.json<{ reason: string }>().reason).toBe('BadRequest');
  });
});

describe('field selectors', () => {
  it('select by metadata.name and metadata.namespace', async () => {
    expect(await names('fieldSelector=metadata.name%3Db')).toEqual(['b']);
    expect(await names('fieldSelector=metadata.namespace%3Dlist', '/api/v1/configmaps')).toEqual(['a', 'b', 'c', 'd']);
    expect(await names('fieldSelector=metadata.name!%3Db')).toEqual(['a', 'c', 'd']);
  });

  it('select pods by spec.nodeName and status.phase', async () => {
    await core().createNamespacedPod({
      namespace: 'list',
      body: { metadata: { name: 'p1' }, spec: { containers: [{ name: 'c', image: 'i' }] } },
    });
    expect(await names('fieldSelector=status.phase%3DPending', '/api/v1/namespaces/list/pods')).toEqual(['p1']);
    expect(await names('fieldSelector=status.phase%3DRunning', '/api/v1/namespaces/list/pods')).toEqual([]);
    expect(await names('fieldSelector=spec.nodeName%3Dsandbox-node', '/api/v1/namespaces/list/pods')).toEqual(['p1']);
  });

  it('rejects unsupported fields with 400', async () => {
    const res = await raw(sandbox(), 'GET', '/api/v1/namespaces/list/configmaps?fieldSelector=data.x%3D1');
    expect(res.status).toBe(400);
    expect(res.json<{ message: string }>().message).toBe('field label not supported: data.x');
  });
});

describe('pagination', () => {
  it('pages with limit/continue over a consistent snapshot', async () => {
    const page1 = await core().listNamespacedConfigMap({ namespace: 'list', limit: 2 });
    expect(page1.items.map((i) => i.metadata?.name)).toEqual(['a', 'b']);
    expect(page1.metadata?.remainingItemCount).toBe(2);
    // A change between pages does not show up in the rest of this list.
    await core().createNamespacedConfigMap({ namespace: 'list', body: { metadata: { name: 'bb' } } });
    const page2 = await core().listNamespacedConfigMap({
      namespace: 'list',
      limit: 2,
      _continue: page1.metadata?._continue,
    });
    expect(page2.items.map((i) => i.metadata?.name)).toEqual(['c', 'd']);
    expect(page2.metadata?._continue).toBeUndefined();
    expect(page2.metadata?.resourceVersion).toBe(page1.metadata?.resourceVersion);
    await core().deleteNamespacedConfigMap({ namespace: 'list', name: 'bb' });
  });

  it('expires a continue token once its snapshot is out of history, with 410 Expired', async () => {
    const page1 = await core().listNamespacedConfigMap({ namespace: 'list', limit: 1 });
    for (let i = 0; i < 60; i++)
      await core().createNamespacedSecret({ namespace: 'list', body: { metadata: { generateName: 'churn-' } } });
    const res = await raw(
      sandbox(),
      'GET',
      `/api/v1/namespaces/list/configmaps?limit=1&continue=${encodeURIComponent(page1.metadata?._continue ?? '')}`,
    );
    expect(res.status).toBe(410);
    const status = res.json<{ reason: string; message: string }>();
    expect(status.reason).toBe('Expired');
    expect(status.message).toMatch(/^The provided continue parameter is too old to display a consistent list result\./);
  });

  it('rejects a garbled continue token with 400', async () => {
    const res = await raw(sandbox(), 'GET', '/api/v1/namespaces/list/configmaps?limit=1&continue=garbage');
    expect(res.status).toBe(400);
  });
});

describe('resourceVersion on list', () => {
  it('answers a resourceVersion newer than the store with 504 Timeout', async () => {
    const res = await raw(sandbox(), 'GET', '/api/v1/namespaces/list/configmaps?resourceVersion=999999999');
    expect(res.status).toBe(504);
    expect(res.json<{ message: string }>().message).toMatch(
      /^Timeout: Too large resource version: 999999999, current: \d+$/,
    );
  });

  it('returns the current list metadata.resourceVersion, not older than any item', async () => {
    const list = await core().listNamespacedConfigMap({ namespace: 'list', resourceVersion: '0' });
    const newest = Math.max(...list.items.map((i) => Number(i.metadata?.resourceVersion)));
    expect(Number(list.metadata?.resourceVersion)).toBeGreaterThanOrEqual(newest);
  });

  it('serves an exact past snapshot with resourceVersionMatch=Exact', async () => {
    const before = await core().listNamespacedConfigMap({ namespace: 'list' });
    await core().createNamespacedConfigMap({ namespace: 'list', body: { metadata: { name: 'later' } } });
    const exact = await names(`resourceVersion=${before.metadata?.resourceVersion}&resourceVersionMatch=Exact`);
    expect(exact).not.toContain('later');
    expect(await names('')).toContain('later');
  });

  it('lists built-ins as typed lists without per-item kind', async () => {
    const res = (await raw(sandbox(), 'GET', '/api/v1/namespaces/list/configmaps')).json<{
      kind: string;
      apiVersion: string;
      items: Record<string, unknown>[];
    }>();
    expect(res.kind).toBe('ConfigMapList');
    expect(res.apiVersion).toBe('v1');
    expect(res.items[0]).not.toHaveProperty('kind');
  });
});
