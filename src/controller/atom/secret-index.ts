// Which Atoms read which Secrets: an index on the Atom cache, so a changed
// Secret enqueues exactly the Atoms that reference it (no scan of all Atoms).
import type { KubeObject } from '../../kube/resource.js';

export const SECRET_INDEX = 'atom-secret-refs';

function refName(v: unknown): string | undefined {
  return v && typeof v === 'object' && 'name' in v && typeof v.name === 'string' ? v.name : undefined;
}

/** `namespace/secret` for every Secret an Atom names. Reads the raw object defensively: it may be invalid. */
export function secretRefs(obj: KubeObject): string[] {
  const ns = obj.metadata.namespace ?? '';
  const spec = (obj as { spec?: Record<string, unknown> }).spec ?? {};
  const registration = (spec.registration ?? {}) as Record<string, unknown>;
  const platform = (spec.platform ?? {}) as Record<string, unknown>;
  const names = [
    refName(registration.certificateSecretRef),
    refName(registration.installTokenSecretRef),
    refName(platform.caSecretRef),
  ];
  return [...new Set(names.filter((n): n is string => Boolean(n)).map((n) => `${ns}/${n}`))];
}
