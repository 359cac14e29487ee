// Pure inspection of an Atom's registration certificate Secret. Nothing here logs
// or returns key material: only facts (subject, validity, fingerprint) and a hash.
import { X509Certificate, createHash, createPrivateKey } from 'node:crypto';
import { ParseCache, type CertificateFacts, type ParsedRegistration } from './parse-cache.js';

export type { CertificateFacts } from './parse-cache.js';

export const certificateReasons = {
  /** The certificate parses, its key matches and it is inside its validity period. */
  Valid: 'Valid',
  /** Valid, but it expires within the warning threshold. */
  ExpiresSoon: 'ExpiresSoon',
  /** The referenced Secret does not exist in the Atom's namespace. */
  SecretNotFound: 'SecretNotFound',
  /** The referenced Secret exists but the operator could not read it (RBAC, the API server failing). */
  SecretUnreadable: 'SecretUnreadable',
  /** The Secret lacks tls.crt or tls.key. */
  MissingKey: 'MissingKey',
  /** tls.crt or tls.key (or ca.crt) is not valid PEM. */
  Malformed: 'Malformed',
  /** tls.key is not the private key of tls.crt. */
  KeyMismatch: 'KeyMismatch',
  /** notAfter has passed. */
  Expired: 'Expired',
  /** notBefore is still in the future. */
  NotYetValid: 'NotYetValid',
} as const;
export type CertificateReason = keyof typeof certificateReasons;

export interface CertificateVerdict {
  /** True when a new pod may be started with this certificate. */
  usable: boolean;
  reason: CertificateReason;
  message: string;
  facts?: CertificateFacts;
  /** Hash of the Secret's relevant contents; a change means the certificate was rotated. */
  contentHash?: string;
}

/** The bytes of a Secret we look at, decoded from base64 by the caller (or absent). */
export interface RegistrationSecret {
  name: string;
  data: Partial<Record<'tls.crt' | 'tls.key' | 'ca.crt', Buffer>>;
}

const DAY = 86_400_000;

function iso(date: string): string {
  return new Date(date).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** A short, stable hash of the Secret's certificate material (never the material itself). */
export function secretContentHash(data: RegistrationSecret['data']): string {
  const h = createHash('sha256');
  for (const key of ['tls.crt', 'tls.key', 'ca.crt'] as const) {
    h.update(key)
      .update('\0')
      .update(data[key] ?? Buffer.alloc(0))
      .update('\0');
  }
  return h.digest('hex').slice(0, 16);
}

/** What the bytes say, independent of time: parsed once per content (see ParseCache). */
function parseRegistration(data: RegistrationSecret['data']): ParsedRegistration {
  const crt = data['tls.crt'];
  const key = data['tls.key'];
  if (!crt?.length || !key?.length) {
    return {
      kind: 'MissingKey',
      missing: [!crt?.length && 'tls.crt', !key?.length && 'tls.key'].filter((m) => m !== false),
    };
  }
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(crt);
  } catch {
    return { kind: 'MalformedCertificate' };
  }
  // Frozen: every verdict of this content shares it.
  const facts: CertificateFacts = Object.freeze({
    subject: cert.subject.replace(/\n/g, ', '),
    issuer: cert.issuer.replace(/\n/g, ', '),
    notBefore: iso(cert.validFrom),
    notAfter: iso(cert.validTo),
    fingerprintSHA256: cert.fingerprint256,
  });
  try {
    if (!cert.checkPrivateKey(createPrivateKey(key))) return { kind: 'KeyMismatch', facts };
  } catch {
    return { kind: 'MalformedKey', facts };
  }
  const ca = data['ca.crt'];
  if (ca?.length) {
    try {
      new X509Certificate(ca);
    } catch {
      return { kind: 'MalformedCA', facts };
    }
  }
  return { kind: 'Parsed', facts };
}

/** Remembers parses for every inspection that is not given its own cache. */
const sharedParseCache = new ParseCache();

/**
 * Judges the registration Secret at `now`. Checks in order; the first failure wins:
 * present -> has both keys -> parses -> key matches -> not yet valid -> expired -> expires soon.
 * The parse is remembered by content hash in `cache`; the checks against `now` run every time.
 */
export function inspectRegistration(
  secret: RegistrationSecret | undefined,
  secretName: string,
  now: Date,
  warnBeforeDays = 30,
  cache: ParseCache = sharedParseCache,
): CertificateVerdict {
  if (!secret) {
    return {
      usable: false,
      reason: 'SecretNotFound',
      message: `Secret ${secretName} with the registration certificate was not found; create it with kubectl create secret tls ${secretName} --cert=... --key=...`,
    };
  }
  const contentHash = secretContentHash(secret.data);
  const parsed = cache.get(contentHash, () => parseRegistration(secret.data));
  switch (parsed.kind) {
    case 'MissingKey':
      return {
        usable: false,
        reason: 'MissingKey',
        message: `Secret ${secretName} has no ${parsed.missing.join(' and ')}; it must be a kubernetes.io/tls Secret with the registration certificate and its key`,
        contentHash,
      };
    case 'MalformedCertificate':
      return {
        usable: false,
        reason: 'Malformed',
        message: `tls.crt in Secret ${secretName} is not a PEM certificate`,
        contentHash,
      };
    case 'KeyMismatch':
      return {
        usable: false,
        reason: 'KeyMismatch',
        message: `tls.key in Secret ${secretName} is not the private key of its tls.crt (${parsed.facts.subject}); put the key that belongs to this certificate`,
        facts: parsed.facts,
        contentHash,
      };
    case 'MalformedKey':
      return {
        usable: false,
        reason: 'Malformed',
        message: `tls.key in Secret ${secretName} is not a PEM private key`,
        facts: parsed.facts,
        contentHash,
      };
    case 'MalformedCA':
      return {
        usable: false,
        reason: 'Malformed',
        message: `ca.crt in Secret ${secretName} is not a PEM certificate; remove it or put the CA certificate`,
        facts: parsed.facts,
        contentHash,
      };
    case 'Parsed':
      return judgeValidity(parsed.facts, secretName, now, warnBeforeDays, contentHash);
  }
}

/** The time-dependent part: computed from `now` on every inspection, never remembered. */
function judgeValidity(
  facts: CertificateFacts,
  secretName: string,
  now: Date,
  warnBeforeDays: number,
  contentHash: string,
): CertificateVerdict {
  const t = now.getTime();
  const notBefore = new Date(facts.notBefore).getTime();
  const notAfter = new Date(facts.notAfter).getTime();
  if (t < notBefore) {
    return {
      usable: false,
      reason: 'NotYetValid',
      message: `the registration certificate in Secret ${secretName} is valid only from ${facts.notBefore}; check the clock or the certificate`,
      facts,
      contentHash,
    };
  }
  if (t >= notAfter) {
    return {
      usable: false,
      reason: 'Expired',
      message: `the registration certificate in Secret ${secretName} expired at ${facts.notAfter}; renew the Atom's registration and update the Secret`,
      facts,
      contentHash,
    };
  }
  const daysLeft = Math.floor((notAfter - t) / DAY);
  if (notAfter - t <= warnBeforeDays * DAY) {
    return {
      usable: true,
      reason: 'ExpiresSoon',
      message: `the registration certificate in Secret ${secretName} expires at ${facts.notAfter} (in ${daysLeft} days); renew it before then`,
      facts,
      contentHash,
    };
  }
  return {
    usable: true,
    reason: 'Valid',
    message: `the registration certificate ${facts.subject} is valid until ${facts.notAfter}`,
    facts,
    contentHash,
  };
}
