import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Informer } from '../../src/kube/informer.js';
import { CoreTypes, type KubeObject } from '../../src/kube/resource.js';
import { configMap, eventually, expectCacheMatchesServer, startEnv, type Env } from './helpers.js';

let env: Env;
let informer: Informer<KubeObject>;

const churn = async (prefix: string) => {
  await env.api.create(configMap(`${prefix}-new`, { v: '1' }));
  await env.api.mergePatch(
    { apiVersion: 'v1', kind: 'ConfigMap', namespace: 'default', name: 'base-1' },
    { data: { v: prefix } },
  );
  await env.api.deleteObject({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    namespace: 'default',
    name: `base-${prefix.length}`,
  });
};

beforeEach(async () => {
  env = await startEnv();
  for (let i = 0; i < 10; i++) await env.api.create(configMap(`base-${i}`, { v: String(i) }));
  informer = new Informer({
    client: env.client,
    type: CoreTypes.configMaps,
    namespaces: ['default'],
    // A hung watch is one still open and silent 1.5 s past its own (here 2 s) timeout.
    watchStallMs: 1500,
    watchTimeoutSeconds: [2, 2],
    backoff: { initialMs: 50, maxMs: 500 },
  });
  informer.start();
  expect(await informer.waitForSync(AbortSignal.timeout(10_000))).toBe(true);
  // Faults act on open watch streams; make sure ours is open before injecting them.
  await eventually(() => expect(informer.stats.watches).toBeGreaterThanOrEqual(1));
});

afterEach(async () => {
  await informer.stop();
  await env.sandbox.stop();
});

describe('Informer against the sandbox', () => {
  it('lists, then follows adds, updates and deletes through the watch, with old and new objects', async () => {
    const seen: string[] = [];
    informer.addEventHandler({
      add: (o) => seen.push(`add ${o.metadata.name}`),
      update: (a, b) => {
        if (a !== b)
          seen.push(
            `update ${b.metadata.name} ${(a as { data?: { v?: string } }).data?.v}->${(b as { data?: { v?: string } }).data?.v}`,
          );
      },
      delete: (o) => seen.push(`delete ${o.metadata.name}`),
    });
    expect(seen.filter((s) => s.startsWith('add'))).toHaveLength(10);
    await churn('x');
    await expectCacheMatchesServer(env, informer, 'configmaps', 'default');
    expect(seen).toEqual(expect.arrayContaining(['add x-new', 'update base-1 1->x', 'delete base-1']));
    expect(informer.byNamespace('default')).toHaveLength(10);
  });

  it('recovers from dropped watches without losing changes', async () => {
    env.sandbox.faults.dropWatches('configmaps');
    await churn('dropped');
    env.sandbox.faults.dropWatches();
    await churn('again');
    await expectCacheMatchesServer(env, informer, 'configmaps', 'default');
    expect(informer.stats.watches).toBeGreaterThanOrEqual(2);
  });

  it('re-lists after 410 Gone and ends equal to the server', async () => {
    const listsBefore = informer.stats.lists;
    const deleted: string[] = [];
    informer.addEventHandler({ delete: (o) => deleted.push(o.metadata.name) });
    env.sandbox.faults.forceGone('configmaps');
    env.sandbox.faults.dropWatches('configmaps');
    await churn('gone');
    await expectCacheMatchesServer(env, informer, 'configmaps', 'default');
    // Deletions missed while disconnected are still reported, once.
    expect(deleted).toEqual(['base-4']);
    await eventually(() => expect(informer.stats.relistsAfterGone).toBeGreaterThanOrEqual(1));
    expect(informer.stats.lists).toBeGreaterThan(listsBefore);
  });

  it('detects a hung watch (silent and never ended by the server), restarts it and catches up', async () => {
    env.sandbox.faults.stallWatches('configmaps');
    await churn('stall');
    await eventually(() => expect(informer.stats.stalls).toBeGreaterThanOrEqual(1));
    await expectCacheMatchesServer(env, informer, 'configmaps', 'default');
  });

  it('restarts a watch whose response never arrives', async () => {
    env.sandbox.faults.latency({ verb: 'watch', resource: 'configmaps', ms: 5000, times: 1 });
    env.sandbox.faults.dropWatches('configmaps');
    await churn('slow');
    await eventually(() => expect(informer.stats.stalls).toBeGreaterThanOrEqual(1));
    await expectCacheMatchesServer(env, informer, 'configmaps', 'default');
  });

  it('gives listed objects their apiVersion and kind, like watched ones, and drops managedFields', async () => {
    expect(informer.get('default/base-0')).toMatchObject({ apiVersion: 'v1', kind: 'ConfigMap' });
    await env.api.applyObject(configMap('applied', { v: '1' }));
    await eventually(() => expect(informer.get('default/applied')).toBeDefined());
    expect(env.sandbox.store.get('configmaps', 'default', 'applied')?.metadata.managedFields).toBeDefined();
    expect(informer.get('default/applied')?.metadata.managedFields).toBeUndefined();
  });

  it('rides out bursts of 500 and 429 (honouring Retry-After) on list and watch', async () => {
    env.sandbox.faults.error({ verb: 'watch', resource: 'configmaps', code: 500, times: 3 });
    env.sandbox.faults.error({ verb: 'list', resource: 'configmaps', code: 429, times: 2, retryAfterSeconds: 1 });
    env.sandbox.faults.forceGone('configmaps');
    env.sandbox.faults.dropWatches('configmaps');
    await churn('burst');
    await expectCacheMatchesServer(env, informer, 'configmaps', 'default');
    expect(informer.stats.errors).toBeGreaterThanOrEqual(3);
    // After each 429 the next list waited at least the Retry-After second (a lower bound, not a timing race).
    const lists = env.sandbox.stats.requests().filter((r) => r.verb === 'list' && r.resource === 'configmaps');
    const throttled = lists.flatMap((r, i) => (r.code === 429 && lists[i + 1] ? [lists[i + 1]!.at - r.at] : []));
    expect(throttled).toHaveLength(2);
    for (const gap of throttled) expect(gap).toBeGreaterThanOrEqual(1000);
  });

  it('keeps indexes current: custom index lookups follow updates and deletes', async () => {
    informer.addIndex('by-value', (o) => [(o as { data?: { v?: string } }).data?.v ?? '']);
    expect(informer.byIndex('by-value', '3').map((o) => o.metadata.name)).toEqual(['base-3']);
    await env.api.mergePatch(
      { apiVersion: 'v1', kind: 'ConfigMap', namespace: 'default', name: 'base-3' },
      { data: { v: '4' } },
    );
    await eventually(() =>
      expect(
        informer
          .byIndex('by-value', '4')
          .map((o) => o.metadata.name)
          .sort(),
      ).toEqual(['base-3', 'base-4']),
    );
    expect(informer.byIndex('by-value', '3')).toEqual([]);
    expect(() => informer.byIndex('nope', 'x')).toThrow(/does not exist/);
  });

  it('resync calls update for every cached object', async () => {
    let resynced = 0;
    informer.addEventHandler({ update: (a, b) => a === b && resynced++ });
    informer.resync();
    expect(resynced).toBe(10);
  });
});
