// An HTTPS proxy in front of the sandbox API server that records every request passing
// through it. Only the operator is given its address, so what it records is exactly the
// operator's traffic: the test's own requests go to the sandbox directly and never mix in.
import { createServer, request, type Server } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';
import type { Sandbox } from '../../src/sandbox/index.js';
import { createCertificateAuthority } from '../../src/sandbox/pki.js';

export interface ProxiedRequest {
  method: string;
  /** Path with query string, as sent. */
  url: string;
  /** Request headers, as sent (lower-case names). */
  headers: Readonly<Record<string, string | string[] | undefined>>;
  /** Status the API server answered, 0 until the response headers arrived. */
  status: number;
}

export interface RecordingProxy {
  readonly requests: readonly ProxiedRequest[];
  /** A kubeconfig that reaches the sandbox through this proxy, with the sandbox's token. */
  kubeConfig(): KubeConfig;
  stop(): Promise<void>;
}

export async function startRecordingProxy(sandbox: Sandbox): Promise<RecordingProxy> {
  const ca = await createCertificateAuthority('recording-proxy-ca');
  const serving = await ca.issue({ commonName: 'recording-proxy', hosts: ['127.0.0.1'], usage: 'server' });
  const upstream = new URL(sandbox.url);
  const requests: ProxiedRequest[] = [];
  const sockets = new Set<Socket>();

  const server: Server = createServer({ cert: serving.cert, key: serving.key }, (req, res) => {
    const record: ProxiedRequest = {
      method: req.method ?? 'GET',
      url: req.url ?? '/',
      headers: { ...req.headers },
      status: 0,
    };
    requests.push(record);
    const headers = { ...req.headers, host: upstream.host };
    const forward = request(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: record.method,
        path: record.url,
        headers,
        ca: sandbox.caCert,
      },
      (answer) => {
        record.status = answer.statusCode ?? 0;
        res.writeHead(record.status, answer.headers);
        answer.pipe(res);
      },
    );
    forward.on('error', () => res.destroy());
    // A watch the operator closes must close upstream too, or the sandbox keeps streaming into nothing.
    res.on('close', () => forward.destroy());
    req.pipe(forward);
  });
  server.on('secureConnection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    requests,
    kubeConfig() {
      const kc = new KubeConfig();
      kc.loadFromOptions({
        clusters: [
          { name: 'proxy', server: url, caData: Buffer.from(ca.cert).toString('base64'), skipTLSVerify: false },
        ],
        users: [{ name: 'operator', token: sandbox.token }],
        contexts: [{ name: 'proxy', cluster: 'proxy', user: 'operator', namespace: 'default' }],
        currentContext: 'proxy',
      });
      return kc;
    },
    async stop() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
}
