// The Secret cache the Atom controller uses: metadata of every Secret by watch, contents of only
// those something references, read when first needed and again when the watch shows a new version.
// Runs real informers against the sandbox; ConfigMaps play the referrers (an Atom's role).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Informer } from '../../src/kube/informer.js';
import { keepIdentity, ReferencedObjects } from '../../src/kube/referenced-objects.js';
import { CoreTypes, type KubeObject } from '../../src/kube/resource.js';
import { eventually, startEnv, type Env } from './helpers.js';

const NS = 'default';
const INDEX = 'secret-refs';
let env: Env;
let referrers: Informer<KubeObject>;
let metadata: Informer<KubeObject>;
let secrets: ReferencedObjects;
let reads: string[];

type Secret = KubeObject & { data?: Record<string, string> };
const refsOf = (cm: KubeObject) => {
  const name = (cm as { data?: { secret?: string } }).data?.secret;
  return name ? [`${cm.metadata.namespace}/${name}`] : [];
};
const b64 = (s: string) => Buffer.from(s).toString('base64');

async function putSecret(name: string, value: string): Promise<void> {
  const ref = { apiVersion: 'v1', kind: 'Secret', namespace: NS, name };
  if (await env.api.get(ref)) await env.api.mergePatch(ref, { data: { v: b64(value) } });
  else await env.api.create({ ...ref, metadata: { name, namespace: NS }, data: { v: b64(value) } } as KubeObject);
}

async function putReferrer(name: string, secret: string | undefined): Promise<void> {
  const ref = { apiVersion: 'v1', kind: 'ConfigMap', namespace: NS, name };
  const data = secret ? { secret } : { secret: null };
  if (await env.api.get(ref)) await env.api.mergePatch(ref, { data });
  else
    await env.api.create({ ...ref, metadata: { name, namespace: NS }, data: secret ? { secret } : {} } as KubeObject);
}

const value = (name: string) => {
  const data = (secrets.getByName(NS, name) as Secret | undefined)?.data?.v;
  return data === undefined ? undefined : Buffer.from(data, 'base64').toString();
};

beforeEach(async () => {
  env = await startEnv();
  reads = [];
  referrers = new Informer({ client: env.client, type: CoreTypes.configMaps, namespaces: [NS] });
  referrers.addIndex(INDEX, refsOf);
  metadata = new Informer({
    client: env.client,
    type: CoreTypes.secrets,
    namespaces: [NS],
    metadataOnly: true,
    transform: keepIdentity,
  });
  secrets = new ReferencedObjects<Secret>({
    metadata,
    fetch: (namespace, name, signal) => {
      reads.push(name);
      return env.api.get({ apiVersion: 'v1', kind: 'Secret', namespace, name }, signal);
    },
    referrers,
    referrerIndex: INDEX,
    refs: refsOf,
  });
  referrers.start();
  metadata.start();
  await Promise.all([referrers.waitForSync(), metadata.waitForSync()]);
});

afterEach(async () => {
  await Promise.all([referrers.stop(), metadata.stop()]);
  await env.sandbox.stop();
});

describe('ReferencedObjects', () => {
  it('watches every Secret by metadata only and holds no contents of unreferenced ones', async () => {
    await putSecret('helm-release', 'x'.repeat(180_000));
    await eventually(() => expect(metadata.getByName(NS, 'helm-release')).toBeDefined());
    const cached = metadata.getByName(NS, 'helm-release');
    expect(cached?.kind).toBe('PartialObjectMetadata');
    expect(Object.keys(cached?.metadata ?? {}).sort()).toEqual(['name', 'namespace', 'resourceVersion', 'uid']);
    expect(JSON.stringify(metadata.list()).length).toBeLessThan(500);
    expect(secrets.size).toBe(0);
    expect(secrets.getByName(NS, 'helm-release')).toBeUndefined();
    expect(reads).toEqual([]);
  });

  it('reads a referenced Secret once, then again only when the watch shows a new version', async () => {
    await putSecret('cert', 'one');
    await putReferrer('atom', 'cert');
    await eventually(() => expect(referrers.byIndex(INDEX, `${NS}/cert`)).toHaveLength(1));
    await eventually(() => expect(metadata.getByName(NS, 'cert')).toBeDefined());
    const atom = referrers.getByName(NS, 'atom') as KubeObject;
    await secrets.loadFor(atom);
    await secrets.loadFor(atom);
    expect(value('cert')).toBe('one');
    expect(reads).toEqual(['cert']);

    await putSecret('cert', 'two');
    const rv = (await env.api.get({ apiVersion: 'v1', kind: 'Secret', namespace: NS, name: 'cert' }))?.metadata
      .resourceVersion;
    await eventually(() => expect(metadata.getByName(NS, 'cert')?.metadata.resourceVersion).toBe(rv));
    await secrets.loadFor(atom);
    expect(value('cert')).toBe('two');
    expect(reads).toEqual(['cert', 'cert']);
  });

  it('shares one read between referrers that load the same Secret at once', async () => {
    await putSecret('shared', 's');
    await putReferrer('a', 'shared');
    await putReferrer('b', 'shared');
    await eventually(() => expect(referrers.byIndex(INDEX, `${NS}/shared`)).toHaveLength(2));
    await eventually(() => expect(metadata.getByName(NS, 'shared')).toBeDefined());
    await Promise.all(['a', 'b'].map((n) => secrets.loadFor(referrers.getByName(NS, n) as KubeObject)));
    expect(reads).toEqual(['shared']);
    expect(value('shared')).toBe('s');
  });

  it('drops the contents when nothing references the Secret any more, and forgets a deleted one', async () => {
    await putSecret('kept', 'k');
    await putSecret('gone', 'g');
    await putReferrer('atom', 'kept');
    await putReferrer('other', 'gone');
    await eventually(() => expect(metadata.size).toBe(2));
    await eventually(() => expect(referrers.size).toBe(2));
    await secrets.loadFor(referrers.getByName(NS, 'atom') as KubeObject);
    await secrets.loadFor(referrers.getByName(NS, 'other') as KubeObject);
    expect(secrets.size).toBe(2);

    await putReferrer('atom', undefined);
    await eventually(() => expect(secrets.getByName(NS, 'kept')).toBeUndefined());
    await env.api.deleteObject({ apiVersion: 'v1', kind: 'Secret', namespace: NS, name: 'gone' });
    await eventually(() => expect(secrets.size).toBe(0));
    expect(secrets.getByName(NS, 'gone')).toBeUndefined();
  });

  it('reads nothing for a referenced Secret that does not exist, and rejects when a read fails', async () => {
    await putReferrer('atom', 'missing');
    await eventually(() => expect(referrers.size).toBe(1));
    await secrets.loadFor(referrers.getByName(NS, 'atom') as KubeObject);
    expect(reads).toEqual([]);
    expect(secrets.getByName(NS, 'missing')).toBeUndefined();

    await putSecret('missing', 'now');
    await eventually(() => expect(metadata.getByName(NS, 'missing')).toBeDefined());
    await expect(secrets.loadFor(referrers.getByName(NS, 'atom') as KubeObject, AbortSignal.abort())).rejects.toThrow();
    expect(secrets.getByName(NS, 'missing')).toBeUndefined();
    // A read the server refuses rejects (the reconcile fails and is retried), not hangs or keeps a half result.
    env.sandbox.faults.error({ verb: 'get', resource: 'secrets', code: 500, times: 1 });
    await expect(secrets.loadFor(referrers.getByName(NS, 'atom') as KubeObject)).rejects.toMatchObject({
      status: 500,
    });
    expect(secrets.getByName(NS, 'missing')).toBeUndefined();
    // Why it failed stays readable (the Atom's status says it) until a read succeeds.
    expect(secrets.failureOf(NS, 'missing')).toMatchObject({ status: 500 });
    await secrets.loadFor(referrers.getByName(NS, 'atom') as KubeObject);
    expect(value('missing')).toBe('now');
    expect(secrets.failureOf(NS, 'missing')).toBeUndefined();
  });
});
