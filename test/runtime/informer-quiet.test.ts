// Quiet watches, as on a real kube-apiserver: objects that never change, no bookmark ever
// (the sandbox sends none unless a test asks), and the server ending each watch at its own
// timeoutSeconds. None of that is a failure: no stall, no warning, only routine renewals.
import { Writable } from 'node:stream';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { KubeClient } from '../../src/kube/client.js';
import { Informer } from '../../src/kube/informer.js';
import { CoreTypes, type KubeObject } from '../../src/kube/resource.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { startRecordingProxy, type RecordingProxy } from '../integration/recording-proxy.js';
import { configMap, eventually } from './helpers.js';
import { KubeApi } from '../../src/kube/api.js';

interface LogLine {
  level: number;
  msg: string;
}

let sandbox: Sandbox | undefined;
let proxy: RecordingProxy | undefined;
const informers: Informer<KubeObject>[] = [];

afterEach(async () => {
  await Promise.all(informers.splice(0).map((i) => i.stop()));
  await proxy?.stop();
  await sandbox?.stop();
  proxy = undefined;
  sandbox = undefined;
});

function capturingLogger(lines: LogLine[]) {
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString().split('\n')) if (line.trim()) lines.push(JSON.parse(line) as LogLine);
      done();
    },
  });
  return pino({ level: 'debug' }, sink);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('quiet watches', () => {
  it('are never taken for hung: silent past the stall margin, renewed only at their own timeout, no warning', async () => {
    sandbox = await startSandbox({});
    const api = new KubeApi(new KubeClient(sandbox.kubeConfig()));
    await api.create(configMap('still', { v: '1' }));
    const lines: LogLine[] = [];
    const logger = capturingLogger(lines);
    const client = new KubeClient(sandbox.kubeConfig());
    for (const type of [CoreTypes.configMaps, CoreTypes.secrets, CoreTypes.serviceAccounts]) {
      const informer = new Informer({
        client,
        type,
        namespaces: ['default'],
        // The real logic with short numbers: a 1 s margin (90 s in production), a 3 s watch timeout.
        watchStallMs: 1000,
        watchTimeoutSeconds: [3, 3],
        logger,
      });
      informer.start();
      informers.push(informer);
    }
    for (const informer of informers) expect(await informer.waitForSync(AbortSignal.timeout(10_000))).toBe(true);
    const startedAt = Date.now();
    // Four times the margin: every watch was silent far longer than the margin, and was renewed once at 3 s.
    await sleep(4500);
    const elapsed = Date.now() - startedAt;
    for (const informer of informers) {
      expect(informer.stats).toMatchObject({ lists: 1, stalls: 0, errors: 0, relistsAfterGone: 0 });
      // The first watch and one renewal per elapsed timeout: nothing else restarted it.
      expect(informer.stats.watches).toBe(1 + Math.floor(elapsed / 3000));
    }
    expect(lines.filter((l) => l.level >= 40).map((l) => l.msg)).toEqual([]);
    expect(lines.filter((l) => l.msg === 'watch ended by the server; renewing it').length).toBe(informers.length);
    expect(informers[0]?.get('default/still')).toBeDefined();
  });

  it('are asked for uncompressed, with bookmarks allowed and a timeout of their own', async () => {
    sandbox = await startSandbox({});
    proxy = await startRecordingProxy(sandbox);
    const informer = new Informer({
      client: new KubeClient(proxy.kubeConfig()),
      type: CoreTypes.configMaps,
      namespaces: ['default'],
    });
    informer.start();
    informers.push(informer);
    const watch = await eventually(() => {
      const found = proxy?.requests.find((r) => r.url.includes('watch=true'));
      if (!found) throw new Error('no watch request yet');
      return found;
    });
    const query = new URL(watch.url, 'https://x').searchParams;
    expect(query.get('allowWatchBookmarks')).toBe('true');
    // client-go's range: 5 to 10 minutes, spread so that watches do not all renew at once.
    expect(Number(query.get('timeoutSeconds'))).toBeGreaterThanOrEqual(300);
    expect(Number(query.get('timeoutSeconds'))).toBeLessThanOrEqual(600);
    expect(query.get('resourceVersion')).toMatch(/^\d+$/);
    expect(watch.headers['accept-encoding']).toBe('identity');
    expect(watch.headers.accept).toBe('application/json');
  });
});
