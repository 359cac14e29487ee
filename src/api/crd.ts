// Turns the zod schemas into the Atom CustomResourceDefinition. Pure: the
// generator script only writes what this returns, and a test compares it with
// the checked-in file.
import { z } from 'zod';
import {
  apiVersion,
  atomNameRule,
  atomSpec,
  categories,
  group,
  kind,
  plural,
  shortNames,
  singular,
  version,
} from './atom.js';
import { atomStatus } from './atom-status.js';

export type JSONSchema = { [key: string]: unknown };

const INT_OR_STRING = 'x-kubernetes-int-or-string';
const PRESERVE = 'x-kubernetes-preserve-unknown-fields';
const SAFE = Number.MAX_SAFE_INTEGER;

function isObject(v: unknown): v is JSONSchema {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Rewrites zod's OpenAPI 3.0 output into a structural schema the API server accepts. */
export function structuralize(node: JSONSchema): JSONSchema {
  const out: JSONSchema = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === '$schema' || key === 'id') continue;
    // zod bounds plain ints by the JS safe range: noise in a CRD.
    if ((key === 'maximum' && value === SAFE) || (key === 'minimum' && value === -SAFE)) continue;
    // kube-openapi checks format: date-time itself; zod's regex equivalent only bloats the CRD.
    if (key === 'pattern' && node.format === 'date-time') continue;
    if (key === 'additionalProperties' && (value === false || (isObject(value) && Object.keys(value).length === 0)))
      continue;
    if (key === 'properties' && isObject(value)) {
      out.properties = Object.fromEntries(Object.entries(value).map(([k, v]) => [k, structuralize(v as JSONSchema)]));
    } else if ((key === 'items' || key === 'additionalProperties') && isObject(value)) {
      out[key] = structuralize(value);
    } else {
      out[key] = value;
    }
  }
  if (out[INT_OR_STRING] === true) {
    // The one place a structural schema may have anyOf without a type: only the two types, nothing else inside.
    const { anyOf: _anyOf, type: _type, ...rest } = out;
    const pattern = findStringPattern(node);
    return {
      ...rest,
      ...(pattern ? { pattern } : {}),
      anyOf: [{ type: 'integer' }, { type: 'string' }],
      [INT_OR_STRING]: true,
    };
  }
  if (out[PRESERVE] === true) {
    out.type = 'object';
    if (isObject(out.properties) && Object.keys(out.properties).length === 0) delete out.properties;
  }
  return out;
}

function findStringPattern(node: JSONSchema): string | undefined {
  const anyOf = Array.isArray(node.anyOf) ? (node.anyOf as JSONSchema[]) : [];
  const s = anyOf.find((n) => n.type === 'string');
  return typeof s?.pattern === 'string' ? s.pattern : undefined;
}

function toOpenAPI(schema: z.ZodType): JSONSchema {
  return structuralize(
    z.toJSONSchema(schema, { target: 'openapi-3.0', io: 'input', unrepresentable: 'throw' }) as JSONSchema,
  );
}

// As cert-manager's Certificate: Ready at a glance, the reason in words with `-o wide` (priority 1).
export const printerColumns = [
  {
    name: 'Ready',
    type: 'string',
    jsonPath: '.status.conditions[?(@.type=="Ready")].status',
    description: 'Whether the Atom is Ready (the Ready condition).',
  },
  { name: 'Phase', type: 'string', jsonPath: '.status.phase', description: "Summary of the Atom's state." },
  { name: 'Version', type: 'string', jsonPath: '.status.currentVersion', description: 'Version running now.' },
  {
    name: 'Advertised',
    type: 'string',
    jsonPath: '.status.advertisedVersion',
    description: 'Latest version the platform advertises.',
  },
  {
    name: 'Cert-Expiry',
    type: 'string',
    jsonPath: '.status.certificate.notAfter',
    description: 'When the registration certificate expires.',
  },
  {
    name: 'Status',
    type: 'string',
    jsonPath: '.status.conditions[?(@.type=="Ready")].message',
    description: 'Why the Atom is or is not Ready (the Ready condition message).',
    priority: 1,
  },
  { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
];

/** The Atom CRD as a plain object, ready to be serialized. */
export function atomCRD(): JSONSchema {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: {
      name: `${plural}.${group}`,
      labels: { 'app.kubernetes.io/name': 'atom-operator', 'app.kubernetes.io/part-of': 'atom-operator' },
    },
    spec: {
      group,
      names: { kind, listKind: `${kind}List`, plural, singular, shortNames, categories },
      scope: 'Namespaced',
      versions: [
        {
          name: version,
          served: true,
          storage: true,
          subresources: { status: {} },
          additionalPrinterColumns: printerColumns,
          schema: {
            openAPIV3Schema: {
              type: 'object',
              description: `An Atom (${apiVersion}): a self-hosted integration agent that only connects out, over TLS on port 443, to its platform.`,
              required: ['spec'],
              'x-kubernetes-validations': [atomNameRule],
              properties: {
                apiVersion: { type: 'string', description: 'APIVersion of this object.' },
                kind: { type: 'string', description: 'Kind of this object.' },
                metadata: { type: 'object' },
                spec: toOpenAPI(atomSpec),
                status: toOpenAPI(atomStatus),
              },
            },
          },
        },
      ],
    },
  };
}
