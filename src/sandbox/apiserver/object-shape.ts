// How lists and maps in an object merge: which lists are keyed ("list-map"),
// which are sets, which maps are granular. Built-ins follow the Kubernetes
// API's patch/list annotations; custom resources follow their CRD schema.
import type { JsonSchema } from './json-schema.js';

export type ListType = { type: 'map'; keys: string[] } | { type: 'set' } | { type: 'atomic' };

export interface Shape {
  field(name: string): Shape;
  items(): Shape;
  listType(): ListType;
  /** A map whose keys are data (labels, configmap data), not declared fields. */
  isGranularMap(): boolean;
  /** Replaced wholesale on apply/merge (label selectors). */
  isAtomicMap(): boolean;
}

const keyedLists: Record<string, string[]> = {
  containers: ['name'],
  initContainers: ['name'],
  ephemeralContainers: ['name'],
  volumes: ['name'],
  env: ['name'],
  imagePullSecrets: ['name'],
  volumeMounts: ['mountPath'],
  volumeDevices: ['devicePath'],
  ownerReferences: ['uid'],
  conditions: ['type'],
  hostAliases: ['ip'],
  containerStatuses: ['name'],
  initContainerStatuses: ['name'],
  topologySpreadConstraints: ['topologyKey', 'whenUnsatisfiable'],
};

const setLists = new Set(['finalizers']);

const granularMaps = new Set([
  'labels',
  'annotations',
  'data',
  'binaryData',
  'stringData',
  'nodeSelector',
  'limits',
  'requests',
  'capacity',
  'allocatable',
  'overhead',
]);

const atomicMaps = new Set(['podSelector', 'namespaceSelector', 'labelSelector']);

class BuiltinShape implements Shape {
  constructor(
    private readonly path: readonly string[],
    private readonly kind: string,
  ) {}

  field(name: string): Shape {
    return new BuiltinShape([...this.path, name], this.kind);
  }

  items(): Shape {
    return new BuiltinShape([...this.path, '[]'], this.kind);
  }

  private last(): string {
    return this.path[this.path.length - 1] ?? '';
  }

  /** A Service's spec.selector is a plain map; everywhere else "selector" is a LabelSelector. */
  private isServiceSelector(): boolean {
    return this.kind === 'Service' && this.path.length === 2 && this.path[0] === 'spec';
  }

  listType(): ListType {
    const name = this.last();
    if (name === 'ports') {
      const owner = this.path[this.path.length - 3];
      if (owner === 'containers' || owner === 'initContainers' || owner === 'ephemeralContainers') {
        return { type: 'map', keys: ['containerPort', 'protocol'] };
      }
      return this.kind === 'Service' ? { type: 'map', keys: ['port', 'protocol'] } : { type: 'atomic' };
    }
    const keys = keyedLists[name];
    if (keys) return { type: 'map', keys };
    if (setLists.has(name)) return { type: 'set' };
    return { type: 'atomic' };
  }

  isGranularMap(): boolean {
    const name = this.last();
    if (name === 'selector') return this.isServiceSelector();
    return granularMaps.has(name);
  }

  isAtomicMap(): boolean {
    const name = this.last();
    if (name === 'selector') return !this.isServiceSelector();
    return atomicMaps.has(name);
  }
}

export function builtinShape(kind: string): Shape {
  return new BuiltinShape([], kind);
}

const emptySchema: JsonSchema = {};

class SchemaShape implements Shape {
  constructor(
    private readonly schema: JsonSchema,
    private readonly depth: number,
  ) {}

  field(name: string): Shape {
    if (this.depth === 0 && name === 'metadata') return builtinShape('').field('metadata');
    const props = this.schema.properties;
    if (props?.[name]) return new SchemaShape(props[name], this.depth + 1);
    const ap = this.schema.additionalProperties;
    if (ap && typeof ap === 'object') return new SchemaShape(ap, this.depth + 1);
    return new SchemaShape(emptySchema, this.depth + 1);
  }

  items(): Shape {
    return new SchemaShape(this.schema.items ?? emptySchema, this.depth + 1);
  }

  listType(): ListType {
    const t = this.schema['x-kubernetes-list-type'];
    if (t === 'map') return { type: 'map', keys: this.schema['x-kubernetes-list-map-keys'] ?? [] };
    if (t === 'set') return { type: 'set' };
    return { type: 'atomic' };
  }

  isGranularMap(): boolean {
    return !this.schema.properties && this.schema['x-kubernetes-map-type'] !== 'atomic';
  }

  isAtomicMap(): boolean {
    return this.schema['x-kubernetes-map-type'] === 'atomic';
  }
}

export function schemaShape(schema: JsonSchema | undefined): Shape {
  return new SchemaShape(schema ?? emptySchema, 0);
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The element of a keyed list that matches `item` on every key. */
export function keyOf(item: unknown, keys: string[]): string | undefined {
  if (!isPlainObject(item)) return undefined;
  const parts: Record<string, unknown> = {};
  for (const k of keys) {
    if (item[k] !== undefined) parts[k] = item[k];
  }
  // Protocol defaults to TCP in keyed port lists, so {containerPort: 80} matches {containerPort: 80, protocol: TCP}.
  if (keys.includes('protocol') && parts.protocol === undefined && Object.keys(parts).length > 0)
    parts.protocol = 'TCP';
  return Object.keys(parts).length > 0 ? JSON.stringify(parts) : undefined;
}
