import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  canonicalJSON,
  parseReleasePublicKeys,
  signAdvertisement,
  validateAdvertisement,
  validateAdvertisementJSON,
  type AdvertisementPolicy,
} from './advertisement.js';

const repository = 'registry.example.com/vendor/atom';
const digest = `sha256:${'ab'.repeat(32)}`;

function ed25519() {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  return {
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
  };
}

function advertisement(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    channel: 'stable',
    version: '24.11.0',
    image: repository,
    digest,
    publishedAt: '2026-11-20T10:00:00Z',
    critical: false,
    ...overrides,
  };
}

const policy: AdvertisementPolicy = { channel: 'stable', allowedRepositories: [repository] };

describe('canonicalJSON', () => {
  it('sorts keys recursively, drops whitespace and keeps array order', () => {
    expect(canonicalJSON({ b: 1, a: { d: [3, { z: 1, y: 'é"' }], c: null } })).toBe(
      '{"a":{"c":null,"d":[3,{"y":"é\\"","z":1}]},"b":1}',
    );
  });

  it('omits undefined members like JSON.stringify', () => {
    expect(canonicalJSON({ a: undefined, b: true })).toBe('{"b":true}');
  });
});

describe('validateAdvertisement', () => {
  it('accepts a well-formed unsigned advertisement when no keys are configured', () => {
    const verdict = validateAdvertisement(advertisement({ notes: 'fixes' }), policy);
    expect(verdict).toEqual({
      ok: true,
      release: {
        channel: 'stable',
        version: '24.11.0',
        image: repository,
        digest,
        imageRef: `${repository}@${digest}`,
        publishedAt: '2026-11-20T10:00:00Z',
        critical: false,
        notes: 'fixes',
      },
    });
  });

  it.each([
    ['a repository', repository, repository],
    ['repository:tag', `${repository}:5.1.0`, repository],
    ['repository@digest', `${repository}@${digest}`, repository],
    ['repository:tag@digest', `${repository}:5.1.0@${digest}`, repository],
    ['a registry with a port', 'registry.local:5000/atom', 'registry.local:5000/atom'],
    ['a registry with a port and a tag', 'registry.local:5000/atom:5.1.0', 'registry.local:5000/atom'],
    ['a registry with a port, tag and digest', `registry.local:5000/atom:5.1.0@${digest}`, 'registry.local:5000/atom'],
    ['a Docker Hub name with a tag', 'boomi/atom:latest', 'boomi/atom'],
  ])('accepts %s (%s) and pins the release to repository@digest', (_form, image, expected) => {
    const verdict = validateAdvertisement(advertisement({ image }), { ...policy, allowedRepositories: [expected] });
    expect(verdict).toMatchObject({
      ok: true,
      release: { image: expected, digest, imageRef: `${expected}@${digest}` },
    });
  });

  it.each(['1.2.3', '1.2.3-rc.1+build.5', '24.11.0', '5.0.2.1', '10.4'])('accepts version %s', (version) => {
    expect(validateAdvertisement(advertisement({ version }), policy).ok).toBe(true);
  });

  it.each([
    ['missing fields', { version: undefined }, 'Malformed'],
    ['wrong types', { critical: 'yes' }, 'Malformed'],
    ['bad publishedAt', { publishedAt: 'yesterday' }, 'Malformed'],
    ['image with another digest', { image: `${repository}@sha256:${'cd'.repeat(32)}` }, 'DigestMismatch'],
    ['image with a tag and another digest', { image: `${repository}:1.0@sha256:${'cd'.repeat(32)}` }, 'DigestMismatch'],
    ['image with a sha512 digest', { image: `${repository}@sha512:${'ab'.repeat(64)}` }, 'DigestMismatch'],
    ['image with an empty tag', { image: `${repository}:` }, 'Malformed'],
    ['image with a tag that is not one', { image: `${repository}:5.1.0+build` }, 'Malformed'],
    ['image with a colon inside its path', { image: `${repository}:a/b:c` }, 'Malformed'],
    ['image with an empty digest', { image: `${repository}@` }, 'Malformed'],
    ['image that is only a tag', { image: ':5.1.0' }, 'Malformed'],
    ['tagged image of another repository', { image: 'evil.example.com/vendor/atom:5.1.0' }, 'RegistryNotAllowed'],
    ['no digest', { digest: undefined }, 'MissingDigest'],
    ['empty digest', { digest: '' }, 'MissingDigest'],
    ['uppercase digest', { digest: `sha256:${'AB'.repeat(32)}` }, 'InvalidDigest'],
    ['short digest', { digest: 'sha256:abc' }, 'InvalidDigest'],
    ['sha512 digest', { digest: `sha512:${'ab'.repeat(64)}` }, 'InvalidDigest'],
    ['version with letters', { version: 'latest' }, 'InvalidVersion'],
    ['version with leading v', { version: 'v1.2.3' }, 'InvalidVersion'],
    ['other registry', { image: 'evil.example.com/vendor/atom' }, 'RegistryNotAllowed'],
    ['repository prefix only', { image: `${repository}-debug` }, 'RegistryNotAllowed'],
    ['other channel', { channel: 'beta' }, 'ChannelMismatch'],
  ])('rejects %s', (_case, overrides, reason) => {
    const verdict = validateAdvertisement(advertisement(overrides), policy);
    expect(verdict.ok).toBe(false);
    if (!verdict.ok) {
      expect(verdict.reason).toBe(reason);
      expect(verdict.message.length).toBeGreaterThan(20);
    }
  });

  it('rejects a body that is not JSON or not an object as Malformed', () => {
    expect(validateAdvertisementJSON('<html>proxy error</html>', policy)).toMatchObject({
      ok: false,
      reason: 'Malformed',
    });
    expect(validateAdvertisementJSON('[1,2]', policy)).toMatchObject({ ok: false, reason: 'Malformed' });
  });

  describe('with release keys configured', () => {
    const current = ed25519();
    const previous = ed25519();
    const signed: AdvertisementPolicy = { ...policy, releasePublicKeys: [previous.publicKeyPem, current.publicKeyPem] };

    it('accepts an advertisement signed by any configured key', () => {
      expect(validateAdvertisement(signAdvertisement(advertisement(), current.privateKeyPem), signed).ok).toBe(true);
      expect(validateAdvertisement(signAdvertisement(advertisement(), previous.privateKeyPem), signed).ok).toBe(true);
    });

    it('covers fields the schema does not know about', () => {
      const ad = signAdvertisement(advertisement({ extra: { b: 1, a: 2 } }), current.privateKeyPem);
      expect(validateAdvertisement(ad, signed).ok).toBe(true);
      expect(validateAdvertisement({ ...ad, extra: { a: 2, b: 3 } }, signed)).toMatchObject({
        reason: 'SignatureInvalid',
      });
    });

    it('rejects a missing signature', () => {
      expect(validateAdvertisement(advertisement(), signed)).toMatchObject({ ok: false, reason: 'SignatureMissing' });
    });

    it('rejects a signature by an unknown key', () => {
      const stranger = ed25519();
      expect(validateAdvertisement(signAdvertisement(advertisement(), stranger.privateKeyPem), signed)).toMatchObject({
        ok: false,
        reason: 'SignatureInvalid',
      });
    });

    it('rejects a tampered advertisement', () => {
      const ad = signAdvertisement(advertisement(), current.privateKeyPem);
      expect(validateAdvertisement({ ...ad, digest: `sha256:${'cd'.repeat(32)}` }, signed)).toMatchObject({
        reason: 'SignatureInvalid',
      });
    });

    it('rejects a signature that is not base64', () => {
      expect(validateAdvertisement(advertisement({ signature: 'not base64!' }), signed)).toMatchObject({
        reason: 'SignatureInvalid',
      });
    });

    it('checks the signature before trusting any other field', () => {
      const forged = advertisement({ digest: undefined, signature: Buffer.alloc(64).toString('base64') });
      expect(validateAdvertisement(forged, signed)).toMatchObject({ reason: 'SignatureInvalid' });
    });
  });

  it('refuses release keys that are not ed25519', () => {
    const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    expect(() => parseReleasePublicKeys([publicKey.export({ type: 'spki', format: 'pem' }).toString()])).toThrow(
      /expected ed25519/,
    );
  });
});
