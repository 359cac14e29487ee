// The apply step against in-memory caches and a recording writer: which children it writes, what
// each write is called (Created / Updated / Restored), and what the API server's refusals feed back.
import { describe, expect, it } from 'vitest';
import { KubeApiError } from '../../kube/errors.js';
import type { KubeObject } from '../../kube/resource.js';
import { silentLogger } from '../../observability/logger.js';
import { contentHash, specHashAnnotation } from '../../resources/index.js';
import { type ApplyDeps, applyDecision } from './apply.js';
import type { Decision } from './decide.js';
import { childChangeEvents } from './events.js';
import { Expectations } from './expectations.js';
import type { CacheReader } from './ports.js';

const owner: KubeObject = {
  apiVersion: 'atomoperator.io/v1alpha1',
  kind: 'Atom',
  metadata: { name: 'a', namespace: 'ns', uid: 'u' },
};
const policy = (egress: unknown[]): KubeObject =>
  ({
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: 'a-egress', namespace: 'ns', labels: { app: 'atom' } },
    spec: { podSelector: {}, egress },
  }) as KubeObject;
const withHash = (built: KubeObject, hash = contentHash(built)): KubeObject => ({
  ...built,
  metadata: { ...built.metadata, resourceVersion: '7', annotations: { [specHashAnnotation]: hash } },
});

function cache(objects: KubeObject[]): CacheReader {
  return {
    get: () => undefined,
    getByName: (ns, name) => objects.find((o) => o.metadata.namespace === ns && o.metadata.name === name),
    byIndex: () => [],
    list: () => objects,
  };
}

function setup(live: KubeObject[], fail?: (obj: KubeObject) => Error | undefined) {
  const writes: string[] = [];
  const deps: ApplyDeps = {
    atoms: cache([owner]),
    pods: cache([]),
    childCaches: new Map([['NetworkPolicy', cache(live)]]),
    writer: {
      apply: async (obj) => {
        const err = fail?.(obj);
        if (err) throw err;
        writes.push(`apply ${obj.kind} ${obj.metadata.name}`);
        return obj;
      },
      remove: async (type, _ns, name) => void writes.push(`delete ${type.kind} ${name}`),
      writeStatus: async () => undefined,
    },
    events: { record: () => undefined },
    expectations: new Expectations(),
    now: () => new Date('2026-11-25T12:00:00Z'),
  };
  return { deps, writes };
}

const decision = (children: KubeObject[], pod: Decision['pod'] = { kind: 'None' }): Decision => ({
  children,
  removals: [],
  pod,
  status: undefined,
  events: [],
  memory: {},
  rollout: { outcomes: [] },
  connectivity: { offline: false },
});

describe('applyDecision', () => {
  it.each([
    ['absent from the cache', [] as KubeObject[], ['apply NetworkPolicy a-egress'], 'Created'],
    ['as built (the steady state)', [withHash(policy([{}]))], [], undefined],
    [
      'edited by someone else (our hash, other content)',
      [withHash(policy([]), contentHash(policy([{}])))],
      ['apply NetworkPolicy a-egress'],
      'Restored',
    ],
    ['built from an older spec (another hash)', [withHash(policy([]))], ['apply NetworkPolicy a-egress'], 'Updated'],
  ])('writes a child %s only when it drifted, and names the change', async (_name, live, expectedWrites, change) => {
    const { deps, writes } = setup(live);
    const feedback = await applyDecision(deps, 'ns/a', owner, decision([policy([{}])]), silentLogger());
    expect(writes).toEqual(expectedWrites);
    expect(feedback.changes.map((c) => c.kind)).toEqual(change ? [change] : []);
  });

  it('feeds a NetworkPolicy the server refused back to the decision instead of failing the pass', async () => {
    const { deps } = setup([], () => new Error('admission webhook denied the request'));
    const feedback = await applyDecision(deps, 'ns/a', owner, decision([policy([{}])]), silentLogger());
    expect(feedback.networkPolicyFailed).toBe('admission webhook denied the request');
  });

  it('feeds a pod the API server refused back (admission, quota, RBAC), and fails on anything else', async () => {
    const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'a-agent', namespace: 'ns' } } as KubeObject;
    const refused = new KubeApiError({ code: 'KubeForbidden', status: 403, message: 'exceeded quota' });
    const { deps } = setup([], (o) => (o.kind === 'Pod' ? refused : undefined));
    const feedback = await applyDecision(deps, 'ns/a', owner, decision([], { kind: 'Create', pod }), silentLogger());
    expect(feedback.refused).toBe('the API server refused pod a-agent: exceeded quota');

    const down = new KubeApiError({ code: 'KubeServerError', status: 503, message: 'etcd timeout' });
    const { deps: other } = setup([], (o) => (o.kind === 'Pod' ? down : undefined));
    await expect(
      applyDecision(other, 'ns/a', owner, decision([], { kind: 'Create', pod }), silentLogger()),
    ).rejects.toBe(down);
  });
});

describe('childChangeEvents', () => {
  const changes = [
    { kind: 'Created' as const, what: 'ServiceAccount a-agent' },
    { kind: 'Created' as const, what: 'NetworkPolicy a-egress' },
    { kind: 'Restored' as const, what: 'PersistentVolumeClaim a-install' },
  ];

  it('tells one event per kind of change, naming every child', () => {
    expect(childChangeEvents(changes, undefined)).toEqual([
      { type: 'Normal', reason: 'Created', message: 'created ServiceAccount a-agent, NetworkPolicy a-egress' },
      {
        type: 'Normal',
        reason: 'Restored',
        message: 'PersistentVolumeClaim a-install changed by someone else; restored it',
      },
    ]);
  });

  it('folds a first install into the Created event: a new Atom is told once', () => {
    const start = { type: 'Normal' as const, reason: 'InitialInstall', message: 'Installing 5.0.2.' };
    const [created] = childChangeEvents(changes.slice(0, 2), { pod: 'a-agent', image: 'atom@sha256:1', start });
    expect(created?.message).toBe(
      'created ServiceAccount a-agent, NetworkPolicy a-egress and pod a-agent running atom@sha256:1: Installing 5.0.2.',
    );
  });
});
