// Decides whether an advertised release may ever be rolled out. Pure: no I/O, no clock.
// A chain of small checks; the first failure wins and says what a person can do about it.
import { createPrivateKey, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import { z } from 'zod';
import { canonicalJSON } from '../util/canonical-json.js';
import type { AdvertisementRejectionReason } from './errors.js';

export { canonicalJSON } from '../util/canonical-json.js';

const semver =
  /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*)?(?:\+[0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*)?$/;
// Vendors also number releases like 24.11.0 or 5.0.2.1.
const dottedNumeric = /^\d{1,9}(?:\.\d{1,9}){1,5}$/;
const sha256Digest = /^sha256:[0-9a-f]{64}$/;
const base64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Shape only; the meaning of each field is checked by the chain below. */
const advertisementShape = z.looseObject({
  channel: z.string().min(1),
  version: z.string(),
  image: z.string().min(1),
  digest: z.string().optional(),
  publishedAt: z.iso.datetime({ offset: true }),
  critical: z.boolean(),
  notes: z.string().optional(),
  signature: z.string().optional(),
});

/** An advertisement that passed every check: safe to consider for rollout. */
export interface Release {
  channel: string;
  version: string;
  /** Repository without tag, e.g. `registry.example.com/vendor/atom`. */
  image: string;
  digest: string;
  /** `image@digest`: the only reference a rollout may use. */
  imageRef: string;
  publishedAt: string;
  critical: boolean;
  notes?: string;
}

export interface AdvertisementPolicy {
  /** The channel that was requested; the platform must answer for the same one. */
  channel: string;
  /** Image repositories that may be rolled out (exact match). Callers default it to the Atom's own repository. */
  allowedRepositories: readonly string[];
  /** Ed25519 public keys (PEM SPKI or parsed). Empty: signatures are not required. */
  releasePublicKeys?: readonly (string | KeyObject)[];
}

export type AdvertisementVerdict =
  | { ok: true; release: Release }
  | { ok: false; reason: AdvertisementRejectionReason; message: string };

function reject(reason: AdvertisementRejectionReason, message: string): AdvertisementVerdict {
  return { ok: false, reason, message };
}

/** Parses configured release keys once; throws a clear error for a key that is not ed25519. */
export function parseReleasePublicKeys(pems: readonly (string | KeyObject)[]): KeyObject[] {
  return pems.map((pem, index) => {
    const key = typeof pem === 'string' ? createPublicKey(pem) : pem;
    if (key.asymmetricKeyType !== 'ed25519') {
      throw new Error(
        `Release public key #${index + 1} is ${key.asymmetricKeyType ?? 'not asymmetric'}, expected ed25519.`,
      );
    }
    return key;
  });
}

// The tag grammar of the OCI distribution spec.
const tagPattern = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;

/** An image reference taken apart: `repo`, `repo:tag`, `repo@digest` or `repo:tag@digest`. */
export interface ImageReference {
  /** Registry host (with port) and path, without tag or digest. */
  repository: string;
  tag?: string;
  digest?: string;
}

/**
 * Splits a reference the way registries read it: the digest follows `@`; the tag follows the last `:`
 * of the last path segment, so a registry port (`registry.local:5000/atom`) is not a tag.
 * Undefined when no repository remains or a tag or digest is empty or not one.
 */
export function parseImageReference(image: string): ImageReference | undefined {
  const at = image.indexOf('@');
  const named = at < 0 ? image : image.slice(0, at);
  const digest = at < 0 ? undefined : image.slice(at + 1);
  if (digest !== undefined && !/^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[A-Za-z0-9=_-]+$/.test(digest)) return undefined;
  const colon = named.lastIndexOf(':');
  const hasTag = colon > named.lastIndexOf('/');
  const repository = hasTag ? named.slice(0, colon) : named;
  const tag = hasTag ? named.slice(colon + 1) : undefined;
  // Only the registry host (the first segment) may carry a colon, for its port.
  const path = repository.slice(repository.indexOf('/') + 1);
  if (repository === '' || /\s/.test(repository) || repository.endsWith('/') || path.includes(':')) return undefined;
  if (tag !== undefined && !tagPattern.test(tag)) return undefined;
  return { repository, ...(tag !== undefined ? { tag } : {}), ...(digest !== undefined ? { digest } : {}) };
}

function signatureVerdict(raw: Record<string, unknown>, keys: readonly KeyObject[]): AdvertisementVerdict | undefined {
  if (keys.length === 0) return undefined;
  const signature = raw.signature;
  if (signature === undefined || signature === '') {
    return reject(
      'SignatureMissing',
      'The advertisement is not signed but release public keys are configured; ask the vendor to sign releases, or remove the keys to accept unsigned releases.',
    );
  }
  if (typeof signature !== 'string' || !base64.test(signature)) {
    return reject('SignatureInvalid', 'The advertisement signature is not valid base64; the release is not trusted.');
  }
  const { signature: _omitted, ...signed } = raw;
  const payload = Buffer.from(canonicalJSON(signed), 'utf8');
  const bytes = Buffer.from(signature, 'base64');
  const verified = keys.some((key) => {
    try {
      return verify(null, payload, key, bytes);
    } catch {
      return false;
    }
  });
  return verified
    ? undefined
    : reject(
        'SignatureInvalid',
        `The advertisement signature does not verify with any of the ${keys.length} configured release public key(s); the release is not trusted. Check the keys if the vendor rotated them.`,
      );
}

/** Validates an advertisement already decoded from JSON. */
export function validateAdvertisement(raw: unknown, policy: AdvertisementPolicy): AdvertisementVerdict {
  const parsed = advertisementShape.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`);
    return reject(
      'Malformed',
      `The advertisement does not have the expected shape (${problems.join('; ')}); report it to the vendor.`,
    );
  }
  const ad = parsed.data;
  const keys = parseReleasePublicKeys(policy.releasePublicKeys ?? []);
  // Signature first: nothing else an unsigned or forged body says can be trusted.
  const bySignature = signatureVerdict(raw as Record<string, unknown>, keys);
  if (bySignature) return bySignature;
  if (ad.channel !== policy.channel) {
    return reject(
      'ChannelMismatch',
      `Asked for channel "${policy.channel}" but the platform advertised channel "${ad.channel}"; report it to the vendor.`,
    );
  }
  if (ad.digest === undefined || ad.digest === '') {
    return reject(
      'MissingDigest',
      `Release ${ad.version} has no image digest; only digest-pinned releases are rolled out. Report it to the vendor.`,
    );
  }
  if (!sha256Digest.test(ad.digest)) {
    return reject(
      'InvalidDigest',
      `Release ${ad.version} has digest "${ad.digest}", expected "sha256:" and 64 lowercase hex characters.`,
    );
  }
  if (!semver.test(ad.version) && !dottedNumeric.test(ad.version)) {
    return reject(
      'InvalidVersion',
      `Version "${ad.version}" is neither semantic (1.2.3) nor dotted numeric (24.11.0); report it to the vendor.`,
    );
  }
  // Any reference form is fine (repo, repo:tag, repo@digest, repo:tag@digest): only the repository and
  // the digest are used, so the pod runs repo@digest and a tag can never move what runs.
  const reference = parseImageReference(ad.image);
  if (reference === undefined) {
    return reject(
      'Malformed',
      `The advertised image "${ad.image}" is not an image reference (repository, optionally :tag and @sha256:digest); report it to the vendor.`,
    );
  }
  if (reference.digest !== undefined && reference.digest !== ad.digest) {
    return reject(
      'DigestMismatch',
      `The advertised image "${ad.image}" names digest ${reference.digest} but the release's digest is ${ad.digest}; which one is meant cannot be told, so neither is rolled out. Report it to the vendor.`,
    );
  }
  const { repository } = reference;
  if (!policy.allowedRepositories.includes(repository)) {
    return reject(
      'RegistryNotAllowed',
      `Image repository "${repository}" is not in the allow-list (${policy.allowedRepositories.join(', ') || 'empty'}); add it to the Atom's allowed repositories if it is trusted.`,
    );
  }
  const release: Release = {
    channel: ad.channel,
    version: ad.version,
    image: repository,
    digest: ad.digest,
    imageRef: `${repository}@${ad.digest}`,
    publishedAt: ad.publishedAt,
    critical: ad.critical,
  };
  if (ad.notes !== undefined) release.notes = ad.notes;
  return { ok: true, release };
}

/** Validates a response body; invalid JSON is `Malformed`. */
export function validateAdvertisementJSON(body: string, policy: AdvertisementPolicy): AdvertisementVerdict {
  let raw: unknown;
  try {
    raw = JSON.parse(body);
  } catch (error) {
    return reject(
      'Malformed',
      `The platform's answer is not JSON (${(error as Error).message}); check the platform URL.`,
    );
  }
  return validateAdvertisement(raw, policy);
}

/** Returns a copy of `ad` carrying an ed25519 signature over its canonical JSON (simulator, tests). */
export function signAdvertisement<T extends Record<string, unknown>>(
  ad: T,
  privateKeyPem: string,
): T & { signature: string } {
  const { signature: _previous, ...unsigned } = ad;
  const signature = sign(null, Buffer.from(canonicalJSON(unsigned), 'utf8'), createPrivateKey(privateKeyPem)).toString(
    'base64',
  );
  return { ...ad, signature };
}
