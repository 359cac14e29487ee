// GET /atom/v1/self: the platform's view of the Atom whose certificate asks, through the same
// TLS, retry, size and error rules as the release request.
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { startPlatformSimulator, type PlatformSimulator } from '../sandbox/platform-simulator/index.js';
import { PlatformClient, selfURL } from './client.js';
import type { Endpoint } from './dispatchers.js';
import { PlatformError } from './errors.js';

let sim: PlatformSimulator;
let endpoint: Endpoint;
const clients: PlatformClient[] = [];

function client(): PlatformClient {
  const created = new PlatformClient({
    retry: { maxAttempts: 2, baseDelayMs: 5, maxDelayMs: 20 },
    headersTimeoutMs: 300,
    handshakeProbeMs: 300,
  });
  clients.push(created);
  return created;
}

async function failure(action: Promise<unknown>): Promise<PlatformError> {
  const error = await action.then(
    (value) => {
      throw new Error(`expected a failure, got ${JSON.stringify(value)}`);
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(PlatformError);
  return error as PlatformError;
}

beforeAll(async () => {
  sim = await startPlatformSimulator();
  const cert = await sim.issueRegistrationCertificate('atoms.atom-a');
  endpoint = { url: sim.url, caPem: sim.caPem, credential: { certPem: cert.cert, keyPem: cert.key } };
});

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  sim.setSelfStatus('atoms.atom-a', null);
  sim.failNext(0, 500);
  sim.clear();
});

afterAll(() => sim.stop());

describe('fetchSelf', () => {
  it('builds the URL under the platform base path', () => {
    expect(selfURL('https://platform.example.com/tenant/')).toBe('https://platform.example.com/tenant/atom/v1/self');
    expect(() => selfURL('http://platform.example.com')).toThrow(
      expect.objectContaining({ code: 'InvalidPlatformURL' }),
    );
  });

  it('reads an online Atom with the registration certificate as its identity', async () => {
    sim.setSelfStatus('atoms.atom-a', { answer: 'online', runningVersion: '5.0.2' });
    const answer = await client().fetchSelf(endpoint);
    expect(answer).toMatchObject({
      offered: true,
      status: { atomId: 'atoms.atom-a', online: true, runningVersion: '5.0.2' },
    });
    expect(sim.requests.map((r) => [r.resource, r.clientSubject, r.status])).toEqual([['self', 'atoms.atom-a', 200]]);
  });

  it('reads an offline Atom and when the platform last heard from it', async () => {
    sim.setSelfStatus('atoms.atom-a', { answer: 'offline', lastContactAt: '2026-11-30T10:00:00Z' });
    expect(await client().fetchSelf(endpoint)).toEqual({
      offered: true,
      status: { atomId: 'atoms.atom-a', online: false, lastContactAt: '2026-11-30T10:00:00Z' },
    });
  });

  it('says "not offered" for a 404, asking once', async () => {
    sim.setSelfStatus('atoms.atom-a', { answer: 'not-offered' });
    expect(await client().fetchSelf(endpoint)).toEqual({ offered: false });
    expect(sim.requests).toHaveLength(1);
  });

  it('refuses a malformed answer with StatusMalformed and does not retry it', async () => {
    sim.setSelfStatus('atoms.atom-a', { answer: 'malformed' });
    const error = await failure(client().fetchSelf(endpoint));
    expect(error).toMatchObject({ code: 'StatusMalformed', retryable: false });
    expect(error.message).toContain('not JSON');
    expect(sim.requests).toHaveLength(1);
  });

  it('stops reading an oversized answer with ResponseTooLarge', async () => {
    sim.setSelfStatus('atoms.atom-a', { answer: 'oversized' });
    expect(await failure(client().fetchSelf(endpoint))).toMatchObject({ code: 'ResponseTooLarge' });
  });

  it('times out on a slow platform, retrying once', async () => {
    sim.setSelfStatus('atoms.atom-a', { answer: 'online', delayMs: 5_000 });
    expect(await failure(client().fetchSelf(endpoint))).toMatchObject({ code: 'Timeout', retryable: true });
    // On a busy machine the server may record the second request a moment after the client gave up on it.
    await vi.waitFor(() => expect(sim.requests).toHaveLength(2));
  });

  it('retries a 503 and then reads the answer', async () => {
    sim.failNext(1, 503);
    expect(await client().fetchSelf(endpoint)).toMatchObject({ offered: true, status: { online: true } });
    expect(sim.requests.map((r) => r.status)).toEqual([503, 200]);
  });

  it('reports a refused certificate (403) as PlatformHTTPError, not as "not offered"', async () => {
    sim.failNext(1, 403);
    expect(await failure(client().fetchSelf(endpoint))).toMatchObject({ code: 'PlatformHTTPError', status: 403 });
  });
});
