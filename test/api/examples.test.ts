// Every example in examples/ is accepted by the zod schema (what the operator
// checks) and by the generated CRD (what the API server checks); bad specs are
// rejected by both, each naming the field.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { loadAll } from 'js-yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureTools } from '../../hack/fetch-tools.js';
import { describeProblems, parseAtom } from '../../src/api/atom.js';
import { atomSpecShape } from '../../src/api/atom-spec.js';
import { atomCRD } from '../../src/api/crd.js';
import { crdValidator } from '../support/crd-validator.js';

const examplesDir = new URL('../../examples/', import.meta.url).pathname;
const validateByCRD = crdValidator(atomCRD());

function yamlFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? yamlFiles(p) : p.endsWith('.yaml') ? [p] : [];
  });
}

const atoms = yamlFiles(examplesDir)
  .flatMap((file) => loadAll(readFileSync(file, 'utf8')).map((doc) => ({ file: file.slice(examplesDir.length), doc })))
  .filter(({ doc }) => (doc as { kind?: string } | null)?.kind === 'Atom');

describe('examples', () => {
  it('has a minimal, a full and a fleet example', () => {
    expect(atoms.map((a) => a.file)).toEqual(
      expect.arrayContaining([
        'minimal/atom.yaml',
        'full/atom.yaml',
        'fleet/atom-eu-1.yaml',
        'integration-endpoints/atom.yaml',
      ]),
    );
  });

  it('full/atom.yaml shows every section of the spec (a pinned version is shown by fleet/atom-eu-manual.yaml)', () => {
    const full = atoms.find((a) => a.file === 'full/atom.yaml')?.doc as { spec: Record<string, unknown> };
    const manual = atoms.find((a) => a.file === 'fleet/atom-eu-manual.yaml')?.doc as { spec: Record<string, unknown> };
    expect(Object.keys(full.spec).sort()).toEqual(
      Object.keys(atomSpecShape)
        .filter((k) => k !== 'version')
        .sort(),
    );
    expect(manual.spec.version).toEqual(expect.any(String));
  });

  it.each(atoms)('$file is accepted by the zod schema and by the CRD schema', ({ doc }) => {
    const parsed = parseAtom(doc);
    expect(parsed.ok ? '' : describeProblems(parsed.problems)).toBe('');
    expect(validateByCRD(doc)).toEqual([]);
  });

  describe('the fleet kustomization', () => {
    let kubectl: string;
    beforeAll(() => {
      kubectl = ensureTools().kubectl;
    });
    it('builds with kubectl kustomize into a namespace and Atoms in waves', () => {
      const out = execFileSync(kubectl, ['kustomize', join(examplesDir, 'fleet')], { encoding: 'utf8' });
      const docs = loadAll(out) as {
        kind: string;
        metadata: { name: string; namespace?: string; labels?: Record<string, string> };
        spec?: { update?: { wave?: number } };
      }[];
      expect(
        docs.filter((d) => d.kind === 'Atom').map((d) => [d.metadata.namespace, d.metadata.labels?.fleet]),
      ).toEqual(Array(4).fill(['atoms-eu', 'eu']));
      expect(docs.filter((d) => d.kind === 'Atom').every((d) => parseAtom(d).ok && validateByCRD(d).length === 0)).toBe(
        true,
      );
    });
  });
});

const base = {
  apiVersion: 'atomoperator.io/v1alpha1',
  kind: 'Atom',
  metadata: { name: 'bad' },
  spec: { platform: { accountId: 'acme' }, registration: { certificateSecretRef: { name: 'bad-reg' } } },
};

describe('invalid specs are rejected by both schemas, naming the field', () => {
  it.each([
    ['pinned version with Automatic updates', { version: '1.2.3' }, 'spec.version'],
    ['http platform URL', { platform: { accountId: 'acme', url: 'http://platform.example.com' } }, 'spec.platform.url'],
    ['unknown update mode', { update: { mode: 'Sometimes' } }, 'spec.update.mode'],
    ['image digest that is not sha256', { image: { digest: 'sha1:abc' } }, 'spec.image.digest'],
    ['progress deadline below 30 s', { update: { progressDeadlineSeconds: 5 } }, 'spec.update.progressDeadlineSeconds'],
    [
      'window duration that is not a duration',
      { update: { windows: [{ days: ['Sat'], start: '02:00', duration: 'four hours' }] } },
      'spec.update.windows[0].duration',
    ],
    [
      'egress CIDR that is not a CIDR',
      { networkPolicy: { egressCIDRs: ['0.0.0.0'] } },
      'spec.networkPolicy.egressCIDRs[0]',
    ],
    [
      'emptyDir and a claim to delete',
      { storage: { emptyDir: {}, deleteClaimOnAtomDeletion: true } },
      'spec.storage.deleteClaimOnAtomDeletion',
    ],
    [
      'proxy with the policy disabled',
      { networkPolicy: { enabled: false, proxy: { cidr: '10.0.0.1/32', port: 3128 } } },
      'spec.networkPolicy.proxy',
    ],
    ['missing account', { platform: {} }, 'spec.platform.accountId'],
    [
      'integration endpoint without a destination (it would open every address)',
      { networkPolicy: { additionalEgress: [{ to: [], ports: [{ port: 5432 }] }] } },
      'spec.networkPolicy.additionalEgress[0].to',
    ],
    [
      'integration endpoint without destinations at all',
      { networkPolicy: { additionalEgress: [{ ports: [{ port: 5432 }] }] } },
      'spec.networkPolicy.additionalEgress[0].to',
    ],
    [
      'integration endpoint without a port (it would open every port)',
      { networkPolicy: { additionalEgress: [{ to: [{ ipBlock: { cidr: '10.0.0.0/8' } }], ports: [] }] } },
      'spec.networkPolicy.additionalEgress[0].ports',
    ],
    [
      'integration destination that is empty',
      { networkPolicy: { additionalEgress: [{ to: [{}], ports: [{ port: 22 }] }] } },
      'spec.networkPolicy.additionalEgress[0].to[0]',
    ],
    [
      'integration destination that is an ipBlock and a selector at once',
      {
        networkPolicy: {
          additionalEgress: [
            {
              to: [{ ipBlock: { cidr: '10.0.0.0/8' }, podSelector: { matchLabels: { app: 'db' } } }],
              ports: [{ port: 22 }],
            },
          ],
        },
      },
      'spec.networkPolicy.additionalEgress[0].to[0]',
    ],
    [
      'integration port range that ends before it starts',
      {
        networkPolicy: {
          additionalEgress: [{ to: [{ ipBlock: { cidr: '10.0.0.0/8' } }], ports: [{ port: 9000, endPort: 8000 }] }],
        },
      },
      'spec.networkPolicy.additionalEgress[0].ports[0].endPort',
    ],
    [
      'integration port with an unknown protocol',
      {
        networkPolicy: {
          additionalEgress: [{ to: [{ ipBlock: { cidr: '10.0.0.0/8' } }], ports: [{ protocol: 'ICMP', port: 1 }] }],
        },
      },
      'spec.networkPolicy.additionalEgress[0].ports[0].protocol',
    ],
    [
      'integration CIDR that is not a CIDR',
      { networkPolicy: { additionalEgress: [{ to: [{ ipBlock: { cidr: '10.0.0.1' } }], ports: [{ port: 22 }] }] } },
      'spec.networkPolicy.additionalEgress[0].to[0].ipBlock.cidr',
    ],
    [
      'more than 16 integration endpoints',
      {
        networkPolicy: {
          additionalEgress: Array.from({ length: 17 }, (_, i) => ({
            to: [{ ipBlock: { cidr: `10.0.${i}.0/24` } }],
            ports: [{ port: 5432 }],
          })),
        },
      },
      'spec.networkPolicy.additionalEgress',
    ],
    [
      'integration endpoints with the policy disabled',
      {
        networkPolicy: {
          enabled: false,
          additionalEgress: [{ to: [{ ipBlock: { cidr: '10.0.0.0/8' } }], ports: [{ port: 22 }] }],
        },
      },
      'spec.networkPolicy.additionalEgress',
    ],
  ])('%s', (_name, spec, field) => {
    const doc = { ...base, spec: { ...base.spec, ...spec } };
    const parsed = parseAtom(doc);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.problems.map((p) => p.field)).toContain(field);
    const crdErrors = validateByCRD(doc);
    expect(crdErrors.length).toBeGreaterThan(0);
    expect(
      crdErrors.some((e) => e.startsWith(`${field}:`)),
      crdErrors.join('\n'),
    ).toBe(true);
  });
});

describe('Atom names', () => {
  it('longer than 63 characters are rejected by both schemas: children carry the name as a label value', () => {
    const doc = { ...base, metadata: { name: `a${'b'.repeat(63)}` } };
    const parsed = parseAtom(doc);
    expect(parsed.ok ? [] : parsed.problems.map((p) => p.field)).toContain('metadata.name');
    expect(validateByCRD(doc)).toEqual([expect.stringContaining('at most 63 characters')]);
    expect(parseAtom({ ...base, metadata: { name: `a${'b'.repeat(62)}` } }).ok).toBe(true);
  });
});
