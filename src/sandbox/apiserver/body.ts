// Request body decoding by Content-Type, with the real server's errors.
import { load } from 'js-yaml';
import { badRequest, unsupportedMediaType } from './errors.js';
import type { PatchType } from './cluster.js';
import { decodeProtobuf, protobufKinds } from './protobuf.js';

export const maxBodyBytes = 3 * 1024 * 1024;

export function mediaType(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
}

export function decodeJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8')) as unknown;
  } catch (err) {
    throw badRequest(
      `the object provided is unrecognized (must be of type JSON): ${err instanceof Error ? err.message : String(err)}`,
    );
  }
}

export function decodeYaml(body: Buffer): unknown {
  try {
    return load(body.toString('utf8'));
  } catch (err) {
    throw badRequest(`error decoding YAML: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`);
  }
}

/** Bodies of create/update: JSON, YAML, or protobuf for the kinds kubectl creates imperatively. */
export function decodeObject(contentType: string | undefined, body: Buffer, kind: string, custom: boolean): unknown {
  const type = mediaType(contentType);
  if (type === 'application/json' || type === '') return decodeJson(body);
  if (type === 'application/yaml') return decodeYaml(body);
  if (type === 'application/vnd.kubernetes.protobuf' && !custom && protobufKinds().includes(kind))
    return decodeProtobuf(body, kind);
  throw unsupportedMediaType(
    custom
      ? ['application/json', 'application/yaml']
      : ['application/json', 'application/yaml', 'application/vnd.kubernetes.protobuf'],
  );
}

const patchTypes: Record<string, PatchType> = {
  'application/merge-patch+json': 'merge',
  'application/json-patch+json': 'json',
  'application/strategic-merge-patch+json': 'strategic',
  'application/apply-patch+yaml': 'apply',
  'application/apply-patch+cbor': 'apply',
};

export function decodePatch(
  contentType: string | undefined,
  body: Buffer,
  custom: boolean,
): { type: PatchType; patch: unknown } {
  const type = patchTypes[mediaType(contentType)];
  if (!type || mediaType(contentType) === 'application/apply-patch+cbor') {
    const accepted = ['application/json-patch+json', 'application/merge-patch+json'];
    if (!custom) accepted.push('application/strategic-merge-patch+json');
    accepted.push('application/apply-patch+yaml');
    throw unsupportedMediaType(accepted);
  }
  return { type, patch: type === 'apply' ? decodeYaml(body) : decodeJson(body) };
}
