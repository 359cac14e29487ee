import { describe, expect, it } from 'vitest';
import { describeProblems, parseAtom } from './atom.js';

const minimal = {
  apiVersion: 'atomoperator.io/v1alpha1',
  kind: 'Atom',
  metadata: { name: 'a', namespace: 'default' },
  spec: { platform: { accountId: 'acme' }, registration: { certificateSecretRef: { name: 'a-reg' } } },
};

function withSpec(spec: Record<string, unknown>) {
  return { ...minimal, spec: { ...minimal.spec, ...spec } };
}

describe('parseAtom', () => {
  it('fills every default a user leaves out', () => {
    const parsed = parseAtom(minimal);
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    const { spec } = parsed.atom;
    expect(spec.image).toEqual({ repository: 'boomi/atom', pullPolicy: 'IfNotPresent' });
    expect(spec.update).toEqual({
      mode: 'Automatic',
      channel: 'stable',
      windows: [],
      allowCriticalOutsideWindow: false,
      wave: 0,
      progressDeadlineSeconds: 600,
    });
    expect(spec.networkPolicy).toEqual({ enabled: true, egressCIDRs: ['0.0.0.0/0', '::/0'], allowDNS: true });
    expect(spec.storage).toEqual({ size: '10Gi', accessMode: 'ReadWriteOnce', deleteClaimOnAtomDeletion: false });
    expect(spec.pod.terminationGracePeriodSeconds).toBe(120);
    expect(spec.health).toEqual({ offlineGracePeriod: '5m', restartWhenOffline: false });
  });

  it('accepts a pinned version when updates are Manual or Disabled', () => {
    expect(parseAtom(withSpec({ version: '5.0.2', update: { mode: 'Manual' } })).ok).toBe(true);
    expect(parseAtom(withSpec({ version: '24.11.0.2', update: { mode: 'Disabled' } })).ok).toBe(true);
  });

  it.each([
    [
      'version pinned with Automatic updates',
      { version: '1.2.3' },
      'spec.version',
      'update.mode Automatic follows what the platform advertises',
    ],
    [
      'version pinned with Automatic updates, said explicitly',
      { version: '1.2.3', update: { mode: 'Automatic' } },
      'spec.version',
      'set update.mode to Manual',
    ],
    [
      'plain http platform',
      { platform: { accountId: 'a', url: 'http://platform.example.com' } },
      'spec.platform.url',
      'https://',
    ],
    [
      'offline grace period that is not a duration',
      { health: { offlineGracePeriod: 'five minutes' } },
      'spec.health.offlineGracePeriod',
      'duration',
    ],
    ['unknown update mode', { update: { mode: 'Sometimes' } }, 'spec.update.mode', 'Automatic'],
    ['digest that is not sha256', { image: { digest: 'md5:abc' } }, 'spec.image.digest', 'sha256:'],
    [
      'window with a bad start time',
      { update: { windows: [{ days: ['Mon'], start: '25:00', duration: '1h' }] } },
      'spec.update.windows[0].start',
      'HH:MM',
    ],
    [
      'window on an unknown day',
      { update: { windows: [{ days: ['Funday'], start: '01:00', duration: '1h' }] } },
      'spec.update.windows[0].days[0]',
      'Mon',
    ],
    [
      'egress CIDR that is not one',
      { networkPolicy: { egressCIDRs: ['everywhere'] } },
      'spec.networkPolicy.egressCIDRs[0]',
      'CIDR',
    ],
    [
      'emptyDir with a storage class',
      { storage: { emptyDir: {}, storageClassName: 'fast' } },
      'spec.storage.storageClassName',
      'exclude each other',
    ],
    [
      'proxy on a disabled policy',
      { networkPolicy: { enabled: false, proxy: { cidr: '10.0.0.1/32', port: 3128 } } },
      'spec.networkPolicy.proxy',
      'enable the policy',
    ],
    ['missing registration', { registration: undefined }, 'spec.registration', ''],
    ['wave out of range', { update: { wave: -1 } }, 'spec.update.wave', ''],
    [
      'bad secret name',
      { registration: { certificateSecretRef: { name: 'Not_A_Name' } } },
      'spec.registration.certificateSecretRef.name',
      'DNS-1123',
    ],
  ])('rejects %s, naming the field and why', (_name, spec, field, words) => {
    const parsed = parseAtom(withSpec(spec));
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    const problem = parsed.problems.find((p) => p.field === field);
    expect(problem, describeProblems(parsed.problems)).toBeDefined();
    expect(problem!.message).toContain(words);
  });

  it('reports every problem at once', () => {
    const parsed = parseAtom(withSpec({ update: { mode: 'x', channel: 'NOPE' }, image: { pullPolicy: 'Sometimes' } }));
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.problems.map((p) => p.field).sort()).toEqual([
      'spec.image.pullPolicy',
      'spec.update.channel',
      'spec.update.mode',
    ]);
  });
});
