// What Prometheus scrapes about Atoms: the per-Atom series name the Atom by `atom_namespace` and
// `atom` (a `namespace` label would collide with the scrape target's own), and only Atoms that
// need attention get a series of their own.
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import type { Atom } from '../../api/atom.js';
import type { KubeObject } from '../../kube/resource.js';
import { atom, inNamespace } from '../../../test/support/fixtures.js';
import { FleetView } from './fleet-view.js';
import { registerAtomMetrics } from './metrics.js';
import type { CacheReader } from './ports.js';

const at = '2026-01-01T00:00:00Z';
const withStatus = (a: Atom, status: Record<string, unknown>): KubeObject => ({ ...a, status }) as KubeObject;

function cacheOf(objects: KubeObject[]): CacheReader {
  return {
    get: () => undefined,
    getByName: (ns, name) => objects.find((o) => o.metadata.namespace === ns && o.metadata.name === name),
    byIndex: () => [],
    list: () => objects,
  };
}

async function scrape(objects: KubeObject[]): Promise<string> {
  const registry = new Registry();
  const atoms = cacheOf(objects);
  const fleet = new FleetView({
    atoms,
    policy: { maxConcurrent: 1, soakSeconds: 0, haltThreshold: 2, scope: 'Cluster' },
    allowCriticalOverride: false,
    releaseOf: () => undefined,
  });
  registerAtomMetrics(registry, atoms, fleet, () => new Date(at));
  return registry.metrics();
}

const degraded = (reason: string) => ({
  conditions: [{ type: 'Degraded', status: 'True', reason, message: 'x', lastTransitionTime: at }],
});

describe('per-Atom metrics', () => {
  it('label the certificate expiry with atom_namespace and atom, never namespace', async () => {
    const text = await scrape([
      withStatus(atom('a', inNamespace('team-a')), { certificate: { notAfter: '2027-01-01T00:00:00Z' } }),
      withStatus(atom('b', inNamespace('team-b')), {}),
    ]);
    const expiry = text.split('\n').filter((l) => l.startsWith('atom_operator_certificate_expiry_timestamp_seconds'));
    expect(expiry).toEqual([
      `atom_operator_certificate_expiry_timestamp_seconds{atom_namespace="team-a",atom="a"} ${Date.parse('2027-01-01T00:00:00Z') / 1000}`,
    ]);
    expect(text).not.toMatch(/[{,]namespace="/);
  });

  it('give a series only to Degraded Atoms, with the reason, and drop it when the Atom recovers', async () => {
    const sick = atom('sick', inNamespace('team-a'));
    const lines = (text: string) => text.split('\n').filter((l) => l.startsWith('atom_operator_atom_degraded{'));
    expect(
      lines(
        await scrape([
          withStatus(sick, degraded('RolledBack')),
          withStatus(atom('fine', inNamespace('team-a')), {
            conditions: [
              { type: 'Degraded', status: 'False', reason: 'AsExpected', message: 'x', lastTransitionTime: at },
            ],
          }),
        ]),
      ),
    ).toEqual(['atom_operator_atom_degraded{atom_namespace="team-a",atom="sick",reason="RolledBack"} 1']);
    expect(lines(await scrape([withStatus(sick, {})]))).toEqual([]);
  });
});
