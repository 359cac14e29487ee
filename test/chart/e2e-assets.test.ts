// The kind end-to-end script cannot run here (no Docker), so its inputs are checked
// without a cluster: the key material it issues, and the manifests it applies.
import { X509Certificate, createPrivateKey, createPublicKey, sign, verify } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadAll } from 'js-yaml';
import { Deployment } from 'kubernetes-models/apps/v1';
import { Service } from 'kubernetes-models/v1';
import { e2eMaterial } from '../../hack/e2e/pki.js';
import { describeProblems, parseAtom } from '../../src/api/atom.js';
import { signAdvertisement, validateAdvertisement } from '../../src/platform/advertisement.js';
import { atomCRD } from '../../src/api/crd.js';
import { crdValidator } from '../support/crd-validator.js';
import { repoRoot } from './helm.js';

const host = 'platform-simulator.atom-platform.svc';

describe('hack/e2e/pki.ts', async () => {
  const { files } = await e2eMaterial(host, ['atom-e2e']);
  const file = (name: string): string => {
    const content = files[name];
    if (content === undefined) throw new Error(`no ${name}`);
    return content;
  };
  const ca = new X509Certificate(file('ca.crt'));

  it('issues a platform certificate for the Service names, signed by the CA, with its key', () => {
    const server = new X509Certificate(file('platform.crt'));
    expect(server.verify(ca.publicKey)).toBe(true);
    expect(server.checkHost(host)).toBe(host);
    expect(server.checkHost('platform-simulator.atom-platform.svc.cluster.local')).toBeDefined();
    expect(server.checkPrivateKey(createPrivateKey(file('platform.key')))).toBe(true);
  });

  it('issues a registration certificate per Atom, named after it, signed by the same CA', () => {
    const client = new X509Certificate(file('atom-e2e.crt'));
    expect(client.verify(ca.publicKey)).toBe(true);
    expect(client.subject).toContain('CN=atom-e2e');
    expect(client.checkPrivateKey(createPrivateKey(file('atom-e2e.key')))).toBe(true);
  });

  it('writes an ed25519 pair whose public half verifies what the private half signs', () => {
    const message = Buffer.from('{"channel":"stable","version":"1.1.0"}');
    const signature = sign(null, message, createPrivateKey(file('release-private.pem')));
    expect(verify(null, message, createPublicKey(file('release-public.pem')), signature)).toBe(true);
    expect(createPublicKey(file('release-public.pem')).asymmetricKeyType).toBe('ed25519');
  });
});

describe('hack/e2e manifests', () => {
  it('the Atom is accepted by the zod schema and the CRD, and pulls only the locally loaded agent image', () => {
    const [atom] = loadAll(readFileSync(join(repoRoot, 'hack/e2e/atom.yaml'), 'utf8'));
    const parsed = parseAtom(atom);
    expect(parsed.ok ? '' : describeProblems(parsed.problems)).toBe('');
    expect(crdValidator(atomCRD())(atom)).toEqual([]);
    expect(atom).toMatchObject({
      spec: { image: { pullPolicy: 'Never' }, platform: { url: `https://${host}` }, update: { mode: 'Manual' } },
    });
  });

  it('the platform simulator Deployment and Service are valid and serve on 443 itself', () => {
    const docs = loadAll(
      readFileSync(join(repoRoot, 'hack/e2e/platform-simulator.yaml'), 'utf8').replaceAll(
        '@IMAGE@',
        'atom-operator:e2e',
      ),
    ) as {
      kind: string;
      spec: {
        ports?: { port: number }[];
        template?: { spec: { containers: { ports: { containerPort: number }[] }[] } };
      };
    }[];
    const deployment = docs.find((d) => d.kind === 'Deployment');
    const service = docs.find((d) => d.kind === 'Service');
    expect(() => new Deployment(deployment as never).validate()).not.toThrow();
    expect(() => new Service(service as never).validate()).not.toThrow();
    // NetworkPolicy judges the pod's port, and Atoms may only reach 443.
    expect(deployment?.spec.template?.spec.containers[0]?.ports[0]?.containerPort).toBe(443);
    expect(service?.spec.ports?.[0]?.port).toBe(443);
  });

  it("the release the simulator advertises, once signed, passes the operator's checks for the e2e Atom", async () => {
    const releases = JSON.parse(readFileSync(join(repoRoot, 'hack/e2e/releases.json'), 'utf8')) as Record<
      string,
      Record<string, unknown>
    >;
    const [atom] = loadAll(readFileSync(join(repoRoot, 'hack/e2e/atom.yaml'), 'utf8')) as {
      spec: { image: { repository: string } };
    }[];
    const { files } = await e2eMaterial(host, ['atom-e2e']);
    const signed = signAdvertisement({ channel: 'stable', ...releases.stable }, files['release-private.pem'] ?? '');
    const verdict = validateAdvertisement(signed, {
      channel: 'stable',
      allowedRepositories: [atom?.spec.image.repository ?? ''],
      releasePublicKeys: [files['release-public.pem'] ?? ''],
    });
    expect(verdict).toMatchObject({ ok: true, release: { version: '1.1.0' } });
  });
});
