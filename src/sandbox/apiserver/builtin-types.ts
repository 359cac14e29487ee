// The built-in kinds the sandbox serves, as a real API server lists them (printer columns,
// short names), and the conversion that stores events.k8s.io Events as core Events.
import type { Conversion, PrinterColumn, ResourceType } from './resource-types.js';

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
