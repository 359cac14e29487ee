// The three client-side patch formats: JSON merge patch (RFC 7386), JSON patch
// (RFC 6902) and Kubernetes strategic merge patch for built-in kinds.
import { ApiError, badRequest } from './errors.js';
import { deepEqual } from './field-set.js';
import { isPlainObject, keyOf, type Shape } from './object-shape.js';

export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isPlainObject(patch)) return patch;
  const out: Record<string, unknown> = isPlainObject(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

function patchFailed(message: string): ApiError {
  return new ApiError(422, 'Invalid', 'the server rejected our request due to an error in our request', {
    causes: [{ reason: 'UnexpectedServerResponse', message }],
  });
}

function decodePointer(pointer: string): string[] {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) throw badRequest(`JSON pointer must start with "/": ${pointer}`);
  return pointer
    .slice(1)
    .split('/')
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
}

type Container = Record<string, unknown> | unknown[];

function parentOf(doc: unknown, parts: string[], op: string, path: string): { parent: Container; key: string } {
  let cur: unknown = doc;
  for (const part of parts.slice(0, -1)) {
    if (Array.isArray(cur)) cur = cur[Number(part)];
    else if (isPlainObject(cur)) cur = cur[part];
    else cur = undefined;
    if (cur === undefined)
      throw patchFailed(`${op} operation does not apply: doc is missing path: "${path}": missing value`);
  }
  if (!Array.isArray(cur) && !isPlainObject(cur)) {
    throw patchFailed(`${op} operation does not apply: doc is missing path: "${path}": missing value`);
  }
  return { parent: cur, key: parts[parts.length - 1] ?? '' };
}

function getAt(doc: unknown, path: string, op: string): unknown {
  const parts = decodePointer(path);
  if (parts.length === 0) return doc;
  const { parent, key } = parentOf(doc, parts, op, path);
  const value = Array.isArray(parent) ? parent[Number(key)] : parent[key];
  if (value === undefined)
    throw patchFailed(`${op} operation does not apply: doc is missing path: "${path}": missing value`);
  return value;
}

function removeAtPointer(doc: unknown, path: string, op: string): unknown {
  const parts = decodePointer(path);
  const { parent, key } = parentOf(doc, parts, op, path);
  if (Array.isArray(parent)) {
    const idx = Number(key);
    if (!Number.isInteger(idx) || idx < 0 || idx >= parent.length) {
      throw patchFailed(`${op} operation does not apply: doc is missing path: "${path}": missing value`);
    }
    return parent.splice(idx, 1)[0];
  }
  if (!(key in parent))
    throw patchFailed(`${op} operation does not apply: doc is missing path: "${path}": missing value`);
  const value = parent[key];
  delete parent[key];
  return value;
}

function addAt(doc: unknown, path: string, value: unknown, op: string, replace: boolean): unknown {
  const parts = decodePointer(path);
  if (parts.length === 0) return value;
  const { parent, key } = parentOf(doc, parts, op, path);
  if (Array.isArray(parent)) {
    const idx = key === '-' ? parent.length : Number(key);
    if (!Number.isInteger(idx) || idx < 0 || idx > parent.length || (replace && idx >= parent.length)) {
      throw patchFailed(`${op} operation does not apply: doc is missing path: "${path}": missing value`);
    }
    parent.splice(idx, replace ? 1 : 0, value);
  } else {
    if (replace && !(key in parent)) {
      throw patchFailed(`${op} operation does not apply: doc is missing key: ${path}: missing value`);
    }
    parent[key] = value;
  }
  return doc;
}

export function jsonPatch(target: unknown, patch: unknown): unknown {
  if (!Array.isArray(patch)) throw badRequest('json: cannot unmarshal object into Go value of type jsonpatch.Patch');
  let doc = structuredClone(target);
  for (const raw of patch) {
    if (!isPlainObject(raw) || typeof raw.op !== 'string' || typeof raw.path !== 'string') {
      throw badRequest('Unexpected kind: invalid JSON patch operation');
    }
    const { op, path } = raw;
    switch (op) {
      case 'add':
        doc = addAt(doc, path, structuredClone(raw.value), op, false);
        break;
      case 'replace':
        doc = addAt(doc, path, structuredClone(raw.value), op, true);
        break;
      case 'remove':
        removeAtPointer(doc, path, op);
        break;
      case 'test':
        if (!deepEqual(getAt(doc, path, op), raw.value)) throw patchFailed(`testing value ${path} failed: test failed`);
        break;
      case 'move': {
        if (typeof raw.from !== 'string') throw badRequest('move operation requires "from"');
        const value = removeAtPointer(doc, raw.from, op);
        doc = addAt(doc, path, value, op, false);
        break;
      }
      case 'copy': {
        if (typeof raw.from !== 'string') throw badRequest('copy operation requires "from"');
        doc = addAt(doc, path, structuredClone(getAt(doc, raw.from, op)), op, false);
        break;
      }
      default:
        throw badRequest(`Unexpected kind: ${op}`);
    }
  }
  return doc;
}

/** Strategic merge patch: keyed lists merge by their merge key, `$patch` directives honoured. */
export function strategicMergePatch(target: unknown, patch: unknown, shape: Shape): unknown {
  if (!isPlainObject(patch)) return patch;
  if (patch.$patch === 'delete') return undefined;
  const replace = patch.$patch === 'replace';
  const out: Record<string, unknown> = !replace && isPlainObject(target) ? { ...target } : {};
  const retainKeys = Array.isArray(patch.$retainKeys) ? (patch.$retainKeys as string[]) : undefined;
  for (const [k, v] of Object.entries(patch)) {
    if (k === '$patch' || k === '$retainKeys' || k.startsWith('$setElementOrder/')) continue;
    if (k.startsWith('$deleteFromPrimitiveList/')) {
      const field = k.slice('$deleteFromPrimitiveList/'.length);
      const list = out[field];
      if (Array.isArray(list) && Array.isArray(v)) out[field] = list.filter((x) => !v.some((d) => deepEqual(d, x)));
      continue;
    }
    if (v === null) {
      delete out[k];
      continue;
    }
    const childShape = shape.field(k);
    if (Array.isArray(v)) out[k] = mergeList(out[k], v, childShape);
    else if (isPlainObject(v)) {
      const merged = childShape.isAtomicMap() ? v : strategicMergePatch(out[k], v, childShape);
      if (merged === undefined) delete out[k];
      else out[k] = merged;
    } else out[k] = v;
  }
  if (retainKeys) for (const k of Object.keys(out)) if (!retainKeys.includes(k)) delete out[k];
  return out;
}

function mergeList(target: unknown, patch: unknown[], shape: Shape): unknown[] {
  const lt = shape.listType();
  if (patch.some((p) => isPlainObject(p) && p.$patch === 'replace')) {
    return patch.filter((p) => !(isPlainObject(p) && p.$patch === 'replace'));
  }
  const current = Array.isArray(target) ? [...target] : [];
  if (lt.type === 'set') return [...current, ...patch.filter((p) => !current.some((c) => deepEqual(c, p)))];
  if (lt.type !== 'map') return patch;
  // Strategic merge patch keys on the first (patchMergeKey) field only.
  const keys = lt.keys.slice(0, 1);
  for (const item of patch) {
    const key = keyOf(item, keys);
    const idx = current.findIndex((c) => keyOf(c, keys) === key);
    if (isPlainObject(item) && item.$patch === 'delete') {
      if (idx >= 0) current.splice(idx, 1);
      continue;
    }
    if (idx >= 0) current[idx] = strategicMergePatch(current[idx], item, shape.items());
    else current.push(strategicMergePatch(undefined, item, shape.items()));
  }
  return current;
}
