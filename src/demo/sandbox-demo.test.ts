// The demo shows the platform's view of an Atom: one sample goes offline after a while, the others stay online.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, expect, it, vi } from 'vitest';
import { PlatformClient } from '../platform/client.js';
import { startDemo, type Demo } from './sandbox-demo.js';

const examplesDir = fileURLToPath(new URL('../../examples/', import.meta.url));
let demo: Demo | undefined;
const client = new PlatformClient();

afterAll(async () => {
  await client.close();
  await demo?.stop();
});

it('takes one sample Atom offline for the platform after the given time', async () => {
  demo = await startDemo({ dir: mkdtempSync(join(tmpdir(), 'demo-')), examplesDir, offlineAfterMs: 200 });
  expect(demo.goesOffline).toBe('atoms-eu/atom-eu-3');
  const { simulator } = demo;
  const online = async (commonName: string) => {
    const issued = await simulator.issueRegistrationCertificate(commonName);
    const endpoint = {
      url: simulator.url,
      caPem: simulator.caPem,
      credential: { certPem: issued.cert, keyPem: issued.key },
    };
    const answer = await client.fetchSelf(endpoint);
    return answer.offered && answer.status.online;
  };
  await vi.waitFor(async () => expect(await online('atoms-eu.atom-eu-3')).toBe(false), { timeout: 5_000 });
  expect(await online('default.atom-sample')).toBe(true);
}, 30_000);
