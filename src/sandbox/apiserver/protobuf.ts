// Decoding of Kubernetes protobuf request bodies ("k8s\0" + runtime.Unknown) for
// the kinds kubectl creates imperatively with its typed client (`kubectl create
// secret|configmap|namespace|serviceaccount`), which always sends protobuf.
import { badRequest } from './errors.js';

type Scalar = 'string' | 'bytes' | 'bool' | 'int' | 'time';
type Field =
  | { name: string; kind: Scalar; repeated?: boolean }
  | { name: string; kind: 'map'; value: 'string' | 'bytes' }
  | { name: string; kind: 'message'; schema: Schema; repeated?: boolean };
type Schema = Record<number, Field>;

const ownerReference: Schema = {
  1: { name: 'kind', kind: 'string' },
  3: { name: 'name', kind: 'string' },
  4: { name: 'uid', kind: 'string' },
  5: { name: 'apiVersion', kind: 'string' },
  6: { name: 'controller', kind: 'bool' },
  7: { name: 'blockOwnerDeletion', kind: 'bool' },
};

const objectMeta: Schema = {
  1: { name: 'name', kind: 'string' },
  2: { name: 'generateName', kind: 'string' },
  3: { name: 'namespace', kind: 'string' },
  5: { name: 'uid', kind: 'string' },
  6: { name: 'resourceVersion', kind: 'string' },
  7: { name: 'generation', kind: 'int' },
  11: { name: 'labels', kind: 'map', value: 'string' },
  12: { name: 'annotations', kind: 'map', value: 'string' },
  13: { name: 'ownerReferences', kind: 'message', schema: ownerReference, repeated: true },
  14: { name: 'finalizers', kind: 'string', repeated: true },
};

const localObjectReference: Schema = { 1: { name: 'name', kind: 'string' } };
const objectReference: Schema = {
  1: { name: 'kind', kind: 'string' },
  2: { name: 'namespace', kind: 'string' },
  3: { name: 'name', kind: 'string' },
  4: { name: 'uid', kind: 'string' },
  5: { name: 'apiVersion', kind: 'string' },
};

const schemas: Record<string, Schema> = {
  Secret: {
    1: { name: 'metadata', kind: 'message', schema: objectMeta },
    2: { name: 'data', kind: 'map', value: 'bytes' },
    3: { name: 'type', kind: 'string' },
    4: { name: 'stringData', kind: 'map', value: 'string' },
    5: { name: 'immutable', kind: 'bool' },
  },
  ConfigMap: {
    1: { name: 'metadata', kind: 'message', schema: objectMeta },
    2: { name: 'data', kind: 'map', value: 'string' },
    3: { name: 'binaryData', kind: 'map', value: 'bytes' },
    4: { name: 'immutable', kind: 'bool' },
  },
  Namespace: {
    1: { name: 'metadata', kind: 'message', schema: objectMeta },
    2: { name: 'spec', kind: 'message', schema: { 1: { name: 'finalizers', kind: 'string', repeated: true } } },
  },
  ServiceAccount: {
    1: { name: 'metadata', kind: 'message', schema: objectMeta },
    2: { name: 'secrets', kind: 'message', schema: objectReference, repeated: true },
    3: { name: 'imagePullSecrets', kind: 'message', schema: localObjectReference, repeated: true },
    4: { name: 'automountServiceAccountToken', kind: 'bool' },
  },
};

const unknownEnvelope: Schema = {
  1: {
    name: 'typeMeta',
    kind: 'message',
    schema: { 1: { name: 'apiVersion', kind: 'string' }, 2: { name: 'kind', kind: 'string' } },
  },
  2: { name: 'raw', kind: 'bytes' },
};

class Reader {
  pos = 0;
  constructor(private readonly buf: Buffer) {}
  done(): boolean {
    return this.pos >= this.buf.length;
  }
  varint(): bigint {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      if (this.pos >= this.buf.length) throw badRequest('protobuf: truncated varint');
      const byte = this.buf[this.pos++] ?? 0;
      result |= BigInt(byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) return result;
      shift += 7n;
      if (shift > 63n) throw badRequest('protobuf: varint too long');
    }
  }
  bytes(): Buffer {
    const len = Number(this.varint());
    if (this.pos + len > this.buf.length) throw badRequest('protobuf: truncated field');
    const out = this.buf.subarray(this.pos, this.pos + len);
    this.pos += len;
    return out;
  }
  skip(wire: number): void {
    if (wire === 0) this.varint();
    else if (wire === 1) this.pos += 8;
    else if (wire === 2) this.bytes();
    else if (wire === 5) this.pos += 4;
    else throw badRequest(`protobuf: unsupported wire type ${wire}`);
  }
}

function decodeMessage(buf: Buffer, schema: Schema): Record<string, unknown> {
  const r = new Reader(buf);
  const out: Record<string, unknown> = {};
  while (!r.done()) {
    const tag = Number(r.varint());
    const field = schema[tag >> 3];
    const wire = tag & 7;
    if (!field) {
      r.skip(wire);
      continue;
    }
    let value: unknown;
    if (field.kind === 'map') {
      const entry = decodeMessage(r.bytes(), { 1: { name: 'k', kind: 'string' }, 2: { name: 'v', kind: field.value } });
      const map = (out[field.name] ??= {}) as Record<string, unknown>;
      map[String(entry.k ?? '')] = entry.v ?? '';
      continue;
    }
    if (field.kind === 'message') value = decodeMessage(r.bytes(), field.schema);
    else if (field.kind === 'string') value = r.bytes().toString('utf8');
    else if (field.kind === 'bytes') value = Buffer.from(r.bytes()).toString('base64');
    else if (field.kind === 'bool') value = r.varint() !== 0n;
    else if (field.kind === 'int') value = Number(BigInt.asIntN(64, r.varint()));
    else r.skip(wire);
    if ('repeated' in field && field.repeated) ((out[field.name] ??= []) as unknown[]).push(value);
    else out[field.name] = value;
  }
  return out;
}

const magic = Buffer.from([0x6b, 0x38, 0x73, 0x00]);

export function protobufKinds(): string[] {
  return Object.keys(schemas);
}

/** Decodes a protobuf body of one of the supported kinds into its JSON form. */
export function decodeProtobuf(body: Buffer, kind: string): Record<string, unknown> {
  const schema = schemas[kind];
  if (!schema) throw badRequest(`protobuf bodies are not supported for ${kind}; send JSON`);
  if (body.length < 4 || !body.subarray(0, 4).equals(magic))
    throw badRequest('provided input did not begin with the Kubernetes protobuf magic prefix');
  const envelope = decodeMessage(body.subarray(4), unknownEnvelope);
  const typeMeta = (envelope.typeMeta ?? {}) as { apiVersion?: string; kind?: string };
  const raw = Buffer.from(String(envelope.raw ?? ''), 'base64');
  const obj = decodeMessage(raw, schema);
  return { apiVersion: typeMeta.apiVersion, kind: typeMeta.kind, ...obj };
}
