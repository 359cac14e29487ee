import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Manager, type ManagerConfig } from '../../src/controller/runtime/manager.js';
import { CoreTypes } from '../../src/kube/resource.js';
import { configMap, eventually, startEnv, type Env } from './helpers.js';

let env: Env;
let managers: Manager[];

const config = (identity: string): ManagerConfig => ({
  watchNamespaces: ['default'],
  workers: 2,
  leaderElection: {
    enabled: true,
    namespace: 'default',
    leaseName: 'atom-operator-leader',
    identity,
    leaseDuration: 2000,
    renewDeadline: 1500,
    retryPeriod: 200,
  },
  metricsAddress: '127.0.0.1:0',
  healthAddress: '127.0.0.1:0',
  resyncPeriod: 60_000,
  shutdownTimeout: 5000,
});

/** A manager whose only controller records which replica reconciled what. */
function manager(identity: string, log: string[], onLeadershipLost?: () => void): Manager {
  const m = new Manager({
    kubeConfig: env.sandbox.kubeConfig(),
    config: config(identity),
    informerDefaults: { backoff: { initialMs: 50, maxMs: 500 } },
    ...(onLeadershipLost ? { onLeadershipLost } : {}),
  });
  const primary = m.informer(CoreTypes.configMaps);
  m.addController({
    name: 'configmaps',
    primary,
    reconcile: async (key) => {
      log.push(`${identity} ${key}`);
    },
  });
  managers.push(m);
  return m;
}

const get = async (port: number | undefined, path: string) => {
  const res = await fetch(`http://127.0.0.1:${port}${path}`);
  return { status: res.status, body: await res.text() };
};

beforeEach(async () => {
  env = await startEnv();
  managers = [];
});

afterEach(async () => {
  await Promise.all(managers.map((m) => m.stop()));
  await env.sandbox.stop();
});

describe('Manager against the sandbox', () => {
  it('serves health, readiness and metrics on every replica, but runs controllers only on the leader', async () => {
    await env.api.create(configMap('one'));
    const log: string[] = [];
    const a = manager('a', log);
    const b = manager('b', log);
    expect(a.readiness().ready).toBe(false);
    await a.start();
    await eventually(() => expect(a.isLeader).toBe(true));
    await b.start();
    for (const m of [a, b]) {
      expect(await get(m.healthPort, '/healthz')).toEqual({ status: 200, body: 'ok\n' });
      await eventually(async () => expect((await get(m.healthPort, '/readyz')).status).toBe(200));
    }
    await eventually(() => expect(log).toContain('a default/one'));
    await env.api.create(configMap('two'));
    await eventually(() => expect(log).toContain('a default/two'));
    expect(log.filter((l) => l.startsWith('b '))).toEqual([]);

    const metricsA = await get(a.metricsPort, '/metrics');
    expect(metricsA.body).toMatch(/leader_election_master_status\{lease="default\/atom-operator-leader"\} 1/);
    expect(metricsA.body).toMatch(
      /controller_runtime_reconcile_total\{controller="configmaps",result="success"\} [1-9]/,
    );
    expect(metricsA.body).toMatch(/workqueue_adds_total\{name="configmaps"\}/);
    expect(metricsA.body).toMatch(/atom_operator_build_info\{version="dev"/);
    expect(metricsA.body).toMatch(/informer_synced\{resource="configmaps"\} 1/);
    expect(metricsA.body).toMatch(/informer_objects\{resource="configmaps"\} 2/);
    expect((await get(b.metricsPort, '/metrics')).body).toMatch(
      /leader_election_master_status\{lease="default\/atom-operator-leader"\} 0/,
    );
    expect((await get(a.healthPort, '/nope')).status).toBe(404);
  });

  it('reports not ready while caches cannot sync', async () => {
    env.sandbox.faults.error({ verb: 'list', resource: 'configmaps', code: 503 });
    const a = manager('a', []);
    await a.start();
    const res = await get(a.healthPort, '/readyz');
    expect(res.status).toBe(503);
    expect(res.body).toMatch(/cache configmaps not synced/);
    expect((await get(a.healthPort, '/healthz')).status).toBe(200);
    env.sandbox.faults.clear();
    await eventually(async () => expect((await get(a.healthPort, '/readyz')).status).toBe(200));
  });

  it('hands the work to the standby at once when the leader stops gracefully', async () => {
    const log: string[] = [];
    const a = manager('a', log);
    const b = manager('b', log);
    await a.start();
    await eventually(() => expect(a.isLeader).toBe(true));
    await b.start();
    await b.waitForCacheSync();
    await a.stop();
    const lease = env.sandbox.store.get('leases.coordination.k8s.io', 'default', 'atom-operator-leader') as unknown as {
      spec: { holderIdentity?: string };
    };
    expect(lease.spec.holderIdentity === '' || lease.spec.holderIdentity === 'b').toBe(true);
    await eventually(() => expect(b.isLeader).toBe(true), 5000);
    await env.api.create(configMap('after'));
    await eventually(() => expect(log).toContain('b default/after'));
    expect(log).not.toContain('a default/after');
  });

  it('stops reconciling when leadership is lost and resumes after winning it back', async () => {
    const log: string[] = [];
    let lost = 0;
    const a = manager('a', log, () => lost++);
    await a.start();
    await eventually(() => expect(a.isLeader).toBe(true));
    env.sandbox.faults.error({ verb: 'update', resource: 'leases', code: 503 });
    await eventually(() => expect(lost).toBe(1), 5000);
    expect(a.isLeader).toBe(false);
    // Leases cannot be renewed, so nobody leads: a change now must wait.
    await env.api.create(configMap('while-lost'));
    await new Promise((r) => setTimeout(r, 300));
    expect(log).not.toContain('a default/while-lost');
    env.sandbox.faults.clear();
    await eventually(() => expect(a.isLeader).toBe(true), 5000);
    await eventually(() => expect(log).toContain('a default/while-lost'));
  });
});
