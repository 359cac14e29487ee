// managedFields bookkeeping and server-side apply: who owns which field, apply
// conflicts, and removal of fields an applier stopped sending.
import { ApiError } from './errors.js';
import {
  deepEqual,
  fromFieldsV1,
  isLeafIn,
  isPrefix,
  nodesOf,
  pathsOf,
  printPath,
  removeAt,
  toFieldsV1,
  valueAt,
  type PathSet,
  type Section,
} from './field-set.js';
import { isPlainObject, keyOf, type Shape } from './object-shape.js';
import type { KubeObject, ManagedFieldsEntry } from './store.js';

export interface Writer {
  manager: string;
  apiVersion: string;
  subresource?: string;
  section: Section;
  now: string;
}

interface Entry {
  meta: Omit<ManagedFieldsEntry, 'fieldsV1' | 'fieldsType'>;
  paths: PathSet;
}

function entriesOf(obj: KubeObject | undefined): Entry[] {
  return (obj?.metadata.managedFields ?? []).map((e) => {
    const { fieldsV1, fieldsType: _ft, ...meta } = e;
    return { meta, paths: fromFieldsV1(fieldsV1) };
  });
}

function sameSlot(e: Entry, w: Writer, operation: 'Apply' | 'Update'): boolean {
  return (
    e.meta.manager === w.manager &&
    e.meta.operation === operation &&
    (e.meta.subresource ?? '') === (w.subresource ?? '')
  );
}

function serialize(entries: Entry[]): ManagedFieldsEntry[] {
  return entries
    .filter((e) => e.paths.size > 0)
    .map((e) => {
      const out: ManagedFieldsEntry = {
        manager: e.meta.manager,
        operation: e.meta.operation,
        apiVersion: e.meta.apiVersion,
        time: e.meta.time,
        fieldsType: 'FieldsV1',
        fieldsV1: toFieldsV1(e.paths),
      };
      if (e.meta.subresource) out.subresource = e.meta.subresource;
      return out;
    });
}

function upsert(entries: Entry[], w: Writer, operation: 'Apply' | 'Update', paths: PathSet): void {
  const meta: Entry['meta'] = { manager: w.manager, operation, apiVersion: w.apiVersion, time: w.now };
  if (w.subresource) meta.subresource = w.subresource;
  const existing = entries.find((e) => sameSlot(e, w, operation));
  if (existing) {
    existing.meta = meta;
    existing.paths = paths;
  } else entries.push({ meta, paths });
}

/** Ownership after a create/update/patch: the writer takes every field it changed. */
export function recordUpdate(
  oldObj: KubeObject | undefined,
  newObj: KubeObject,
  w: Writer,
  shape: Shape,
  custom = false,
): ManagedFieldsEntry[] {
  const entries = entriesOf(oldObj);
  const nodesBefore = oldObj ? nodesOf(oldObj, shape, w.section) : new Map<string, boolean>();
  const nodesAfter = nodesOf(newObj, shape, w.section);
  const before = oldObj ? pathsOf(oldObj, shape, w.section) : new Set<string>();
  const after = pathsOf(newObj, shape, w.section);
  // Built-in objects start from Go zero values, where plain structs already exist; only their maps are "added".
  for (const [node, granular] of nodesAfter) if (custom || granular) after.add(node);
  for (const [node, granular] of nodesBefore) if (custom || granular) before.add(node);
  const changed = new Set<string>();
  for (const p of after) {
    if (!before.has(p)) changed.add(p);
    else if (isLeafIn(p, after) && !deepEqual(valueAt(oldObj, p), valueAt(newObj, p))) changed.add(p);
  }
  const removed = [...before].filter((p) => !after.has(p));
  for (const e of entries) {
    for (const p of removed) e.paths.delete(p);
    if (!sameSlot(e, w, 'Update')) for (const p of changed) e.paths.delete(p);
  }
  const mine = entries.find((e) => sameSlot(e, w, 'Update'))?.paths ?? new Set<string>();
  for (const p of changed) mine.add(p);
  if (mine.size > 0) upsert(entries, w, 'Update', mine);
  return serialize(entries);
}

function mergeApplied(live: unknown, config: unknown, shape: Shape): unknown {
  if (isPlainObject(config) && isPlainObject(live) && !shape.isAtomicMap()) {
    const out: Record<string, unknown> = { ...live };
    for (const [k, v] of Object.entries(config)) {
      if (v === null) delete out[k];
      else out[k] = mergeApplied(live[k], v, shape.field(k));
    }
    return out;
  }
  if (Array.isArray(config) && Array.isArray(live)) {
    const lt = shape.listType();
    if (lt.type === 'set') return [...live, ...config.filter((c) => !live.some((l) => deepEqual(l, c)))];
    if (lt.type === 'map') {
      const out = [...live];
      for (const item of config) {
        const key = keyOf(item, lt.keys);
        const idx = out.findIndex((l) => keyOf(l, lt.keys) === key);
        if (idx >= 0) out[idx] = mergeApplied(out[idx], item, shape.items());
        else out.push(item);
      }
      return out;
    }
  }
  return config;
}

/**
 * Server-side apply of `config` onto `live` (undefined when creating). Returns the
 * merged object with managedFields set, or throws a 409 listing conflicts.
 */
export function applyConfig(
  live: KubeObject | undefined,
  config: KubeObject,
  w: Writer,
  force: boolean,
  shape: Shape,
): KubeObject {
  const entries = entriesOf(live);
  const applied = pathsOf(config, shape, w.section);
  const conflicts = new Map<string, string[]>();
  for (const e of entries) {
    // A manager is a (name, operation) pair: an applier conflicts even with its own name's Update entry.
    if (sameSlot(e, w, 'Apply')) continue;
    for (const p of applied) {
      if (!e.paths.has(p) || !isLeafIn(p, applied)) continue;
      if (deepEqual(valueAt(config, p), valueAt(live, p))) continue;
      const who = `"${e.meta.manager}"${e.meta.subresource ? ` with subresource "${e.meta.subresource}"` : ''} using ${e.meta.apiVersion}`;
      conflicts.set(who, [...(conflicts.get(who) ?? []), p]);
    }
  }
  if (conflicts.size > 0 && !force) throw conflictError(conflicts);
  const lost = new Set([...conflicts.values()].flat());
  if (force) for (const e of entries) if (!sameSlot(e, w, 'Apply')) for (const p of lost) e.paths.delete(p);

  const previous = entries.find((e) => sameSlot(e, w, 'Apply'))?.paths ?? new Set<string>();
  const merged = mergeApplied(structuredClone(live ?? { metadata: {} }), config, shape) as KubeObject;
  const othersOwn = (p: string): boolean =>
    entries.some((e) => !sameSlot(e, w, 'Apply') && [...e.paths].some((q) => q === p || isPrefix(p, q)));
  const dropped = [...previous].filter((p) => !applied.has(p) && !othersOwn(p)).sort((a, b) => a.length - b.length);
  for (const p of dropped) removeAt(merged, p);
  pruneEmptiedParents(merged, live, dropped);

  upsert(entries, w, 'Apply', applied);
  merged.metadata.managedFields = serialize(entries);
  return merged;
}

/** A map left empty because its last owned field was removed goes too. */
function pruneEmptiedParents(merged: KubeObject, live: KubeObject | undefined, dropped: string[]): void {
  const parents = new Set<string>();
  for (const p of dropped) {
    const parts = p.split('\n');
    for (let i = parts.length - 1; i > 0; i--) parents.add(parts.slice(0, i).join('\n'));
  }
  for (const parent of [...parents].sort((a, b) => b.length - a.length)) {
    const now = valueAt(merged, parent);
    const before = valueAt(live, parent);
    const emptied =
      isPlainObject(now) &&
      Object.keys(now).length === 0 &&
      !(isPlainObject(before) && Object.keys(before).length === 0);
    if (emptied) removeAt(merged, parent);
  }
}

function conflictError(conflicts: Map<string, string[]>): ApiError {
  const causes: { reason: string; message: string; field: string }[] = [];
  const parts: string[] = [];
  let total = 0;
  for (const [who, paths] of conflicts) {
    total += paths.length;
    for (const p of paths)
      causes.push({ reason: 'FieldManagerConflict', message: `conflict with ${who}`, field: printPath(p) });
    parts.push(
      paths.length === 1
        ? `conflict with ${who}: ${printPath(paths[0] ?? '')}`
        : `conflicts with ${who}:\n${paths.map((p) => `- ${printPath(p)}`).join('\n')}`,
    );
  }
  const message = `Apply failed with ${total} conflict${total === 1 ? '' : 's'}: ${parts.join('\n')}`;
  return new ApiError(409, 'Conflict', message, { causes });
}
