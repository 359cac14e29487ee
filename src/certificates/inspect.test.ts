import { beforeAll, describe, expect, it } from 'vitest';
import { createCertificateAuthority, type CertificateAuthority } from '../sandbox/pki.js';
import { inspectRegistration, secretContentHash, type RegistrationSecret } from './inspect.js';
import { ParseCache } from './parse-cache.js';

const DAY = 86_400_000;
const now = new Date('2026-11-25T12:00:00Z');
let ca: CertificateAuthority;

async function secret(
  opts: { notBefore?: Date; notAfter?: Date; mismatchedKey?: boolean } = {},
): Promise<RegistrationSecret> {
  const issued = await ca.issue({
    commonName: 'atom-a',
    usage: 'client',
    notBefore: opts.notBefore ?? new Date(now.getTime() - DAY),
    notAfter: opts.notAfter ?? new Date(now.getTime() + 365 * DAY),
    mismatchedKey: opts.mismatchedKey,
  });
  return {
    name: 'reg',
    data: { 'tls.crt': Buffer.from(issued.cert), 'tls.key': Buffer.from(issued.key), 'ca.crt': Buffer.from(ca.cert) },
  };
}

beforeAll(async () => {
  ca = await createCertificateAuthority('platform-ca');
});

describe('inspectRegistration', () => {
  it('reports facts of a valid certificate without key material', async () => {
    const s = await secret();
    const v = inspectRegistration(s, 'reg', now);
    expect(v).toMatchObject({ usable: true, reason: 'Valid' });
    expect(v.facts).toMatchObject({ subject: 'CN=atom-a', issuer: 'CN=platform-ca' });
    expect(v.facts!.fingerprintSHA256).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    expect(JSON.stringify(v)).not.toContain('PRIVATE KEY');
    expect(JSON.stringify(v)).not.toContain('BEGIN CERTIFICATE');
  });

  it.each([
    ['a missing Secret', async () => undefined, 'SecretNotFound', false, 'kubectl create secret tls reg'],
    [
      'no tls.key',
      async () => ({ name: 'reg', data: { 'tls.crt': (await secret()).data['tls.crt'] } }),
      'MissingKey',
      false,
      'has no tls.key',
    ],
    [
      'garbage tls.crt',
      async () => ({ name: 'reg', data: { 'tls.crt': Buffer.from('nope'), 'tls.key': Buffer.from('nope') } }),
      'Malformed',
      false,
      'tls.crt',
    ],
    [
      'garbage tls.key',
      async () => ({
        ...(await secret()),
        data: {
          ...(await secret()).data,
          'tls.key': Buffer.from('-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n'),
        },
      }),
      'Malformed',
      false,
      'tls.key',
    ],
    [
      'a key of another certificate',
      async () => secret({ mismatchedKey: true }),
      'KeyMismatch',
      false,
      'not the private key',
    ],
    [
      'an expired certificate',
      async () => secret({ notBefore: new Date(now.getTime() - 10 * DAY), notAfter: new Date(now.getTime() - DAY) }),
      'Expired',
      false,
      'expired at',
    ],
    [
      'a certificate valid only from tomorrow',
      async () => secret({ notBefore: new Date(now.getTime() + DAY) }),
      'NotYetValid',
      false,
      'valid only from',
    ],
    [
      'a certificate expiring in 10 days',
      async () => secret({ notAfter: new Date(now.getTime() + 10 * DAY + 3_600_000) }),
      'ExpiresSoon',
      true,
      'in 10 days',
    ],
  ])('judges %s', async (_name, make, reason, usable, words) => {
    const v = inspectRegistration(await make(), 'reg', now);
    expect(v.reason).toBe(reason);
    expect(v.usable).toBe(usable);
    expect(v.message).toContain(words);
  });

  it('honours the warning threshold', async () => {
    const s = await secret({ notAfter: new Date(now.getTime() + 40 * DAY) });
    expect(inspectRegistration(s, 'reg', now, 30).reason).toBe('Valid');
    expect(inspectRegistration(s, 'reg', now, 45).reason).toBe('ExpiresSoon');
  });

  it('changes the content hash when the certificate is rotated, and only then', async () => {
    const a = await secret();
    const b = await secret();
    expect(secretContentHash(a.data)).toBe(secretContentHash({ ...a.data }));
    expect(secretContentHash(a.data)).not.toBe(secretContentHash(b.data));
  });
});

describe('inspectRegistration remembers what the bytes say', () => {
  it('parses the same content once, and still judges expiry against the clock each time', async () => {
    const cache = new ParseCache();
    const s = await secret({ notAfter: new Date(now.getTime() + 40 * DAY) });
    expect(inspectRegistration(s, 'reg', now, 30, cache).reason).toBe('Valid');
    const copy: RegistrationSecret = {
      name: 'reg',
      data: Object.fromEntries(Object.entries(s.data).map(([k, v]) => [k, Buffer.from(v)])),
    };
    expect(inspectRegistration(copy, 'reg', new Date(now.getTime() + 20 * DAY), 30, cache)).toMatchObject({
      usable: true,
      reason: 'ExpiresSoon',
      message: expect.stringContaining('(in 20 days)'),
    });
    expect(inspectRegistration(s, 'reg', new Date(now.getTime() + 41 * DAY), 30, cache)).toMatchObject({
      usable: false,
      reason: 'Expired',
    });
    expect(cache.stats).toEqual({ size: 1, parses: 1, hits: 2 });
  });

  it('parses again when the content changes (a rotated certificate), and names each Secret in its message', async () => {
    const cache = new ParseCache();
    const mismatched = await secret({ mismatchedKey: true });
    expect(inspectRegistration(mismatched, 'one', now, 30, cache).message).toMatch(/tls.key in Secret one/);
    expect(inspectRegistration(mismatched, 'two', now, 30, cache).message).toMatch(/tls.key in Secret two/);
    expect(inspectRegistration(await secret(), 'one', now, 30, cache).reason).toBe('Valid');
    expect(cache.stats).toMatchObject({ size: 2, parses: 2, hits: 1 });
  });

  it('forgets the least recently used content beyond its bound', async () => {
    const cache = new ParseCache(2);
    const [a, b, c] = [await secret(), await secret(), await secret()];
    inspectRegistration(a, 'reg', now, 30, cache);
    inspectRegistration(b, 'reg', now, 30, cache);
    inspectRegistration(a, 'reg', now, 30, cache);
    inspectRegistration(c, 'reg', now, 30, cache);
    expect(cache.stats).toMatchObject({ size: 2, parses: 3, hits: 1 });
    inspectRegistration(a, 'reg', now, 30, cache);
    expect(cache.stats).toMatchObject({ parses: 3, hits: 2 });
    inspectRegistration(b, 'reg', now, 30, cache);
    expect(cache.stats).toMatchObject({ size: 2, parses: 4 });
  });
});
