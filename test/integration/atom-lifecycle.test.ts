// The Atom controller end to end against the sandbox API server and the platform
// simulator: what a user sees after kubectl apply, edits, deletions.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { release, startHarness, type Harness } from '../support/harness.js';

const NS = 'default';
let h: Harness;

beforeAll(async () => {
  h = await startHarness();
  h.simulator.setRelease('stable', release('5.0.2', 'a'));
  await h.startOperator();
});
afterAll(async () => {
  await h?.stop();
});

async function readyAtom(name: string, spec: Record<string, unknown> = {}) {
  await h.createRegistrationSecret(NS, `${name}-registration`);
  await h.applyAtom(NS, name, spec);
  await h.waitFor(`${name} Ready`, () => h.condition(NS, name, 'Ready')?.status === 'True');
}

describe('a new Atom', () => {
  it('gets its pod, claim, NetworkPolicy and ServiceAccount, runs the advertised digest and reports Ready', async () => {
    await readyAtom('alpha');
    const pods = h.pods(NS, 'alpha');
    expect(pods.map((p) => p.metadata?.name)).toEqual(['alpha-agent']);
    expect(pods[0]!.spec!.containers[0]!.image).toBe(`boomi/atom@sha256:${'a'.repeat(64)}`);
    expect(h.sandbox.store.get('persistentvolumeclaims', NS, 'alpha-install')).toBeDefined();
    expect(h.sandbox.store.get('networking.k8s.io/networkpolicies', NS, 'alpha-egress')).toBeDefined();
    expect(h.sandbox.store.get('serviceaccounts', NS, 'alpha-agent')).toBeDefined();
    const status = h.atom(NS, 'alpha').status;
    expect(status).toMatchObject({ phase: 'Running', currentVersion: '5.0.2', advertisedVersion: '5.0.2', podName: 'alpha-agent', observedGeneration: 1 });
    expect(status.certificate.subject).toBe('CN=default.alpha-registration');
    for (const type of ['CertificateValid', 'NetworkIsolated', 'UpToDate']) expect(h.condition(NS, 'alpha', type)?.status).toBe('True');
    expect(h.condition(NS, 'alpha', 'Degraded')?.status).toBe('False');
  });

  it('costs zero writes when reconciled again with nothing changed', async () => {
    await h.settle();
    const reconciles = async () => (await h.operator!.manager.metrics.reconcileTotal.get()).values.reduce((n, v) => n + v.value, 0);
    const before = await reconciles();
    h.sandbox.stats.reset();
    for (let i = 0; i < 3; i++) {
      h.operator!.atoms.controller.queue.add(`${NS}/alpha`);
      await h.settle();
    }
    await new Promise((r) => setTimeout(r, 200));
    expect(await reconciles()).toBeGreaterThanOrEqual(before + 3);
    expect(h.sandbox.stats.writes({ fieldManager: 'atom-operator' })).toBe(0);
    expect(h.sandbox.stats.count({ verb: ['create', 'patch', 'update', 'delete'] })).toBe(0);
  });
});

describe('children are kept as desired', () => {
  it('recreates a deleted pod', async () => {
    await readyAtom('bravo');
    const before = h.pods(NS, 'bravo')[0]!.metadata!.uid;
    await h.api.deleteObject({ apiVersion: 'v1', kind: 'Pod', namespace: NS, name: 'bravo-agent' }, { gracePeriodSeconds: 0 });
    await h.waitFor('a new pod', () => h.pods(NS, 'bravo').some((p) => p.metadata?.uid !== before && !p.metadata?.deletionTimestamp));
    expect(h.pods(NS, 'bravo')).toHaveLength(1);
  });

  it('restores a NetworkPolicy someone edited, and one someone deleted', async () => {
    await readyAtom('charlie');
    await h.api.mergePatch({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', namespace: NS, name: 'charlie-egress' }, { spec: { egress: [{}] } });
    await h.waitFor('the policy restored', () => {
      const np = h.sandbox.store.get('networking.k8s.io/networkpolicies', NS, 'charlie-egress') as { spec: { egress: { ports?: { port: number }[] }[] } } | undefined;
      return np?.spec.egress[0]?.ports?.[0]?.port === 443;
    });
    await h.api.deleteObject({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', namespace: NS, name: 'charlie-egress' });
    await h.waitFor('the policy recreated', () => h.sandbox.store.get('networking.k8s.io/networkpolicies', NS, 'charlie-egress'));
    expect(h.events(NS, 'charlie').some((e) => e.reason === 'Restored')).toBe(true);
  });

  it('removes the NetworkPolicy when the Atom turns it off, and says so', async () => {
    await readyAtom('delta');
    await h.applyAtom(NS, 'delta', { networkPolicy: { enabled: false } });
    await h.waitFor('the policy gone', () => !h.sandbox.store.get('networking.k8s.io/networkpolicies', NS, 'delta-egress'));
    await h.waitFor('NetworkIsolated False', () => h.condition(NS, 'delta', 'NetworkIsolated')?.reason === 'PolicyDisabled');
  });
});

describe('a spec change', () => {
  it('replaces the pod gracefully: the new pod starts only after the old one is gone', async () => {
    await readyAtom('echo');
    let overlap = 0;
    const timer = setInterval(() => {
      if (h.pods(NS, 'echo').length > 1) overlap++;
    }, 5);
    const oldUid = h.pods(NS, 'echo')[0]!.metadata!.uid;
    await h.applyAtom(NS, 'echo', { pod: { env: [{ name: 'EXTRA', value: '1' }] } });
    await h.waitFor('the new pod Ready', () => {
      const pods = h.pods(NS, 'echo');
      return pods.length === 1 && pods[0]!.metadata!.uid !== oldUid && h.condition(NS, 'echo', 'Ready')?.status === 'True' && h.atom(NS, 'echo').status.observedGeneration === 2;
    });
    clearInterval(timer);
    expect(overlap).toBe(0);
    expect(h.pods(NS, 'echo')[0]!.spec!.containers[0]!.env).toContainEqual({ name: 'EXTRA', value: '1' });
    expect(h.events(NS, 'echo').map((e) => e.reason)).toContain('SpecChanged');
  });
});

describe('deleting an Atom', () => {
  it('takes its pod, policy and ServiceAccount and keeps the claim by default', async () => {
    await readyAtom('foxtrot');
    await h.api.deleteObject({ apiVersion: 'atomoperator.io/v1alpha1', kind: 'Atom', namespace: NS, name: 'foxtrot' });
    await h.waitFor('children gone', () => h.pods(NS, 'foxtrot').length === 0 && !h.sandbox.store.get('networking.k8s.io/networkpolicies', NS, 'foxtrot-egress') && !h.sandbox.store.get('serviceaccounts', NS, 'foxtrot-agent'));
    expect(h.sandbox.store.get('persistentvolumeclaims', NS, 'foxtrot-install')).toBeDefined();
  });

  it('takes the claim too when deleteClaimOnAtomDeletion is set', async () => {
    await readyAtom('golf', { storage: { deleteClaimOnAtomDeletion: true } });
    await h.api.deleteObject({ apiVersion: 'atomoperator.io/v1alpha1', kind: 'Atom', namespace: NS, name: 'golf' });
    await h.waitFor('claim gone', () => !h.sandbox.store.get('persistentvolumeclaims', NS, 'golf-install'));
  });
});
