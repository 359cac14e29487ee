// CRDs: establishment, discovery, schema enforcement with the real server's
// causes, defaults, pruning, status subresource, printer columns, deletion.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { KubernetesObjectApi, PatchStrategy, type KubernetesObject } from '@kubernetes/client-node';
import { load } from 'js-yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { failure, installWidgetCrd, raw, useSandbox, waitFor, widget } from './helpers.js';

const sandbox = useSandbox();

function objects(): KubernetesObjectApi {
  return KubernetesObjectApi.makeApiClient(sandbox().kubeConfig());
}

beforeAll(async () => {
  await installWidgetCrd(sandbox());
});

describe('a created CRD', () => {
  it('is Established with accepted names and a cleanup finalizer', async () => {
    const crd = (
      await raw(sandbox(), 'GET', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions/widgets.test.sandbox.io')
    ).json<{
      metadata: { finalizers: string[] };
      status: { conditions: { type: string; status: string; reason: string }[]; acceptedNames: { kind: string } };
    }>();
    expect(crd.status.conditions.map((c) => [c.type, c.status, c.reason])).toEqual([
      ['NamesAccepted', 'True', 'NoConflicts'],
      ['Established', 'True', 'InitialNamesAccepted'],
    ]);
    expect(crd.status.acceptedNames.kind).toBe('Widget');
    expect(crd.metadata.finalizers).toEqual(['customresourcecleanup.apiextensions.k8s.io']);
  });

  it('appears in discovery with its short names, categories and status subresource', async () => {
    const groups = (await raw(sandbox(), 'GET', '/apis')).json<{ groups: { name: string }[] }>();
    expect(groups.groups.map((g) => g.name)).toContain('test.sandbox.io');
    const list = (await raw(sandbox(), 'GET', '/apis/test.sandbox.io/v1')).json<{
      resources: { name: string; shortNames?: string[]; categories?: string[]; namespaced: boolean }[];
    }>();
    expect(list.resources.find((r) => r.name === 'widgets')).toMatchObject({
      shortNames: ['wg'],
      categories: ['all', 'sandbox'],
      namespaced: true,
    });
    expect(list.resources.map((r) => r.name)).toContain('widgets/status');
  });

  it('rejects a CRD whose name does not match plural.group', async () => {
    const res = await raw(sandbox(), 'POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', {
      contentType: 'application/json',
      body: JSON.stringify({
        apiVersion: 'apiextensions.k8s.io/v1',
        kind: 'CustomResourceDefinition',
        metadata: { name: 'wrong.test.sandbox.io' },
        spec: {
          group: 'test.sandbox.io',
          scope: 'Namespaced',
          names: { plural: 'gadgets', kind: 'Gadget' },
          versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object' } } }],
        },
      }),
    });
    expect(res.status).toBe(422);
    expect(res.json<{ details: { causes: { field: string }[] } }>().details.causes.map((c) => c.field)).toContain(
      'metadata.name',
    );
  });
});

describe('schema enforcement', () => {
  it.each([
    ['a missing required field', {}, 'spec.image', 'FieldValueRequired', 'Required value'],
    [
      'a value outside the enum',
      { image: 'a', update: { mode: 'Sometimes' } },
      'spec.update.mode',
      'FieldValueNotSupported',
      'Unsupported value: "Sometimes": supported values: "Automatic", "Manual", "Disabled"',
    ],
    [
      'a wrong type',
      { image: 'a', size: 'big' },
      'spec.size',
      'FieldValueTypeInvalid',
      'Invalid value: "string": spec.size in body must be of type integer: "string"',
    ],
    [
      'a number below minimum',
      { image: 'a', size: 0 },
      'spec.size',
      'FieldValueInvalid',
      'Invalid value: 0: spec.size in body should be greater than or equal to 1',
    ],
    [
      'a number above maximum',
      { image: 'a', size: 11 },
      'spec.size',
      'FieldValueInvalid',
      'Invalid value: 11: spec.size in body should be less than or equal to 10',
    ],
    [
      'a pattern mismatch',
      { image: 'UPPER' },
      'spec.image',
      'FieldValueInvalid',
      'Invalid value: "UPPER": spec.image in body should match \'^[a-z0-9./:-]+$\'',
    ],
    [
      'a string too short',
      { image: '' },
      'spec.image',
      'FieldValueInvalid',
      'Invalid value: "": spec.image in body should be at least 1 chars long',
    ],
    [
      'a string too long',
      { image: 'a'.repeat(65) },
      'spec.image',
      'FieldValueTooLong',
      'Too long: may not be more than 64 bytes',
    ],
    [
      'too many items',
      { image: 'a', tags: ['a', 'b', 'c', 'd'] },
      'spec.tags',
      'FieldValueTooMany',
      'Too many: 4: must have at most 3 items',
    ],
    [
      'too few items',
      { image: 'a', tags: [] },
      'spec.tags',
      'FieldValueInvalid',
      'Invalid value: 0: spec.tags in body should have at least 1 items',
    ],
    [
      'a bad date-time',
      { image: 'a', since: 'yesterday' },
      'spec.since',
      'FieldValueInvalid',
      'Invalid value: "yesterday": spec.since in body must be of type date-time: "yesterday"',
    ],
    [
      'null inside a list of strings',
      { image: 'a', tags: [null] },
      'spec.tags[0]',
      'FieldValueTypeInvalid',
      'Invalid value: "null": spec.tags[0] in body must be of type string: "null"',
    ],
    [
      'a duplicate map-list key',
      { image: 'a', ports: [{ name: 'x' }, { name: 'x' }] },
      'spec.ports[1]',
      'FieldValueDuplicate',
      undefined,
    ],
    ['a bad int-or-string', { image: 'a', port: 1.5 }, 'spec.port', 'FieldValueTypeInvalid', undefined],
  ])('answers %s with 422 Invalid and the field', async (_what, spec, field, reason, message) => {
    const status = await failure(objects().create(widget('invalid', spec)));
    expect(sandbox().store.get('widgets.test.sandbox.io', 'default', 'invalid')).toBeUndefined();
    expect(status).toMatchObject({
      code: 422,
      reason: 'Invalid',
      details: { name: 'invalid', group: 'test.sandbox.io', kind: 'Widget' },
    });
    const cause = status.details?.causes?.find((c) => c.field === field);
    expect(cause?.reason).toBe(reason);
    if (message) {
      expect(cause?.message).toBe(message);
      expect(status.message).toMatch(/^Widget\.test\.sandbox\.io "invalid" is invalid: /);
      expect(status.message).toContain(`${field}: ${message}`);
    }
  });

  it('accepts int-or-string, nullable and preserved unknown fields', async () => {
    const created = await objects().create(
      widget('valid', { image: 'a', port: 'http', note: null, extra: { anything: { goes: 1 } } }),
    );
    expect(created).toMatchObject({ spec: { port: 'http', note: null, extra: { anything: { goes: 1 } } } });
  });

  it('applies defaults, prunes unknown fields and drops nulls in non-nullable fields', async () => {
    const created = await objects().create(
      widget('defaults', { image: 'a', update: { window: null }, unknown: 1, size: null }),
    );
    expect(created.spec).toEqual({ image: 'a', size: 1, update: { mode: 'Automatic' } });
  });

  it('enforces the schema on patches and updates too', async () => {
    await objects().create(widget('patched', { image: 'a' }));
    const status = await failure(
      objects().patch(
        widget('patched', { size: 99 }) as KubernetesObject,
        undefined,
        undefined,
        undefined,
        undefined,
        PatchStrategy.MergePatch,
      ),
    );
    expect(status.details?.causes?.[0]?.field).toBe('spec.size');
  });

  it('refuses strategic merge patch on custom resources with 415', async () => {
    await objects().create(widget('smp', { image: 'a' }));
    const status = await failure(
      objects().patch(
        widget('smp', { size: 2 }) as KubernetesObject,
        undefined,
        undefined,
        undefined,
        undefined,
        PatchStrategy.StrategicMergePatch,
      ),
    );
    expect(status).toMatchObject({ code: 415, reason: 'UnsupportedMediaType' });
    expect(status.message).toBe(
      'the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml',
    );
  });

  it('rejects unknown fields under fieldValidation=Strict with 400', async () => {
    const res = await raw(
      sandbox(),
      'POST',
      '/apis/test.sandbox.io/v1/namespaces/default/widgets?fieldValidation=Strict',
      {
        contentType: 'application/json',
        body: JSON.stringify(widget('strict', { image: 'a', typo: 1 })),
      },
    );
    expect(res.status).toBe(400);
    expect(res.json<{ message: string }>().message).toBe(
      'Widget in version "v1" cannot be handled as a Widget: strict decoding error: unknown field "spec.typo"',
    );
  });
});

describe('x-kubernetes-validations (CEL)', () => {
  it('reports a failed rule at its fieldPath with its message', async () => {
    const status = await failure(
      objects().create(widget('cel-window', { image: 'a', update: { mode: 'Disabled', window: 'sat' } })),
    );
    expect(status.code).toBe(422);
    expect(status.details?.causes).toEqual([
      {
        reason: 'FieldValueInvalid',
        field: 'spec.update.window',
        message: 'Invalid value: "object": update.window has no effect when update.mode is Disabled',
      },
    ]);
  });

  it('words a rule without a message as "failed rule"', async () => {
    const status = await failure(objects().create(widget('cel-size', { image: 'a', size: 6 })));
    expect(status.details?.causes?.[0]).toEqual({
      reason: 'FieldValueInvalid',
      field: 'spec',
      message: 'Invalid value: "object": failed rule: self.size <= 5 || self.image.startsWith(\'big/\')',
    });
    await objects().create(widget('cel-size-ok', { image: 'big/a', size: 6 }));
  });

  it('evaluates transition rules with oldSelf on updates only', async () => {
    await objects().create(widget('cel-pinned', { image: 'pinned/a' }));
    const status = await failure(
      objects().patch(
        widget('cel-pinned', { image: 'other' }) as KubernetesObject,
        undefined,
        undefined,
        undefined,
        undefined,
        PatchStrategy.MergePatch,
      ),
    );
    expect(status.details?.causes?.[0]).toEqual({
      reason: 'FieldValueInvalid',
      field: 'spec.image',
      message: 'Invalid value: "string": a pinned image cannot change',
    });
  });
});

describe('the status subresource', () => {
  it('ignores status on the main endpoint and spec on /status', async () => {
    const created = await objects().create({ ...widget('st', { image: 'a' }), status: { phase: 'Ready' } });
    expect(created).not.toHaveProperty('status');
    const res = await raw(sandbox(), 'PATCH', '/apis/test.sandbox.io/v1/namespaces/default/widgets/st/status', {
      contentType: 'application/merge-patch+json',
      body: JSON.stringify({ spec: { image: 'changed' }, status: { phase: 'Ready' } }),
    });
    expect(res.status).toBe(200);
    const body = res.json<{ spec: { image: string }; status: { phase: string }; metadata: { generation: number } }>();
    expect(body.spec.image).toBe('a');
    expect(body.status.phase).toBe('Ready');
    expect(body.metadata.generation).toBe(1);
  });

  it('validates status writes against the schema', async () => {
    await objects().create(widget('st-bad', { image: 'a' }));
    const res = await raw(sandbox(), 'PATCH', '/apis/test.sandbox.io/v1/namespaces/default/widgets/st-bad/status', {
      contentType: 'application/merge-patch+json',
      body: JSON.stringify({ status: { observedGeneration: 'one' } }),
    });
    expect(res.status).toBe(422);
  });
});

describe('printer columns', () => {
  it('renders a Table with the CRD columns for kubectl', async () => {
    await objects().create(widget('table', { image: 'a', size: 3 }));
    await raw(sandbox(), 'PATCH', '/apis/test.sandbox.io/v1/namespaces/default/widgets/table/status', {
      contentType: 'application/merge-patch+json',
      body: JSON.stringify({ status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] } }),
    });
    const res = await raw(sandbox(), 'GET', '/apis/test.sandbox.io/v1/namespaces/default/widgets/table', {
      accept: 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json',
    });
    const table = res.json<{
      kind: string;
      columnDefinitions: { name: string; type: string }[];
      rows: { cells: unknown[]; object: { kind: string } }[];
    }>();
    expect(table.kind).toBe('Table');
    expect(table.columnDefinitions.map((c) => c.name)).toEqual(['Name', 'Phase', 'Size', 'Ready', 'Age']);
    expect(table.rows[0]?.cells.slice(0, 4)).toEqual(['table', 'Running', 3, 'True']);
    expect(table.rows[0]?.cells[4]).toMatch(/^\d+s$/);
    expect(table.rows[0]?.object.kind).toBe('PartialObjectMetadata');
  });
});

describe('deleting a CRD', () => {
  it('deletes its objects and stops serving it', async () => {
    const res = await raw(sandbox(), 'POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', {
      contentType: 'application/json',
      body: JSON.stringify({
        apiVersion: 'apiextensions.k8s.io/v1',
        kind: 'CustomResourceDefinition',
        metadata: { name: 'gizmos.test.sandbox.io' },
        spec: {
          group: 'test.sandbox.io',
          scope: 'Cluster',
          names: { plural: 'gizmos', kind: 'Gizmo' },
          versions: [
            {
              name: 'v1',
              served: true,
              storage: true,
              schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } },
            },
          ],
        },
      }),
    });
    expect(res.status).toBe(201);
    const created = await raw(sandbox(), 'POST', '/apis/test.sandbox.io/v1/gizmos', {
      contentType: 'application/json',
      body: JSON.stringify({ apiVersion: 'test.sandbox.io/v1', kind: 'Gizmo', metadata: { name: 'g1' } }),
    });
    expect(created.status).toBe(201);
    await raw(sandbox(), 'DELETE', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions/gizmos.test.sandbox.io');
    await waitFor(
      async () =>
        (await raw(sandbox(), 'GET', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions/gizmos.test.sandbox.io'))
          .status === 404,
      'CRD gone',
    );
    expect((await raw(sandbox(), 'GET', '/apis/test.sandbox.io/v1/gizmos')).status).toBe(404);
    expect(sandbox().store.get('gizmos.test.sandbox.io', undefined, 'g1')).toBeUndefined();
  });
});

const atomCrd = join(process.cwd(), 'crds', 'atoms.atomoperator.io.yaml');

describe.skipIf(!existsSync(atomCrd))('the Atom CRD from crds/', () => {
  it('is accepted and served', async () => {
    const crd = load(readFileSync(atomCrd, 'utf8'));
    const res = await raw(sandbox(), 'POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', {
      contentType: 'application/json',
      body: JSON.stringify(crd),
    });
    expect(res.status, res.text).toBe(201);
    const version = (crd as { spec: { versions: { name: string }[] } }).spec.versions[0]?.name ?? 'v1alpha1';
    await waitFor(
      async () =>
        (await raw(sandbox(), 'GET', `/apis/atomoperator.io/${version}/namespaces/default/atoms`)).status === 200,
      'atoms served',
    );
  });
});
