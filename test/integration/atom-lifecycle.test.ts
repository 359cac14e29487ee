// The Atom controller end to end against the sandbox API server and the platform
// simulator: what a user sees after kubectl apply, edits, deletions.
import { describe, expect, it } from 'vitest';
import { useHarness } from '../support/harness.js';

const NS = 'default';
const ctx = useHarness();

const readyAtom = (name: string, spec: Record<string, unknown> = {}) => ctx.h.readyAtom(NS, name, spec);

describe('a new Atom', () => {
  it('gets its pod, claim, NetworkPolicy and ServiceAccount, runs the advertised digest and reports Ready', async () => {
    await readyAtom('alpha');
    const pods = ctx.h.pods(NS, 'alpha');
    expect(pods.map((p) => p.metadata?.name)).toEqual(['alpha-agent']);
    expect(pods[0]!.spec!.containers[0]!.image).toBe(`boomi/atom@sha256:${'a'.repeat(64)}`);
    expect(ctx.h.sandbox.store.get('persistentvolumeclaims', NS, 'alpha-install')).toBeDefined();
    expect(ctx.h.sandbox.store.get('networking.k8s.io/networkpolicies', NS, 'alpha-egress')).toBeDefined();
    expect(ctx.h.sandbox.store.get('serviceaccounts', NS, 'alpha-agent')).toBeDefined();
    const status = ctx.h.atom(NS, 'alpha').status;
    expect(status).toMatchObject({
      phase: 'Running',
      currentVersion: '5.0.2',
      advertisedVersion: '5.0.2',
      podName: 'alpha-agent',
      observedGeneration: 1,
    });
    expect(status.certificate.subject).toBe('CN=default.alpha-registration');
    for (const type of ['CertificateValid', 'NetworkIsolated', 'UpToDate'])
      expect(ctx.h.condition(NS, 'alpha', type)?.status).toBe('True');
    expect(ctx.h.condition(NS, 'alpha', 'Degraded')?.status).toBe('False');
  });

  it('is told in one event: its children and its pod created, running the advertised version', async () => {
    await ctx.h.settle();
    const events = ctx.h.events(NS, 'alpha');
    expect(events.map((e) => e.reason)).toEqual(['Created']);
    expect(events[0]!.message).toMatch(
      /^created ServiceAccount alpha-agent, PersistentVolumeClaim alpha-install, NetworkPolicy alpha-egress and pod alpha-agent running boomi\/atom@sha256:a{64}: /,
    );
  });

  it('costs zero writes when reconciled again with nothing changed', async () => {
    await ctx.h.settle();
    const reconciles = async () =>
      (await ctx.h.operator!.manager.metrics.reconcileTotal.get()).values.reduce((n, v) => n + v.value, 0);
    const before = await reconciles();
    ctx.h.sandbox.stats.reset();
    for (let i = 0; i < 3; i++) {
      ctx.h.operator!.atoms.controller.queue.add(`${NS}/alpha`);
      await ctx.h.settle();
    }
    await new Promise((r) => setTimeout(r, 200));
    expect(await reconciles()).toBeGreaterThanOrEqual(before + 3);
    expect(ctx.h.sandbox.stats.writes({ fieldManager: 'atom-operator' })).toBe(0);
    expect(ctx.h.sandbox.stats.count({ verb: ['create', 'patch', 'update', 'delete'] })).toBe(0);
  });
});

describe('children are kept as desired', () => {
  it('recreates a deleted pod', async () => {
    await readyAtom('bravo');
    const before = ctx.h.pods(NS, 'bravo')[0]!.metadata!.uid;
    await ctx.h.api.deleteObject(
      { apiVersion: 'v1', kind: 'Pod', namespace: NS, name: 'bravo-agent' },
      { gracePeriodSeconds: 0 },
    );
    await ctx.h.waitFor('a new pod', () =>
      ctx.h.pods(NS, 'bravo').some((p) => p.metadata?.uid !== before && !p.metadata?.deletionTimestamp),
    );
    expect(ctx.h.pods(NS, 'bravo')).toHaveLength(1);
  });

  it('restores a NetworkPolicy someone edited, and one someone deleted', async () => {
    await readyAtom('charlie');
    await ctx.h.api.mergePatch(
      { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', namespace: NS, name: 'charlie-egress' },
      { spec: { egress: [{}] } },
    );
    await ctx.h.waitFor('the policy restored', () => {
      const np = ctx.h.sandbox.store.get('networking.k8s.io/networkpolicies', NS, 'charlie-egress') as
        | { spec: { egress: { ports?: { port: number }[] }[] } }
        | undefined;
      return np?.spec.egress[0]?.ports?.[0]?.port === 443;
    });
    const policyUid = () =>
      ctx.h.sandbox.store.get('networking.k8s.io/networkpolicies', NS, 'charlie-egress')?.metadata?.uid;
    const deleted = policyUid();
    await ctx.h.api.deleteObject({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      namespace: NS,
      name: 'charlie-egress',
    });
    // A new object, not the deleted one still being seen.
    await ctx.h.waitFor('the policy recreated', () => {
      const uid = policyUid();
      return uid !== undefined && uid !== deleted;
    });
    expect(ctx.h.events(NS, 'charlie').some((e) => e.reason === 'Restored')).toBe(true);
  });

  it("tells the user's own spec change (Updated) from someone else's edit (Restored)", async () => {
    await readyAtom('india');
    await ctx.h.applyAtom(NS, 'india', { networkPolicy: { egressCIDRs: ['203.0.113.0/24'] } });
    await ctx.h.waitFor('Updated', () =>
      ctx.h.events(NS, 'india').some((e) => e.reason === 'Updated' && e.message.includes('NetworkPolicy india-egress')),
    );
    expect(ctx.h.events(NS, 'india').some((e) => e.reason === 'Restored')).toBe(false);
  });

  it("removes a pod someone else started with the Atom's label, at once", async () => {
    await readyAtom('juliet');
    await ctx.h.api.applyObject(
      {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'juliet-impostor', namespace: NS, labels: { 'atomoperator.io/atom': 'juliet' } },
        spec: { containers: [{ name: 'x', image: 'busybox' }] },
      } as never,
      { fieldManager: 'someone-else' },
    );
    await ctx.h.waitFor(
      'the impostor gone',
      () =>
        !ctx.h.pods(NS, 'juliet').some((p) => p.metadata?.name === 'juliet-impostor' && !p.metadata.deletionTimestamp),
      5_000,
    );
    await ctx.h.waitFor('the StrayPodRemoved warning', () =>
      ctx.h.events(NS, 'juliet').some((e) => e.type === 'Warning' && e.reason === 'StrayPodRemoved'),
    );
  });

  it('lets the Atom reach its integration endpoints on their own ports, and names them in NetworkIsolated', async () => {
    await readyAtom('kilo', {
      networkPolicy: {
        additionalEgress: [
          { to: [{ ipBlock: { cidr: '10.20.0.0/16' } }], ports: [{ port: 5432 }] },
          {
            to: [
              { namespaceSelector: { matchLabels: { team: 'files' } }, podSelector: { matchLabels: { app: 'sftp' } } },
            ],
            ports: [{ protocol: 'TCP', port: 22 }],
          },
        ],
      },
    });
    const policy = ctx.h.sandbox.store.get('networking.k8s.io/networkpolicies', NS, 'kilo-egress') as unknown as {
      spec: { egress: { ports: { protocol: string; port: number }[] }[] };
    };
    expect(policy.spec.egress.map((r) => r.ports.map((p) => `${p.protocol}/${p.port}`).join(' '))).toEqual([
      'TCP/443',
      'UDP/53 TCP/53',
      'TCP/5432',
      'TCP/22',
    ]);
    expect(ctx.h.condition(NS, 'kilo', 'NetworkIsolated')?.message).toBe(
      'NetworkPolicy kilo-egress admits no ingress and allows egress only to TCP 443 on 0.0.0.0/0, ::/0 plus DNS to the cluster DNS pods; integration endpoints: TCP 5432 to 10.20.0.0/16; TCP 22 to pods app=sftp in namespaces team=files',
    );
  });

  it('removes the NetworkPolicy when the Atom turns it off, and says so', async () => {
    await readyAtom('delta');
    await ctx.h.applyAtom(NS, 'delta', { networkPolicy: { enabled: false } });
    await ctx.h.waitFor(
      'the policy gone',
      () => !ctx.h.sandbox.store.get('networking.k8s.io/networkpolicies', NS, 'delta-egress'),
    );
    await ctx.h.waitFor(
      'NetworkIsolated False',
      () => ctx.h.condition(NS, 'delta', 'NetworkIsolated')?.reason === 'PolicyDisabled',
    );
  });
});

describe('a spec change', () => {
  it('replaces the pod gracefully: the new pod starts only after the old one is gone', async () => {
    await readyAtom('echo');
    let overlap = 0;
    const timer = setInterval(() => {
      if (ctx.h.pods(NS, 'echo').length > 1) overlap++;
    }, 5);
    const oldUid = ctx.h.pods(NS, 'echo')[0]!.metadata!.uid;
    await ctx.h.applyAtom(NS, 'echo', { pod: { env: [{ name: 'EXTRA', value: '1' }] } });
    await ctx.h.waitFor('the new pod Ready', () => {
      const pods = ctx.h.pods(NS, 'echo');
      return (
        pods.length === 1 &&
        pods[0]!.metadata!.uid !== oldUid &&
        ctx.h.condition(NS, 'echo', 'Ready')?.status === 'True' &&
        ctx.h.atom(NS, 'echo').status.observedGeneration === 2
      );
    });
    clearInterval(timer);
    expect(overlap).toBe(0);
    expect(ctx.h.pods(NS, 'echo')[0]!.spec!.containers[0]!.env).toContainEqual({ name: 'EXTRA', value: '1' });
    expect(ctx.h.events(NS, 'echo').map((e) => e.reason)).toContain('SpecChanged');
  });
});

describe('the API server', () => {
  it("refuses an Atom whose name is too long for its children's labels, saying why", async () => {
    const error = await ctx.h
      .applyAtom(NS, `a${'b'.repeat(63)}`)
      .catch((e: unknown) => e as Error & { status?: number });
    expect(error).toBeInstanceOf(Error);
    expect(String((error as Error).message)).toContain('at most 63 characters');
  });
});

describe('the install-dir claim', () => {
  it('grows with spec.storage.size and keeps the storage class it was created with', async () => {
    await readyAtom('hotel', { storage: { size: '10Gi', storageClassName: 'fast' } });
    const uid = ctx.h.pods(NS, 'hotel')[0]!.metadata!.uid;
    await ctx.h.applyAtom(NS, 'hotel', { storage: { size: '20Gi', storageClassName: 'slow' } });
    const claim = () =>
      ctx.h.sandbox.store.get('persistentvolumeclaims', NS, 'hotel-install') as unknown as {
        spec: { storageClassName?: string; accessModes: string[]; resources: { requests: { storage: string } } };
      };
    await ctx.h.waitFor('the claim grown', () => claim().spec.resources.requests.storage === '20Gi');
    expect(claim().spec).toMatchObject({ storageClassName: 'fast', accessModes: ['ReadWriteOnce'] });
    await ctx.h.settle();
    expect(ctx.h.condition(NS, 'hotel', 'Ready')?.status).toBe('True');
    expect(ctx.h.pods(NS, 'hotel')[0]!.metadata!.uid).toBe(uid);
  });
});

describe('deleting an Atom', () => {
  it('takes its pod, policy and ServiceAccount and keeps the claim by default', async () => {
    await readyAtom('foxtrot');
    await ctx.h.api.deleteObject({
      apiVersion: 'atomoperator.io/v1alpha1',
      kind: 'Atom',
      namespace: NS,
      name: 'foxtrot',
    });
    await ctx.h.waitFor(
      'children gone',
      () =>
        ctx.h.pods(NS, 'foxtrot').length === 0 &&
        !ctx.h.sandbox.store.get('networking.k8s.io/networkpolicies', NS, 'foxtrot-egress') &&
        !ctx.h.sandbox.store.get('serviceaccounts', NS, 'foxtrot-agent'),
    );
    expect(ctx.h.sandbox.store.get('persistentvolumeclaims', NS, 'foxtrot-install')).toBeDefined();
  });

  it('takes the claim too when deleteClaimOnAtomDeletion is set', async () => {
    await readyAtom('golf', { storage: { deleteClaimOnAtomDeletion: true } });
    await ctx.h.api.deleteObject({ apiVersion: 'atomoperator.io/v1alpha1', kind: 'Atom', namespace: NS, name: 'golf' });
    await ctx.h.waitFor('claim gone', () => !ctx.h.sandbox.store.get('persistentvolumeclaims', NS, 'golf-install'));
  });
});
