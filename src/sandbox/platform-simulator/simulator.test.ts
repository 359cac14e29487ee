import { connect, type ConnectionOptions } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateAdvertisementJSON } from '../../platform/advertisement.js';
import { createCertificateAuthority } from '../pki.js';
import { startPlatformSimulator, type PlatformSimulator } from './simulator.js';

let sim: PlatformSimulator;
let client: { cert: string; key: string; ca: string };
const commonName = 'atom-sim';

/** One raw HTTPS/1.1 GET over node:tls, so the simulator is tested without the code under test. */
function get(
  path: string,
  options: ConnectionOptions = {},
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: string; body: string }> {
  return getFrom(sim.url, client, path, options, headers);
}

function getFrom(
  url: string,
  creds: { cert: string; key: string; ca: string },
  path: string,
  options: ConnectionOptions = {},
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: string; body: string }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(
      {
        host: hostname.replace(/^\[|\]$/g, ''),
        port: Number(port),
        ca: creds.ca,
        cert: creds.cert,
        key: creds.key,
        ...options,
      },
      () => {
        const extra = Object.entries(headers)
          .map(([k, v]) => `${k}: ${v}\r\n`)
          .join('');
        socket.write(`GET ${path} HTTP/1.1\r\nhost: ${hostname}\r\nconnection: close\r\n${extra}\r\n`);
      },
    );
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('end', () => {
      const text = Buffer.concat(chunks).toString();
      const [head = '', body = ''] = text.split('\r\n\r\n');
      resolve({ status: Number(head.split(' ')[1]), headers: head.toLowerCase(), body });
    });
  });
}

beforeAll(async () => {
  sim = await startPlatformSimulator();
  client = await sim.issueRegistrationCertificate(commonName);
});

afterAll(() => sim.stop());

describe('platform simulator', () => {
  it('serves the channel release with an ETag, 304 on a match, and records who asked', async () => {
    sim.setRelease('stable', { version: '1.2.3' });
    const first = await get('/atom/v1/releases/stable');
    expect(first.status).toBe(200);
    expect(JSON.parse(first.body)).toEqual({ channel: 'stable', version: '1.2.3' });
    const etag = /etag: (".+")/.exec(first.headers)?.[1] ?? '';
    expect(etag).not.toBe('');
    expect((await get('/atom/v1/releases/stable', {}, { 'if-none-match': etag })).status).toBe(304);
    expect(sim.requests.slice(-2).map((r) => [r.channel, r.clientSubject, r.ifNoneMatch, r.status])).toEqual([
      ['stable', 'atom-sim', undefined, 200],
      ['stable', 'atom-sim', etag, 304],
    ]);
  });

  it('signs served releases with the demo key when asked', async () => {
    sim.setRelease('stable', {
      version: '1.2.3',
      image: 'r.example/a',
      digest: `sha256:${'0'.repeat(64)}`,
      publishedAt: '2026-01-01T00:00:00Z',
      critical: true,
    });
    sim.signWith(sim.releaseKeys.privateKeyPem);
    const { body } = await get('/atom/v1/releases/stable');
    sim.signWith(null);
    const verdict = validateAdvertisementJSON(body, {
      channel: 'stable',
      allowedRepositories: ['r.example/a'],
      releasePublicKeys: [sim.releaseKeys.publicKeyPem],
    });
    expect(verdict.ok).toBe(true);
  });

  it('answers 404 for a channel without release and for other paths', async () => {
    sim.setRelease('gone', null);
    expect((await get('/atom/v1/releases/gone')).status).toBe(404);
    expect((await get('/other')).status).toBe(404);
  });

  it('fails the next requests with the given status and Retry-After', async () => {
    sim.setRelease('stable', { version: '1' });
    sim.failNext(1, 429, { retryAfter: 9 });
    const failed = await get('/atom/v1/releases/stable');
    expect(failed.status).toBe(429);
    expect(failed.headers).toContain('retry-after: 9');
    expect((await get('/atom/v1/releases/stable')).status).toBe(200);
  });

  it('answers /atom/v1/self per certificate, falls back to "*", and records it as a self request', async () => {
    sim.clear();
    expect(JSON.parse((await get('/atom/v1/self')).body)).toMatchObject({ online: true });
    sim.setSelfStatus('*', { answer: 'not-offered' });
    expect((await get('/atom/v1/self')).status).toBe(404);
    sim.setSelfStatus(commonName, { answer: 'offline', runningVersion: '5.0.1' });
    const offline = JSON.parse((await get('/atom/v1/self')).body) as Record<string, unknown>;
    expect(offline).toMatchObject({ atomId: commonName, online: false, runningVersion: '5.0.1' });
    expect(Date.parse(String(offline.lastContactAt))).toBeLessThanOrEqual(Date.now());
    sim.setSelfStatus(commonName, null);
    sim.setSelfStatus('*', null);
    expect(sim.requests.map((r) => [r.resource, r.status])).toEqual([
      ['self', 200],
      ['self', 404],
      ['self', 200],
    ]);
  });

  it('requires a client certificate from its CA', async () => {
    await expect(get('/atom/v1/releases/stable', { cert: undefined, key: undefined })).rejects.toMatchObject({
      code: 'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED',
    });
  });

  it('refuses clients that offer only TLS 1.1', async () => {
    await expect(
      get('/atom/v1/releases/stable', { minVersion: 'TLSv1', maxVersion: 'TLSv1.1', ciphers: 'DEFAULT@SECLEVEL=0' }),
    ).rejects.toMatchObject({
      code: expect.stringMatching(/ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION|ERR_SSL_UNSUPPORTED_PROTOCOL/),
    });
  });
});

describe('platform simulator with given TLS material', () => {
  it('serves the given certificate, trusts only the given client CA and cannot issue certificates itself', async () => {
    const ca = await createCertificateAuthority('given-platform-ca');
    const server = await ca.issue({ commonName: 'platform.test', hosts: ['127.0.0.1'], usage: 'server' });
    const atom = await ca.issue({ commonName: 'given-atom', usage: 'client' });
    const stranger = await (await createCertificateAuthority('other-ca')).issue({
      commonName: 'stranger',
      usage: 'client',
    });
    const given = await startPlatformSimulator({
      host: '0.0.0.0',
      tls: { cert: server.cert, key: server.key, clientCa: ca.cert },
    });
    try {
      expect(given.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
      expect(given.caPem).toBe(ca.cert);
      given.setRelease('stable', { version: '2.0.0' });
      const answer = await getFrom(given.url, { ...atom, ca: ca.cert }, '/atom/v1/releases/stable');
      expect(answer.status).toBe(200);
      expect(given.requests.at(-1)?.clientSubject).toBe('given-atom');
      // Under TLS 1.3 the refusal may arrive as an alert or as a closed socket: either way no answer and no request.
      const refused = await getFrom(given.url, { ...stranger, ca: ca.cert }, '/atom/v1/releases/stable').catch(
        (err: unknown) => err,
      );
      expect(refused).not.toMatchObject({ status: 200 });
      expect(given.requests).toHaveLength(1);
      await expect(given.issueRegistrationCertificate('x')).rejects.toThrow(/holds no CA key/);
    } finally {
      await given.stop();
    }
  });
});
