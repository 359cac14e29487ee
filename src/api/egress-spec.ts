// spec.networkPolicy.additionalEgress: the integration endpoints an Atom exists to reach
// behind the firewall (databases, SFTP, on-premises APIs). Each entry names at least one
// destination and at least one port, so no entry can open everything; list sizes are capped
// so the CRD's CEL rules stay within the API server's cost budget.
import { z } from 'zod';
import { withCelRules } from './cel-rules.js';
import { cidr } from './common.js';

export const maxEgressRules = 16;
export const maxEgressPeers = 16;
export const maxEgressPorts = 16;

const selectorRequirement = z
  .object({
    key: z.string().min(1).max(317).describe('Label key the requirement applies to.'),
    operator: z.enum(['In', 'NotIn', 'Exists', 'DoesNotExist']).describe('How the key relates to the values.'),
    values: z
      .array(z.string().max(63))
      .max(32)
      .optional()
      .describe('Values for In and NotIn; empty for Exists and DoesNotExist.'),
  })
  .describe('A label selector requirement.');

const labelSelector = (what: string) =>
  z
    .object({
      matchLabels: z.record(z.string(), z.string()).optional().describe('Labels that must all match.'),
      matchExpressions: z.array(selectorRequirement).max(16).optional().describe('Requirements that must all hold.'),
    })
    .describe(`Selects ${what} by label; an empty selector selects all of them.`);

const ipBlock = z
  .object({
    cidr: cidr.describe('Address range the Atom may reach, e.g. 10.20.0.0/16 or 10.20.0.5/32.'),
    except: z.array(cidr).max(16).optional().describe('Ranges inside cidr that stay out of reach.'),
  })
  .describe('An address range outside (or inside) the cluster.');

export const egressPeer = withCelRules(
  z
    .object({
      ipBlock: ipBlock.optional(),
      namespaceSelector: labelSelector('namespaces').optional(),
      podSelector: labelSelector("pods (in the Atom's namespace unless namespaceSelector is set)").optional(),
    })
    .describe('One destination: an ipBlock, or pods chosen by namespaceSelector and/or podSelector.'),
  [
    {
      rule: 'has(self.ipBlock) != (has(self.namespaceSelector) || has(self.podSelector))',
      message:
        'a destination is either an ipBlock or a namespaceSelector/podSelector, not both and not neither: set exactly one kind',
      reason: 'FieldValueInvalid',
    },
  ],
);

export const egressPort = withCelRules(
  z
    .object({
      protocol: z.enum(['TCP', 'UDP', 'SCTP']).default('TCP').describe('TCP (default), UDP or SCTP.'),
      port: z.int().min(1).max(65_535).describe('Destination port, e.g. 5432 for PostgreSQL or 22 for SFTP.'),
      endPort: z.int().min(1).max(65_535).optional().describe('Last port of a range that starts at port (inclusive).'),
    })
    .describe('A destination port (or port range) and its protocol.'),
  [
    {
      rule: '!has(self.endPort) || self.endPort >= self.port',
      message: 'endPort ends the range that starts at port, so it must not be smaller than port',
      fieldPath: '.endPort',
      reason: 'FieldValueInvalid',
    },
  ],
);

export const egressRule = z
  .object({
    to: z
      .array(egressPeer)
      .min(1)
      .max(maxEgressPeers)
      .describe('Destinations (at least one): nothing is opened to "anywhere" by leaving this out.'),
    ports: z
      .array(egressPort)
      .min(1)
      .max(maxEgressPorts)
      .describe('Ports (at least one): nothing is opened on "every port" by leaving this out.'),
  })
  .describe('Extra egress: these destinations on these ports.');

export const additionalEgress = z
  .array(egressRule)
  .max(maxEgressRules)
  .describe(
    'Integration endpoints the Atom may reach besides the platform (databases, SFTP, on-premises APIs), as extra NetworkPolicy egress rules. Platform traffic stays TCP 443 only.',
  );

export type EgressRule = z.infer<typeof egressRule>;
export type EgressPeer = z.infer<typeof egressPeer>;
