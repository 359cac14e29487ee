// The reconciler with in-memory caches: the paths the API server's own
// validation normally keeps away (an Atom stored under an older, laxer CRD).
import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../kube/resource.js';
import { silentLogger } from '../../observability/logger.js';
import { defaultAgentProfile } from '../../resources/profile.js';
import type { CacheReader, ChildWriter, EventSink, ReleaseSource } from './ports.js';
import { AtomReconciler } from './reconciler.js';

function cache(objects: KubeObject[] = []): CacheReader {
  const key = (o: KubeObject) => `${o.metadata.namespace ?? ''}/${o.metadata.name}`;
  return {
    get: (k) => objects.find((o) => key(o) === k),
    getByName: (ns, name) => objects.find((o) => o.metadata.namespace === ns && o.metadata.name === name),
    byIndex: (_name, value) => objects.filter((o) => o.metadata.namespace === value),
    list: () => objects,
  };
}

function harness(atom: KubeObject) {
  const writes: string[] = [];
  const statuses: unknown[] = [];
  const events: { type: string; reason: string; message: string }[] = [];
  const writer: ChildWriter = {
    apply: async (obj) => (writes.push(`apply ${obj.kind}`), obj),
    remove: async (type, _ns, name) => void writes.push(`delete ${type.kind} ${name}`),
    writeStatus: async (_ref, status) => (
      statuses.push(status),
      {
        ...atom,
        metadata: { ...atom.metadata, resourceVersion: String(Number(atom.metadata.resourceVersion ?? 1) + 1) },
      }
    ),
  };
  const sink: EventSink = { record: (_o, type, reason, message) => void events.push({ type, reason, message }) };
  const releases: ReleaseSource = {
    register: () => undefined,
    unregister: () => undefined,
    resultFor: () => undefined,
  };
  const reconciler = new AtomReconciler({
    atoms: cache([atom]),
    pods: cache(),
    childCaches: new Map(),
    secrets: cache(),
    writer,
    events: sink,
    releases,
    fleet: {
      gateFor: () => {
        throw new Error('an invalid Atom must not reach the fleet');
      },
      noteStarted: () => undefined,
      noteOfflineRestart: () => undefined,
      offlineRestarts: () => ({ inFlight: 0, maxConcurrent: 1 }),
    },
    config: {
      profile: defaultAgentProfile,
      dns: { namespace: 'kube-system', podLabels: {} },
      certificateWarningDays: 30,
      allowCriticalOverride: false,
      requireVerifiedRelease: false,
    },
    now: () => new Date('2026-11-25T12:00:00Z'),
  });
  return { reconciler, writes, statuses, events };
}

describe('an Atom whose spec is invalid', () => {
  const invalid = {
    apiVersion: 'atomoperator.io/v1alpha1',
    kind: 'Atom',
    metadata: { name: 'bad', namespace: 'default', generation: 3, resourceVersion: '7' },
    spec: {
      version: '1.2.3',
      platform: { accountId: 'acme', url: 'http://insecure.example.com' },
      registration: { certificateSecretRef: { name: 'bad-reg' } },
    },
  } as KubeObject;

  it('gets Ready=False InvalidSpec naming each field, one Warning event, and nothing else is touched', async () => {
    const h = harness(invalid);
    await h.reconciler.reconcile('default/bad', silentLogger());
    expect(h.writes).toEqual([]);
    expect(h.statuses).toHaveLength(1);
    const status = h.statuses[0] as {
      phase: string;
      observedGeneration: number;
      conditions: { type: string; status: string; reason: string; message: string }[];
    };
    expect(status).toMatchObject({ phase: 'Failed', observedGeneration: 3 });
    const ready = status.conditions.find((c) => c.type === 'Ready')!;
    expect(ready).toMatchObject({ status: 'False', reason: 'InvalidSpec' });
    expect(ready.message).toContain('spec.platform.url: must be an https:// URL');
    expect(ready.message).toContain('spec.version: spec.version pins the Atom');
    expect(h.events).toEqual([{ type: 'Warning', reason: 'InvalidSpec', message: ready.message }]);
  });

  it('is not reported again when nothing changed (no hot loop of writes or events)', async () => {
    const first = harness(invalid);
    await first.reconciler.reconcile('default/bad', silentLogger());
    const withStatus = { ...invalid, status: first.statuses[0] } as KubeObject;
    const again = harness(withStatus);
    await again.reconciler.reconcile('default/bad', silentLogger());
    expect(again.statuses).toEqual([]);
    expect(again.events).toEqual([]);
  });
});
