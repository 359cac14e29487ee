// The GitOps examples point at paths that exist and that their GitRepository does not
// ignore, and Flux's health expressions judge Atoms the way the Argo CD check does.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { evaluate } from '@marcbachmann/cel-js';
import { load } from 'js-yaml';
import { z } from 'zod';
import { repoRoot } from './helm.js';

const flux = (file: string): unknown => load(readFileSync(join(repoRoot, 'examples/gitops/flux', file), 'utf8'));

const gitRepository = z
  .object({ kind: z.literal('GitRepository'), spec: z.object({ ignore: z.string() }) })
  .parse(flux('gitrepository.yaml'));
const kustomization = z.object({
  kind: z.literal('Kustomization'),
  metadata: z.object({ name: z.string() }),
  spec: z.object({
    path: z.string(),
    sourceRef: z.object({ kind: z.literal('GitRepository'), name: z.literal('atom-operator') }),
    dependsOn: z.array(z.object({ name: z.string() })).optional(),
    healthCheckExprs: z
      .array(
        z.object({
          apiVersion: z.string(),
          kind: z.string(),
          inProgress: z.string(),
          failed: z.string(),
          current: z.string(),
        }),
      )
      .optional(),
  }),
});
const operator = kustomization.parse(flux('operator-kustomization.yaml'));
const fleet = kustomization.parse(flux('fleet-kustomization.yaml'));
const release = z
  .object({
    kind: z.literal('HelmRelease'),
    spec: z.object({
      chart: z.object({
        spec: z.object({ chart: z.string(), sourceRef: z.object({ name: z.literal('atom-operator') }) }),
      }),
    }),
  })
  .parse(flux('operator/helmrelease.yaml'));

/** The folders the GitRepository keeps: its ignore is "/*" plus one "!/dir/" line per kept folder. */
const kept = gitRepository.spec.ignore
  .split('\n')
  .filter((l) => l.startsWith('!/'))
  .map((l) => `./${l.slice(2).replace(/\/$/, '')}`);

describe('Flux example', () => {
  it.each([
    ['the operator Kustomization', operator.spec.path],
    ['the fleet Kustomization', fleet.spec.path],
    ['the HelmRelease chart', release.spec.chart.spec.chart],
  ])('%s points at a folder that exists and is not ignored', (_what, path) => {
    expect(existsSync(join(repoRoot, path)), path).toBe(true);
    expect(kept).toContain(path);
  });

  it('applies the fleet only after the operator', () => {
    expect(fleet.spec.dependsOn).toEqual([{ name: operator.metadata.name }]);
  });

  const exprs = fleet.spec.healthCheckExprs?.[0];
  const judge = (atom: Record<string, unknown>) => ({
    inProgress: evaluate(exprs?.inProgress ?? 'false', atom),
    failed: evaluate(exprs?.failed ?? 'false', atom),
    current: evaluate(exprs?.current ?? 'false', atom),
  });
  const cond = (type: string, status: string) => ({ type, status, reason: 'R', message: 'm' });

  it.each([
    [
      'Ready',
      {
        metadata: { generation: 2 },
        status: { observedGeneration: 2, conditions: [cond('Ready', 'True'), cond('Degraded', 'False')] },
      },
      { inProgress: false, failed: false, current: true },
    ],
    [
      'Degraded',
      {
        metadata: { generation: 2 },
        status: { observedGeneration: 2, conditions: [cond('Ready', 'True'), cond('Degraded', 'True')] },
      },
      { inProgress: false, failed: true, current: true },
    ],
    [
      'not yet observed',
      { metadata: { generation: 3 }, status: { observedGeneration: 2, conditions: [cond('Ready', 'True')] } },
      { inProgress: true, failed: false, current: true },
    ],
    [
      'without conditions',
      { metadata: { generation: 1 }, status: {} },
      { inProgress: true, failed: false, current: false },
    ],
  ])('judges an Atom that is %s', (_what, atom, expected) => {
    expect(exprs?.kind).toBe('Atom');
    expect(judge(atom)).toEqual(expected);
  });
});
