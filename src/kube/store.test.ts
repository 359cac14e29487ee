import { describe, expect, it } from 'vitest';
import type { KubeObject } from './resource.js';
import { ObjectStore } from './store.js';

const obj = (
  namespace: string,
  name: string,
  extra: Partial<KubeObject['metadata']> = {},
  data: Record<string, string> = {},
): KubeObject & { data: Record<string, string> } => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { namespace, name, ...extra },
  data,
});

describe('ObjectStore', () => {
  it('indexes by namespace and owner uid out of the box', () => {
    const store = new ObjectStore();
    store.upsert(obj('a', 'x', { ownerReferences: [{ apiVersion: 'v1', kind: 'K', name: 'o', uid: 'u1' }] }));
    store.upsert(obj('a', 'y'));
    store.upsert(obj('b', 'z', { ownerReferences: [{ apiVersion: 'v1', kind: 'K', name: 'o', uid: 'u1' }] }));
    expect(
      store
        .byIndex('namespace', 'a')
        .map((o) => o.metadata.name)
        .sort(),
    ).toEqual(['x', 'y']);
    expect(
      store
        .byIndex('owner-uid', 'u1')
        .map((o) => o.metadata.name)
        .sort(),
    ).toEqual(['x', 'z']);
  });

  it('moves an object between index values on update and drops it on delete', () => {
    const store = new ObjectStore<KubeObject & { data: Record<string, string> }>();
    store.addIndex('secret', (o) => (o.data.secret ? [o.data.secret] : []));
    store.upsert(obj('a', 'x', {}, { secret: 's1' }));
    expect(store.byIndex('secret', 's1')).toHaveLength(1);
    const old = store.upsert(obj('a', 'x', {}, { secret: 's2' }));
    expect(old?.data.secret).toBe('s1');
    expect(store.byIndex('secret', 's1')).toEqual([]);
    expect(store.byIndex('secret', 's2')).toHaveLength(1);
    store.delete('a/x');
    expect(store.byIndex('secret', 's2')).toEqual([]);
    expect(store.size).toBe(0);
  });

  it('keeps an index value right as it goes from one object to several and back', () => {
    const store = new ObjectStore<KubeObject & { data: Record<string, string> }>();
    store.addIndex('secret', (o) => (o.data.secret ? [o.data.secret, o.data.secret] : []));
    const names = (v: string) =>
      store
        .byIndex('secret', v)
        .map((o) => o.metadata.name)
        .sort();
    store.upsert(obj('a', 'x', {}, { secret: 's' }));
    store.upsert(obj('a', 'x', {}, { secret: 's' }));
    expect(names('s')).toEqual(['x']);
    store.upsert(obj('a', 'y', {}, { secret: 's' }));
    store.upsert(obj('a', 'z', {}, { secret: 's' }));
    expect(names('s')).toEqual(['x', 'y', 'z']);
    store.delete('a/y');
    store.upsert(obj('a', 'z', {}, { secret: 'other' }));
    expect(names('s')).toEqual(['x']);
    expect(names('other')).toEqual(['z']);
    store.delete('a/x');
    expect(names('s')).toEqual([]);
    store.upsert(obj('a', 'w', {}, { secret: 's' }));
    expect(names('s')).toEqual(['w']);
  });

  it('indexes existing objects when an index is added later, and refuses duplicates', () => {
    const store = new ObjectStore();
    store.upsert(obj('a', 'x'));
    store.addIndex('name', (o) => [o.metadata.name]);
    expect(store.byIndex('name', 'x')).toHaveLength(1);
    expect(() => store.addIndex('name', () => [])).toThrow(/already exists/);
  });

  it('holds 10,000 objects, each stored once', () => {
    const store = new ObjectStore();
    const objects = Array.from({ length: 10_000 }, (_, i) => obj(`ns${i % 10}`, `o${i}`));
    for (const o of objects) store.upsert(o);
    expect(store.size).toBe(10_000);
    expect(store.byIndex('namespace', 'ns3')).toHaveLength(1000);
    // The cache hands out the very objects it was given: no copies per read.
    expect(store.get('ns7/o7')).toBe(objects[7]);
  });
});
