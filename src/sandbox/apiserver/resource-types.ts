// The kinds the sandbox serves: a fixed set of built-ins plus whatever CRDs
// register. Discovery, routing, tables and validation all read from here.
import type { JsonSchema } from './json-schema.js';

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

/** events.k8s.io/v1 field names and their core/v1 counterparts. */
const eventFields: [string, string][] = [
  ['regarding', 'involvedObject'],
  ['note', 'message'],
  ['reportingController', 'reportingComponent'],
  ['deprecatedSource', 'source'],
  ['deprecatedFirstTimestamp', 'firstTimestamp'],
  ['deprecatedLastTimestamp', 'lastTimestamp'],
  ['deprecatedCount', 'count'],
];

function renamer(pairs: [string, string][]): (obj: Record<string, unknown>) => Record<string, unknown> {
  return (obj) => {
    const out = { ...obj };
    for (const [from, to] of pairs) {
      if (from in out) {
        out[to] = out[from];
        delete out[from];
      }
    }
    return out;
  };
}

const eventConversion: Conversion = {
  toStored: renamer(eventFields),
  fromStored: renamer(eventFields.map(([a, b]) => [b, a])),
};

export function apiVersionOf(t: { group: string; version: string }): string {
  return t.group ? `${t.group}/${t.version}` : t.version;
}

const age: PrinterColumn = { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' };

type BuiltinSpec = Omit<ResourceType, 'listKind' | 'storeKey' | 'custom' | 'singular' | 'categories' | 'shortNames'> &
  Partial<Pick<ResourceType, 'shortNames' | 'categories'>>;

function builtin(spec: BuiltinSpec): ResourceType {
  return {
    shortNames: [],
    categories: [],
    ...spec,
    listKind: `${spec.kind}List`,
    singular: spec.kind.toLowerCase(),
    custom: false,
    storeKey: `${spec.group}/${spec.plural}`,
  };
}

export const builtinTypes: ResourceType[] = [
  builtin({
    group: '',
    version: 'v1',
    kind: 'Namespace',
    plural: 'namespaces',
    namespaced: false,
    shortNames: ['ns'],
    hasStatus: true,
    tracksGeneration: false,
    printerColumns: [{ name: 'Status', type: 'string', jsonPath: '.status.phase' }, age],
  }),
  builtin({
    group: '',
    version: 'v1',
    kind: 'Node',
    plural: 'nodes',
    namespaced: false,
    shortNames: ['no'],
    hasStatus: true,
    tracksGeneration: false,
    printerColumns: [
      { name: 'Status', type: 'string', jsonPath: '.status.conditions' },
      { name: 'Roles', type: 'string', jsonPath: '.metadata.labels' },
      age,
      { name: 'Version', type: 'string', jsonPath: '.status.nodeInfo.kubeletVersion' },
    ],
  }),
  builtin({
    group: '',
    version: 'v1',
    kind: 'Pod',
    plural: 'pods',
    namespaced: true,
    shortNames: ['po'],
    categories: ['all'],
    hasStatus: true,
    tracksGeneration: false,
    printerColumns: [
      { name: 'Ready', type: 'string', jsonPath: '.status.containerStatuses' },
      { name: 'Status', type: 'string', jsonPath: '.status.phase' },
      { name: 'Restarts', type: 'string', jsonPath: '.status.containerStatuses' },
      age,
      { name: 'IP', type: 'string', jsonPath: '.status.podIP', priority: 1 },
      { name: 'Node', type: 'string', jsonPath: '.spec.nodeName', priority: 1 },
    ],
  }),
  builtin({
    group: '',
    version: 'v1',
    kind: 'Secret',
    plural: 'secrets',
    namespaced: true,
    hasStatus: false,
    tracksGeneration: false,
    printerColumns: [
      { name: 'Type', type: 'string', jsonPath: '.type' },
      { name: 'Data', type: 'string', jsonPath: '.data' },
      age,
    ],
  }),
  builtin({
    group: '',
    version: 'v1',
    kind: 'ConfigMap',
    plural: 'configmaps',
    namespaced: true,
    shortNames: ['cm'],
    hasStatus: false,
    tracksGeneration: false,
    printerColumns: [{ name: 'Data', type: 'string', jsonPath: '.data' }, age],
  }),
  builtin({
    group: '',
    version: 'v1',
    kind: 'ServiceAccount',
    plural: 'serviceaccounts',
    namespaced: true,
    shortNames: ['sa'],
    hasStatus: false,
    tracksGeneration: false,
    printerColumns: [age],
  }),
  builtin({
    group: '',
    version: 'v1',
    kind: 'Service',
    plural: 'services',
    namespaced: true,
    shortNames: ['svc'],
    categories: ['all'],
    hasStatus: true,
    tracksGeneration: false,
    printerColumns: [
      { name: 'Type', type: 'string', jsonPath: '.spec.type' },
      { name: 'Cluster-IP', type: 'string', jsonPath: '.spec.clusterIP' },
      age,
    ],
  }),
  builtin({
    group: '',
    version: 'v1',
    kind: 'PersistentVolumeClaim',
    plural: 'persistentvolumeclaims',
    namespaced: true,
    shortNames: ['pvc'],
    hasStatus: true,
    tracksGeneration: false,
    printerColumns: [
      { name: 'Status', type: 'string', jsonPath: '.status.phase' },
      { name: 'Volume', type: 'string', jsonPath: '.spec.volumeName' },
      { name: 'Capacity', type: 'string', jsonPath: '.status.capacity.storage' },
      { name: 'StorageClass', type: 'string', jsonPath: '.spec.storageClassName' },
      age,
    ],
  }),
  builtin({
    group: '',
    version: 'v1',
    kind: 'Event',
    plural: 'events',
    namespaced: true,
    shortNames: ['ev'],
    hasStatus: false,
    tracksGeneration: false,
    printerColumns: [
      { name: 'Last Seen', type: 'date', jsonPath: '.lastTimestamp' },
      { name: 'Type', type: 'string', jsonPath: '.type' },
      { name: 'Reason', type: 'string', jsonPath: '.reason' },
      { name: 'Object', type: 'string', jsonPath: '.involvedObject.name' },
      { name: 'Message', type: 'string', jsonPath: '.message' },
    ],
  }),
  {
    ...builtin({
      group: 'events.k8s.io',
      version: 'v1',
      kind: 'Event',
      plural: 'events',
      namespaced: true,
      shortNames: ['ev'],
      hasStatus: false,
      tracksGeneration: false,
      printerColumns: [
        { name: 'Type', type: 'string', jsonPath: '.type' },
        { name: 'Reason', type: 'string', jsonPath: '.reason' },
        { name: 'Note', type: 'string', jsonPath: '.note' },
        age,
      ],
    }),
    // One storage for both Event APIs, as on a real server.
    storeKey: '/events',
    conversion: eventConversion,
  },
  builtin({
    group: 'networking.k8s.io',
    version: 'v1',
    kind: 'NetworkPolicy',
    plural: 'networkpolicies',
    namespaced: true,
    shortNames: ['netpol'],
    hasStatus: false,
    tracksGeneration: true,
    printerColumns: [{ name: 'Pod-Selector', type: 'string', jsonPath: '.spec.podSelector' }, age],
  }),
  builtin({
    group: 'coordination.k8s.io',
    version: 'v1',
    kind: 'Lease',
    plural: 'leases',
    namespaced: true,
    hasStatus: false,
    tracksGeneration: false,
    printerColumns: [{ name: 'Holder', type: 'string', jsonPath: '.spec.holderIdentity' }, age],
  }),
  builtin({
    group: 'apps',
    version: 'v1',
    kind: 'Deployment',
    plural: 'deployments',
    namespaced: true,
    shortNames: ['deploy'],
    categories: ['all'],
    hasStatus: true,
    tracksGeneration: true,
    printerColumns: [
      { name: 'Ready', type: 'string', jsonPath: '.status.readyReplicas' },
      { name: 'Up-to-date', type: 'integer', jsonPath: '.status.updatedReplicas' },
      { name: 'Available', type: 'integer', jsonPath: '.status.availableReplicas' },
      age,
    ],
  }),
  builtin({
    group: 'authorization.k8s.io',
    version: 'v1',
    kind: 'SelfSubjectAccessReview',
    plural: 'selfsubjectaccessreviews',
    namespaced: false,
    hasStatus: false,
    tracksGeneration: false,
    printerColumns: [],
  }),
  builtin({
    group: 'authorization.k8s.io',
    version: 'v1',
    kind: 'SelfSubjectRulesReview',
    plural: 'selfsubjectrulesreviews',
    namespaced: false,
    hasStatus: false,
    tracksGeneration: false,
    printerColumns: [],
  }),
  builtin({
    group: 'apiextensions.k8s.io',
    version: 'v1',
    kind: 'CustomResourceDefinition',
    plural: 'customresourcedefinitions',
    namespaced: false,
    shortNames: ['crd', 'crds'],
    categories: ['api-extensions'],
    hasStatus: true,
    tracksGeneration: true,
    printerColumns: [{ name: 'Created At', type: 'date', jsonPath: '.metadata.creationTimestamp' }],
  }),
];

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
