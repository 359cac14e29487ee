import { createServer, type Server } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startPlatformSimulator, type PlatformSimulator } from '../sandbox/platform-simulator/index.js';
import { PlatformClient, type PlatformClientOptions, type ReleaseQuery } from './client.js';

/** A CONNECT-only forward proxy that records where it tunnelled to, or refuses with `refuseWith`. */
async function startProxy(): Promise<{
  url: string;
  tunnels: string[];
  refuseWith: number | undefined;
  stop(): Promise<void>;
}> {
  const sockets = new Set<Socket>();
  const state = {
    url: '',
    tunnels: [] as string[],
    refuseWith: undefined as number | undefined,
    stop: () => new Promise<void>((resolve) => (sockets.forEach((s) => s.destroy()), server.close(() => resolve()))),
  };
  const server: Server = createServer((_req, res) => res.writeHead(405).end());
  server.on('connection', (socket) => (sockets.add(socket), socket.on('close', () => sockets.delete(socket))));
  server.on('connect', (req, client: Socket) => {
    state.tunnels.push(req.url ?? '');
    if (state.refuseWith) {
      client.end(`HTTP/1.1 ${state.refuseWith} Refused\r\n\r\n`);
      return;
    }
    const [host, port] = (req.url ?? '').split(':');
    const upstream = connect(Number(port), host ?? '127.0.0.1', () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.pipe(client).pipe(upstream);
    });
    sockets.add(upstream);
    upstream.on('close', () => sockets.delete(upstream));
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return state;
}

let sim: PlatformSimulator;
let proxy: Awaited<ReturnType<typeof startProxy>>;
let query: ReleaseQuery;
const clients: PlatformClient[] = [];

function client(options: PlatformClientOptions): PlatformClient {
  const created = new PlatformClient({ retry: { maxAttempts: 1 }, ...options });
  clients.push(created);
  return created;
}

beforeAll(async () => {
  sim = await startPlatformSimulator();
  proxy = await startProxy();
  const cert = await sim.issueRegistrationCertificate('atom-behind-proxy');
  query = { url: sim.url, caPem: sim.caPem, channel: 'stable', credential: { certPem: cert.cert, keyPem: cert.key } };
  sim.setRelease('stable', { version: '1.0.0' });
});

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  proxy.tunnels.length = 0;
  proxy.refuseWith = undefined;
  sim.clear();
});

afterAll(async () => {
  await proxy.stop();
  await sim.stop();
});

describe('HTTPS proxy', () => {
  it('tunnels through the configured proxy with mutual TLS end to end', async () => {
    const result = await client({ httpsProxy: proxy.url }).fetchRelease(query);
    expect(result.modified).toBe(true);
    expect(proxy.tunnels).toEqual([new URL(sim.url).host]);
    expect(sim.requests.map((r) => r.clientSubject)).toEqual(['atom-behind-proxy']);
  });

  it.each(['127.0.0.1', `127.0.0.1:${'PORT'}`, '*', 'example.com, 127.0.0.1'])(
    'bypasses the proxy when NO_PROXY is %s',
    async (noProxy) => {
      const value = noProxy.replace('PORT', new URL(sim.url).port);
      const result = await client({ httpsProxy: proxy.url, noProxy: value }).fetchRelease(query);
      expect(result.modified).toBe(true);
      expect(proxy.tunnels).toEqual([]);
    },
  );

  it('still uses the proxy when NO_PROXY names another port or host', async () => {
    await client({ httpsProxy: proxy.url, noProxy: '127.0.0.1:1, platform.example.com' }).fetchRelease(query);
    expect(proxy.tunnels).toHaveLength(1);
  });

  it('reports a proxy that refuses the tunnel as unreachable through the proxy', async () => {
    proxy.refuseWith = 403;
    const error = await client({ httpsProxy: proxy.url })
      .fetchRelease(query)
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'PlatformUnreachable', retryable: true });
    expect((error as Error).message).toMatch(/through the HTTPS proxy/);
    expect(sim.requests).toEqual([]);
  });

  it('ignores proxy variables in the environment: only constructor options count', async () => {
    const saved = process.env.HTTPS_PROXY;
    process.env.HTTPS_PROXY = proxy.url;
    try {
      const result = await client({}).fetchRelease(query);
      expect(result.modified).toBe(true);
      expect(proxy.tunnels).toEqual([]);
    } finally {
      if (saved === undefined) delete process.env.HTTPS_PROXY;
      else process.env.HTTPS_PROXY = saved;
    }
  });
});
