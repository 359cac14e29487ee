// Properties of the pure edges: whatever a user, a Secret or the platform sends,
// parseAtom, inspectRegistration, validateAdvertisement and the desired children
// never throw, and what they produce is something the API server would accept.
import { generateKeyPairSync } from 'node:crypto';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { atomCRD } from '../../src/api/crd.js';
import { parseAtom } from '../../src/api/index.js';
import type { JSONSchema } from '../../src/api/crd.js';
import { certificateReasons, inspectRegistration } from '../../src/certificates/inspect.js';
import { validateAdvertisement, validateAdvertisementJSON } from '../../src/platform/advertisement.js';
import {
  defaultDNSConfig,
  desiredClaim,
  desiredNetworkPolicy,
  desiredPod,
  desiredServiceAccount,
} from '../../src/resources/index.js';
import { defaultAgentProfile } from '../../src/resources/profile.js';
import { createCertificateAuthority } from '../../src/sandbox/pki.js';
import { crdValidator } from '../support/crd-validator.js';
import { advertisementArb, atomArb, secretDataArb, validAtomArb, type PemPool } from './arbitraries.js';

const RUNS = Number(process.env.FUZZ_RUNS ?? 300);
const NOW = new Date('2026-11-25T12:00:00Z');
const dnsSubdomain = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const labelValue = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const camelCase = /^[A-Z][A-Za-z0-9]*$/;
const validateCRD = crdValidator(atomCRD() as unknown as JSONSchema);
const keys = generateKeyPairSync('ed25519');
const signingKey = keys.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const publicKey = keys.publicKey.export({ type: 'spki', format: 'pem' }).toString();
let pool: PemPool;

beforeAll(async () => {
  const ca = await createCertificateAuthority('fuzz-ca');
  const leaf = await ca.issue({ commonName: 'fuzz', usage: 'client' });
  const other = await ca.issue({ commonName: 'other', usage: 'client' });
  pool = { cert: leaf.cert, key: leaf.key, ca: ca.cert, otherKey: other.key };
});

/** What the API server says about a child object's metadata (names and labels). */
function metadataProblems(
  obj: { metadata?: { name?: string; labels?: Record<string, string> } } | undefined,
): string[] {
  if (!obj) return [];
  const problems: string[] = [];
  const name = obj.metadata?.name ?? '';
  if (name.length > 253 || !dnsSubdomain.test(name))
    problems.push(`name "${name}" is not a DNS subdomain of at most 253 characters`);
  for (const [k, v] of Object.entries(obj.metadata?.labels ?? {}))
    if (v.length > 63 || !labelValue.test(v)) problems.push(`label ${k}="${v}" is not a valid label value`);
  return problems;
}

describe('parseAtom', () => {
  it('never throws, and a rejection names each problem with a path and a message', () => {
    fc.assert(
      fc.property(fc.oneof(atomArb(), validAtomArb(), fc.anything()), (input) => {
        const parsed = parseAtom(input);
        if (!parsed.ok) {
          expect(parsed.problems.length).toBeGreaterThan(0);
          for (const p of parsed.problems) expect(p.message.length).toBeGreaterThan(0);
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('accepts every Atom the API server accepts (the CRD and the operator agree)', () => {
    fc.assert(
      fc.property(validAtomArb(), (input) => {
        fc.pre(validateCRD(input).length === 0);
        const parsed = parseAtom(input);
        expect(parsed.ok ? [] : parsed.problems).toEqual([]);
      }),
      { numRuns: RUNS },
    );
  });
});

describe('the desired children of any accepted Atom', () => {
  it('are built without throwing and carry names and labels the API server accepts', () => {
    fc.assert(
      fc.property(validAtomArb(), fc.stringMatching(/^[a-f0-9]{64}$/), (input, hex) => {
        const parsed = parseAtom(input);
        fc.pre(parsed.ok && validateCRD(input).length === 0);
        if (!parsed.ok) return;
        const atom = parsed.atom;
        const image = `${atom.spec.image.repository}@sha256:${hex}`;
        const pod = desiredPod(atom, {
          image,
          certificateHash: 'h',
          platformUrl: 'https://platform.example.com',
          profile: defaultAgentProfile,
        });
        expect(pod.spec?.containers).toHaveLength(1);
        expect(pod.spec?.containers[0]?.image).toBe(image);
        expect(pod.spec?.automountServiceAccountToken).toBe(false);
        const children = [
          pod,
          desiredClaim(atom),
          desiredNetworkPolicy(atom, defaultDNSConfig),
          desiredServiceAccount(atom),
        ];
        expect(children.flatMap((c) => metadataProblems(c as never))).toEqual([]);
        const policy = desiredNetworkPolicy(atom, defaultDNSConfig);
        if (policy) expect(policy.spec?.ingress ?? []).toEqual([]);
      }),
      { numRuns: RUNS },
    );
  });

  // Found by the property above (fixed since): the API server used to accept Atom names of up to
  // 253 characters, but children carry the name as a label value (at most 63) and were refused.
  it('are never needed for a name too long to be a label value: the CRD and parseAtom refuse it', () => {
    fc.assert(
      fc.property(fc.integer({ min: 64, max: 253 }), (length) => {
        const input = {
          apiVersion: 'atomoperator.io/v1alpha1',
          kind: 'Atom',
          metadata: { name: `x${'y'.repeat(length - 1)}`, namespace: 'default', uid: 'u', generation: 1 },
          spec: { platform: { accountId: 'a' }, registration: { certificateSecretRef: { name: 'r' } } },
        };
        expect(validateCRD(input).length).toBeGreaterThan(0);
        expect(parseAtom(input).ok).toBe(false);
      }),
      { numRuns: 20 },
    );
  });
});

describe('inspectRegistration', () => {
  it('never throws and is usable only for a valid certificate with its own key', () => {
    fc.assert(
      fc.property(fc.option(secretDataArb(pool), { nil: undefined }), (data) => {
        const verdict = inspectRegistration(data ? { name: 'reg', data } : undefined, 'reg', NOW, 30);
        expect(Object.keys(certificateReasons)).toContain(verdict.reason);
        expect(verdict.message.length).toBeGreaterThan(0);
        const realPair = data?.['tls.crt']?.toString() === pool.cert && data['tls.key']?.toString() === pool.key;
        expect(verdict.usable).toBe(realPair && (verdict.reason === 'Valid' || verdict.reason === 'ExpiresSoon'));
        // Key material never leaks into what is shown to people.
        expect(verdict.message).not.toContain('PRIVATE KEY');
      }),
      { numRuns: RUNS },
    );
  });
});

describe('validateAdvertisement', () => {
  it('never throws, rejects with a CamelCase reason, and trusts only an untouched, correctly signed, well-formed release', () => {
    fc.assert(
      fc.property(advertisementArb('stable', 'boomi/atom', signingKey), ({ ad, body, signing }) => {
        const policy = { channel: 'stable', allowedRepositories: ['boomi/atom'], releasePublicKeys: [publicKey] };
        for (const verdict of [validateAdvertisement(ad, policy), validateAdvertisementJSON(body, policy)]) {
          if (!verdict.ok) {
            expect(verdict.reason).toMatch(camelCase);
            expect(verdict.message.length).toBeGreaterThan(0);
            continue;
          }
          expect(signing).toBe('trusted');
          expect(verdict.release.digest).toMatch(/^sha256:[a-f0-9]{64}$/);
          expect(verdict.release.image).toBe('boomi/atom');
          expect(verdict.release.imageRef).toBe(`boomi/atom@${verdict.release.digest}`);
        }
      }),
      { numRuns: RUNS },
    );
  });
});
