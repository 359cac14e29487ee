import { X509Certificate, createPrivateKey } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createCertificateAuthority } from './pki.js';

describe('sandbox PKI', () => {
  it('issues a server certificate that verifies against its CA and matches its key', async () => {
    const ca = await createCertificateAuthority('test-ca');
    const leaf = await ca.issue({ commonName: 'localhost', hosts: ['127.0.0.1', 'localhost'] });
    const cert = new X509Certificate(leaf.cert);
    expect(cert.verify(new X509Certificate(ca.cert).publicKey)).toBe(true);
    expect(cert.checkPrivateKey(createPrivateKey(leaf.key))).toBe(true);
    expect(cert.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(cert.subject).toBe('CN=localhost');
  });

  it('can issue an expired certificate and one whose key does not match', async () => {
    const ca = await createCertificateAuthority('test-ca');
    const expired = await ca.issue({
      commonName: 'old',
      usage: 'client',
      notBefore: new Date(0),
      notAfter: new Date(1000),
    });
    expect(new Date(new X509Certificate(expired.cert).validTo).getTime()).toBeLessThan(Date.now());
    const mismatched = await ca.issue({ commonName: 'x', usage: 'client', mismatchedKey: true });
    expect(new X509Certificate(mismatched.cert).checkPrivateKey(createPrivateKey(mismatched.key))).toBe(false);
  });
});
