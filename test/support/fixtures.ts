// Fixture builders: atom('a', withVersion('1.2.3'), withUpdate({ mode: 'Manual' })).
import { parseAtom, describeProblems, type Atom, type AtomInput } from '../../src/api/atom.js';

type Spec = AtomInput['spec'];
export type AtomOption = (a: AtomInput) => AtomInput;

/** An Atom as the API server would return it (defaults applied, uid set). */
export function atom(name: string, ...options: AtomOption[]): Atom {
  let input: AtomInput = {
    apiVersion: 'atomoperator.io/v1alpha1',
    kind: 'Atom',
    metadata: { name, namespace: 'default', uid: `uid-${name}`, generation: 1 },
    spec: {
      platform: { accountId: 'acme-0001' },
      registration: { certificateSecretRef: { name: `${name}-registration` } },
    },
  };
  for (const o of options) input = o(input);
  const parsed = parseAtom(input);
  if (!parsed.ok) throw new Error(`bad fixture: ${describeProblems(parsed.problems)}`);
  return parsed.atom;
}

const spec =
  (patch: Partial<Spec>): AtomOption =>
  (a) => ({ ...a, spec: { ...a.spec, ...patch } });
export const withSpec = spec;
export const inNamespace =
  (namespace: string): AtomOption =>
  (a) => ({ ...a, metadata: { ...a.metadata, namespace } });
export const withVersion =
  (version: string, mode: 'Manual' | 'Disabled' = 'Manual'): AtomOption =>
  (a) => ({ ...a, spec: { ...a.spec, version, update: { ...a.spec.update, mode } } });
export const withUpdate =
  (update: Spec['update']): AtomOption =>
  (a) => ({ ...a, spec: { ...a.spec, update: { ...a.spec.update, ...update } } });
export const withStorage = (storage: Spec['storage']): AtomOption => spec({ storage });
export const withNetworkPolicy = (networkPolicy: Spec['networkPolicy']): AtomOption => spec({ networkPolicy });
export const withPod = (pod: Spec['pod']): AtomOption => spec({ pod });
export const withImage = (image: Spec['image']): AtomOption => spec({ image });
export const withInstallToken =
  (name: string): AtomOption =>
  (a) => ({ ...a, spec: { ...a.spec, registration: { ...a.spec.registration, installTokenSecretRef: { name } } } });
export const withPlatformCA =
  (name: string): AtomOption =>
  (a) => ({ ...a, spec: { ...a.spec, platform: { ...a.spec.platform, caSecretRef: { name } } } });
