import { createServer as createTLSServer, type Server as TLSServer } from 'node:tls';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createCertificateAuthority } from '../sandbox/pki.js';
import { startPlatformSimulator, type PlatformSimulator } from '../sandbox/platform-simulator/index.js';
import { PlatformClient, type PlatformClientOptions, type ReleaseQuery } from './client.js';
import { PlatformError, PlatformHTTPError, TLSHandshakeFailedError } from './errors.js';

const release = {
  version: '24.11.0',
  image: 'registry.example.com/vendor/atom',
  digest: `sha256:${'ab'.repeat(32)}`,
  publishedAt: '2026-11-20T10:00:00Z',
  critical: false,
};

let sim: PlatformSimulator;
let query: ReleaseQuery;
const clients: PlatformClient[] = [];

function client(options: PlatformClientOptions = {}): PlatformClient {
  const created = new PlatformClient({ retry: { baseDelayMs: 5, maxDelayMs: 20 }, handshakeProbeMs: 500, ...options });
  clients.push(created);
  return created;
}

/** Runs `action` expecting a PlatformError and returns it. */
async function failure(action: Promise<unknown>): Promise<PlatformError> {
  const outcome = await action.then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );
  if (!('error' in outcome)) throw new Error(`expected a failure, got ${JSON.stringify(outcome.value)}`);
  expect(outcome.error).toBeInstanceOf(PlatformError);
  return outcome.error as PlatformError;
}

beforeAll(async () => {
  sim = await startPlatformSimulator();
  const cert = await sim.issueRegistrationCertificate('atom-a');
  query = { url: sim.url, caPem: sim.caPem, channel: 'stable', credential: { certPem: cert.cert, keyPem: cert.key } };
});

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  sim.setRelease('stable', release);
  sim.failNext(0, 500);
  sim.setDelay(0);
  sim.dropConnections(0);
  sim.clear();
});

afterAll(async () => {
  await sim.stop();
});

describe('mutual TLS', () => {
  it('fetches the advertisement with the registration certificate and round-trips the ETag', async () => {
    sim.setRelease('stable', release);
    const c = client();
    const first = await c.fetchRelease(query);
    expect(first.modified).toBe(true);
    if (!first.modified) return;
    expect(JSON.parse(first.body)).toMatchObject({ channel: 'stable', version: '24.11.0' });
    expect(first.etag).toMatch(/^".+"$/);

    const second = await c.fetchRelease({ ...query, etag: first.etag });
    expect(second).toEqual({ modified: false });
    expect(sim.requests.map((r) => [r.clientSubject, r.ifNoneMatch, r.status])).toEqual([
      ['atom-a', undefined, 200],
      ['atom-a', first.etag, 304],
    ]);
    expect(c.poolCount).toBe(1);
  });

  it('refuses a certificate from another CA, naming our client certificate', async () => {
    const stranger = await (await createCertificateAuthority('someone-else')).issue({
      commonName: 'atom-x',
      usage: 'client',
    });
    const error = await failure(
      client().fetchRelease({ ...query, credential: { certPem: stranger.cert, keyPem: stranger.key } }),
    );
    expect(error).toBeInstanceOf(TLSHandshakeFailedError);
    expect((error as TLSHandshakeFailedError).kind).toBe('ClientCertificateRejected');
    expect(error.message).toMatch(/refused our client \(registration\) certificate/);
    expect(error.retryable).toBe(false);
    expect(sim.requests).toEqual([]);
  });

  it('refuses an expired certificate and says it expired', async () => {
    const expired = await sim.issueRegistrationCertificate('atom-old', {
      notBefore: new Date(0),
      notAfter: new Date(1000),
    });
    const error = await failure(
      client().fetchRelease({ ...query, credential: { certPem: expired.cert, keyPem: expired.key } }),
    );
    expect(error.code).toBe('TLSHandshakeFailed');
    expect((error as TLSHandshakeFailedError).kind).toBe('ClientCertificateRejected');
    expect(error.message).toMatch(/expired at 1970-01-01/);
  });

  it('refuses an expired certificate on a TLS 1.2 platform too, where the refusal cuts the handshake', async () => {
    const legacy = await startPlatformSimulator({ maxTLSVersion: 'TLSv1.2' });
    try {
      const expired = await legacy.issueRegistrationCertificate('atom-old', {
        notBefore: new Date(0),
        notAfter: new Date(1000),
      });
      const error = await failure(
        client().fetchRelease({
          url: legacy.url,
          caPem: legacy.caPem,
          channel: 'stable',
          credential: { certPem: expired.cert, keyPem: expired.key },
        }),
      );
      expect((error as TLSHandshakeFailedError).kind).toBe('ClientCertificateRejected');
      expect(error.message).toMatch(/expired at/);
      expect(legacy.requests).toEqual([]);
    } finally {
      await legacy.stop();
    }
  });

  it('fails clearly without a client certificate', async () => {
    const { credential: _none, ...anonymous } = query;
    const error = await failure(client().fetchRelease(anonymous));
    expect((error as TLSHandshakeFailedError).kind).toBe('ClientCertificateRejected');
    expect(error.message).toMatch(/No client certificate was presented/);
    expect(sim.requests).toEqual([]);
  });

  it('reports a key that does not belong to the certificate before connecting', async () => {
    const mismatched = await sim.issueRegistrationCertificate('atom-m', { mismatchedKey: true });
    const error = await failure(
      client().fetchRelease({ ...query, credential: { certPem: mismatched.cert, keyPem: mismatched.key } }),
    );
    expect(error.code).toBe('CredentialInvalid');
    expect(error.message).toMatch(/does not belong to certificate CN=atom-m/);
  });

  it('refuses a server whose CA is not trusted', async () => {
    const { caPem: _ca, ...systemRoots } = query;
    const error = await failure(client().fetchRelease(systemRoots));
    expect((error as TLSHandshakeFailedError).kind).toBe('ServerCertificateUntrusted');
    expect(error.message).toMatch(/caSecretRef/);
    expect(sim.requests).toEqual([]);
  });

  describe('against a server that only speaks TLS 1.1', () => {
    let legacy: TLSServer;
    let legacyCA: string;

    beforeAll(async () => {
      const ca = await createCertificateAuthority('legacy-ca');
      const leaf = await ca.issue({ commonName: 'legacy', hosts: ['127.0.0.1'] });
      legacyCA = ca.cert;
      // SECLEVEL=0: OpenSSL 3 otherwise will not even offer TLS 1.0/1.1 on the server side.
      legacy = createTLSServer(
        { key: leaf.key, cert: leaf.cert, minVersion: 'TLSv1', maxVersion: 'TLSv1.1', ciphers: 'DEFAULT@SECLEVEL=0' },
        (socket) => socket.end('HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n{}'),
      );
      legacy.on('tlsClientError', () => undefined);
      await new Promise<void>((resolve) => legacy.listen(0, '127.0.0.1', resolve));
    });

    afterAll(() => new Promise<void>((resolve) => legacy.close(() => resolve())));

    it('refuses the old protocol', async () => {
      const { port } = legacy.address() as AddressInfo;
      const error = await failure(
        client().fetchRelease({ ...query, url: `https://127.0.0.1:${port}`, caPem: legacyCA }),
      );
      expect((error as TLSHandshakeFailedError).kind).toBe('ProtocolVersion');
      expect(error.message).toMatch(/TLS 1\.2 or newer/);
    });
  });
});

describe('validation, size and time limits', () => {
  it.each(['http://127.0.0.1:1', 'ftp://x', 'not a url', 'https://user:pw@platform.example.com'])(
    'refuses the platform URL %s',
    async (url) => {
      const error = await failure(client().fetchRelease({ ...query, url }));
      expect(error.code).toBe('InvalidPlatformURL');
      expect(error.retryable).toBe(false);
    },
  );

  it('stops reading a streamed body past the cap', async () => {
    sim.serveRaw('stable', Buffer.alloc(200 * 1024, 'x'));
    const error = await failure(client().fetchRelease(query));
    expect(error.code).toBe('ResponseTooLarge');
    expect(sim.requests).toHaveLength(1);
  });

  it('refuses a body whose declared length is over a custom cap', async () => {
    sim.setRelease('stable', { ...release, notes: 'n'.repeat(2048) });
    const error = await failure(client({ maxBodyBytes: 1024 }).fetchRelease(query));
    expect(error.code).toBe('ResponseTooLarge');
    expect(error.message).toMatch(/1024 bytes/);
  });

  it('times out on a slow server', async () => {
    sim.setDelay(3000);
    const error = await failure(client({ headersTimeoutMs: 300, retry: { maxAttempts: 1 } }).fetchRelease(query));
    expect(error.code).toBe('Timeout');
    expect(error.retryable).toBe(true);
  });

  it('times out a body trickled a byte at a time, which never pauses long enough for the idle timeout', async () => {
    const ca = await createCertificateAuthority('trickle-ca');
    const leaf = await ca.issue({ commonName: 'trickle', hosts: ['127.0.0.1'] });
    const timers: NodeJS.Timeout[] = [];
    const trickle = createTLSServer({ key: leaf.key, cert: leaf.cert }, (socket) => {
      socket.on('error', () => undefined);
      socket.write('HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 10000\r\n\r\n');
      timers.push(setInterval(() => socket.write(' '), 50));
    });
    await new Promise<void>((resolve) => trickle.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = trickle.address() as AddressInfo;
      const started = Date.now();
      const error = await failure(
        client({ bodyTimeoutMs: 400, retry: { maxAttempts: 1 } }).fetchRelease({
          ...query,
          url: `https://127.0.0.1:${port}`,
          caPem: ca.cert,
        }),
      );
      expect(error.code).toBe('Timeout');
      expect(error.message).toMatch(/took longer than 400 ms to send the response body/);
      expect(Date.now() - started).toBeLessThan(3000);
    } finally {
      for (const timer of timers) clearInterval(timer);
      trickle.close();
    }
  });

  it('times out a connection whose TLS handshake never starts', async () => {
    const silent = createNetServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = silent.address() as AddressInfo;
      const error = await failure(
        client({ connectTimeoutMs: 300, retry: { maxAttempts: 1 } }).fetchRelease({
          ...query,
          url: `https://127.0.0.1:${port}`,
        }),
      );
      expect(error.code).toBe('Timeout');
      expect(error.message).toMatch(/Connecting to .* took longer than 300 ms/);
    } finally {
      silent.close();
    }
  });

  it('reports a closed port as unreachable', async () => {
    const closed = await startPlatformSimulator();
    await closed.stop();
    const error = await failure(client({ retry: { maxAttempts: 2 } }).fetchRelease({ ...query, url: closed.url }));
    expect(error.code).toBe('PlatformUnreachable');
    expect(error.retryable).toBe(true);
  });
});

describe('retries', () => {
  function recordingSleep() {
    const delays: number[] = [];
    return { delays, sleep: (ms: number) => (delays.push(ms), Promise.resolve()) };
  }

  it('honours Retry-After in seconds on 429', async () => {
    const { delays, sleep } = recordingSleep();
    sim.failNext(1, 429, { retryAfter: 7 });
    const result = await client({ sleep }).fetchRelease(query);
    expect(result.modified).toBe(true);
    expect(delays).toEqual([7000]);
    expect(sim.requests.map((r) => r.status)).toEqual([429, 200]);
  });

  it('honours Retry-After as an HTTP date', async () => {
    const { delays, sleep } = recordingSleep();
    const now = Date.parse('2026-11-25T12:00:00Z');
    sim.failNext(1, 429, { retryAfter: new Date(now + 12_000).toUTCString() });
    await client({ sleep, now: () => now }).fetchRelease(query);
    expect(delays).toEqual([12_000]);
  });

  it('gives up at once when Retry-After is beyond the retry budget, and says how long to wait', async () => {
    const { delays, sleep } = recordingSleep();
    sim.failNext(1, 429, { retryAfter: 3600 });
    const error = await failure(client({ sleep }).fetchRelease(query));
    expect(error).toBeInstanceOf(PlatformHTTPError);
    expect(error.retryAfterMs).toBe(3_600_000);
    expect(delays).toEqual([]);
    expect(sim.requests).toHaveLength(1);
  });

  it('retries 5xx with growing backoff and then succeeds', async () => {
    const { delays, sleep } = recordingSleep();
    sim.failNext(2, 503);
    const result = await client({
      sleep,
      random: () => 1,
      retry: { baseDelayMs: 100, maxDelayMs: 10_000 },
    }).fetchRelease(query);
    expect(result.modified).toBe(true);
    expect(delays).toEqual([100, 200]);
    expect(sim.requests.map((r) => r.status)).toEqual([503, 503, 200]);
  });

  it('gives up after the last attempt on persistent 5xx', async () => {
    sim.failNext(10, 502);
    const error = await failure(client({ retry: { maxAttempts: 3, baseDelayMs: 1 } }).fetchRelease(query));
    expect(error).toMatchObject({ code: 'PlatformHTTPError', status: 502, retryable: true });
    expect(sim.requests).toHaveLength(3);
  });

  it.each([400, 401, 403, 404, 410])('does not retry %i', async (status) => {
    sim.failNext(1, status);
    const error = await failure(client().fetchRelease(query));
    expect(error).toMatchObject({ code: 'PlatformHTTPError', status, retryable: false });
    expect(sim.requests).toHaveLength(1);
  });

  it('says which channel is missing on 404', async () => {
    const error = await failure(client().fetchRelease({ ...query, channel: 'nightly' }));
    expect(error.message).toMatch(/releases\/nightly.*spec\.update\.channel/);
  });

  it('retries a dropped connection as a network error', async () => {
    sim.dropConnections(1);
    const result = await client().fetchRelease(query);
    expect(result.modified).toBe(true);
    expect(sim.requests.map((r) => r.status)).toEqual([0, 200]);
  });
});
