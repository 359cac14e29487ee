// One function per verb on /api(s)/... resource paths: decode the request,
// call the cluster, encode the answer (JSON, Table, or a watch stream).
import type { IncomingHttpHeaders, ServerResponse } from 'node:http';
import { answerReview, reviewKinds } from './access-review.js';
import { decodeObject, decodePatch, decodeJson } from './body.js';
import type { Cluster, WriteOptions } from './cluster.js';
import { deleteObject, deleteResponse, type DeleteOptions } from './deletion.js';
import { ApiError, badRequest, methodNotAllowed } from './errors.js';
import { listObjects } from './list.js';
import { isPlainObject } from './object-shape.js';
import {
  asPartialObjectMetadata,
  asPartialObjectMetadataList,
  metadataTarget,
  requireObjectTarget,
} from './partial-metadata.js';
import type { ResourcePath } from './request-info.js';
import { apiVersionOf, type ResourceType } from './resource-types.js';
import { extraFieldSelectors, parseFieldSelector, parseLabelSelector } from './selectors.js';
import type { Verb } from './stats.js';
import type { KubeObject } from './store.js';
import { toTable, type IncludeObject } from './table.js';
import type { WatchHub } from './watch.js';

export interface ResourceRequest {
  method: string;
  path: ResourcePath;
  t: ResourceType;
  verb: Verb;
  /** Plural with subresource, as stats and faults name it. */
  resource: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: Buffer;
  fieldManager: string;
  /** Collected for Warning response headers. */
  warnings: string[];
}

export interface Reply {
  code: number;
  body: unknown;
  /** Plain-text answers (pod logs) instead of JSON. */
  text?: boolean;
}

export interface HandlerContext {
  cluster: Cluster;
  watches: WatchHub;
  takeGone(resource: string): boolean;
}

function wantsTable(headers: IncomingHttpHeaders): boolean {
  return /as=Table/.test(headers.accept ?? '');
}

function includeObject(q: URLSearchParams): IncludeObject {
  const v = q.get('includeObject');
  return v === 'None' || v === 'Object' ? v : 'Metadata';
}

function writeOptions(req: ResourceRequest): WriteOptions {
  const q = req.query;
  const dryRun = q.getAll('dryRun');
  if (dryRun.some((d) => d !== 'All'))
    throw badRequest(`Unsupported value: "${dryRun.join(',')}": supported values: "All"`);
  const opts: WriteOptions = { dryRun: dryRun.includes('All'), warnings: req.warnings };
  const validation = q.get('fieldValidation');
  if (validation !== null) {
    if (validation !== 'Strict' && validation !== 'Warn' && validation !== 'Ignore') {
      throw badRequest(`fieldValidation parameter unsupported: ${validation}`);
    }
    opts.fieldValidation = validation;
  }
  const manager = q.get('fieldManager');
  if (manager !== null) opts.fieldManager = manager;
  if (req.path.subresource) opts.subresource = req.path.subresource;
  const force = q.get('force');
  if (force !== null) {
    if (req.verb !== 'patch' || !/apply-patch/.test(req.headers['content-type'] ?? '')) {
      throw badRequest('force: Forbidden: may not be specified for non-apply patch');
    }
    opts.force = force === 'true';
  }
  return opts;
}

function checkSubresource(req: ResourceRequest): void {
  const sub = req.path.subresource;
  if (sub === undefined) return;
  if (sub === 'log' && req.t.storeKey === '/pods' && req.verb === 'get') return;
  if (sub !== 'status' || !req.t.hasStatus || !['get', 'update', 'patch'].includes(req.verb)) {
    throw new ApiError(404, 'NotFound', 'the server could not find the requested resource', {});
  }
}

function listBody(t: ResourceType, items: KubeObject[], meta: Record<string, unknown>): unknown {
  const shown = t.custom ? items : items.map(({ apiVersion: _a, kind: _k, ...rest }) => rest);
  return { kind: t.listKind, apiVersion: apiVersionOf(t), metadata: meta, items: shown };
}

export function handleResource(ctx: HandlerContext, req: ResourceRequest, res: ServerResponse): Reply | undefined {
  const { cluster, t } = { cluster: ctx.cluster, t: req.t };
  const { namespace, name } = req.path;
  checkSubresource(req);
  if (reviewKinds.has(t.storeKey)) {
    // The answer does not depend on the question, so a protobuf body (kubectl's typed client) needs no decoding.
    const protobuf = /protobuf/.test(req.headers['content-type'] ?? '');
    return {
      code: 201,
      body: answerReview(
        t,
        req.verb,
        protobuf ? {} : decodeObject(req.headers['content-type'], req.body, t.kind, false),
      ),
    };
  }
  if (t.namespaced === false && namespace !== undefined)
    throw new ApiError(404, 'NotFound', 'the server could not find the requested resource', {});
  // Namespaced kinds are only listed and watched across namespaces; nothing else has a route there.
  if (t.namespaced && namespace === undefined && req.verb !== 'list' && req.verb !== 'watch') {
    if (name === undefined) throw methodNotAllowed();
    throw new ApiError(404, 'NotFound', 'the server could not find the requested resource', {});
  }
  switch (req.verb) {
    case 'get': {
      const obj = cluster.get(t, namespace, name ?? '');
      if (req.path.subresource === 'log') return podLog(obj, req.query);
      const metadataOnly = metadataTarget(req.headers);
      if (metadataOnly) return { code: 200, body: asPartialObjectMetadata(t, metadataOnly, obj) };
      if (wantsTable(req.headers))
        return {
          code: 200,
          body: toTable(t, [obj], includeObject(req.query), { resourceVersion: obj.metadata.resourceVersion }),
        };
      return { code: 200, body: obj };
    }
    case 'list': {
      const result = listObjects(cluster, t, t.namespaced ? namespace : undefined, req.query);
      const meta: Record<string, unknown> = { resourceVersion: result.resourceVersion };
      if (result.continue) meta.continue = result.continue;
      if (result.remainingItemCount !== undefined) meta.remainingItemCount = result.remainingItemCount;
      const metadataOnly = metadataTarget(req.headers);
      if (metadataOnly) return { code: 200, body: asPartialObjectMetadataList(t, metadataOnly, result.items, meta) };
      if (wantsTable(req.headers)) return { code: 200, body: toTable(t, result.items, includeObject(req.query), meta) };
      return { code: 200, body: listBody(t, result.items, meta) };
    }
    case 'watch': {
      openWatch(ctx, req, res);
      return undefined;
    }
    case 'create': {
      if (name !== undefined) throw methodNotAllowed();
      const body = decodeObject(req.headers['content-type'], req.body, t.kind, t.custom);
      const opts = writeOptions(req);
      return { code: 201, body: cluster.create(t, namespace, body, opts, req.fieldManager) };
    }
    case 'update': {
      const body = decodeObject(req.headers['content-type'], req.body, t.kind, t.custom);
      return { code: 200, body: cluster.update(t, namespace, name ?? '', body, writeOptions(req), req.fieldManager) };
    }
    case 'patch': {
      const { type, patch } = decodePatch(req.headers['content-type'], req.body, t.custom);
      const opts = writeOptions(req);
      const existed = cluster.find(t, namespace, name ?? '') !== undefined;
      const obj = cluster.patch(t, namespace, name ?? '', type, patch, opts, req.fieldManager);
      return { code: existed ? 200 : 201, body: obj };
    }
    case 'delete': {
      const opts = deleteOptions(req);
      const result = deleteObject(cluster, t, namespace, name ?? '', opts);
      return { code: 200, body: deleteResponse(t, result) };
    }
    case 'deletecollection': {
      if (t.storeKey === '/namespaces') throw methodNotAllowed();
      const opts = deleteOptions(req);
      const items = listObjects(cluster, t, t.namespaced ? namespace : undefined, req.query).items;
      for (const obj of items) {
        try {
          deleteObject(cluster, t, obj.metadata.namespace, obj.metadata.name, opts);
        } catch (err) {
          if (!(err instanceof ApiError && err.code === 404)) throw err;
        }
      }
      return { code: 200, body: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success' } };
    }
  }
}

/** There is no container runtime: every container has written nothing (yet). */
function podLog(pod: KubeObject, q: URLSearchParams): Reply {
  const containers = ((pod.spec as { containers?: { name: string }[] } | undefined)?.containers ?? []).map(
    (c) => c.name,
  );
  const container = q.get('container');
  if (container === null && containers.length > 1) {
    throw badRequest(
      `a container name must be specified for pod ${pod.metadata.name}, choose one of: [${containers.join(' ')}]`,
    );
  }
  if (container !== null && !containers.includes(container)) {
    throw badRequest(`container ${container} is not valid for pod ${pod.metadata.name}`);
  }
  return { code: 200, body: '', text: true };
}

function deleteOptions(req: ResourceRequest): DeleteOptions {
  const opts: DeleteOptions = {};
  if (req.body.length > 0) {
    const body = decodeJson(req.body);
    if (isPlainObject(body)) {
      if (typeof body.gracePeriodSeconds === 'number') opts.gracePeriodSeconds = body.gracePeriodSeconds;
      if (typeof body.propagationPolicy === 'string') opts.propagationPolicy = body.propagationPolicy;
      if (isPlainObject(body.preconditions)) opts.preconditions = body.preconditions as DeleteOptions['preconditions'];
      if (Array.isArray(body.dryRun) && body.dryRun.includes('All')) opts.dryRun = true;
      if (body.orphanDependents === true) opts.propagationPolicy ??= 'Orphan';
    }
  }
  const q = req.query;
  const grace = q.get('gracePeriodSeconds');
  if (grace !== null) opts.gracePeriodSeconds = Number(grace);
  const policy = q.get('propagationPolicy');
  if (policy !== null) opts.propagationPolicy = policy;
  if (q.getAll('dryRun').includes('All')) opts.dryRun = true;
  return opts;
}

function openWatch(ctx: HandlerContext, req: ResourceRequest, res: ServerResponse): void {
  const { t, query: q } = req;
  const metadataOnly = metadataTarget(req.headers);
  // Every event carries one object, so a list shape can never be served: refuse before the stream opens.
  if (metadataOnly) requireObjectTarget(t, metadataOnly);
  const table = wantsTable(req.headers);
  const include = includeObject(q);
  const timeout = q.get('timeoutSeconds');
  const rv = q.get('resourceVersion');
  if (rv !== null && rv !== '' && !/^\d+$/.test(rv)) throw badRequest(`invalid resource version "${rv}"`);
  const fieldSelector = q.get('fieldSelector');
  let fields = parseFieldSelector(fieldSelector, t.kind, extraFieldSelectors[t.storeKey] ?? []);
  if (req.path.name !== undefined) {
    const byName = parseFieldSelector(`metadata.name=${req.path.name}`, t.kind, []);
    const base = fields;
    fields = (o) => byName(o) && base(o);
  }
  ctx.watches.open(
    {
      t,
      resource: t.plural,
      namespace: t.namespaced ? req.path.namespace : undefined,
      labels: parseLabelSelector(q.get('labelSelector')),
      fields,
      resourceVersion: rv ?? undefined,
      allowBookmarks: q.get('allowWatchBookmarks') === 'true',
      acceptsGzip: /\bgzip\b/i.test(String(req.headers['accept-encoding'] ?? '')),
      sendInitialEvents: q.get('sendInitialEvents') === 'true',
      timeoutSeconds: timeout !== null ? Number(timeout) : undefined,
      forceGone: rv !== null && rv !== '' && rv !== '0' && ctx.takeGone(t.plural),
      ...(metadataOnly
        ? { bookmarkAs: { kind: 'PartialObjectMetadata', apiVersion: `meta.k8s.io/${metadataOnly.version}` } }
        : {}),
      render: (obj, first) => {
        const shown = ctx.cluster.present(t, obj);
        if (metadataOnly) return asPartialObjectMetadata(t, metadataOnly, shown);
        return table ? toTable(t, [shown], include, { resourceVersion: shown.metadata.resourceVersion }, first) : shown;
      },
    },
    res,
  );
}
