// Metadata-only reads (PartialObjectMetadata), as controller-runtime's metadata cache and client-go's
// metadata client send them: a list and a watch of Secrets that carry each Secret's metadata and
// never its data, in the shapes and with the refusals of the real API server.
import { Agent, fetch } from 'undici';
import { describe, expect, it } from 'vitest';
import { raw, useSandbox, waitFor } from './helpers.js';

const sandbox = useSandbox({ bookmarkIntervalMs: 100 });
const LIST = 'application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1';
const OBJECT = 'application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1';
const NS = 'pom';

interface Partial {
  kind: string;
  apiVersion: string;
  metadata: { name: string; namespace?: string; resourceVersion?: string; labels?: Record<string, string> };
  [key: string]: unknown;
}

async function createSecret(name: string, value: string, labels: Record<string, string> = {}): Promise<void> {
  const body = JSON.stringify({
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name, namespace: NS, labels },
    data: { big: Buffer.from(value).toString('base64') },
  });
  const res = await raw(sandbox(), 'POST', `/api/v1/namespaces/${NS}/secrets`, {
    body,
    contentType: 'application/json',
  });
  if (res.status !== 201) throw new Error(`create ${name}: ${res.status} ${res.text}`);
}

/** Reads a watch stream as newline-delimited JSON events until stopped. */
async function openWatch(path: string, accept: string) {
  const sb = sandbox();
  const abort = new AbortController();
  const res = await fetch(`${sb.url}${path}`, {
    // Bookmarks never come through a gzip response (as on a real server): ask for none.
    headers: { authorization: `Bearer ${sb.token}`, accept, 'accept-encoding': 'identity' },
    dispatcher: new Agent({ connect: { ca: sb.caCert } }),
    signal: abort.signal,
  });
  const events: { type: string; object: Partial }[] = [];
  const reading = (async () => {
    let buffered = '';
    const decoder = new TextDecoder();
    try {
      for await (const chunk of res.body ?? []) {
        buffered += decoder.decode(chunk as Uint8Array, { stream: true });
        let nl = buffered.indexOf('\n');
        while (nl >= 0) {
          events.push(JSON.parse(buffered.slice(0, nl)) as { type: string; object: Partial });
          buffered = buffered.slice(nl + 1);
          nl = buffered.indexOf('\n');
        }
      }
    } catch {
      // aborted by stop()
    }
  })();
  return {
    status: res.status,
    events,
    async stop() {
      abort.abort();
      await reading;
    },
  };
}

describe('PartialObjectMetadata', () => {
  it('lists metadata only, as a PartialObjectMetadataList whose items name their kind', async () => {
    await raw(sandbox(), 'POST', '/api/v1/namespaces', {
      body: JSON.stringify({ metadata: { name: NS } }),
      contentType: 'application/json',
    });
    await createSecret('helm-release', 'x'.repeat(180_000), { owner: 'helm' });
    await createSecret('small', 'y');
    const res = await raw(sandbox(), 'GET', `/api/v1/namespaces/${NS}/secrets?labelSelector=owner%3Dhelm`, {
      accept: LIST,
    });
    expect(res.status).toBe(200);
    const list = res.json<{
      kind: string;
      apiVersion: string;
      metadata: { resourceVersion?: string };
      items: Partial[];
    }>();
    expect(list.kind).toBe('PartialObjectMetadataList');
    expect(list.apiVersion).toBe('meta.k8s.io/v1');
    expect(list.metadata.resourceVersion).toMatch(/^\d+$/);
    expect(list.items.map((i) => [i.kind, i.apiVersion, i.metadata.name])).toEqual([
      ['PartialObjectMetadata', 'meta.k8s.io/v1', 'helm-release'],
    ]);
    expect(Object.keys(list.items[0] ?? {}).sort()).toEqual(['apiVersion', 'kind', 'metadata']);
    expect(res.text.length).toBeLessThan(5_000);
  });

  it('pages a metadata list like a full one', async () => {
    const first = (await raw(sandbox(), 'GET', `/api/v1/namespaces/${NS}/secrets?limit=1`, { accept: LIST })).json<{
      metadata: { continue?: string };
      items: Partial[];
    }>();
    expect(first.items).toHaveLength(1);
    expect(first.metadata.continue).toBeTruthy();
    const rest = (
      await raw(
        sandbox(),
        'GET',
        `/api/v1/namespaces/${NS}/secrets?limit=1&continue=${encodeURIComponent(first.metadata.continue ?? '')}`,
        { accept: LIST },
      )
    ).json<{ items: Partial[] }>();
    expect([...first.items, ...rest.items].map((i) => i.metadata.name).sort()).toEqual(['helm-release', 'small']);
  });

  it('gets one object as PartialObjectMetadata', async () => {
    const res = await raw(sandbox(), 'GET', `/api/v1/namespaces/${NS}/secrets/helm-release`, { accept: OBJECT });
    expect(res.status).toBe(200);
    const obj = res.json<Partial>();
    expect(obj.kind).toBe('PartialObjectMetadata');
    expect(obj.apiVersion).toBe('meta.k8s.io/v1');
    expect(obj.metadata.name).toBe('helm-release');
    expect(obj.data).toBeUndefined();
    expect(obj.type).toBeUndefined();
  });

  it('watches metadata only: every event and bookmark is a PartialObjectMetadata', async () => {
    const list = (await raw(sandbox(), 'GET', `/api/v1/namespaces/${NS}/secrets`, { accept: LIST })).json<{
      metadata: { resourceVersion: string };
    }>();
    const w = await openWatch(
      `/api/v1/namespaces/${NS}/secrets?watch=true&allowWatchBookmarks=true&resourceVersion=${list.metadata.resourceVersion}`,
      OBJECT,
    );
    expect(w.status).toBe(200);
    await createSecret('rotated', 'z'.repeat(50_000));
    await raw(sandbox(), 'PATCH', `/api/v1/namespaces/${NS}/secrets/rotated`, {
      body: JSON.stringify({ data: { big: Buffer.from('new').toString('base64') } }),
      contentType: 'application/merge-patch+json',
    });
    await raw(sandbox(), 'DELETE', `/api/v1/namespaces/${NS}/secrets/rotated`);
    await waitFor(
      () => w.events.some((e) => e.type === 'DELETED') && w.events.some((e) => e.type === 'BOOKMARK'),
      'the delete and a bookmark',
    );
    await w.stop();
    const changes = w.events.filter((e) => e.type !== 'BOOKMARK');
    expect(changes.map((e) => `${e.type} ${e.object.metadata.name}`)).toEqual([
      'ADDED rotated',
      'MODIFIED rotated',
      'DELETED rotated',
    ]);
    const [added, modified] = changes;
    expect(Number(modified?.object.metadata.resourceVersion)).toBeGreaterThan(
      Number(added?.object.metadata.resourceVersion),
    );
    for (const e of w.events) {
      expect([e.object.kind, e.object.apiVersion]).toEqual(['PartialObjectMetadata', 'meta.k8s.io/v1']);
      expect(e.object.data).toBeUndefined();
    }
  });

  it.each([
    ['a list asked as one object', `/api/v1/namespaces/${NS}/secrets`, OBJECT, /requested object is a list/],
    ['one object asked as a list', `/api/v1/namespaces/${NS}/secrets/small`, LIST, /requested object is not a list/],
    ['a watch asked as a list', `/api/v1/namespaces/${NS}/secrets?watch=true`, LIST, /requested object is not a list/],
    [
      'a group version without the kind',
      `/api/v1/namespaces/${NS}/secrets`,
      'application/json;as=PartialObjectMetadataList;g=apps;v=v1',
      /no PartialObjectMetadataList exists in group version apps\/v1/,
    ],
  ])('refuses %s with 406 NotAcceptable', async (_what, path, accept, message) => {
    const res = await raw(sandbox(), 'GET', path, { accept });
    expect(res.status).toBe(406);
    const status = res.json<{ kind: string; reason: string; code: number; message: string }>();
    expect([status.kind, status.reason, status.code]).toEqual(['Status', 'NotAcceptable', 406]);
    expect(status.message).toMatch(message);
  });

  it('serves full objects when the client asks for plain JSON', async () => {
    const res = await raw(sandbox(), 'GET', `/api/v1/namespaces/${NS}/secrets/small`, { accept: 'application/json' });
    expect(res.json<Partial>().kind).toBe('Secret');
    expect(res.json<Partial>().data).toEqual({ big: Buffer.from('y').toString('base64') });
  });
});
