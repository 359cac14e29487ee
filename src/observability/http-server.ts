// Small node:http servers for probes and metrics. Every replica serves them,
// leader or not, so Kubernetes can tell a healthy standby from a broken pod.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';

export interface RunningServer {
  readonly port: number;
  close(): Promise<void>;
}

export type Route = (req: IncomingMessage, res: ServerResponse) => Promise<void> | void;

/** ":8080" listens on every interface, "127.0.0.1:0" on loopback with a random port. */
export function parseListenAddress(address: string): { host: string | undefined; port: number } {
  const colon = address.lastIndexOf(':');
  const host = address.slice(0, colon).replace(/^\[|\]$/g, '');
  return { host: host === '' ? undefined : host, port: Number(address.slice(colon + 1)) };
}

export async function startHttpServer(
  address: string,
  routes: Readonly<Record<string, Route>>,
): Promise<RunningServer> {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const route = routes[path];
    if (!route || (req.method !== 'GET' && req.method !== 'HEAD')) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
      return;
    }
    Promise.resolve(route(req, res)).catch(() => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end('internal error\n');
    });
  });
  // Probes must not keep idle sockets around after close.
  server.keepAliveTimeout = 5_000;
  const { host, port } = parseListenAddress(address);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

export interface ReadinessReport {
  readonly ready: boolean;
  /** Why not ready, in words (e.g. "cache pods not synced"). */
  readonly reasons: readonly string[];
}

export function healthRoutes(readiness: () => ReadinessReport): Record<string, Route> {
  return {
    '/healthz': (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
    },
    '/readyz': (_req, res) => {
      const report = readiness();
      res
        .writeHead(report.ready ? 200 : 503, { 'content-type': 'text/plain' })
        .end(report.ready ? 'ok\n' : `not ready: ${report.reasons.join('; ')}\n`);
    },
  };
}

export function metricsRoutes(registry: Registry): Record<string, Route> {
  return {
    '/metrics': async (_req, res) => {
      const body = await registry.metrics();
      res.writeHead(200, { 'content-type': registry.contentType }).end(body);
    },
  };
}
