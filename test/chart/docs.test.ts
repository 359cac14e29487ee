// Every chart value is documented, in values.yaml, in the schema and in docs/chart-values.md,
// and the three agree.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { load } from 'js-yaml';
import { z } from 'zod';
import {
  chartReadme,
  chartReadmePath,
  chartValuesDoc,
  undocumentedValues,
  valueDocs,
  valuesDocPath,
  valuesPath,
  valuesSchemaPath,
  valuesSchemaWithDescriptions,
} from '../../hack/generate-chart-docs.js';
import { repoRoot } from './helm.js';

const valuesText = readFileSync(join(repoRoot, valuesPath), 'utf8');

interface SchemaNode {
  type?: string;
  properties?: Record<string, SchemaNode>;
  additionalProperties?: boolean | SchemaNode;
  items?: SchemaNode;
}
const schemaNode: z.ZodType<SchemaNode> = z.lazy(() =>
  z
    .object({
      type: z.string().optional(),
      properties: z.record(z.string(), schemaNode).optional(),
      additionalProperties: z.union([z.boolean(), schemaNode]).optional(),
      items: schemaNode.optional(),
    })
    .loose(),
);
const schema = schemaNode.parse(
  JSON.parse(readFileSync(join(repoRoot, 'charts/atom-operator/values.schema.json'), 'utf8')),
);

/** Paths of the schema's declared properties, as values.yaml keys. */
function schemaPaths(node: SchemaNode, prefix = ''): string[] {
  return Object.entries(node.properties ?? {}).flatMap(([k, child]) => {
    const path = prefix ? `${prefix}.${k}` : k;
    return [path, ...(child.type === 'object' ? schemaPaths(child, path) : [])];
  });
}

function valuePaths(value: unknown, prefix = ''): string[] {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return [];
  return Object.entries(value).flatMap(([k, v]) => {
    const path = prefix ? `${prefix}.${k}` : k;
    return [path, ...valuePaths(v, path)];
  });
}

/** Values typed by Kubernetes itself; the schema checks their fields, values.yaml shows only a default. */
const kubernetesTyped = [
  'resources',
  'affinity',
  'podSecurityContext',
  'containerSecurityContext',
  'strategy',
  'livenessProbe',
  'readinessProbe',
  'startupProbe',
];

/** Objects whose keys are free-form (maps of labels, resource quantities, Kubernetes types). */
function openObjects(node: SchemaNode, prefix = ''): string[] {
  return Object.entries(node.properties ?? {}).flatMap(([k, child]) => {
    const path = prefix ? `${prefix}.${k}` : k;
    const own = child.type === 'object' && child.additionalProperties !== false ? [path] : [];
    return [...own, ...openObjects(child, path)];
  });
}

describe('chart values documentation', () => {
  it(`${valuesDocPath} is what hack/generate-chart-docs.ts renders from values.yaml`, () => {
    const onDisk = readFileSync(join(repoRoot, valuesDocPath), 'utf8');
    expect(onDisk, 'stale: run `npx tsx hack/generate-chart-docs.ts`').toBe(chartValuesDoc(valuesText));
  });

  it(`${chartReadmePath} (helm show readme) carries the same values table`, () => {
    const onDisk = readFileSync(join(repoRoot, chartReadmePath), 'utf8');
    expect(onDisk, 'stale: run `npx tsx hack/generate-chart-docs.ts`').toBe(chartReadme(valuesText));
  });

  it(`${valuesSchemaPath} describes each value as values.yaml does`, () => {
    const onDisk = readFileSync(join(repoRoot, valuesSchemaPath), 'utf8');
    expect(onDisk, 'stale: run `npx tsx hack/generate-chart-docs.ts`').toBe(
      valuesSchemaWithDescriptions(onDisk, valuesText),
    );
  });

  it('every value in values.yaml has a "# --" description', () => {
    expect(undocumentedValues(valuesText)).toEqual([]);
  });

  it('the generator refuses values without a description, naming them', () => {
    const text = ['# -- Documented.', 'a: 1', 'b:', '  # -- Documented too.', '  c: true', '  d: x', ''].join('\n');
    expect(undocumentedValues(text)).toEqual(['b.d']);
    expect(() => chartValuesDoc(text)).toThrow(/b\.d/);
  });

  it('documents objects as a whole when the object carries the description', () => {
    const text = ['# -- Requests and limits.', 'resources:', '  limits:', '    cpu: 1', ''].join('\n');
    expect(undocumentedValues(text)).toEqual([]);
    expect(valueDocs(text)).toEqual([
      { key: 'resources', type: 'object', default: { limits: { cpu: 1 } }, description: 'Requests and limits.' },
    ]);
  });
});

describe('values.schema.json', () => {
  it('declares exactly the keys values.yaml has (besides Helm\'s own "global")', () => {
    // Keys below free-form maps and Kubernetes types (resources.requests.cpu) are data, not the chart's structure.
    const data = [...openObjects(schema), ...kubernetesTyped];
    const structural = (p: string) => p !== 'global' && !data.some((o) => p.startsWith(`${o}.`));
    const declared = schemaPaths(schema).filter(structural);
    const inValues = valuePaths(load(valuesText)).filter(structural);
    expect(new Set(declared)).toEqual(new Set(inValues));
  });

  it("rejects unknown keys at every level of the chart's own structure", () => {
    const open = new Set(openObjects(schema));
    const allowedOpen = [
      'global',
      'operator.agentProfile',
      'affinity.nodeAffinity',
      'affinity.podAffinity',
      'affinity.podAntiAffinity',
      'serviceAccount.annotations',
      'podAnnotations',
      'podLabels',
      'nodeSelector',
      'metrics.service.annotations',
      'commonLabels',
      'serviceMonitor.labels',
      'serviceMonitor.annotations',
      'podMonitor.labels',
      'podMonitor.annotations',
      'grafanaDashboard.labels',
      'grafanaDashboard.annotations',
      'prometheusRule.labels',
      'prometheusRule.additionalAlertLabels',
    ];
    expect([...open].sort()).toEqual(allowedOpen.sort());
    expect(schema.additionalProperties).toBe(false);
  });
});
