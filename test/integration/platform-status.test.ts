// What an Atom's status says when its platform cannot be asked, or answers with
// something that must not be rolled out.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { release, startHarness, type Harness } from '../support/harness.js';

const NS = 'default';
let h: Harness;

beforeAll(async () => {
  h = await startHarness({ trustSimulatorReleaseKey: true, operatorArgs: ['--platform-poll-interval=1s'] });
  h.simulator.signWith(h.simulator.releaseKeys.privateKeyPem);
  h.simulator.setRelease('stable', release('5.0.2', 'a'));
  await h.startOperator();
  await h.createRegistrationSecret(NS, 'plat-registration');
  await h.applyAtom(NS, 'plat');
  await h.waitFor(
    'Ready at 5.0.2',
    () => h.atom(NS, 'plat')?.status?.currentVersion === '5.0.2' && h.condition(NS, 'plat', 'Ready')?.status === 'True',
  );
});
afterAll(async () => {
  await h?.stop();
});

const image = () => h.pods(NS, 'plat')[0]!.spec!.containers[0]!.image;

describe('advertisements that must not be rolled out', () => {
  it.each([
    [
      'unsigned',
      () => {
        h.simulator.signWith(null);
        h.simulator.setRelease('stable', release('5.0.3', 'b'));
      },
      'SignatureMissing',
    ],
    [
      'signed by another key',
      () =>
        h.simulator.serveRaw(
          'stable',
          JSON.stringify({
            ...release('5.0.3', 'b'),
            channel: 'stable',
            signature: Buffer.alloc(64, 1).toString('base64'),
          }),
        ),
      'SignatureInvalid',
    ],
    [
      'without a digest',
      () => {
        h.simulator.signWith(h.simulator.releaseKeys.privateKeyPem);
        h.simulator.setRelease('stable', { ...release('5.0.3', 'b'), digest: undefined as unknown as string });
      },
      'MissingDigest',
    ],
    [
      'from another registry',
      () => {
        h.simulator.signWith(h.simulator.releaseKeys.privateKeyPem);
        h.simulator.setRelease('stable', { ...release('5.0.3', 'b'), image: 'evil.example.com/atom' });
      },
      'RegistryNotAllowed',
    ],
    [
      'naming a digest in its image other than its own',
      () => {
        h.simulator.signWith(h.simulator.releaseKeys.privateKeyPem);
        h.simulator.setRelease('stable', {
          ...release('5.0.3', 'b'),
          image: `boomi/atom:5.0.3@sha256:${'e'.repeat(64)}`,
        });
      },
      'DigestMismatch',
    ],
    ['that is not JSON', () => h.simulator.serveRaw('stable', '{"version": '), 'Malformed'],
  ])('%s: reported as AdvertisementRejected and ignored', async (_name, serve, reason) => {
    serve();
    await h.waitFor(`UpToDate ${reason}`, () => {
      const c = h.condition(NS, 'plat', 'UpToDate');
      return c?.reason === 'AdvertisementRejected' && c.message.includes(reason) ? c : undefined;
    });
    expect(h.events(NS, 'plat').some((e) => e.type === 'Warning' && e.reason === 'AdvertisementRejected')).toBe(true);
    expect(image()).toBe(`boomi/atom@sha256:${'a'.repeat(64)}`);
    expect(h.atom(NS, 'plat').status.currentVersion).toBe('5.0.2');
  });

  it('reports an unreachable platform without touching the running Atom', async () => {
    h.simulator.failNext(1_000, 503);
    await h.waitFor('PlatformHTTPError', () => h.condition(NS, 'plat', 'UpToDate')?.reason === 'PlatformHTTPError');
    expect(h.condition(NS, 'plat', 'UpToDate')?.status).toBe('Unknown');
    expect(h.condition(NS, 'plat', 'Ready')?.status).toBe('True');
    h.simulator.failNext(0, 503);
  });

  it('rolls out a properly signed release once one is advertised', async () => {
    h.simulator.signWith(h.simulator.releaseKeys.privateKeyPem);
    h.simulator.setRelease('stable', release('5.0.4', 'c'));
    await h.waitFor('5.0.4', () => h.atom(NS, 'plat').status.currentVersion === '5.0.4', 30_000);
    expect(image()).toBe(`boomi/atom@sha256:${'c'.repeat(64)}`);
  });

  it('rolls out a release advertised as repository:tag on repository@digest, never on the tag', async () => {
    h.simulator.signWith(h.simulator.releaseKeys.privateKeyPem);
    h.simulator.setRelease('stable', { ...release('5.0.5', 'd'), image: 'boomi/atom:5.0.5' });
    await h.waitFor('5.0.5', () => h.atom(NS, 'plat').status.currentVersion === '5.0.5', 30_000);
    expect(image()).toBe(`boomi/atom@sha256:${'d'.repeat(64)}`);
  });
});
