import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Informer } from '../../src/kube/informer.js';
import { CoreTypes, type KubeObject } from '../../src/kube/resource.js';
import { configMap, eventually, expectCacheMatchesServer, startEnv, type Env } from './helpers.js';

let env: Env;
let informer: Informer<KubeObject>;

beforeEach(async () => {
  // A short watch history: resuming from an old resourceVersion gets 410 Gone.
  env = await startEnv({ watchHistory: 20 });
  await env.api.create(configMap('mine'));
  informer = new Informer({
    client: env.client,
    type: CoreTypes.configMaps,
    namespaces: ['default'],
    backoff: { initialMs: 50, maxMs: 500 },
  });
  informer.start();
  await informer.waitForSync();
  await eventually(() => expect(informer.stats.watches).toBe(1));
});

afterEach(async () => {
  await informer.stop();
  await env.sandbox.stop();
});

describe('Informer bookmarks', () => {
  it('resumes from the last bookmark, so churn elsewhere does not force a re-list', async () => {
    for (let i = 0; i < 60; i++) await env.api.create(configMap(`other-${i}`, {}, 'kube-public'));
    // Let a bookmark (every 200 ms) carry the new resourceVersion to the quiet watch.
    await new Promise((r) => setTimeout(r, 600));
    env.sandbox.faults.dropWatches('configmaps');
    await env.api.create(configMap('after'));
    await expectCacheMatchesServer(env, informer, 'configmaps', 'default');
    expect(informer.stats.relistsAfterGone).toBe(0);
    expect(informer.stats.lists).toBe(1);
  });
});
