// Server-side printing (`Accept: ...;as=Table;g=meta.k8s.io;v=v1`), which is
// what `kubectl get` asks for: CRD printer columns, or per-kind built-in cells.
import { isPlainObject } from './object-shape.js';
import type { PrinterColumn, ResourceType } from './resource-types.js';
import type { KubeObject } from './store.js';

const nameColumn = {
  name: 'Name',
  type: 'string',
  format: 'name',
  description:
    'Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names',
  priority: 0,
};

/** Evaluates the simple JSONPath forms printer columns use: `.a.b`, `.a[0]`, `.a[*].b`, `.a[?(@.k=="v")].b`. */
export function jsonPath(obj: unknown, path: string): unknown[] {
  const expr = path
    .replace(/^\{|\}$/g, '')
    .trim()
    .replace(/^\$/, '');
  const tokens = expr.match(/\.[^.[\]]+|\[[^\]]*\]/g) ?? [];
  let current: unknown[] = [obj];
  for (const token of tokens) {
    const next: unknown[] = [];
    for (const value of current) {
      if (token.startsWith('.')) {
        if (isPlainObject(value) && value[token.slice(1)] !== undefined) next.push(value[token.slice(1)]);
        continue;
      }
      if (!Array.isArray(value)) continue;
      const inner = token.slice(1, -1);
      const filter = /^\?\(@\.([\w.-]+)\s*==\s*["']?([^"']*)["']?\)$/.exec(inner);
      if (inner === '*') next.push(...value);
      else if (filter) {
        const [, field = '', want] = filter;
        next.push(...value.filter((item) => isPlainObject(item) && String(item[field]) === want));
      } else if (/^-?\d+$/.test(inner)) {
        const idx = Number(inner);
        const item = value[idx < 0 ? value.length + idx : idx];
        if (item !== undefined) next.push(item);
      }
    }
    current = next;
  }
  return current;
}

export function age(timestamp: unknown, now = Date.now()): string {
  if (typeof timestamp !== 'string') return '<unknown>';
  const seconds = Math.max(0, Math.floor((now - Date.parse(timestamp)) / 1000));
  if (seconds < 120) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 10) return `${minutes}m${seconds % 60 > 0 ? `${seconds % 60}s` : ''}`;
  if (minutes < 180) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours}h`;
  return `${Math.floor(hours / 24)}d`;
}

function customCell(col: PrinterColumn, obj: KubeObject): unknown {
  const results = jsonPath(obj, col.jsonPath);
  if (results.length === 0) return null;
  const first = results[0];
  if (col.type === 'date') return age(first);
  if (col.type === 'string') return results.map((r) => (typeof r === 'string' ? r : JSON.stringify(r))).join(',');
  return first;
}

type Obj = Record<string, unknown>;
const o = (v: unknown): Obj => (isPlainObject(v) ? v : {});
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

function builtinCells(t: ResourceType, obj: KubeObject): unknown[] {
  const status = o(obj.status);
  const spec = o(obj.spec);
  const created = age(obj.metadata.creationTimestamp);
  switch (t.storeKey) {
    case '/pods': {
      const statuses = arr(status.containerStatuses).map(o);
      const total = arr(spec.containers).length;
      const ready = statuses.filter((s) => s.ready === true).length;
      const restarts = statuses.reduce((n, s) => n + (typeof s.restartCount === 'number' ? s.restartCount : 0), 0);
      const waiting = statuses.map((s) => o(o(s.state).waiting).reason).find((r) => typeof r === 'string');
      const phase = obj.metadata.deletionTimestamp ? 'Terminating' : (waiting ?? status.phase ?? 'Pending');
      return [`${ready}/${total}`, phase, restarts, created, status.podIP ?? '<none>', spec.nodeName ?? '<none>'];
    }
    case '/nodes': {
      const ready = arr(status.conditions)
        .map(o)
        .find((c) => c.type === 'Ready');
      return [
        ready?.status === 'True' ? 'Ready' : 'NotReady',
        '<none>',
        created,
        o(status.nodeInfo).kubeletVersion ?? '',
      ];
    }
    case '/secrets':
      return [obj.type ?? 'Opaque', Object.keys(o(obj.data)).length, created];
    case '/configmaps':
      return [Object.keys(o(obj.data)).length + Object.keys(o(obj.binaryData)).length, created];
    case '/events':
      if (t.group)
        return t.printerColumns.map((c) =>
          c.type === 'date' && c.name === 'Age' ? created : (customCell(c, obj) ?? '<none>'),
        );
      return [
        age(obj.lastTimestamp ?? obj.eventTime),
        obj.type,
        obj.reason,
        `${String(o(obj.involvedObject).kind ?? '').toLowerCase()}/${String(o(obj.involvedObject).name ?? '')}`,
        obj.message,
      ];
    case 'networking.k8s.io/networkpolicies': {
      const labels = o(o(spec.podSelector).matchLabels);
      const text = Object.entries(labels)
        .map(([k, v]) => `${k}=${String(v)}`)
        .join(',');
      return [text || '<none>', created];
    }
    case 'apps/deployments':
      return [
        `${Number(status.readyReplicas ?? 0)}/${Number(spec.replicas ?? 0)}`,
        status.updatedReplicas ?? 0,
        status.availableReplicas ?? 0,
        created,
      ];
    case 'apiextensions.k8s.io/customresourcedefinitions':
      return [obj.metadata.creationTimestamp];
    default:
      return t.printerColumns.map((c) =>
        c.type === 'date' && c.name === 'Age' ? created : (customCell(c, obj) ?? '<none>'),
      );
  }
}

function columnsFor(t: ResourceType): PrinterColumn[] {
  if (t.custom && t.printerColumns.length === 0)
    return [{ name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' }];
  return t.printerColumns;
}

export type IncludeObject = 'None' | 'Metadata' | 'Object';

export function toTable(
  t: ResourceType,
  objects: KubeObject[],
  include: IncludeObject,
  listMeta: Record<string, unknown>,
  withColumns = true,
): Record<string, unknown> {
  const columns = columnsFor(t).map((c) => ({
    name: c.name,
    type: t.custom ? c.type : c.type === 'date' ? 'string' : c.type,
    format: c.format ?? '',
    description: c.description ?? '',
    priority: c.priority ?? 0,
  }));
  const rows = objects.map((obj) => {
    const cells = t.custom
      ? [obj.metadata.name, ...columnsFor(t).map((c) => customCell(c, obj))]
      : [obj.metadata.name, ...builtinCells(t, obj)];
    const row: Record<string, unknown> = { cells };
    if (include === 'Object') row.object = obj;
    if (include === 'Metadata')
      row.object = { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: obj.metadata };
    return row;
  });
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: listMeta,
    columnDefinitions: withColumns ? [nameColumn, ...columns] : [],
    rows,
  };
}
