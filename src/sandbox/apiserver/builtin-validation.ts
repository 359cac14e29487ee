// Validation of the built-in specs the operator writes (pods, network
// policies, claims), with the real server's fields, reasons and wording, so
// a bad desired object fails here as it would on a cluster.
import { isIP } from 'node:net';
import type { StatusCause } from './errors.js';
import { isPlainObject } from './object-shape.js';
import { parseQuantity, quantityMessage } from './quantity.js';
import type { KubeObject } from './store.js';

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (isPlainObject(v) ? v : {});
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

const label = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const labelMessage =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
// RelaxedEnvironmentVariableValidation is on by default in 1.32: any printable ASCII but '='.
const envName = /^[\x20-\x3c\x3e-\x7e]+$/;
const envMessage = "a valid environment variable name must consist only of printable ASCII characters other than '='";
const volumeSources = [
  'emptyDir',
  'secret',
  'configMap',
  'persistentVolumeClaim',
  'projected',
  'hostPath',
  'downwardAPI',
  'ephemeral',
  'csi',
  'nfs',
  'image',
];

class Causes {
  readonly all: StatusCause[] = [];
  required(field: string, detail = ''): void {
    this.all.push({
      reason: 'FieldValueRequired',
      message: detail ? `Required value: ${detail}` : 'Required value',
      field,
    });
  }
  invalid(field: string, value: unknown, detail: string): void {
    const shown = typeof value === 'string' ? JSON.stringify(value) : String(value);
    this.all.push({ reason: 'FieldValueInvalid', message: `Invalid value: ${shown}: ${detail}`, field });
  }
  duplicate(field: string, value: string): void {
    this.all.push({ reason: 'FieldValueDuplicate', message: `Duplicate value: ${JSON.stringify(value)}`, field });
  }
  notFound(field: string, value: string): void {
    this.all.push({ reason: 'FieldValueNotFound', message: `Not found: ${JSON.stringify(value)}`, field });
  }
  notSupported(field: string, value: unknown, supported: string[]): void {
    this.all.push({
      reason: 'FieldValueNotSupported',
      message: `Unsupported value: ${JSON.stringify(value)}: supported values: ${supported.map((s) => `"${s}"`).join(', ')}`,
      field,
    });
  }
  forbidden(field: string, detail: string): void {
    this.all.push({ reason: 'FieldValueForbidden', message: `Forbidden: ${detail}`, field });
  }
}

function dnsLabel(c: Causes, field: string, value: unknown): void {
  if (typeof value !== 'string' || value === '') c.required(field);
  else if (value.length > 63 || !label.test(value)) c.invalid(field, value, labelMessage);
}

function validateResources(c: Causes, path: string, resources: Obj): void {
  const limits = obj(resources.limits);
  const requests = obj(resources.requests);
  for (const [kind, values] of [
    ['limits', limits],
    ['requests', requests],
  ] as const) {
    for (const [name, q] of Object.entries(values)) {
      if (parseQuantity(q) === undefined) c.invalid(`${path}.${kind}[${name}]`, q, quantityMessage);
    }
  }
  for (const [name, q] of Object.entries(requests)) {
    const request = parseQuantity(q);
    const limit = parseQuantity(limits[name]);
    if (request !== undefined && limit !== undefined && request > limit) {
      c.invalid(`${path}.requests`, q, `must be less than or equal to ${name} limit of ${String(limits[name])}`);
    }
  }
}

function validateContainer(c: Causes, path: string, container: Obj, volumes: Set<string>): void {
  dnsLabel(c, `${path}.name`, container.name);
  if (typeof container.image !== 'string' || container.image.trim() === '') c.required(`${path}.image`);
  list(container.env).forEach((e, i) => {
    const name = obj(e).name;
    if (typeof name !== 'string' || name === '') c.required(`${path}.env[${i}].name`);
    else if (!envName.test(name)) c.invalid(`${path}.env[${i}].name`, name, envMessage);
  });
  list(container.ports).forEach((p, i) => {
    const port = obj(p).containerPort;
    if (typeof port !== 'number' || port < 1 || port > 65535)
      c.invalid(`${path}.ports[${i}].containerPort`, port ?? 0, 'must be between 1 and 65535, inclusive');
  });
  const mountPaths = new Set<string>();
  list(container.volumeMounts).forEach((m, i) => {
    const mount = obj(m);
    const name = typeof mount.name === 'string' ? mount.name : '';
    if (name === '') c.required(`${path}.volumeMounts[${i}].name`);
    else if (!volumes.has(name)) c.notFound(`${path}.volumeMounts[${i}].name`, name);
    if (typeof mount.mountPath !== 'string' || mount.mountPath === '')
      c.required(`${path}.volumeMounts[${i}].mountPath`);
    else if (mountPaths.has(mount.mountPath))
      c.invalid(`${path}.volumeMounts[${i}].mountPath`, mount.mountPath, 'must be unique');
    else mountPaths.add(mount.mountPath);
  });
  validateResources(c, `${path}.resources`, obj(container.resources));
}

function validateVolume(c: Causes, path: string, volume: Obj): void {
  const sources = volumeSources.filter((s) => volume[s] !== undefined);
  if (sources.length === 0) c.required(path, 'must specify a volume type');
  for (const extra of sources.slice(1)) c.forbidden(`${path}.${extra}`, 'may not specify more than 1 volume type');
  const secret = volume.secret === undefined ? undefined : obj(volume.secret);
  if (secret) {
    if (typeof secret.secretName !== 'string' || secret.secretName === '') c.required(`${path}.secret.secretName`);
    const mode = secret.defaultMode;
    if (mode !== undefined && (typeof mode !== 'number' || mode < 0 || mode > 0o777)) {
      c.invalid(`${path}.secret.defaultMode`, mode, 'must be a number between 0 and 0777 (octal), both inclusive');
    }
  }
  const claim = volume.persistentVolumeClaim === undefined ? undefined : obj(volume.persistentVolumeClaim);
  if (claim && (typeof claim.claimName !== 'string' || claim.claimName === ''))
    c.required(`${path}.persistentVolumeClaim.claimName`);
  const emptyDir = volume.emptyDir === undefined ? undefined : obj(volume.emptyDir);
  if (emptyDir?.sizeLimit !== undefined && parseQuantity(emptyDir.sizeLimit) === undefined)
    c.invalid(`${path}.emptyDir.sizeLimit`, emptyDir.sizeLimit, quantityMessage);
}

export function podSpecCauses(spec: Obj, path = 'spec'): StatusCause[] {
  const c = new Causes();
  const volumes = new Set<string>();
  list(spec.volumes).forEach((v, i) => {
    const volume = obj(v);
    dnsLabel(c, `${path}.volumes[${i}].name`, volume.name);
    if (typeof volume.name === 'string') {
      if (volumes.has(volume.name)) c.duplicate(`${path}.volumes[${i}].name`, volume.name);
      volumes.add(volume.name);
    }
    validateVolume(c, `${path}.volumes[${i}]`, volume);
  });
  const containers = list(spec.containers);
  if (containers.length === 0) c.required(`${path}.containers`);
  const names = new Set<string>();
  for (const [field, items] of [
    ['initContainers', list(spec.initContainers)],
    ['containers', containers],
  ] as const) {
    items.forEach((raw, i) => {
      const container = obj(raw);
      validateContainer(c, `${path}.${field}[${i}]`, container, volumes);
      if (typeof container.name === 'string') {
        if (names.has(container.name)) c.duplicate(`${path}.${field}[${i}].name`, container.name);
        names.add(container.name);
      }
    });
  }
  if (spec.restartPolicy !== undefined && !['Always', 'OnFailure', 'Never'].includes(String(spec.restartPolicy))) {
    c.notSupported(`${path}.restartPolicy`, spec.restartPolicy, ['Always', 'OnFailure', 'Never']);
  }
  const grace = spec.terminationGracePeriodSeconds;
  if (grace !== undefined && (typeof grace !== 'number' || grace < 0))
    c.invalid(`${path}.terminationGracePeriodSeconds`, grace, 'must be greater than or equal to 0');
  return c.all;
}

function validCidr(cidr: unknown): boolean {
  if (typeof cidr !== 'string') return false;
  const [ip = '', bits, ...rest] = cidr.split('/');
  if (rest.length > 0 || bits === undefined || !/^\d+$/.test(bits)) return false;
  const family = isIP(ip);
  return family !== 0 && Number(bits) <= (family === 4 ? 32 : 128);
}

export function networkPolicyCauses(spec: Obj): StatusCause[] {
  const c = new Causes();
  if (spec.podSelector === undefined) c.required('spec.podSelector');
  list(spec.policyTypes).forEach((t, i) => {
    if (t !== 'Ingress' && t !== 'Egress') c.notSupported(`spec.policyTypes[${i}]`, t, ['Ingress', 'Egress']);
  });
  for (const [direction, peers] of [
    ['ingress', 'from'],
    ['egress', 'to'],
  ] as const) {
    list(spec[direction]).forEach((r, i) => {
      const rule = obj(r);
      list(rule.ports).forEach((p, j) => {
        const port = obj(p);
        const path = `spec.${direction}[${i}].ports[${j}]`;
        if (port.protocol !== undefined && !['TCP', 'UDP', 'SCTP'].includes(String(port.protocol)))
          c.notSupported(`${path}.protocol`, port.protocol, ['SCTP', 'TCP', 'UDP']);
        if (typeof port.port === 'number' && (port.port < 1 || port.port > 65535))
          c.invalid(`${path}.port`, port.port, 'must be between 1 and 65535, inclusive');
        if (port.endPort !== undefined && (typeof port.port !== 'number' || Number(port.endPort) < port.port)) {
          c.invalid(`${path}.endPort`, port.endPort, 'must be greater than or equal to `port`');
        }
      });
      list(rule[peers]).forEach((raw, j) => {
        const peer = obj(raw);
        const path = `spec.${direction}[${i}].${peers}[${j}]`;
        const kinds = ['podSelector', 'namespaceSelector', 'ipBlock'].filter((k) => peer[k] !== undefined);
        if (kinds.length === 0) c.required(path, 'must specify a peer');
        if (peer.ipBlock !== undefined) {
          if (kinds.length > 1) c.forbidden(path, 'may not specify both ipBlock and another peer');
          const block = obj(peer.ipBlock);
          if (!validCidr(block.cidr))
            c.invalid(
              `${path}.ipBlock.cidr`,
              block.cidr ?? '',
              'must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)',
            );
          list(block.except).forEach((e, k) => {
            if (!validCidr(e))
              c.invalid(
                `${path}.ipBlock.except[${k}]`,
                e,
                'must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)',
              );
          });
        }
      });
    });
  }
  return c.all;
}

export function claimCauses(spec: Obj): StatusCause[] {
  const c = new Causes();
  if (list(spec.accessModes).length === 0) c.required('spec.accessModes', 'at least 1 access mode is required');
  const storage = obj(obj(spec.resources).requests).storage;
  if (storage === undefined) c.required('spec.resources[storage]');
  else if (parseQuantity(storage) === undefined)
    c.invalid('spec.resources.requests[storage]', storage, quantityMessage);
  return c.all;
}

export function builtinSpecCauses(kind: string, o: KubeObject): StatusCause[] {
  switch (kind) {
    case 'Pod':
      return podSpecCauses(obj(o.spec));
    case 'Deployment':
      return podSpecCauses(obj(obj(obj(o.spec).template).spec), 'spec.template.spec');
    case 'NetworkPolicy':
      return networkPolicyCauses(obj(o.spec));
    case 'PersistentVolumeClaim':
      return claimCauses(obj(o.spec));
    default:
      return [];
  }
}
