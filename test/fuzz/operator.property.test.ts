// The running operator (in-process, against the sandbox API server and the platform
// simulator) fed random Atoms, registration Secrets and platform answers: it never
// crashes, and every Atom the API server stored ends with a status that parses and
// says why, with a CamelCase reason on every condition.
import fc from 'fast-check';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { atomStatus, conditionTypes } from '../../src/api/index.js';
import type { KubeObject } from '../../src/kube/resource.js';
import { startHarness, USER, type Harness } from '../support/harness.js';
import { advertisementArb, atomArb, secretDataArb, shortAtomNameArb, validAtomArb, type PemPool } from './arbitraries.js';

const RUNS = Number(process.env.FUZZ_OPERATOR_RUNS ?? 12);
const NS = 'default';
const camelCase = /^[A-Z][A-Za-z0-9]*$/;
let h: Harness;
let pool: PemPool;
let run = 0;

beforeAll(async () => {
  h = await startHarness({ operatorArgs: ['--platform-poll-interval=1s', '--workers=4'] });
  const leaf = await h.simulator.issueRegistrationCertificate('fuzz');
  const other = await h.simulator.issueRegistrationCertificate('other');
  pool = { cert: leaf.cert, key: leaf.key, ca: leaf.ca, otherKey: other.key };
  await h.startOperator();
}, 60_000);

afterAll(async () => {
  await h?.stop();
});

/** Everything wrong with a stored Atom's status, as lines (empty when it is sound). */
function statusProblems(name: string): string[] {
  const atom = h.atom(NS, name);
  const parsed = atomStatus.safeParse(atom?.status ?? {});
  if (!parsed.success) return parsed.error.issues.map((i) => `status.${i.path.join('.')}: ${i.message}`);
  const problems: string[] = [];
  const conditions = parsed.data.conditions ?? [];
  for (const c of conditions) {
    if (!camelCase.test(c.reason)) problems.push(`condition ${c.type} has reason "${c.reason}", not CamelCase`);
    if (!c.message) problems.push(`condition ${c.type} has no message`);
  }
  return problems;
}

it('never crashes and always leaves a valid status with reasons, whatever the inputs', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.oneof(validAtomArb(NS, shortAtomNameArb), atomArb(NS)),
      fc.option(secretDataArb(pool), { nil: undefined }),
      fc.constantFrom('trusted', 'none'),
      async (input, data, _unused) => {
        run += 1;
        const name = `fz-${run}`;
        const channel = `fz-${run}`;
        const secretName = `${name}-registration`;
        const spec = { ...(typeof input.spec === 'object' && input.spec ? input.spec : {}) } as Record<string, unknown>;
        // Keep the random spec, but point it at this run's Secret, channel and the simulator.
        if (spec.registration && typeof spec.registration === 'object') spec.registration = { ...spec.registration, certificateSecretRef: { name: secretName } };
        if (spec.platform && typeof spec.platform === 'object') spec.platform = { ...(spec.platform as object), url: h.simulator.url };
        if (spec.update && typeof spec.update === 'object') spec.update = { ...(spec.update as object), channel };
        const ad = fc.sample(advertisementArb(channel, 'boomi/atom', h.simulator.releaseKeys.privateKeyPem), { numRuns: 1, seed: run })[0]!;
        h.simulator.serveRaw(channel, ad.body);
        if (data) {
          const encoded = Object.fromEntries(Object.entries(data).map(([k, v]) => [k, v.toString('base64')]));
          await h.api.applyObject({ apiVersion: 'v1', kind: 'Secret', type: 'kubernetes.io/tls', metadata: { name: secretName, namespace: NS }, data: encoded } as KubeObject, { fieldManager: USER });
        }
        try {
          await h.api.applyObject({ apiVersion: 'atomoperator.io/v1alpha1', kind: 'Atom', metadata: { name, namespace: NS }, spec } as KubeObject, { fieldManager: USER });
        } catch (err) {
          // The API server refused it (CRD validation): nothing reaches the operator.
          expect(String(err)).toMatch(/422|Invalid|invalid|400/);
          expect(h.atom(NS, name)).toBeUndefined();
          return;
        }
        const stored = h.atom(NS, name)!;
        await h.waitFor(`a status for generation ${stored.metadata.generation} of ${name}`, () => {
          const status = h.atom(NS, name)?.status;
          return status?.observedGeneration === stored.metadata.generation && (status.conditions?.length ?? 0) > 0;
        });
        await h.settle();
        expect(statusProblems(name), `Atom ${name}: ${JSON.stringify(spec)}\nadvertisement (${ad.signing}, ${ad.framing})`).toEqual([]);
        const types = (h.atom(NS, name)?.status?.conditions ?? []).map((c: { type: string }) => c.type);
        for (const t of types) expect(conditionTypes).toContain(t);
        expect(types).toContain('Ready');
      },
    ),
    { numRuns: RUNS, endOnFailure: true },
  );
  // Still alive and working after all of it: a plain Atom gets its pod.
  await h.createRegistrationSecret(NS, 'after-registration', { commonName: 'fuzz' });
  h.simulator.setRelease('stable', { version: '1.0.0', image: 'boomi/atom', digest: `sha256:${'a'.repeat(64)}`, publishedAt: '2026-11-20T00:00:00Z', critical: false });
  await h.applyAtom(NS, 'after');
  await h.waitFor('the plain Atom Ready', () => h.condition(NS, 'after', 'Ready')?.status === 'True', 30_000);
}, 240_000);
