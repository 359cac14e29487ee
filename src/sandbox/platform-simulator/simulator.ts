// A stand-in for the vendor platform: HTTPS on loopback that insists on a client certificate
// from its own CA (like the real platform does with registration certificates), serves the
// release advertised per channel with ETag/304, and can misbehave on request for tests.
import { createHash, generateKeyPairSync } from 'node:crypto';
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isIPv6, type AddressInfo, type Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { signAdvertisement } from '../../platform/advertisement.js';
import { createCertificateAuthority, type CertificateAuthority } from '../pki.js';
import { selfAnswer, type SelfBehaviour } from './self-status.js';

/** What the simulator advertises on a channel; any field may be omitted or wrong on purpose. */
export type SimulatedRelease = Record<string, unknown>;

export interface RecordedRequest {
  at: Date;
  /** What was asked for: a channel's release, the Atom's own status (/atom/v1/self), or anything else. */
  resource: 'release' | 'self' | 'other';
  /** The release channel; empty for other resources. */
  channel: string;
  /** Common name of the client certificate that asked. */
  clientSubject: string | undefined;
  ifNoneMatch: string | undefined;
  /** Status sent, or 0 when the connection was dropped without an answer. */
  status: number;
}

export interface RegistrationCertificateOptions {
  notBefore?: Date;
  notAfter?: Date;
  /** Return a private key that does not belong to the certificate. */
  mismatchedKey?: boolean;
}

export interface PlatformSimulator {
  url: string;
  /** PEM of the CA that signed the server certificate and registration certificates (with given TLS: the client CA). */
  caPem: string;
  /** A demo ed25519 key pair for signing releases (`signWith(releaseKeys.privateKeyPem)`). */
  releaseKeys: { publicKeyPem: string; privateKeyPem: string };
  issueRegistrationCertificate(
    commonName: string,
    opts?: RegistrationCertificateOptions,
  ): Promise<{ cert: string; key: string; ca: string }>;
  /** Advertise `release` on `channel` (its `channel` field defaults to the channel), or nothing (404). */
  setRelease(channel: string, release: SimulatedRelease | null): void;
  /** Sign every served release with this key, or stop signing. */
  signWith(privateKeyPem: string | null): void;
  /** Answer the next `n` requests with `status` (and a Retry-After header when given). */
  failNext(n: number, status: number, opts?: { retryAfter?: number | string }): void;
  /** Wait this long before sending response headers. */
  setDelay(ms: number): void;
  /** Destroy the connection of the next `n` requests without answering. */
  dropConnections(n: number): void;
  /**
   * How GET /atom/v1/self answers the certificate with this common name (or, with `*`, every
   * certificate without its own behaviour; the default is online). `null` returns to the default.
   */
  setSelfStatus(commonName: string, behaviour: SelfBehaviour | null): void;
  /** Serve this exact body for `channel` (malformed or oversized on purpose); overrides setRelease. */
  serveRaw(channel: string, body: string | Buffer): void;
  readonly requests: RecordedRequest[];
  /** Forget recorded requests. */
  clear(): void;
  stop(): Promise<void>;
}

/** PEM material a deployed simulator is given instead of the throw-away CA it makes by default. */
export interface GivenTLS {
  /** Server certificate (chain) presented to clients. */
  cert: string;
  key: string;
  /** CA that client (registration) certificates must chain to. */
  clientCa: string;
}

export interface PlatformSimulatorOptions {
  /** Port to listen on; 0 (default) picks a free one. */
  port?: number;
  /** Address to listen on (default 127.0.0.1); 0.0.0.0 serves other hosts, as in a cluster. */
  host?: string;
  /**
   * Serve this certificate and trust this client CA. The simulator then holds no CA key,
   * so issueRegistrationCertificate rejects: certificates come from whoever made the CA.
   */
  tls?: GivenTLS;
  /** Highest TLS version offered (default TLSv1.3); TLSv1.2 mimics older platform front ends. */
  maxTLSVersion?: 'TLSv1.2' | 'TLSv1.3';
}

const releasePath = /^\/atom\/v1\/releases\/([^/?#]+)$/;
const selfPath = '/atom/v1/self';
const defaultSelf = '*';

function commonName(cn: string | string[] | undefined): string | undefined {
  return Array.isArray(cn) ? cn[0] : cn;
}

/** A wildcard listen address is reached on loopback; IPv6 literals need brackets in a URL. */
function urlHost(host: string): string {
  if (host === '0.0.0.0' || host === '') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return isIPv6(host) ? `[${host}]` : host;
}

function etagOf(body: Buffer): string {
  return `"${createHash('sha256').update(body).digest('hex').slice(0, 32)}"`;
}

export async function startPlatformSimulator(opts: PlatformSimulatorOptions = {}): Promise<PlatformSimulator> {
  let ca: CertificateAuthority | undefined;
  let serving: GivenTLS;
  if (opts.tls) {
    serving = opts.tls;
  } else {
    ca = await createCertificateAuthority('atom-platform-simulator-ca');
    const issued = await ca.issue({
      commonName: 'platform.localhost',
      hosts: ['127.0.0.1', 'localhost'],
      usage: 'server',
    });
    serving = { cert: issued.cert, key: issued.key, clientCa: ca.cert };
  }
  const host = opts.host ?? '127.0.0.1';
  const keys = generateKeyPairSync('ed25519');
  const releaseKeys = {
    publicKeyPem: keys.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    privateKeyPem: keys.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
  };

  const releases = new Map<string, SimulatedRelease>();
  const raw = new Map<string, Buffer>();
  const requests: RecordedRequest[] = [];
  const sockets = new Set<Socket>();
  let signingKey: string | null = null;
  let failures: { remaining: number; status: number; retryAfter?: number | string } = { remaining: 0, status: 500 };
  let delayMs = 0;
  let drops = 0;
  const selfBehaviours = new Map<string, { behaviour: SelfBehaviour; setAt: Date }>();

  function bodyFor(channel: string): Buffer | undefined {
    const rawBody = raw.get(channel);
    if (rawBody) return rawBody;
    const release = releases.get(channel);
    if (!release) return undefined;
    const ad = { channel, ...release };
    return Buffer.from(JSON.stringify(signingKey ? signAdvertisement(ad, signingKey) : ad));
  }

  function send(res: ServerResponse, status: number, body: Buffer, headers: Record<string, string>, chunked: boolean) {
    // Chunked bodies go out without a length, so a client's streaming size cap is exercised.
    res.writeHead(status, {
      'content-type': 'application/json',
      ...headers,
      ...(chunked ? {} : { 'content-length': String(body.length) }),
    });
    if (!chunked) return void res.end(body);
    for (let offset = 0; offset < body.length; offset += 16 * 1024)
      res.write(body.subarray(offset, offset + 16 * 1024));
    res.end();
  }

  function answerSelf(res: ServerResponse, commonName: string | undefined): number {
    const set = selfBehaviours.get(commonName ?? '') ?? selfBehaviours.get(defaultSelf);
    const behaviour = set?.behaviour ?? { answer: 'online' };
    const reply = selfAnswer(commonName ?? '', behaviour, set?.setAt ?? new Date(), new Date());
    send(res, reply.status, reply.body, {}, reply.chunked);
    return reply.status;
  }

  function answer(req: IncomingMessage, res: ServerResponse, commonName: string | undefined): number {
    const path = new URL(req.url ?? '/', 'https://x').pathname;
    const match = req.method === 'GET' ? releasePath.exec(path) : null;
    const self = req.method === 'GET' && path === selfPath;
    if (!match && !self) {
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not found"}');
      return 404;
    }
    if (failures.remaining > 0) {
      failures.remaining -= 1;
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (failures.retryAfter !== undefined) headers['retry-after'] = String(failures.retryAfter);
      res.writeHead(failures.status, headers).end(`{"error":"simulated ${failures.status}"}`);
      return failures.status;
    }
    if (!match) return answerSelf(res, commonName);
    const channel = decodeURIComponent(match[1] ?? '');
    const body = bodyFor(channel);
    if (!body) {
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"no release on this channel"}');
      return 404;
    }
    const etag = etagOf(body);
    if (req.headers['if-none-match'] === etag) {
      res.writeHead(304, { etag }).end();
      return 304;
    }
    send(res, 200, body, { etag }, raw.has(channel));
    return 200;
  }

  const server: Server = createServer(
    {
      key: serving.key,
      cert: serving.cert,
      ca: serving.clientCa,
      requestCert: true,
      rejectUnauthorized: true,
      minVersion: 'TLSv1.2',
      maxVersion: opts.maxTLSVersion ?? 'TLSv1.3',
    },
    (req, res) => {
      const path = new URL(req.url ?? '/', 'https://x').pathname;
      const match = releasePath.exec(path);
      const record: RecordedRequest = {
        at: new Date(),
        resource: match ? 'release' : path === selfPath ? 'self' : 'other',
        channel: decodeURIComponent(match?.[1] ?? ''),
        clientSubject: commonName((req.socket as TLSSocket).getPeerCertificate().subject?.CN),
        ifNoneMatch: typeof req.headers['if-none-match'] === 'string' ? req.headers['if-none-match'] : undefined,
        status: 0,
      };
      requests.push(record);
      if (drops > 0) {
        drops -= 1;
        req.socket.destroy();
        return;
      }
      const respond = () => {
        if (!res.destroyed) record.status = answer(req, res, record.clientSubject);
      };
      const selfDelay =
        record.resource === 'self'
          ? (selfBehaviours.get(record.clientSubject ?? '') ?? selfBehaviours.get(defaultSelf))?.behaviour.delayMs
          : undefined;
      const wait = delayMs + (selfDelay ?? 0);
      if (wait > 0) setTimeout(respond, wait);
      else respond();
    },
  );
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.on('secureConnection', (socket: TLSSocket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  // Rejected handshakes are the point of several tests; they must not crash the simulator.
  server.on('tlsClientError', () => undefined);

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `https://${urlHost(host)}:${port}`,
    caPem: serving.clientCa,
    releaseKeys,
    async issueRegistrationCertificate(commonName, certOpts = {}) {
      if (!ca)
        throw new Error(
          'this simulator was given its TLS material and holds no CA key; issue registration certificates with the CA that signed the client CA',
        );
      const issued = await ca.issue({ commonName, usage: 'client', ...certOpts });
      return { cert: issued.cert, key: issued.key, ca: ca.cert };
    },
    setRelease(channel, release) {
      raw.delete(channel);
      if (release) releases.set(channel, release);
      else releases.delete(channel);
    },
    signWith(privateKeyPem) {
      signingKey = privateKeyPem;
    },
    failNext(n, status, failOpts = {}) {
      failures = {
        remaining: n,
        status,
        ...(failOpts.retryAfter !== undefined ? { retryAfter: failOpts.retryAfter } : {}),
      };
    },
    setDelay(ms) {
      delayMs = ms;
    },
    dropConnections(n) {
      drops = n;
    },
    setSelfStatus(commonName, behaviour) {
      if (behaviour) selfBehaviours.set(commonName, { behaviour, setAt: new Date() });
      else selfBehaviours.delete(commonName);
    },
    serveRaw(channel, body) {
      raw.set(channel, Buffer.isBuffer(body) ? body : Buffer.from(body));
    },
    requests,
    clear() {
      requests.length = 0;
    },
    async stop() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
}
