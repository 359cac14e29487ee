// The Atom's registration certificate as a TLS client credential: checked locally before any
// connection so a broken Secret is reported as such, not as a network failure.
import { X509Certificate, createHash, createPrivateKey } from 'node:crypto';
import { CredentialInvalidError } from './errors.js';

export interface ClientCredential {
  /** PEM certificate (a chain may follow the leaf). */
  certPem: string;
  /** PEM private key of the leaf certificate. */
  keyPem: string;
}

export interface CredentialFacts {
  /** sha256 of the leaf certificate's DER, lowercase hex. */
  fingerprint: string;
  subject: string;
  notBefore: Date;
  notAfter: Date;
}

const facts = new Map<string, CredentialFacts>();
const matchingPairs = new Set<string>();

/** sha256 of the leaf certificate: the credential part of a poll key. */
export function credentialFingerprint(certPem: string): string {
  return inspectCredentialCertificate(certPem).fingerprint;
}

function inspectCredentialCertificate(certPem: string): CredentialFacts {
  const cached = facts.get(certPem);
  if (cached) return cached;
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(certPem);
  } catch (error) {
    throw new CredentialInvalidError(
      `The registration certificate is not a readable PEM certificate (${(error as Error).message}).`,
      {
        cause: error,
      },
    );
  }
  const result: CredentialFacts = {
    fingerprint: createHash('sha256').update(cert.raw).digest('hex'),
    subject: cert.subject,
    notBefore: new Date(cert.validFrom),
    notAfter: new Date(cert.validTo),
  };
  // Bounded by the number of distinct certificates in the fleet; cleared wholesale if it ever grows oddly.
  if (facts.size > 10_000) facts.clear();
  facts.set(certPem, result);
  return result;
}

/** Parses the credential and checks the key belongs to the certificate; throws CredentialInvalid. */
export function checkCredential(credential: ClientCredential): CredentialFacts {
  const result = inspectCredentialCertificate(credential.certPem);
  // Called on every register and poll; a pair once found to match needs no second look.
  const pairId = createHash('sha256').update(credential.certPem).update('\0').update(credential.keyPem).digest('hex');
  if (matchingPairs.has(pairId)) return result;
  let matches: boolean;
  try {
    matches = new X509Certificate(credential.certPem).checkPrivateKey(createPrivateKey(credential.keyPem));
  } catch (error) {
    throw new CredentialInvalidError(
      `The registration private key is not a readable PEM key (${(error as Error).message}).`,
      { cause: error },
    );
  }
  if (!matches) {
    throw new CredentialInvalidError(
      `The registration private key does not belong to certificate ${result.subject}; the Secret holds a mismatched pair.`,
    );
  }
  if (matchingPairs.size > 10_000) matchingPairs.clear();
  matchingPairs.add(pairId);
  return result;
}

/** A hint for a person when the platform refused the certificate: what is locally visible about it. */
export function validityHint(credential: ClientCredential | undefined, nowMs: number): string {
  if (!credential) return 'No client certificate was presented; the platform requires the registration certificate.';
  const { notBefore, notAfter, subject } = inspectCredentialCertificate(credential.certPem);
  if (notAfter.getTime() < nowMs)
    return `The registration certificate ${subject} expired at ${notAfter.toISOString()}; renew it.`;
  if (notBefore.getTime() > nowMs)
    return `The registration certificate ${subject} is not valid before ${notBefore.toISOString()}.`;
  return `The registration certificate ${subject} looks valid locally; check that it was issued by this platform's CA and is not revoked.`;
}
