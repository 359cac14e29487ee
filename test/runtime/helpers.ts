// Shared helpers for runtime integration tests against the sandbox API server.
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { KubeApi } from '../../src/kube/api.js';
import { KubeClient } from '../../src/kube/client.js';
import type { Informer } from '../../src/kube/informer.js';
import type { KubeObject } from '../../src/kube/resource.js';

export interface Env {
  sandbox: Sandbox;
  client: KubeClient;
  api: KubeApi;
}

export async function startEnv(options: { watchHistory?: number } = {}): Promise<Env> {
  const sandbox = await startSandbox({ bookmarkIntervalMs: 200, ...options });
  const client = new KubeClient(sandbox.kubeConfig());
  return { sandbox, client, api: new KubeApi(client) };
}

/** Polls `check` until it stops throwing, or rethrows its last error after `timeoutMs`. */
export async function eventually<T>(check: () => T | Promise<T>, timeoutMs = 15_000, intervalMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, intervalMs));
    }
  }
}

export function configMap(
  name: string,
  data: Record<string, string> = {},
  namespace = 'default',
): KubeObject & { data: Record<string, string> } {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace }, data };
}

/** name -> resourceVersion, for comparing a cache with the server. */
export function versions(objects: readonly KubeObject[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const o of objects) out[`${o.metadata.namespace ?? ''}/${o.metadata.name}`] = o.metadata.resourceVersion ?? '';
  return out;
}

export async function expectCacheMatchesServer(
  env: Env,
  informer: Informer<KubeObject>,
  resource: string,
  namespace?: string,
): Promise<void> {
  await eventually(() => {
    const server = versions(env.sandbox.store.list(resource, namespace) as KubeObject[]);
    const cache = versions(informer.list());
    if (JSON.stringify(Object.entries(server).sort()) !== JSON.stringify(Object.entries(cache).sort())) {
      throw new Error(
        `cache differs from server:\n server ${JSON.stringify(server)}\n cache  ${JSON.stringify(cache)}`,
      );
    }
  });
}
