import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Informer } from '../../src/kube/informer.js';
import { CoreTypes, type KubeObject } from '../../src/kube/resource.js';
import { configMap, expectCacheMatchesServer, startEnv, type Env } from './helpers.js';

let env: Env;

beforeAll(async () => {
  env = await startEnv();
  for (let batch = 0; batch < 200; batch++) {
    await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        env.api.create(configMap(`cm-${batch}-${i}`, { v: 'x' }, batch % 2 ? 'default' : 'kube-public')),
      ),
    );
  }
}, 60_000);

afterAll(async () => {
  await env.sandbox.stop();
});

describe('Informer at scale', () => {
  it('pages through 10,000 objects and watches several namespaces into one cache', async () => {
    const informer = new Informer<KubeObject>({
      client: env.client,
      type: CoreTypes.configMaps,
      namespaces: ['default', 'kube-public'],
      pageSize: 500,
    });
    informer.start();
    try {
      expect(await informer.waitForSync(AbortSignal.timeout(30_000))).toBe(true);
      expect(informer.size).toBe(10_000);
      // 5,000 per namespace at 500 a page: 10 pages each.
      expect(env.sandbox.stats.count({ verb: 'list', resource: 'configmaps' })).toBe(20);
      expect(informer.byNamespace('default')).toHaveLength(5000);
      await env.api.create(configMap('late', {}, 'kube-public'));
      await expectCacheMatchesServer(env, informer, 'configmaps');
    } finally {
      await informer.stop();
    }
  });
});
