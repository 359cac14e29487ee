import { PassThrough } from 'node:stream';
import { Registry } from 'prom-client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Controller, type ReconcileContext } from '../../src/controller/runtime/controller.js';
import { KubeApiError } from '../../src/kube/errors.js';
import { TerminalError } from '../../src/controller/runtime/errors.js';
import { Informer } from '../../src/kube/informer.js';
import { CoreTypes, type KubeObject, type ResourceType } from '../../src/kube/resource.js';
import { createRootLogger } from '../../src/observability/logger.js';
import { OperatorMetrics } from '../../src/observability/metrics.js';
import { configMap, eventually, startEnv, type Env } from './helpers.js';

let env: Env;
let stops: (() => Promise<unknown>)[];

beforeEach(async () => {
  env = await startEnv();
  stops = [];
});

afterEach(async () => {
  for (const stop of stops.reverse()) await stop();
  await env.sandbox.stop();
});

function informer(type: ResourceType = CoreTypes.configMaps): Informer<KubeObject> {
  const i = new Informer<KubeObject>({
    client: env.client,
    type,
    namespaces: ['default'],
    backoff: { initialMs: 50, maxMs: 500 },
  });
  i.start();
  stops.push(() => i.stop());
  return i;
}

function controller(
  options: Partial<ConstructorParameters<typeof Controller>[0]> &
    Pick<ConstructorParameters<typeof Controller>[0], 'reconcile'>,
) {
  const metrics = new OperatorMetrics({ registry: new Registry() });
  const c = new Controller({ name: 'test', primary: options.primary ?? informer(), workers: 4, metrics, ...options });
  void c.start();
  stops.push(() => c.stop(5000));
  return { controller: c, metrics };
}

const dataOf = (o: KubeObject | undefined) => (o as { data?: Record<string, string> } | undefined)?.data;

describe('Controller against the sandbox', () => {
  it('reconciles a hammered key serially and finally with the latest state', async () => {
    await env.api.create(configMap('hot', { n: '0' }));
    const primary = informer();
    let running = 0;
    let overlapped = false;
    const seen: string[] = [];
    controller({
      primary,
      reconcile: async (key) => {
        running++;
        if (running > 1) overlapped = true;
        seen.push(dataOf(primary.get(key))?.n ?? 'gone');
        await new Promise((r) => setTimeout(r, 20));
        running--;
      },
    });
    for (let n = 1; n <= 40; n++) {
      await env.api.mergePatch(
        { apiVersion: 'v1', kind: 'ConfigMap', namespace: 'default', name: 'hot' },
        { data: { n: String(n) } },
      );
    }
    await eventually(() => expect(seen.at(-1)).toBe('40'));
    expect(overlapped).toBe(false);
    // Deduplication: far fewer reconciles than updates, yet the last one saw the latest state.
    expect(seen.length).toBeLessThan(41);
  });

  it('maps owned objects to their controller owner and watched objects through the map function', async () => {
    const owner = await env.api.create(configMap('owner'));
    const primary = informer();
    const secrets = informer(CoreTypes.secrets);
    const reconciled: string[] = [];
    controller({
      primary,
      owns: [secrets],
      watches: [
        { informer: secrets, map: (o) => (o.metadata.labels?.for ? [`default/${o.metadata.labels.for}`] : []) },
      ],
      reconcile: async (key) => {
        reconciled.push(key);
      },
    });
    await eventually(() => expect(reconciled).toContain('default/owner'));
    reconciled.length = 0;
    await env.api.create({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: {
        name: 'child',
        namespace: 'default',
        ownerReferences: [
          { apiVersion: 'v1', kind: 'ConfigMap', name: 'owner', uid: owner.metadata.uid ?? '', controller: true },
        ],
      },
    });
    await env.api.create({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'ref', namespace: 'default', labels: { for: 'elsewhere' } },
    });
    await eventually(() => expect(reconciled).toEqual(expect.arrayContaining(['default/owner', 'default/elsewhere'])));
  });

  it('retries failures with backoff, requeues conflicts quietly, and does not hot-loop terminal errors', async () => {
    await env.api.create(configMap('flaky'));
    await env.api.create(configMap('conflict'));
    await env.api.create(configMap('broken'));
    const attempts: Record<string, number> = {};
    const retriesSeen: number[] = [];
    const logs: { level: string; msg: string; name?: string }[] = [];
    const sink = new PassThrough();
    sink.on('data', (chunk: Buffer) => {
      for (const line of chunk.toString().split('\n'))
        if (line) logs.push(JSON.parse(line) as { level: string; msg: string; name?: string });
    });
    const { metrics } = controller({
      logger: createRootLogger({ level: 'debug', destination: sink }),
      reconcile: async (key, ctx: ReconcileContext) => {
        attempts[key] = (attempts[key] ?? 0) + 1;
        if (key === 'default/flaky') {
          retriesSeen.push(ctx.retries);
          if (attempts[key] < 4) throw new Error('transient');
        }
        if (key === 'default/conflict' && attempts[key] < 3) {
          throw new KubeApiError({
            code: 'KubeConflict',
            status: 409,
            reason: 'Conflict',
            message: 'the object has been modified',
          });
        }
        if (key === 'default/broken') throw new TerminalError('BadSpec', 'spec.image is empty');
        return undefined;
      },
    });
    await eventually(() => {
      expect(attempts['default/flaky']).toBe(4);
      expect(attempts['default/conflict']).toBe(3);
    });
    expect(retriesSeen).toEqual([0, 1, 2, 3]);
    await new Promise((r) => setTimeout(r, 500));
    expect(attempts['default/broken']).toBe(1);
    const text = await metrics.registry.metrics();
    expect(text).toMatch(/controller_runtime_reconcile_errors_total\{controller="test",code="Unexpected"\} 3/);
    expect(text).toMatch(/controller_runtime_reconcile_errors_total\{controller="test",code="BadSpec"\} 1/);
    expect(text).not.toMatch(/code="KubeConflict"/);
    expect(text).toMatch(/controller_runtime_reconcile_total\{controller="test",result="conflict"\} 2/);
    expect(text).toMatch(/controller_runtime_reconcile_total\{controller="test",result="terminal"\} 1/);
    // Conflicts are not errors in the logs either; the terminal failure is logged exactly once.
    expect(logs.filter((l) => l.level === 'error' && l.name === 'conflict')).toEqual([]);
    expect(logs.filter((l) => l.level === 'error' && l.name === 'broken')).toHaveLength(1);
    // A new event brings the terminal key back.
    await env.api.mergePatch(
      { apiVersion: 'v1', kind: 'ConfigMap', namespace: 'default', name: 'broken' },
      { data: { fixed: 'no' } },
    );
    await eventually(() => expect(attempts['default/broken']).toBe(2));
  });

  it('requeues after the requested delay', async () => {
    await env.api.create(configMap('periodic'));
    let count = 0;
    controller({
      reconcile: async () => {
        count++;
        return { requeueAfter: 100 };
      },
    });
    await eventually(() => expect(count).toBeGreaterThanOrEqual(3));
  });

  it('lets in-flight reconciles finish on stop and takes no new keys', async () => {
    await env.api.create(configMap('slow'));
    let finished = false;
    let started = 0;
    const { controller: c } = controller({
      reconcile: async () => {
        started++;
        await new Promise((r) => setTimeout(r, 300));
        finished = true;
      },
    });
    await eventually(() => expect(started).toBe(1));
    expect(await c.stop(5000)).toBe(true);
    expect(finished).toBe(true);
    await env.api.mergePatch(
      { apiVersion: 'v1', kind: 'ConfigMap', namespace: 'default', name: 'slow' },
      { data: { x: '1' } },
    );
    await new Promise((r) => setTimeout(r, 300));
    expect(started).toBe(1);
  });
});
