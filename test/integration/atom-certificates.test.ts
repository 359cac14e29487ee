// The registration certificate decides whether a pod may start: what the user
// sees for a missing, malformed, mismatched, expired and rotated Secret.
import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../src/kube/resource.js';
import { USER, useHarness } from '../support/harness.js';

const NS = 'default';
const DAY = 86_400_000;
const ctx = useHarness();

const certCondition = (name: string) => ctx.h.condition(NS, name, 'CertificateValid');

async function putSecret(name: string, data: Record<string, string>) {
  await ctx.h.api.applyObject(
    {
      apiVersion: 'v1',
      kind: 'Secret',
      type: 'kubernetes.io/tls',
      metadata: { name, namespace: NS },
      data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
    } as KubeObject,
    { fieldManager: USER },
  );
}

describe('an Atom whose registration certificate cannot be used', () => {
  it.each([
    ['missing', async () => undefined, 'SecretNotFound'],
    [
      'malformed',
      async (n: string) => putSecret(`${n}-registration`, { 'tls.crt': 'not a certificate', 'tls.key': 'nor a key' }),
      'Malformed',
    ],
    [
      'with a key of another certificate',
      async (n: string) => ctx.h.createRegistrationSecret(NS, `${n}-registration`, { mismatchedKey: true }),
      'KeyMismatch',
    ],
    [
      'expired',
      async (n: string) =>
        ctx.h.createRegistrationSecret(NS, `${n}-registration`, {
          notBefore: new Date(Date.now() - 10 * DAY),
          notAfter: new Date(Date.now() - DAY),
        }),
      'Expired',
    ],
  ])('%s: starts no pod, says why in a condition and a Warning event', async (label, prepare, reason) => {
    const name = `cert-${label.split(' ')[0]}`;
    await prepare(name);
    await ctx.h.applyAtom(NS, name);
    await ctx.h.waitFor(`${reason}`, () => certCondition(name)?.reason === reason);
    expect(certCondition(name)!.status).toBe('False');
    expect(ctx.h.condition(NS, name, 'Ready')).toMatchObject({ status: 'False', reason: 'CertificateInvalid' });
    expect(ctx.h.atom(NS, name).status.phase).toBe('Failed');
    await ctx.h.waitFor('the Warning event', () =>
      ctx.h.events(NS, name).some((e) => e.type === 'Warning' && e.reason === 'CertificateInvalid'),
    );
    await ctx.h.settle();
    expect(ctx.h.pods(NS, name)).toHaveLength(0);
    // Nothing secret leaks into status or events.
    const visible = JSON.stringify([ctx.h.atom(NS, name).status, ctx.h.events(NS, name)]);
    expect(visible).not.toMatch(/BEGIN (CERTIFICATE|PRIVATE KEY)/);
  });

  it('starts the pod as soon as a valid Secret appears', async () => {
    await ctx.h.createRegistrationSecret(NS, 'cert-missing-registration');
    await ctx.h.waitFor('Ready', () => ctx.h.condition(NS, 'cert-missing', 'Ready')?.status === 'True');
    expect(certCondition('cert-missing')).toMatchObject({ status: 'True', reason: 'Valid' });
  });
});

describe('a registration Secret the operator cannot read', () => {
  it('says so on CertificateValid (SecretUnreadable), then reads it again and starts the pod', async () => {
    const seen = new Set<string>();
    const stop = ctx.h.sandbox.store.onChange('atoms.atomoperator.io', (_type, obj) => {
      const atom = obj as KubeObject & { status?: { conditions?: { type: string; reason: string }[] } };
      if (atom.metadata.name !== 'unreadable') return;
      const reason = atom.status?.conditions?.find((c) => c.type === 'CertificateValid')?.reason;
      if (reason) seen.add(reason);
    });
    await ctx.h.createRegistrationSecret(NS, 'unreadable-registration');
    ctx.h.sandbox.faults.error({ verb: 'get', resource: 'secrets', code: 500, times: 3 });
    await ctx.h.applyAtom(NS, 'unreadable', {});
    await ctx.h.waitFor('SecretUnreadable', () => seen.has('SecretUnreadable'), 20_000);
    expect(ctx.h.pods(NS, 'unreadable')).toEqual([]);
    await ctx.h.waitFor(
      'Ready once the Secret can be read',
      () => ctx.h.condition(NS, 'unreadable', 'Ready')?.status === 'True',
      60_000,
    );
    stop();
    expect(certCondition('unreadable')?.reason).toBe('Valid');
  }, 90_000);
});

describe('a certificate that expires soon', () => {
  it('keeps the Atom running with reason ExpiresSoon and a warning', async () => {
    await ctx.h.createRegistrationSecret(NS, 'soon-registration', { notAfter: new Date(Date.now() + 5 * DAY) });
    await ctx.h.applyAtom(NS, 'soon');
    await ctx.h.waitFor('Ready', () => ctx.h.condition(NS, 'soon', 'Ready')?.status === 'True');
    expect(certCondition('soon')).toMatchObject({ status: 'True', reason: 'ExpiresSoon' });
    expect(ctx.h.events(NS, 'soon').some((e) => e.reason === 'CertificateExpiresSoon')).toBe(true);
  });
});

describe('a rotated certificate', () => {
  it('replaces the pod gracefully, once', async () => {
    await ctx.h.createRegistrationSecret(NS, 'rot-registration');
    await ctx.h.applyAtom(NS, 'rot');
    await ctx.h.waitFor('Ready', () => ctx.h.condition(NS, 'rot', 'Ready')?.status === 'True');
    const first = ctx.h.pods(NS, 'rot')[0]!.metadata!.uid;
    const fingerprint = ctx.h.atom(NS, 'rot').status.certificate.fingerprintSHA256;
    await ctx.h.createRegistrationSecret(NS, 'rot-registration');
    await ctx.h.waitFor('the new pod Ready on the new certificate', () => {
      const pods = ctx.h.pods(NS, 'rot');
      return (
        pods.length === 1 &&
        pods[0]!.metadata!.uid !== first &&
        ctx.h.condition(NS, 'rot', 'Ready')?.status === 'True' &&
        ctx.h.atom(NS, 'rot').status.certificate.fingerprintSHA256 !== fingerprint
      );
    });
    expect(ctx.h.events(NS, 'rot').filter((e) => e.reason === 'CertificateRotated')).toHaveLength(1);
  });

  it('leaves a running pod alone when the new certificate is broken', async () => {
    await ctx.h.createRegistrationSecret(NS, 'keep-registration');
    await ctx.h.applyAtom(NS, 'keep');
    await ctx.h.waitFor('Ready', () => ctx.h.condition(NS, 'keep', 'Ready')?.status === 'True');
    const uid = ctx.h.pods(NS, 'keep')[0]!.metadata!.uid;
    await putSecret('keep-registration', { 'tls.crt': 'garbage', 'tls.key': 'garbage' });
    await ctx.h.waitFor('Malformed', () => certCondition('keep')?.reason === 'Malformed');
    await ctx.h.settle();
    expect(ctx.h.pods(NS, 'keep').map((p) => p.metadata!.uid)).toEqual([uid]);
    expect(ctx.h.condition(NS, 'keep', 'Ready')?.status).toBe('True');
  });
});

describe('a platform CA Secret that is missing', () => {
  it('starts no pod and says which Secret to create, then starts once it exists', async () => {
    await ctx.h.createRegistrationSecret(NS, 'ca-less-registration');
    await ctx.h.applyAtom(NS, 'ca-less', { platform: { accountId: 'acme', caSecretRef: { name: 'platform-ca' } } });
    await ctx.h.waitFor(
      'PlatformCANotFound',
      () => ctx.h.condition(NS, 'ca-less', 'Ready')?.reason === 'PlatformCANotFound',
    );
    expect(ctx.h.condition(NS, 'ca-less', 'Ready')!.message).toContain(
      'Secret platform-ca named by spec.platform.caSecretRef does not exist',
    );
    expect(ctx.h.atom(NS, 'ca-less').status.phase).toBe('Failed');
    await ctx.h.waitFor('the Warning event', () =>
      ctx.h.events(NS, 'ca-less').some((e) => e.type === 'Warning' && e.reason === 'PlatformCANotFound'),
    );
    expect(ctx.h.pods(NS, 'ca-less')).toHaveLength(0);
    await putSecret('platform-ca', { 'ca.crt': ctx.h.simulator.caPem });
    await ctx.h.waitFor('Ready once the CA exists', () => ctx.h.condition(NS, 'ca-less', 'Ready')?.status === 'True');
  });
});

describe('a pinned version on an Atom that cannot start', () => {
  it('records no rollout while the certificate is unusable', async () => {
    await ctx.h.applyAtom(NS, 'pinned-blocked', { version: '5.0.2', update: { mode: 'Manual' } });
    await ctx.h.waitFor(
      'SecretNotFound',
      () => ctx.h.condition(NS, 'pinned-blocked', 'CertificateValid')?.reason === 'SecretNotFound',
    );
    await ctx.h.settle();
    expect(ctx.h.atom(NS, 'pinned-blocked').status.rolloutHistory).toBeUndefined();
    expect(ctx.h.condition(NS, 'pinned-blocked', 'UpToDate')).toMatchObject({
      status: 'Unknown',
      reason: 'CertificateInvalid',
    });
  });
});
