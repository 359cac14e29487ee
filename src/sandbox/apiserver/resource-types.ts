// The kinds the sandbox serves: a fixed set of built-ins plus whatever CRDs
// register. Discovery, routing, tables and validation all read from here.
import type { JsonSchema } from './json-schema.js';
import { builtinTypes } from './builtin-types.js';

export interface PrinterColumn {
  name: string;
  type: string;
  format?: string;
  description?: string;
  priority?: number;
  jsonPath: string;
}

export interface ResourceType {
  group: string;
  version: string;
  kind: string;
  listKind: string;
  plural: string;
  singular: string;
  namespaced: boolean;
  shortNames: string[];
  categories: string[];
  /** Only "status" is supported. */
  hasStatus: boolean;
  /** Custom resources: JSON merge patch only, schema-validated, items carry kind/apiVersion in lists. */
  custom: boolean;
  /** Whether metadata.generation is maintained (bumped on spec changes). */
  tracksGeneration: boolean;
  schema?: JsonSchema;
  printerColumns: PrinterColumn[];
  /** The key under which objects are stored: group/plural, independent of version. */
  storeKey: string;
  /** For kinds stored in another kind's form (events.k8s.io Events are core Events). */
  conversion?: Conversion;
}

export interface Conversion {
  toStored(obj: Record<string, unknown>): Record<string, unknown>;
  fromStored(obj: Record<string, unknown>): Record<string, unknown>;
}

export function apiVersionOf(t: { group: string; version: string }): string {
  return t.group ? `${t.group}/${t.version}` : t.version;
}

/** Every served group/version/resource, built-in and custom. */
export class ResourceRegistry {
  private readonly byPath = new Map<string, ResourceType>();

  constructor() {
    for (const t of builtinTypes) this.add(t);
  }

  add(t: ResourceType): void {
    this.byPath.set(`${t.group}/${t.version}/${t.plural}`, t);
  }

  removeWhere(predicate: (t: ResourceType) => boolean): void {
    for (const [key, t] of this.byPath) if (predicate(t)) this.byPath.delete(key);
  }

  lookup(group: string, version: string, plural: string): ResourceType | undefined {
    return this.byPath.get(`${group}/${version}/${plural}`);
  }

  byKind(apiVersion: string, kind: string): ResourceType | undefined {
    for (const t of this.byPath.values()) if (apiVersionOf(t) === apiVersion && t.kind === kind) return t;
    return undefined;
  }

  /** Any served version of group+kind (owner references may name another version). */
  byGroupKind(group: string, kind: string): ResourceType | undefined {
    for (const t of this.byPath.values()) if (t.group === group && t.kind === kind) return t;
    return undefined;
  }

  all(): ResourceType[] {
    return [...this.byPath.values()];
  }

  groupVersions(): Map<string, string[]> {
    const out = new Map<string, string[]>();
    for (const t of this.byPath.values()) {
      const versions = out.get(t.group) ?? [];
      if (!versions.includes(t.version)) versions.push(t.version);
      out.set(t.group, versions);
    }
    return out;
  }
}
