// Test and demo PKI: a CA and the server/client certificates signed by it, for the
// sandbox API server and the platform simulator. Never used by the operator itself.
import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import { isIP } from 'node:net';
import * as x509 from '@peculiar/x509';

type CryptoKeyPair = webcrypto.CryptoKeyPair;
type CryptoKey = webcrypto.CryptoKey;

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

const algorithm = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;

export interface IssuedCertificate {
  /** PEM certificate. */
  cert: string;
  /** PEM PKCS#8 private key. */
  key: string;
}

export interface CertificateAuthority extends IssuedCertificate {
  issue(options: IssueOptions): Promise<IssuedCertificate>;
}

export interface IssueOptions {
  commonName: string;
  /** DNS names or IP addresses for a server certificate. */
  hosts?: string[];
  usage?: 'server' | 'client' | 'both';
  notBefore?: Date;
  notAfter?: Date;
  /** Sign with a different, freshly generated key than the one returned (for key-mismatch tests). */
  mismatchedKey?: boolean;
}

function pem(label: string, der: ArrayBuffer): string {
  const b64 = Buffer.from(der)
    .toString('base64')
    .replace(/(.{64})/g, '$1\n')
    .replace(/\n$/, '');
  return `-----BEGIN ${label}-----\n${b64}\n-----END ${label}-----\n`;
}

function serial(): string {
  return Buffer.from(webcrypto.getRandomValues(new Uint8Array(16)))
    .toString('hex')
    .replace(/^[89a-f]/, '1');
}

async function generateKeys(): Promise<CryptoKeyPair> {
  return (await webcrypto.subtle.generateKey(algorithm, true, ['sign', 'verify'])) as CryptoKeyPair;
}

async function exportKey(key: CryptoKey): Promise<string> {
  return pem('PRIVATE KEY', await webcrypto.subtle.exportKey('pkcs8', key));
}

/** Creates a self-signed CA valid from a minute ago for `days` days. */
export async function createCertificateAuthority(commonName: string, days = 365): Promise<CertificateAuthority> {
  const keys = await generateKeys();
  const now = Date.now();
  const caCert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(),
    name: `CN=${commonName}`,
    notBefore: new Date(now - 60_000),
    notAfter: new Date(now + days * 86_400_000),
    keys,
    signingAlgorithm: algorithm,
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  const caPem = `${caCert.toString('pem')}\n`;
  return {
    cert: caPem,
    key: await exportKey(keys.privateKey),
    async issue(options: IssueOptions): Promise<IssuedCertificate> {
      const leafKeys = await generateKeys();
      const usage = options.usage ?? 'server';
      const ekus: string[] = [];
      if (usage !== 'client') ekus.push(x509.ExtendedKeyUsage.serverAuth);
      if (usage !== 'server') ekus.push(x509.ExtendedKeyUsage.clientAuth);
      const extensions: x509.Extension[] = [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
        new x509.ExtendedKeyUsageExtension(ekus, false),
        await x509.AuthorityKeyIdentifierExtension.create(caCert, false),
      ];
      if (options.hosts?.length) {
        extensions.push(
          new x509.SubjectAlternativeNameExtension(
            options.hosts.map((h) =>
              isIP(h) ? { type: 'ip' as const, value: h } : { type: 'dns' as const, value: h },
            ),
          ),
        );
      }
      const leaf = await x509.X509CertificateGenerator.create({
        serialNumber: serial(),
        subject: `CN=${options.commonName}`,
        issuer: caCert.subject,
        notBefore: options.notBefore ?? new Date(Date.now() - 60_000),
        notAfter: options.notAfter ?? new Date(Date.now() + days * 86_400_000),
        signingAlgorithm: algorithm,
        publicKey: leafKeys.publicKey,
        signingKey: keys.privateKey,
        extensions,
      });
      const key = options.mismatchedKey ? (await generateKeys()).privateKey : leafKeys.privateKey;
      return { cert: `${leaf.toString('pem')}\n`, key: await exportKey(key) };
    },
  };
}
