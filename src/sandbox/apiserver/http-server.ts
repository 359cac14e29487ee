// The HTTPS front: bearer-token auth, body limits, fault injection, request
// accounting, routing to discovery or resource handlers, and Status errors.
// Nothing a client sends may crash the process: every request is caught.
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { maxBodyBytes } from './body.js';
import type { Cluster } from './cluster.js';
import { coreVersions, group, groupList, resourceList, serverVersion } from './discovery.js';
import { openApiDocument, openApiIndex } from './openapi.js';
import { ApiError, internalError } from './errors.js';
import type { SandboxFaults } from './faults.js';
import { parseResourcePath, verbOf } from './request-info.js';
import { handleResource } from './resource-handlers.js';
import type { RequestRecord, SandboxStats } from './stats.js';
import type { WatchHub } from './watch.js';

export interface ApiServerDeps {
  cluster: Cluster;
  watches: WatchHub;
  faults: SandboxFaults;
  stats: SandboxStats;
  token: string;
  cert: string;
  key: string;
  onInternalError: (err: unknown, req: IncomingMessage) => void;
}

const unauthenticatedPaths = new Set(['/healthz', '/livez', '/readyz', '/version']);

class PageNotFound extends Error {}

function sendJson(res: ServerResponse, code: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.headersSent) {
    if (!res.writableEnded) res.end();
    return;
  }
  const text = JSON.stringify(body);
  res.writeHead(code, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private', ...headers });
  res.end(text);
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? '0');
    const tooLarge = (): ApiError =>
      new ApiError(413, 'RequestEntityTooLarge', `Request entity too large: limit is ${maxBodyBytes}`);
    if (declared > maxBodyBytes) {
      req.resume();
      reject(tooLarge());
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBodyBytes) {
        reject(tooLarge());
        req.resume();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function nonResource(deps: ApiServerDeps, pathname: string, req: IncomingMessage): unknown {
  const registry = deps.cluster.registry;
  const seg = pathname.split('/').filter((s) => s.length > 0);
  if (pathname === '/version') return serverVersion;
  if (pathname === '/api')
    return coreVersions(
      req.socket.localAddress ? `${req.socket.localAddress}:${req.socket.localPort ?? 0}` : '127.0.0.1',
    );
  if (pathname === '/apis') return groupList(registry);
  if (pathname === '/openapi/v3') return openApiIndex(registry);
  if (seg[0] === 'openapi' && seg[1] === 'v3' && seg[2] === 'api' && seg.length === 4)
    return openApiDocument(registry, '', seg[3] ?? '') ?? pageNotFound();
  if (seg[0] === 'openapi' && seg[1] === 'v3' && seg[2] === 'apis' && seg.length === 5)
    return openApiDocument(registry, seg[3] ?? '', seg[4] ?? '') ?? pageNotFound();
  if (seg[0] === 'api' && seg.length === 2) return resourceList(registry, '', seg[1] ?? '') ?? pageNotFound();
  if (seg[0] === 'apis' && seg.length === 2) return group(registry, seg[1] ?? '') ?? pageNotFound();
  if (seg[0] === 'apis' && seg.length === 3)
    return resourceList(registry, seg[1] ?? '', seg[2] ?? '') ?? pageNotFound();
  return pageNotFound();
}

function pageNotFound(): never {
  throw new PageNotFound();
}

function errorFault(code: number, retryAfter: number): ApiError {
  if (code === 429) {
    return new ApiError(
      429,
      'TooManyRequests',
      'Too many requests, please try again later.',
      { retryAfterSeconds: retryAfter },
      { 'Retry-After': String(retryAfter) },
    );
  }
  if (code === 503) {
    return new ApiError(
      503,
      'ServiceUnavailable',
      'the server is currently unable to handle the request',
      { retryAfterSeconds: retryAfter },
      { 'Retry-After': String(retryAfter) },
    );
  }
  return new ApiError(500, 'InternalError', 'Internal error occurred: injected fault');
}

/** The field manager the real server derives from the User-Agent when none is given. */
function defaultManager(userAgent: string | undefined): string {
  const prefix = (userAgent ?? '').split('/')[0]?.trim() ?? '';
  return prefix.length > 0 ? prefix.slice(0, 128) : 'unknown';
}

async function handle(deps: ApiServerDeps, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'https://sandbox');
  const record: RequestRecord = {
    at: Date.now(),
    method: req.method ?? 'GET',
    path: url.pathname + url.search,
    code: 0,
  };
  // Recorded on arrival so open watches count; the status code is filled in when the response ends.
  deps.stats.record(record);
  res.on('finish', () => {
    record.code = res.statusCode;
    record.durationMs = Date.now() - record.at;
  });
  try {
    const auth = req.headers.authorization;
    if (!unauthenticatedPaths.has(url.pathname) && auth !== `Bearer ${deps.token}`) {
      req.resume();
      throw new ApiError(401, 'Unauthorized', 'Unauthorized');
    }
    const body = await readBody(req);
    const path = parseResourcePath(url.pathname);
    if (!path) {
      if (url.pathname === '/healthz' || url.pathname === '/livez' || url.pathname === '/readyz') {
        res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' });
        res.end('ok');
        return;
      }
      if (req.method !== 'GET') pageNotFound();
      // Plain JSON even when aggregated discovery is asked for: clients then fall back to per-group discovery.
      sendJson(res, 200, nonResource(deps, url.pathname, req));
      return;
    }
    const watch = url.searchParams.get('watch') === 'true' || url.searchParams.get('watch') === '1';
    const verb = verbOf(req.method ?? '', path, watch);
    const t = deps.cluster.registry.lookup(path.group, path.version, path.plural);
    if (!t) {
      if (deps.cluster.registry.groupVersions().get(path.group)?.includes(path.version)) {
        throw new ApiError(404, 'NotFound', 'the server could not find the requested resource', {});
      }
      pageNotFound();
    }
    if (!verb)
      throw new ApiError(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource');
    const resource = path.subresource ? `${t.plural}/${path.subresource}` : t.plural;
    const fieldManager = url.searchParams.get('fieldManager') ?? defaultManager(req.headers['user-agent']);
    Object.assign(record, { verb, resource, group: t.group, namespace: path.namespace, name: path.name });
    if (['create', 'update', 'patch'].includes(verb)) record.fieldManager = fieldManager;
    const delay = deps.faults.delayFor(verb, resource);
    if (delay > 0) await new Promise((r) => setTimeout(r, delay));
    const fault = deps.faults.errorFor(verb, resource);
    if (fault) throw errorFault(fault.code, fault.retryAfterSeconds ?? 1);
    const warnings: string[] = [];
    const reply = handleResource(
      { cluster: deps.cluster, watches: deps.watches, takeGone: (r) => deps.faults.takeGone(r) },
      {
        method: req.method ?? 'GET',
        path,
        t,
        verb,
        resource,
        query: url.searchParams,
        headers: req.headers,
        body,
        fieldManager,
        warnings,
      },
      res,
    );
    if (warnings.length > 0 && !res.headersSent)
      res.setHeader(
        'Warning',
        warnings.map((w) => `299 - ${JSON.stringify(w)}`),
      );
    if (reply?.text) {
      res.writeHead(reply.code, { 'Content-Type': 'text/plain' });
      res.end(String(reply.body));
    } else if (reply) sendJson(res, reply.code, reply.body);
  } catch (err) {
    if (err instanceof PageNotFound) {
      if (!res.headersSent) {
        res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff' });
        res.end('404 page not found\n');
      }
      return;
    }
    if (err instanceof ApiError) {
      sendJson(res, err.code, err.toStatus(), err.headers);
      return;
    }
    deps.onInternalError(err, req);
    const failure = internalError(err);
    sendJson(res, 500, failure.toStatus());
  }
}

export function createApiServer(deps: ApiServerDeps): Server {
  const server = createServer({ cert: deps.cert, key: deps.key }, (req, res) => {
    handle(deps, req, res).catch((err: unknown) => deps.onInternalError(err, req));
  });
  return server;
}
