// What the real server does to built-in kinds on create/update beyond generic
// metadata handling: defaults, initial status, immutability rules.
import { randomBytes } from 'node:crypto';
import type { StatusCause } from './errors.js';
import { deepEqual } from './field-set.js';
import { isPlainObject } from './object-shape.js';
import type { KubeObject } from './store.js';

type Obj = Record<string, unknown>;

function obj(v: unknown): Obj {
  return isPlainObject(v) ? v : {};
}

function defaultContainer(c: unknown): void {
  if (!isPlainObject(c)) return;
  const image = typeof c.image === 'string' ? c.image : '';
  const tag = image.includes('@') ? 'digest' : (/:([^/:]+)$/.exec(image)?.[1] ?? 'latest');
  c.imagePullPolicy ??= tag === 'latest' ? 'Always' : 'IfNotPresent';
  c.terminationMessagePath ??= '/dev/termination-log';
  c.terminationMessagePolicy ??= 'File';
  c.resources ??= {};
  if (Array.isArray(c.ports)) for (const p of c.ports) if (isPlainObject(p)) p.protocol ??= 'TCP';
}

function defaultPodSpec(spec: Obj): void {
  for (const c of Array.isArray(spec.containers) ? spec.containers : []) defaultContainer(c);
  for (const c of Array.isArray(spec.initContainers) ? spec.initContainers : []) defaultContainer(c);
  spec.restartPolicy ??= 'Always';
  spec.terminationGracePeriodSeconds ??= 30;
  spec.dnsPolicy ??= 'ClusterFirst';
  spec.securityContext ??= {};
  spec.schedulerName ??= 'default-scheduler';
  spec.enableServiceLinks ??= true;
  spec.preemptionPolicy ??= 'PreemptLowerPriority';
  spec.priority ??= 0;
  if (spec.serviceAccountName === undefined && spec.serviceAccount === undefined) spec.serviceAccountName = 'default';
  spec.serviceAccount ??= spec.serviceAccountName;
  spec.serviceAccountName ??= spec.serviceAccount;
  spec.tolerations ??= [
    { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
    { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
  ];
}

function qosClass(spec: Obj): string {
  const containers = Array.isArray(spec.containers) ? spec.containers : [];
  const resources = containers.map((c) => obj(obj(c).resources));
  const any = resources.some((r) => Object.keys(obj(r.requests)).length > 0 || Object.keys(obj(r.limits)).length > 0);
  if (!any) return 'BestEffort';
  const guaranteed = resources.every((r) => {
    const limits = obj(r.limits);
    const requests = { ...limits, ...obj(r.requests) };
    return ['cpu', 'memory'].every((k) => limits[k] !== undefined && requests[k] === limits[k]);
  });
  return guaranteed ? 'Guaranteed' : 'Burstable';
}

function randomClusterIp(): string {
  const b = randomBytes(2);
  return `10.96.${b[0] ?? 0}.${Math.max(1, b[1] ?? 1)}`;
}

/** Defaults and initial status for a new object of a built-in kind. */
export function prepareBuiltinCreate(kind: string, o: KubeObject): void {
  const spec = obj(o.spec);
  switch (kind) {
    case 'Pod':
      o.spec = spec;
      defaultPodSpec(spec);
      // No scheduler: every pod lands on the one sandbox node, so deletion is graceful as on a real node.
      spec.nodeName ??= 'sandbox-node';
      o.status = { phase: 'Pending', qosClass: qosClass(spec) };
      break;
    case 'Namespace':
      o.spec = { finalizers: ['kubernetes'] };
      o.status = { phase: 'Active' };
      o.metadata.labels = { ...o.metadata.labels, 'kubernetes.io/metadata.name': o.metadata.name };
      break;
    case 'Service': {
      o.spec = spec;
      spec.type ??= 'ClusterIP';
      spec.sessionAffinity ??= 'None';
      if (spec.clusterIP === undefined) spec.clusterIP = randomClusterIp();
      spec.clusterIPs ??= [spec.clusterIP];
      spec.ipFamilies ??= ['IPv4'];
      spec.ipFamilyPolicy ??= 'SingleStack';
      spec.internalTrafficPolicy ??= 'Cluster';
      for (const p of Array.isArray(spec.ports) ? spec.ports : []) {
        if (!isPlainObject(p)) continue;
        p.protocol ??= 'TCP';
        p.targetPort ??= p.port;
      }
      o.status = { loadBalancer: {} };
      break;
    }
    case 'PersistentVolumeClaim':
      o.spec = spec;
      spec.volumeMode ??= 'Filesystem';
      o.status = { phase: 'Pending' };
      break;
    case 'Secret':
      o.type ??= 'Opaque';
      break;
    case 'Deployment':
      o.spec = spec;
      spec.replicas ??= 1;
      spec.revisionHistoryLimit ??= 10;
      spec.progressDeadlineSeconds ??= 600;
      spec.strategy ??= { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' } };
      {
        const template = obj(spec.template);
        spec.template = template;
        const podSpec = obj(template.spec);
        template.spec = podSpec;
        defaultPodSpec(podSpec);
      }
      o.status = {};
      break;
    case 'NetworkPolicy':
      o.spec = spec;
      if (spec.policyTypes === undefined) spec.policyTypes = spec.egress ? ['Ingress', 'Egress'] : ['Ingress'];
      break;
  }
  if (kind === 'Secret') foldStringData(o);
}

/** Secrets: stringData is a write-only convenience merged into data. */
export function foldStringData(o: KubeObject): void {
  if (!isPlainObject(o.stringData)) return;
  const data = obj(o.data);
  for (const [k, v] of Object.entries(o.stringData)) data[k] = Buffer.from(String(v)).toString('base64');
  o.data = data;
  delete o.stringData;
}

/** Carries defaults forward so an update that omits defaulted fields does not erase them. */
export function prepareBuiltinUpdate(kind: string, old: KubeObject, next: KubeObject): StatusCause[] {
  if (kind === 'Secret') foldStringData(next);
  if (kind === 'Namespace') next.spec = old.spec;
  if (kind === 'Pod') {
    const spec = obj(next.spec);
    next.spec = spec;
    defaultPodSpec(spec);
    return podSpecChanges(obj(old.spec), spec);
  }
  if (kind === 'PersistentVolumeClaim') {
    const oldSpec = obj(old.spec);
    // The binder sets volumeName once; everything else but the storage request is fixed at creation.
    const a = { ...oldSpec, resources: undefined, volumeAttributesClassName: undefined, volumeName: undefined };
    const spec = obj(next.spec);
    spec.volumeMode ??= 'Filesystem';
    next.spec = spec;
    const b = { ...spec, resources: undefined, volumeAttributesClassName: undefined, volumeName: undefined };
    if (oldSpec.volumeName !== undefined && spec.volumeName !== oldSpec.volumeName) {
      return [
        {
          reason: 'FieldValueForbidden',
          message:
            'Forbidden: spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims',
          field: 'spec',
        },
      ];
    }
    if (!deepEqual(a, b)) {
      return [
        {
          reason: 'FieldValueForbidden',
          message:
            'Forbidden: spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims',
          field: 'spec',
        },
      ];
    }
  }
  if (
    kind === 'Secret' &&
    obj(old).immutable === true &&
    (!deepEqual(old.data, next.data) || next.immutable !== true)
  ) {
    return [
      {
        reason: 'FieldValueForbidden',
        message: 'Forbidden: field is immutable when `immutable` is set',
        field: 'data',
      },
    ];
  }
  return [];
}

function podSpecChanges(old: Obj, next: Obj): StatusCause[] {
  const strip = (s: Obj): Obj => {
    const copy = structuredClone(s);
    for (const list of ['containers', 'initContainers']) {
      for (const c of Array.isArray(copy[list]) ? (copy[list] as unknown[]) : []) if (isPlainObject(c)) delete c.image;
    }
    delete copy.activeDeadlineSeconds;
    delete copy.tolerations;
    delete copy.terminationGracePeriodSeconds;
    return copy;
  };
  if (deepEqual(strip(old), strip(next))) return [];
  return [
    {
      reason: 'FieldValueForbidden',
      message:
        'Forbidden: pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)',
      field: 'spec',
    },
  ];
}

const subdomain = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const label = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

export function nameCauses(kind: string, name: string): StatusCause[] {
  const asLabel = kind === 'Namespace' || kind === 'Service';
  if (asLabel ? label.test(name) && name.length <= 63 : subdomain.test(name) && name.length <= 253) return [];
  const message = asLabel
    ? `Invalid value: "${name}": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')`
    : `Invalid value: "${name}": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')`;
  return [{ reason: 'FieldValueInvalid', message, field: 'metadata.name' }];
}
