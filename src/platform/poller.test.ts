import { generateKeyPairSync } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startPlatformSimulator, type PlatformSimulator } from '../sandbox/platform-simulator/index.js';
import { metricValue, pollerHarnesses } from '../../test/support/poller-harness.js';
import type { ClientCredential } from './credential.js';
import { AdvertisementRejectedError } from './errors.js';
import { ReleasePoller, type PollTarget, type ReleasePollerOptions } from './poller.js';

const repository = 'registry.example.com/vendor/atom';
const release = {
  version: '24.11.0',
  image: repository,
  digest: `sha256:${'ab'.repeat(32)}`,
  publishedAt: '2026-11-20T10:00:00Z',
  critical: false,
};
const interval = 60_000;

let sim: PlatformSimulator;
let credential: ClientCredential;
let otherCredential: ClientCredential;

const harnesses = pollerHarnesses(interval);
function harness(options: Partial<ReleasePollerOptions> = {}) {
  const h = harnesses.harness(
    (deps) => new ReleasePoller({ fetcher: deps.client, intervalMs: interval, ...deps, ...options }),
  );
  return { ...h, nextInterval: () => h.advance() };
}

function target(overrides: Partial<PollTarget> = {}): PollTarget {
  return {
    url: sim.url,
    caPem: sim.caPem,
    channel: 'stable',
    credential,
    allowedRepositories: [repository],
    ...overrides,
  };
}

const metric = metricValue;

beforeAll(async () => {
  sim = await startPlatformSimulator();
  const a = await sim.issueRegistrationCertificate('atom-shared');
  const b = await sim.issueRegistrationCertificate('atom-other');
  credential = { certPem: a.cert, keyPem: a.key };
  otherCredential = { certPem: b.cert, keyPem: b.key };
});

afterEach(async () => {
  await harnesses.stopAll();
  sim.signWith(null);
  sim.failNext(0, 500);
  sim.setDelay(0);
  sim.clear();
  for (const channel of ['stable', 'beta']) sim.setRelease(channel, release);
});

afterAll(() => sim.stop());

describe('deduplication', () => {
  it('polls once per interval for 1,000 Atoms sharing a credential and channel', async () => {
    sim.setRelease('stable', release);
    const { poller, registry, notified, nextInterval } = harness();
    const atoms = Array.from({ length: 1000 }, (_, i) => `ns/atom-${i}`);
    for (const atom of atoms) poller.register(atom, target());
    await poller.whenIdle();

    expect(sim.requests).toHaveLength(1);
    expect(notified).toEqual([atoms]);
    expect(atoms.every((atom) => poller.resultFor(atom)?.release?.version === '24.11.0')).toBe(true);

    await nextInterval();
    expect(sim.requests.map((r) => r.status)).toEqual([200, 304]);
    expect(notified).toHaveLength(1);
    await nextInterval();
    expect(sim.requests).toHaveLength(3);
    expect(await metric(registry, 'atom_operator_platform_polls_total', { result: 'accepted' })).toBe(1);
    expect(await metric(registry, 'atom_operator_platform_polls_total', { result: 'not_modified' })).toBe(2);
    expect(await registry.getSingleMetricAsString('atom_operator_platform_poll_duration_seconds')).toMatch(
      /^atom_operator_platform_poll_duration_seconds_count 3$/m,
    );
  });

  it('polls twice per interval for two channels', async () => {
    const { poller, client, nextInterval } = harness();
    for (let i = 0; i < 500; i++) {
      poller.register(`ns/stable-${i}`, target());
      poller.register(`ns/beta-${i}`, target({ channel: 'beta' }));
    }
    await poller.whenIdle();
    expect(sim.requests.map((r) => r.channel).sort()).toEqual(['beta', 'stable']);
    // Both channels share one connection pool: same endpoint and credential.
    expect(client.poolCount).toBe(1);
    await nextInterval();
    expect(sim.requests).toHaveLength(4);
  });

  it('polls each channel and each credential separately', async () => {
    const { poller, nextInterval } = harness();
    for (let i = 0; i < 50; i++) {
      poller.register(`ns/stable-${i}`, target());
      poller.register(`ns/beta-${i}`, target({ channel: 'beta' }));
    }
    poller.register('ns/other-cred', target({ credential: otherCredential }));
    await poller.whenIdle();
    expect(poller.keyCount).toBe(3);
    expect(sim.requests).toHaveLength(3);
    sim.clear();

    await nextInterval();
    expect(sim.requests.map((r) => `${r.channel}/${r.clientSubject}`).sort()).toEqual([
      'beta/atom-shared',
      'stable/atom-other',
      'stable/atom-shared',
    ]);
  });

  it('sends one request per key at a time, whoever joins while it is in flight', async () => {
    sim.setDelay(300);
    const { poller } = harness();
    poller.register('ns/a', target());
    poller.register('ns/b', target());
    poller.register('ns/c', target());
    await poller.whenIdle();
    expect(sim.requests).toHaveLength(1);
    expect(poller.resultFor('ns/c')?.release?.version).toBe('24.11.0');
  });

  it('spreads the next poll by the jitter', () => {
    const low = harness({ random: () => 0 });
    const high = harness({ random: () => 1 });
    return Promise.all(
      [low, high].map(async (h) => {
        h.poller.register('ns/a', target());
        await h.poller.whenIdle();
      }),
    ).then(() => {
      expect(low.clock.pendingDelays).toEqual([interval * 0.9]);
      expect(high.clock.pendingDelays).toEqual([interval * 1.1]);
    });
  });
});

describe('subscribers', () => {
  it('tells exactly the subscribers of a key when its advertisement changes', async () => {
    const { poller, notified, nextInterval } = harness();
    poller.register('ns/s1', target());
    poller.register('ns/s2', target());
    poller.register('ns/b1', target({ channel: 'beta' }));
    await poller.whenIdle();
    notified.length = 0;

    sim.setRelease('stable', { ...release, version: '24.12.0' });
    await nextInterval();
    expect(notified).toEqual([['ns/s1', 'ns/s2']]);
    expect(poller.resultFor('ns/s1')?.release?.version).toBe('24.12.0');
    expect(poller.resultFor('ns/b1')?.release?.version).toBe('24.11.0');
  });

  it('judges the one fetched body against each subscriber’s own allow-list', async () => {
    const { poller, registry } = harness();
    poller.register('ns/allowed', target());
    poller.register('ns/strict', target({ allowedRepositories: ['registry.example.com/other/atom'] }));
    await poller.whenIdle();
    expect(sim.requests).toHaveLength(1);
    expect(poller.resultFor('ns/allowed')?.release?.version).toBe('24.11.0');
    const strict = poller.resultFor('ns/strict');
    expect(strict?.release).toBeUndefined();
    expect(strict?.error).toBeInstanceOf(AdvertisementRejectedError);
    expect((strict?.error as AdvertisementRejectedError).reason).toBe('RegistryNotAllowed');
    expect(
      await metric(registry, 'atom_operator_platform_advertisement_rejections_total', { reason: 'RegistryNotAllowed' }),
    ).toBe(1);
    expect(await metric(registry, 'atom_operator_platform_polls_total', { result: 'rejected' })).toBe(1);
  });

  it('moves a subscriber whose target changed and polls the new key at once', async () => {
    const { poller, clock } = harness();
    poller.register('ns/a', target());
    await poller.whenIdle();
    poller.register('ns/a', target({ channel: 'beta' }));
    await poller.whenIdle();
    expect(sim.requests.map((r) => r.channel)).toEqual(['stable', 'beta']);
    expect(poller.keyCount).toBe(1);
    expect(poller.resultFor('ns/a')?.release?.channel).toBe('beta');
    expect(clock.pendingDelays).toHaveLength(1);
  });

  it('stops polling a key without subscribers and closes its connections', async () => {
    const { poller, client, nextInterval } = harness();
    poller.register('ns/a', target());
    await poller.whenIdle();
    expect(client.poolCount).toBe(1);
    poller.unregister('ns/a');
    expect(poller.keyCount).toBe(0);
    await nextInterval();
    await nextInterval();
    expect(sim.requests).toHaveLength(1);
    expect(client.poolCount).toBe(0);
    expect(poller.resultFor('ns/a')).toBeUndefined();
  });

  it('refuses a target that can never be polled', () => {
    const { poller } = harness();
    expect(() => poller.register('ns/a', target({ url: sim.url.replace('https', 'http') }))).toThrow(
      expect.objectContaining({ code: 'InvalidPlatformURL' }),
    );
    expect(poller.keyCount).toBe(0);
  });

  it('refuses a credential whose key does not match, and stops polling the old target', async () => {
    const mismatched = await sim.issueRegistrationCertificate('atom-m', { mismatchedKey: true });
    const { poller } = harness();
    poller.register('ns/a', target());
    await poller.whenIdle();
    expect(() =>
      poller.register('ns/a', target({ credential: { certPem: mismatched.cert, keyPem: mismatched.key } })),
    ).toThrow(expect.objectContaining({ code: 'CredentialInvalid' }));
    expect(poller.keyCount).toBe(0);
    expect(poller.resultFor('ns/a')).toBeUndefined();
  });
});

describe('failures reach the subscribers and no release is accepted', () => {
  const stranger = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();

  it.each([
    ['a good signature', () => sim.signWith(sim.releaseKeys.privateKeyPem), undefined],
    ['a missing signature', () => sim.signWith(null), 'SignatureMissing'],
    ['a signature by another key', () => sim.signWith(stranger), 'SignatureInvalid'],
    [
      'a missing digest',
      () => (sim.signWith(sim.releaseKeys.privateKeyPem), sim.setRelease('stable', { ...release, digest: undefined })),
      'MissingDigest',
    ],
    [
      'a registry outside the allow-list',
      () => (
        sim.signWith(sim.releaseKeys.privateKeyPem),
        sim.setRelease('stable', { ...release, image: 'evil.example.com/atom' })
      ),
      'RegistryNotAllowed',
    ],
    ['malformed JSON', () => sim.serveRaw('stable', '{"version": '), 'Malformed'],
  ])('with %s', async (_case, arrange, reason) => {
    arrange();
    const { poller } = harness({ releasePublicKeys: [sim.releaseKeys.publicKeyPem] });
    poller.register('ns/a', target());
    await poller.whenIdle();
    const result = poller.resultFor('ns/a');
    if (reason === undefined) {
      expect(result?.error).toBeUndefined();
      expect(result?.release?.version).toBe('24.11.0');
    } else {
      expect(result?.release).toBeUndefined();
      expect(result?.error).toMatchObject({ code: 'AdvertisementRejected', reason });
    }
  });

  it('reports an oversized body as ResponseTooLarge', async () => {
    sim.serveRaw('stable', Buffer.alloc(100 * 1024, ' '));
    const { poller, registry } = harness();
    poller.register('ns/a', target());
    await poller.whenIdle();
    expect(poller.resultFor('ns/a')).toMatchObject({ error: { code: 'ResponseTooLarge' } });
    expect(poller.resultFor('ns/a')?.release).toBeUndefined();
    expect(await metric(registry, 'atom_operator_platform_poll_errors_total', { code: 'ResponseTooLarge' })).toBe(1);
  });

  it('keeps the last accepted release through a network failure, then recovers', async () => {
    const { poller, notified, nextInterval } = harness();
    poller.register('ns/a', target());
    await poller.whenIdle();
    // Two attempts per poll in this harness: both fail.
    sim.failNext(2, 503);
    await nextInterval();
    expect(poller.resultFor('ns/a')).toMatchObject({
      release: { version: '24.11.0' },
      error: { code: 'PlatformHTTPError', status: 503 },
    });
    await nextInterval();
    expect(poller.resultFor('ns/a')?.error).toBeUndefined();
    expect(notified).toHaveLength(3);
  });

  it('waits as long as the platform asks before polling again', async () => {
    sim.failNext(1, 429, { retryAfter: 3600 });
    const { poller, clock, registry } = harness();
    poller.register('ns/a', target());
    await poller.whenIdle();
    expect(poller.resultFor('ns/a')).toMatchObject({
      error: { code: 'PlatformHTTPError', status: 429, retryAfterMs: 3_600_000 },
    });
    expect(clock.pendingDelays).toEqual([3_600_000]);
    expect(await metric(registry, 'atom_operator_platform_poll_errors_total', { code: 'PlatformHTTPError' })).toBe(1);
    expect(await metric(registry, 'atom_operator_platform_polls_total', { result: 'error' })).toBe(1);
  });
});
