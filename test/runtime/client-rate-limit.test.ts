// The client's rate limit holds real requests back: with the bucket empty, a request reaches the
// API server only once the (injected) clock has refilled a token.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KubeClient } from '../../src/kube/client.js';
import { TokenBucket } from '../../src/kube/rate-limit.js';
import { FakeClock } from '../support/fake-clock.js';
import { configMap, startEnv, type Env } from './helpers.js';

let env: Env;
beforeAll(async () => {
  env = await startEnv();
});
afterAll(async () => {
  await env.sandbox.stop();
});

describe('KubeClient with a rate limit', () => {
  it('sends the burst at once and the next request only after a token is refilled', async () => {
    const clock = new FakeClock();
    const client = new KubeClient(env.sandbox.kubeConfig(), { limiter: new TokenBucket({ qps: 2, burst: 2 }, clock) });
    const create = (name: string) =>
      client.request({ method: 'POST', path: '/api/v1/namespaces/default/configmaps', body: configMap(name) });
    await Promise.all([create('first'), create('second')]);
    let thirdDone = false;
    const third = create('third').then(() => {
      thirdDone = true;
    });
    await new Promise((r) => setTimeout(r, 200));
    expect(thirdDone).toBe(false);
    expect(env.sandbox.store.list('/configmaps', 'default').map((o) => o.metadata.name)).not.toContain('third');
    clock.advance(500);
    await third;
    expect(env.sandbox.store.list('/configmaps', 'default').map((o) => o.metadata.name)).toContain('third');
  });

  it('gives up waiting when the request is aborted, with a kube error', async () => {
    const clock = new FakeClock();
    const client = new KubeClient(env.sandbox.kubeConfig(), { limiter: new TokenBucket({ qps: 1, burst: 1 }, clock) });
    await client.request({ method: 'GET', path: '/api/v1/namespaces/default/configmaps' });
    const abort = new AbortController();
    const waiting = client.request({
      method: 'GET',
      path: '/api/v1/namespaces/default/configmaps',
      signal: abort.signal,
    });
    abort.abort();
    await expect(waiting).rejects.toMatchObject({
      name: expect.any(String),
      code: expect.stringMatching(/^Kube[A-Z]/),
    });
  });
});
