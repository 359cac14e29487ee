// Metadata-only responses (`Accept: application/json;as=PartialObjectMetadata[List];g=meta.k8s.io;v=v1`),
// what controller-runtime's metadata cache and client-go's metadata client ask for: a watch of a kind's
// metadata costs the client nothing for the kind's contents (a Helm release Secret's 180 KB stay
// on the server). As in the real API server, a get or a watch event takes `PartialObjectMetadata`, a
// list takes `PartialObjectMetadataList`, and asking for the wrong one is 406 NotAcceptable, not a
// silent fallback to full objects.
import type { IncomingHttpHeaders } from 'node:http';
import { ApiError } from './errors.js';
import type { ResourceType } from './resource-types.js';
import type { KubeObject } from './store.js';

export type MetadataTarget = 'PartialObjectMetadata' | 'PartialObjectMetadataList';

const META_GROUP = 'meta.k8s.io';
const META_VERSIONS = new Set(['v1', 'v1beta1']);

function notAcceptable(message: string): ApiError {
  return new ApiError(406, 'NotAcceptable', message);
}

function mediaParams(range: string): Map<string, string> {
  const params = new Map<string, string>();
  for (const part of range.split(';').slice(1)) {
    const eq = part.indexOf('=');
    if (eq > 0) params.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  return params;
}

/**
 * The metadata conversion the client asked for, if any: the first media range of the Accept header
 * that names a conversion (`as=`) decides, as the server's negotiation picks the client's first choice.
 */
export function metadataTarget(headers: IncomingHttpHeaders): { kind: MetadataTarget; version: string } | undefined {
  for (const range of (headers.accept ?? '').split(',')) {
    const params = mediaParams(range);
    const as = params.get('as');
    if (as === undefined) continue;
    if (as !== 'PartialObjectMetadata' && as !== 'PartialObjectMetadataList') return undefined;
    const group = params.get('g') ?? '';
    const version = params.get('v') ?? '';
    if (group !== META_GROUP || !META_VERSIONS.has(version)) {
      throw notAcceptable(`no ${as} exists in group version ${group}/${version}`);
    }
    return { kind: as, version };
  }
  return undefined;
}

function goListType(t: ResourceType): string {
  return t.custom ? '*unstructured.UnstructuredList' : `*${t.group ? t.group.split('.')[0] : 'core'}.${t.listKind}`;
}

function goObjectType(t: ResourceType): string {
  return t.custom ? '*unstructured.Unstructured' : `*${t.group ? t.group.split('.')[0] : 'core'}.${t.kind}`;
}

/** Refuses a list shape where one object is served (a get, or each event of a watch). */
export function requireObjectTarget(t: ResourceType, target: { kind: MetadataTarget }): void {
  if (target.kind !== 'PartialObjectMetadata') {
    throw notAcceptable(
      `you requested PartialObjectMetadataList, but the requested object is not a list (${goObjectType(t)})`,
    );
  }
}

/** One object as PartialObjectMetadata; refused when the client asked for a list shape. */
export function asPartialObjectMetadata(
  t: ResourceType,
  target: { kind: MetadataTarget; version: string },
  obj: KubeObject,
): Record<string, unknown> {
  requireObjectTarget(t, target);
  return { kind: 'PartialObjectMetadata', apiVersion: `${META_GROUP}/${target.version}`, metadata: obj.metadata };
}

/** A list as PartialObjectMetadataList (items keep their kind); refused when the client asked for one object. */
export function asPartialObjectMetadataList(
  t: ResourceType,
  target: { kind: MetadataTarget; version: string },
  items: KubeObject[],
  listMeta: Record<string, unknown>,
): Record<string, unknown> {
  if (target.kind !== 'PartialObjectMetadataList') {
    throw notAcceptable(`you requested PartialObjectMetadata, but the requested object is a list (${goListType(t)})`);
  }
  const apiVersion = `${META_GROUP}/${target.version}`;
  return {
    kind: 'PartialObjectMetadataList',
    apiVersion,
    metadata: listMeta,
    items: items.map((obj) => ({ kind: 'PartialObjectMetadata', apiVersion, metadata: obj.metadata })),
  };
}
