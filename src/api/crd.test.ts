import { readFileSync } from 'node:fs';
import { load } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { atomCRD, type JSONSchema } from './crd.js';
import { atomCRDYaml, crdFiles } from './crd-yaml.js';
import { structuralSchemaErrors, undescribedFields } from './structural.js';

const root = new URL('../../', import.meta.url);
const schemaOf = (crd: JSONSchema) =>
  (crd.spec as { versions: { schema: { openAPIV3Schema: JSONSchema } }[] }).versions[0]!.schema.openAPIV3Schema;

describe('the Atom CRD', () => {
  it.each(Object.keys(crdFiles()))('checked-in %s is what `npm run generate` produces', (path) => {
    const onDisk = readFileSync(new URL(path, root), 'utf8');
    expect(onDisk, `${path} is stale: run npm run generate`).toBe(crdFiles()[path]);
  });

  it('is generated the same way every time', () => {
    expect(atomCRDYaml()).toBe(atomCRDYaml());
  });

  it('has a structural schema by the API server rules', () => {
    expect(structuralSchemaErrors(schemaOf(atomCRD()))).toEqual([]);
  });

  it('describes every field of spec and status', () => {
    expect(undescribedFields(schemaOf(atomCRD()))).toEqual(['metadata']);
  });

  it('round-trips through YAML and carries status subresource, printer columns, short name and category', () => {
    const crd = load(atomCRDYaml()) as JSONSchema;
    const spec = crd.spec as Record<string, any>;
    expect(spec.names).toMatchObject({
      kind: 'Atom',
      plural: 'atoms',
      shortNames: ['atm'],
      categories: ['atom-operator'],
    });
    expect(spec.versions[0].subresources).toEqual({ status: {} });
    expect(
      spec.versions[0].additionalPrinterColumns.map((c: { name: string; priority?: number }) =>
        c.priority ? `${c.name} (wide)` : c.name,
      ),
    ).toEqual(['Ready', 'Phase', 'Version', 'Advertised', 'Cert-Expiry', 'Status (wide)', 'Age']);
    expect(spec.versions[0].schema.openAPIV3Schema.properties.status.properties.conditions).toMatchObject({
      'x-kubernetes-list-type': 'map',
      'x-kubernetes-list-map-keys': ['type'],
    });
  });

  it.each([
    [{ type: 'object', properties: { a: {} } }, 'a: type must not be empty'],
    [
      {
        type: 'object',
        properties: { a: { type: 'object', properties: {}, additionalProperties: { type: 'string' } } },
      },
      'a: additionalProperties and properties are mutually exclusive',
    ],
    [
      { type: 'object', properties: { a: { type: 'string', anyOf: [{ type: 'string', description: 'x' }] } } },
      'a.anyOf[0]: type is forbidden inside anyOf',
    ],
    [{ type: 'object', properties: { a: { $ref: '#/x', type: 'string' } } }, 'a: $ref is not allowed in a CRD schema'],
    [
      {
        type: 'array',
        items: { type: 'object', properties: { k: { type: 'string' } } },
        'x-kubernetes-list-type': 'map',
        'x-kubernetes-list-map-keys': ['k'],
      },
      '(root): list map key k must be required or defaulted',
    ],
  ])('the structural check rejects %j', (schema, message) => {
    expect(structuralSchemaErrors(schema as JSONSchema)).toContain(message);
  });
});
