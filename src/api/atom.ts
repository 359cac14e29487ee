// The Atom resource: atomoperator.io/v1alpha1, kind Atom. Types are inferred from
// these schemas; the CRD is generated from them (hack/generate-crd.ts).
import { z } from 'zod';
import { withCelRules } from './cel-rules.js';
import { atomSpecShape, defaulted, networkPolicySpec, storageSpec } from './atom-spec.js';
import { atomStatus } from './atom-status.js';

export const group = 'atomoperator.io';
export const version = 'v1alpha1';
export const apiVersion = `${group}/${version}`;
export const kind = 'Atom';
export const plural = 'atoms';
export const singular = 'atom';
export const shortNames = ['atm'];
export const categories = ['atom-operator'];

export const atomSpec = withCelRules(
  z.object({
    ...atomSpecShape,
    storage: defaulted(
      withCelRules(storageSpec, [
        {
          rule: '!has(self.emptyDir) || !has(self.storageClassName)',
          message:
            'storage.emptyDir and storage.storageClassName exclude each other: an emptyDir has no storage class; remove one of them',
          fieldPath: '.storageClassName',
          reason: 'FieldValueForbidden',
        },
        {
          rule: '!has(self.emptyDir) || !self.deleteClaimOnAtomDeletion',
          message:
            'storage.deleteClaimOnAtomDeletion needs a claim, but storage.emptyDir uses none; remove one of them',
          fieldPath: '.deleteClaimOnAtomDeletion',
          reason: 'FieldValueForbidden',
        },
      ]),
    ),
    networkPolicy: defaulted(
      withCelRules(networkPolicySpec, [
        {
          rule: 'self.enabled || !has(self.proxy)',
          message:
            'networkPolicy.proxy only takes effect in the NetworkPolicy, but networkPolicy.enabled is false; enable the policy or remove the proxy',
          fieldPath: '.proxy',
          reason: 'FieldValueForbidden',
        },
        {
          rule: 'self.enabled || !has(self.additionalEgress)',
          message:
            'networkPolicy.additionalEgress only takes effect in the NetworkPolicy, but networkPolicy.enabled is false; enable the policy or remove additionalEgress',
          fieldPath: '.additionalEgress',
          reason: 'FieldValueForbidden',
        },
      ]),
    ),
  }),
  [
    {
      rule: "!has(self.version) || self.update.mode != 'Automatic'",
      message:
        'spec.version pins the Atom to one version, but update.mode Automatic follows what the platform advertises; set update.mode to Manual (approve versions by pinning) or Disabled, or remove spec.version',
      fieldPath: '.version',
      reason: 'FieldValueForbidden',
    },
  ],
).describe('Desired state of the Atom.');

/** Children carry the Atom's name as a label value, which Kubernetes limits to 63 characters. */
export const maxAtomNameLength = 63;
export const atomNameRule = {
  rule: `self.metadata.name.size() <= ${maxAtomNameLength}`,
  message: `an Atom's name has at most ${maxAtomNameLength} characters: its pod, claim and NetworkPolicy carry it as a label value`,
};

const metadata = z.looseObject({
  name: z.string().min(1).max(maxAtomNameLength, { message: atomNameRule.message }),
  namespace: z.string().min(1).optional(),
  uid: z.string().optional(),
  generation: z.int().optional(),
  resourceVersion: z.string().optional(),
  creationTimestamp: z.string().optional(),
  deletionTimestamp: z.string().optional(),
  labels: z.record(z.string(), z.string()).optional(),
  annotations: z.record(z.string(), z.string()).optional(),
});

export const atom = z
  .object({
    apiVersion: z.literal(apiVersion),
    kind: z.literal(kind),
    metadata,
    spec: atomSpec,
    status: atomStatus.optional(),
  })
  .describe('An Atom: a self-hosted integration agent that only connects out to its platform.');

export type Atom = z.infer<typeof atom>;
/** What a user may write: defaults not yet applied. */
export type AtomInput = z.input<typeof atom>;
export type AtomSpec = z.infer<typeof atomSpec>;
export type UpdateSpec = AtomSpec['update'];
export type MaintenanceWindow = UpdateSpec['windows'][number];

export interface SpecProblem {
  /** Dotted field path, e.g. `spec.update.mode`. */
  field: string;
  message: string;
}

export type ParsedAtom = { ok: true; atom: Atom } | { ok: false; problems: SpecProblem[] };

function fieldPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>(
    (acc, p) => (typeof p === 'number' ? `${acc}[${p}]` : acc ? `${acc}.${String(p)}` : String(p)),
    '',
  );
}

/** Formats zod issues as `field: reason` problems, one per issue. */
export function specProblems(error: z.ZodError): SpecProblem[] {
  return error.issues.map((issue) => ({ field: fieldPath(issue.path) || '(root)', message: issue.message }));
}

/** Parses an Atom as read from the API server (or a file), defaults applied. */
export function parseAtom(input: unknown): ParsedAtom {
  const result = atom.safeParse(input);
  return result.success ? { ok: true, atom: result.data } : { ok: false, problems: specProblems(result.error) };
}

/** One readable sentence listing every problem of a bad Atom. */
export function describeProblems(problems: SpecProblem[]): string {
  return problems.map((p) => `${p.field}: ${p.message}`).join('; ');
}
