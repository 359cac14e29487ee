// LIST semantics: selectors, resourceVersion/resourceVersionMatch, and
// limit/continue pagination over a consistent snapshot.
import { ApiError, badRequest, expired } from './errors.js';
import type { Cluster } from './cluster.js';
import { extraFieldSelectors, parseFieldSelector, parseLabelSelector } from './selectors.js';
import type { ResourceType } from './resource-types.js';
import type { KubeObject } from './store.js';

export interface ListResult {
  items: KubeObject[];
  resourceVersion: string;
  continue?: string;
  remainingItemCount?: number;
}

interface ContinueToken {
  v: string;
  rv: number;
  start: string;
}

function encodeContinue(rv: number, start: string): string {
  return Buffer.from(JSON.stringify({ v: 'meta.k8s.io/v1', rv, start })).toString('base64url');
}

function decodeContinue(token: string): ContinueToken {
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as Partial<ContinueToken>;
    if (parsed.v !== 'meta.k8s.io/v1' || typeof parsed.rv !== 'number' || typeof parsed.start !== 'string')
      throw new Error('bad');
    return parsed as ContinueToken;
  } catch {
    throw badRequest('continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)');
  }
}

const tooOldContinue =
  'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.';

function keyOf(o: KubeObject): string {
  return `${o.metadata.namespace ?? ''}/${o.metadata.name}`;
}

export function listObjects(
  cluster: Cluster,
  t: ResourceType,
  namespace: string | undefined,
  q: URLSearchParams,
): ListResult {
  const labels = parseLabelSelector(q.get('labelSelector'));
  const fields = parseFieldSelector(q.get('fieldSelector'), t.kind, extraFieldSelectors[t.storeKey] ?? []);
  const limit = Number(q.get('limit') ?? '0');
  const token = q.get('continue');
  const rvParam = q.get('resourceVersion') ?? '';
  const match = q.get('resourceVersionMatch') ?? '';
  const current = cluster.store.currentRevision();
  let rv = current;
  let start = '';
  let all: readonly KubeObject[] | undefined;
  if (token) {
    if (rvParam !== '') throw badRequest('specifying resource version is not allowed when using continue');
    const decoded = decodeContinue(token);
    rv = decoded.rv;
    start = decoded.start;
    all = cluster.store.snapshotAt(t.storeKey, rv);
    if (!all) throw expired(tooOldContinue);
  } else if (rvParam !== '' && rvParam !== '0') {
    const wanted = Number(rvParam);
    if (!Number.isInteger(wanted)) throw badRequest(`invalid resource version "${rvParam}"`);
    if (wanted > current) {
      throw new ApiError(504, 'Timeout', `Timeout: Too large resource version: ${wanted}, current: ${current}`, {
        causes: [
          { reason: 'ResourceVersionTooLarge', message: `Too large resource version: ${wanted}, current: ${current}` },
        ],
        retryAfterSeconds: 1,
      });
    }
    if (match === 'Exact') {
      all = cluster.store.snapshotAt(t.storeKey, wanted);
      if (!all) throw expired(`too old resource version: ${wanted} (${cluster.store.compactedRevision()})`);
      rv = wanted;
    }
  } else if (match === 'Exact') {
    throw badRequest('resourceVersionMatch "Exact" is forbidden for resourceVersion "0" or unset');
  }
  all ??= cluster.store.listShared(t.storeKey);
  let items = all.filter(
    (o) =>
      (namespace === undefined || o.metadata.namespace === namespace) && labels(o.metadata.labels ?? {}) && fields(o),
  );
  if (start) items = items.filter((o) => keyOf(o) >= start);
  const result: ListResult = { items, resourceVersion: String(rv) };
  if (limit > 0 && items.length > limit) {
    result.items = items.slice(0, limit);
    const last = result.items[result.items.length - 1];
    if (last) result.continue = encodeContinue(rv, `${keyOf(last)}\u0000`);
    if (!q.get('labelSelector') && !q.get('fieldSelector')) result.remainingItemCount = items.length - limit;
  }
  result.items = result.items.map((o) => cluster.present(t, o));
  return result;
}
