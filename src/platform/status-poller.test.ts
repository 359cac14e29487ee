import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startPlatformSimulator, type PlatformSimulator } from '../sandbox/platform-simulator/index.js';
import { metricValue, pollerHarnesses } from '../../test/support/poller-harness.js';
import type { ClientCredential } from './credential.js';
import { StatusPoller, type StatusPollerOptions, type StatusTarget } from './status-poller.js';

const interval = 60_000;
const hour = 3_600_000;

let sim: PlatformSimulator;
let shared: ClientCredential;
let other: ClientCredential;

const harnesses = pollerHarnesses(interval, '2026-12-01T00:00:00Z');
const harness = (options: Partial<StatusPollerOptions> = {}) =>
  harnesses.harness((deps) => new StatusPoller({ fetcher: deps.client, intervalMs: interval, ...deps, ...options }));

const target = (credential = shared): StatusTarget => ({ url: sim.url, caPem: sim.caPem, credential });
const selfRequests = () => sim.requests.filter((r) => r.resource === 'self');

const metric = metricValue;

beforeAll(async () => {
  sim = await startPlatformSimulator();
  const a = await sim.issueRegistrationCertificate('atom-shared');
  const b = await sim.issueRegistrationCertificate('atom-other');
  shared = { certPem: a.cert, keyPem: a.key };
  other = { certPem: b.cert, keyPem: b.key };
});

afterEach(async () => {
  await harnesses.stopAll();
  sim.setSelfStatus('atom-shared', null);
  sim.setSelfStatus('atom-other', null);
  sim.failNext(0, 500);
  sim.clear();
});

afterAll(() => sim.stop());

describe('deduplication', () => {
  it('makes one status request per interval for 1,000 Atoms on one certificate', async () => {
    const { poller, registry, notified, advance } = harness();
    const atoms = Array.from({ length: 1000 }, (_, i) => `ns/atom-${i}`);
    for (const atom of atoms) poller.register(atom, target());
    await poller.whenIdle();
    expect(selfRequests()).toHaveLength(1);
    expect(notified).toEqual([atoms]);
    expect(atoms.every((atom) => poller.resultFor(atom)?.kind === 'answer')).toBe(true);

    await advance();
    await advance();
    expect(selfRequests()).toHaveLength(3);
    expect(await metric(registry, 'atom_operator_platform_status_polls_total', { result: 'online' })).toBe(3);
  });

  it('asks once per certificate: Atoms sharing a certificate share the answer', async () => {
    const { poller, client, advance } = harness();
    for (let i = 0; i < 50; i++) {
      poller.register(`ns/a-${i}`, target());
      poller.register(`ns/b-${i}`, target(other));
    }
    await poller.whenIdle();
    expect(poller.keyCount).toBe(2);
    expect(client.poolCount).toBe(2);
    sim.clear();
    await advance();
    expect(
      selfRequests()
        .map((r) => r.clientSubject)
        .sort(),
    ).toEqual(['atom-other', 'atom-shared']);
    expect(poller.resultFor('ns/b-7')).toMatchObject({ kind: 'answer', status: { atomId: 'atom-other' } });
  });
});

describe('what subscribers hear', () => {
  it('hears a move from online to offline, but not each new lastContactAt of an online Atom', async () => {
    const { poller, notified, advance } = harness();
    poller.register('ns/a', target());
    await poller.whenIdle();
    await advance();
    expect(selfRequests()).toHaveLength(2);
    expect(notified).toHaveLength(1);

    sim.setSelfStatus('atom-shared', { answer: 'offline', lastContactAt: '2026-11-30T23:00:00Z' });
    await advance();
    expect(notified).toEqual([['ns/a'], ['ns/a']]);
    expect(poller.resultFor('ns/a')).toMatchObject({
      kind: 'answer',
      status: { online: false, lastContactAt: '2026-11-30T23:00:00Z' },
    });
  });

  it('hears when lastContactAt stops moving, and when it moves again', async () => {
    const { poller, notified, advance } = harness();
    sim.setSelfStatus('atom-shared', { answer: 'online', lastContactAt: '2026-11-30T23:59:00Z' });
    poller.register('ns/a', target());
    await poller.whenIdle();
    expect(poller.resultFor('ns/a')).toMatchObject({ kind: 'answer', stalled: false });
    await advance();
    await advance();
    expect(poller.resultFor('ns/a')).toMatchObject({ kind: 'answer', stalled: true });
    expect(notified).toHaveLength(2);
    sim.setSelfStatus('atom-shared', null);
    await advance();
    expect(poller.resultFor('ns/a')).toMatchObject({ kind: 'answer', stalled: false });
    expect(notified).toHaveLength(3);
  });

  it('hears a 404 once and is not asked again each interval, only after an hour', async () => {
    sim.setSelfStatus('atom-shared', { answer: 'not-offered' });
    const { poller, notified, registry, advance } = harness();
    poller.register('ns/a', target());
    await poller.whenIdle();
    for (let i = 0; i < 10; i++) await advance();
    expect(selfRequests()).toHaveLength(1);
    expect(poller.resultFor('ns/a')).toMatchObject({ kind: 'not-offered' });
    expect(notified).toHaveLength(1);

    await advance(hour * 1.1);
    expect(selfRequests()).toHaveLength(2);
    expect(notified).toHaveLength(1);
    expect(await metric(registry, 'atom_operator_platform_status_polls_total', { result: 'not_offered' })).toBe(2);
  });

  it('asks every interval again once the platform starts offering it', async () => {
    sim.setSelfStatus('atom-shared', { answer: 'not-offered' });
    const { poller, notified, advance } = harness({ notOfferedRecheckMs: 5 * interval });
    poller.register('ns/a', target());
    await poller.whenIdle();
    sim.setSelfStatus('atom-shared', null);
    await advance(5 * interval * 1.1);
    expect(poller.resultFor('ns/a')).toMatchObject({ kind: 'answer', status: { online: true } });
    await advance();
    expect(selfRequests()).toHaveLength(3);
    expect(notified).toHaveLength(2);
  });
});

describe('failures are typed and keep the last answer for display', () => {
  it.each([
    ['malformed', 'StatusMalformed'],
    ['oversized', 'ResponseTooLarge'],
  ] as const)('a %s answer is %s', async (answer, code) => {
    sim.setSelfStatus('atom-shared', { answer });
    const { poller, registry } = harness();
    poller.register('ns/a', target());
    await poller.whenIdle();
    expect(poller.resultFor('ns/a')).toMatchObject({ kind: 'error', error: { code } });
    expect(await metric(registry, 'atom_operator_platform_status_poll_errors_total', { code })).toBe(1);
  });

  it('a failing platform after an answer keeps it as `last`, then recovers', async () => {
    const { poller, notified, advance } = harness();
    poller.register('ns/a', target());
    await poller.whenIdle();
    sim.failNext(2, 503);
    await advance();
    const failed = poller.resultFor('ns/a');
    expect(failed).toMatchObject({ kind: 'error', error: { code: 'PlatformHTTPError', status: 503 } });
    expect(failed?.kind === 'error' && failed.last?.atomId).toBe('atom-shared');
    await advance();
    expect(poller.resultFor('ns/a')?.kind).toBe('answer');
    expect(notified).toHaveLength(3);
  });

  it('refuses a target that can never be polled, and stops polling one nobody subscribes to', async () => {
    const { poller, client, advance } = harness();
    expect(() => poller.register('ns/x', { ...target(), url: sim.url.replace('https', 'http') })).toThrow(
      expect.objectContaining({ code: 'InvalidPlatformURL' }),
    );
    poller.register('ns/a', target());
    await poller.whenIdle();
    poller.unregister('ns/a');
    await advance();
    expect(selfRequests()).toHaveLength(1);
    expect(poller.keyCount).toBe(0);
    expect(client.poolCount).toBe(0);
    expect(poller.resultFor('ns/a')).toBeUndefined();
  });
});
