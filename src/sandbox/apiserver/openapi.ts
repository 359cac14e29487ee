// A small OpenAPI v3 surface: enough for kubectl to see that the server does
// field validation (so it validates server-side), to build apply patches, and
// to `explain` custom resources from their CRD schema. Built-in kinds get
// only a skeleton schema; /openapi/v2 stays 404, which kubectl tolerates.
import { createHash } from 'node:crypto';
import type { JsonSchema } from './json-schema.js';
import type { ResourceRegistry, ResourceType } from './resource-types.js';

function gvPath(group: string, version: string): string {
  return group ? `apis/${group}/${version}` : `api/${version}`;
}

export function openApiIndex(registry: ResourceRegistry): unknown {
  const paths: Record<string, unknown> = {};
  for (const [group, versions] of registry.groupVersions()) {
    for (const version of versions) {
      const doc = JSON.stringify(openApiDocument(registry, group, version));
      const hash = createHash('sha512').update(doc).digest('hex').slice(0, 128).toUpperCase();
      paths[gvPath(group, version)] = { serverRelativeURL: `/openapi/v3/${gvPath(group, version)}?hash=${hash}` };
    }
  }
  return { paths };
}

function schemaName(t: ResourceType): string {
  const reversed = t.group ? t.group.split('.').reverse().join('.') : 'io.k8s.api.core';
  return `${reversed}.${t.version}.${t.kind}`;
}

const objectMeta: JsonSchema = { type: 'object', description: 'Standard object metadata.' };

function kindSchema(t: ResourceType): Record<string, unknown> {
  const gvk = [{ group: t.group, version: t.version, kind: t.kind }];
  const base = t.schema ?? { type: 'object', 'x-kubernetes-preserve-unknown-fields': true };
  const properties = {
    apiVersion: {
      type: 'string',
      description: 'APIVersion defines the versioned schema of this representation of an object.',
    },
    kind: {
      type: 'string',
      description: 'Kind is a string value representing the REST resource this object represents.',
    },
    metadata: objectMeta,
    ...(base.properties ?? {}),
  };
  return { ...base, type: 'object', properties, 'x-kubernetes-group-version-kind': gvk };
}

const bodyTypes = ['application/json-patch+json', 'application/merge-patch+json', 'application/apply-patch+yaml'];

function queryParam(name: string): unknown {
  return { name, in: 'query', schema: { type: 'string', uniqueItems: true } };
}

function operations(t: ResourceType): Record<string, unknown> {
  const ref = { $ref: `#/components/schemas/${schemaName(t)}` };
  const gvk = { group: t.group, version: t.version, kind: t.kind };
  const params = ['dryRun', 'fieldManager', 'fieldValidation'].map(queryParam);
  const content = (types: string[]): unknown => Object.fromEntries(types.map((ct) => [ct, { schema: ref }]));
  return {
    get: {
      operationId: `read${t.kind}`,
      'x-kubernetes-action': 'get',
      'x-kubernetes-group-version-kind': gvk,
      responses: { '200': { content: content(['application/json']) } },
    },
    put: {
      operationId: `replace${t.kind}`,
      'x-kubernetes-action': 'put',
      'x-kubernetes-group-version-kind': gvk,
      parameters: params,
      requestBody: { content: content(['application/json']) },
    },
    patch: {
      operationId: `patch${t.kind}`,
      'x-kubernetes-action': 'patch',
      'x-kubernetes-group-version-kind': gvk,
      parameters: [...params, queryParam('force')],
      // No strategic-merge content type: kubectl then derives patch metadata from its compiled-in types.
      requestBody: { content: content(bodyTypes) },
    },
    delete: { operationId: `delete${t.kind}`, 'x-kubernetes-action': 'delete', 'x-kubernetes-group-version-kind': gvk },
  };
}

export function openApiDocument(registry: ResourceRegistry, group: string, version: string): unknown | undefined {
  const types = registry.all().filter((t) => t.group === group && t.version === version);
  if (types.length === 0) return undefined;
  const paths: Record<string, unknown> = {};
  const schemas: Record<string, unknown> = {};
  for (const t of types) {
    const prefix = `/${gvPath(t.group, t.version)}${t.namespaced ? '/namespaces/{namespace}' : ''}/${t.plural}`;
    paths[`${prefix}/{name}`] = operations(t);
    paths[prefix] = {
      get: {
        operationId: `list${t.kind}`,
        'x-kubernetes-action': 'list',
        'x-kubernetes-group-version-kind': { group: t.group, version: t.version, kind: t.kind },
      },
      post: {
        operationId: `create${t.kind}`,
        'x-kubernetes-action': 'post',
        'x-kubernetes-group-version-kind': { group: t.group, version: t.version, kind: t.kind },
        parameters: ['dryRun', 'fieldManager', 'fieldValidation'].map(queryParam),
      },
    };
    if (t.hasStatus) paths[`${prefix}/{name}/status`] = operations(t);
    schemas[schemaName(t)] = kindSchema(t);
  }
  return {
    openapi: '3.0.0',
    info: { title: 'Kubernetes', version: 'v1.32.0' },
    paths,
    components: { schemas },
  };
}
