// Field sets in the `FieldsV1` wire format of managedFields. A set is handled as
// flat path strings ("f:spec\nf:replicas") and converted to the nested form on
// the way out; a node that is both owned and has children gets the "." marker.
import { isPlainObject, keyOf, type Shape } from './object-shape.js';

export type FieldsV1 = { [element: string]: FieldsV1 };
export type PathSet = Set<string>;

const sep = '\n';

/** Metadata fields the server owns itself; never part of anyone's field set. */
const strippedMetadata = new Set([
  'name',
  'namespace',
  'uid',
  'resourceVersion',
  'generation',
  'creationTimestamp',
  'managedFields',
  'selfLink',
  'deletionTimestamp',
  'deletionGracePeriodSeconds',
  'generateName',
]);

export type Section = 'all' | 'main' | 'status';

/** The paths an object sets. "main" leaves out status, "status" keeps only status. */
export function pathsOf(obj: Record<string, unknown>, shape: Shape, section: Section = 'all'): PathSet {
  const out: PathSet = new Set();
  for (const [key, value] of Object.entries(obj)) {
    if (key === 'apiVersion' || key === 'kind') continue;
    if (section === 'main' && key === 'status') continue;
    if (section === 'status' && key !== 'status') continue;
    if (key === 'metadata' && isPlainObject(value)) {
      const meta = Object.fromEntries(Object.entries(value).filter(([k]) => !strippedMetadata.has(k)));
      if (Object.keys(meta).length === 0) continue;
      walkMap(meta, shape.field('metadata'), 'f:metadata', out, true);
      continue;
    }
    walkValue(value, shape.field(key), `f:${key}`, out, true);
  }
  return out;
}

function walkValue(value: unknown, shape: Shape, path: string, out: PathSet, declared: boolean): void {
  if (Array.isArray(value)) {
    const lt = shape.listType();
    if (lt.type === 'atomic') {
      out.add(path);
      return;
    }
    for (const item of value) {
      if (lt.type === 'set') {
        out.add(`${path}${sep}v:${JSON.stringify(item)}`);
        continue;
      }
      const key = keyOf(item, lt.keys);
      if (key === undefined) continue;
      const itemPath = `${path}${sep}k:${key}`;
      out.add(itemPath);
      if (isPlainObject(item)) walkMap(item, shape.items(), itemPath, out, true);
    }
    return;
  }
  if (isPlainObject(value) && Object.keys(value).length > 0 && !shape.isAtomicMap()) {
    if (!declared) out.add(path);
    walkMap(value, shape, path, out, !shape.isGranularMap());
    return;
  }
  out.add(path);
}

function walkMap(
  obj: Record<string, unknown>,
  shape: Shape,
  path: string,
  out: PathSet,
  declaredFields: boolean,
): void {
  for (const [key, value] of Object.entries(obj)) {
    walkValue(value, shape.field(key), `${path}${sep}f:${key}`, out, declaredFields);
  }
}

/**
 * Map and list-item nodes of an object with whether each is a granular map.
 * An Update that creates such a node owns the node itself (the "." marker),
 * as the real server's field manager records newly added fields.
 */
export function nodesOf(obj: Record<string, unknown>, shape: Shape, section: Section = 'all'): Map<string, boolean> {
  const out = new Map<string, boolean>();
  const visit = (value: unknown, s: Shape, path: string): void => {
    if (Array.isArray(value)) {
      const lt = s.listType();
      if (lt.type !== 'map') return;
      for (const item of value) {
        const key = keyOf(item, lt.keys);
        if (key === undefined || !isPlainObject(item)) continue;
        const itemPath = `${path}${sep}k:${key}`;
        for (const [k, v] of Object.entries(item)) visit(v, s.items().field(k), `${itemPath}${sep}f:${k}`);
      }
      return;
    }
    if (!isPlainObject(value) || Object.keys(value).length === 0 || s.isAtomicMap()) return;
    out.set(path, s.isGranularMap());
    for (const [k, v] of Object.entries(value)) visit(v, s.field(k), `${path}${sep}f:${k}`);
  };
  for (const [key, value] of Object.entries(obj)) {
    if (key === 'apiVersion' || key === 'kind') continue;
    if (section === 'main' && key === 'status') continue;
    if (section === 'status' && key !== 'status') continue;
    if (key === 'metadata' && isPlainObject(value)) {
      for (const [k, v] of Object.entries(value)) {
        if (!strippedMetadata.has(k)) visit(v, shape.field('metadata').field(k), `f:metadata${sep}f:${k}`);
      }
      continue;
    }
    visit(value, shape.field(key), `f:${key}`);
  }
  return out;
}

export function toFieldsV1(paths: PathSet): FieldsV1 {
  const root: FieldsV1 = {};
  const owned = new Set<FieldsV1>();
  for (const path of paths) {
    let node = root;
    for (const element of path.split(sep)) {
      node[element] ??= {};
      node = node[element];
    }
    owned.add(node);
  }
  const mark = (node: FieldsV1): void => {
    for (const [k, child] of Object.entries(node)) {
      if (k === '.') continue;
      if (owned.has(child) && Object.keys(child).length > 0) child['.'] = {};
      mark(child);
    }
  };
  mark(root);
  return sortTree(root);
}

function sortTree(node: FieldsV1): FieldsV1 {
  const out: FieldsV1 = {};
  for (const key of Object.keys(node).sort()) out[key] = sortTree(node[key] ?? {});
  return out;
}

export function fromFieldsV1(tree: unknown): PathSet {
  const out: PathSet = new Set();
  const walk = (node: unknown, prefix: string): void => {
    if (!isPlainObject(node)) return;
    const keys = Object.keys(node);
    if (prefix && (keys.length === 0 || keys.includes('.'))) out.add(prefix);
    for (const k of keys) {
      if (k === '.') continue;
      walk(node[k], prefix ? `${prefix}${sep}${k}` : k);
    }
  };
  walk(tree, '');
  return out;
}

/** The value an object holds at a path, or undefined when absent. */
export function valueAt(obj: unknown, path: string): unknown {
  let cur: unknown = obj;
  for (const element of path.split(sep)) {
    if (element.startsWith('f:')) {
      if (!isPlainObject(cur)) return undefined;
      cur = cur[element.slice(2)];
    } else if (element.startsWith('k:')) {
      if (!Array.isArray(cur)) return undefined;
      const want = JSON.parse(element.slice(2)) as Record<string, unknown>;
      cur = cur.find((item) => keyOf(item, Object.keys(want)) === element.slice(2));
    } else if (element.startsWith('v:')) {
      if (!Array.isArray(cur)) return undefined;
      const want: unknown = JSON.parse(element.slice(2));
      cur = cur.find((item) => deepEqual(item, want));
    } else return undefined;
    if (cur === undefined) return undefined;
  }
  return cur;
}

/** Removes the node at a path from an object (in place). */
export function removeAt(obj: unknown, path: string): void {
  const elements = path.split(sep);
  const last = elements.pop();
  if (last === undefined) return;
  const parent = elements.length > 0 ? valueAt(obj, elements.join(sep)) : obj;
  if (last.startsWith('f:') && isPlainObject(parent)) {
    delete parent[last.slice(2)];
  } else if (Array.isArray(parent)) {
    const idx = last.startsWith('k:')
      ? parent.findIndex((item) => keyOf(item, Object.keys(JSON.parse(last.slice(2)) as object)) === last.slice(2))
      : parent.findIndex((item) => deepEqual(item, JSON.parse(last.slice(2))));
    if (idx >= 0) parent.splice(idx, 1);
  }
}

export function isPrefix(parent: string, child: string): boolean {
  return child.startsWith(parent + sep);
}

/** Paths with no other path below them: the values whose equality decides conflicts. */
export function isLeafIn(path: string, set: PathSet): boolean {
  for (const p of set) if (isPrefix(path, p)) return false;
  return true;
}

/** "f:spec\nk:{...}\nf:image" -> `.spec[name="x"].image`, as the server prints conflict fields. */
export function printPath(path: string): string {
  return path
    .split(sep)
    .map((e) => {
      if (e.startsWith('f:')) return `.${e.slice(2)}`;
      if (e.startsWith('k:')) {
        const key = JSON.parse(e.slice(2)) as Record<string, unknown>;
        return `[${Object.entries(key)
          .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
          .join(',')}]`;
      }
      if (e.startsWith('v:')) return `[=${e.slice(2)}]`;
      return e;
    })
    .join('');
}

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  if (isPlainObject(a) && isPlainObject(b)) {
    const ka = Object.keys(a).filter((k) => a[k] !== undefined);
    const kb = Object.keys(b).filter((k) => b[k] !== undefined);
    return ka.length === kb.length && ka.every((k) => deepEqual(a[k], b[k]));
  }
  return false;
}
