// desiredNetworkPolicy: the fence around one Atom. Nothing may connect in; the
// agent may reach TCP 443 on the allowed CIDRs, DNS on the cluster DNS pods,
// (opt-in) one HTTPS proxy, and (opt-in) the integration endpoints listed in
// additionalEgress, each on its own ports. Nothing else.
import type {
  V1LabelSelector,
  V1NetworkPolicy,
  V1NetworkPolicyEgressRule,
  V1NetworkPolicyPeer,
} from '@kubernetes/client-node';
import { z } from 'zod';
import type { Atom } from '../../api/atom.js';
import type { EgressPeer, EgressRule } from '../../api/egress-spec.js';
import { childMetadata, networkPolicyName, selectorLabels } from '../names.js';

export const dnsConfig = z
  .object({
    namespace: z.string().min(1).default('kube-system').describe('Namespace of the cluster DNS pods.'),
    podLabels: z
      .record(z.string(), z.string())
      .default({ 'k8s-app': 'kube-dns' })
      .describe('Labels of the cluster DNS pods (CoreDNS keeps k8s-app=kube-dns).'),
  })
  .describe('Where the cluster DNS pods are, for the DNS egress rule.');
export type DNSConfig = z.infer<typeof dnsConfig>;
export const defaultDNSConfig: DNSConfig = dnsConfig.parse({});

const HTTPS = 443;
const DNS = 53;

/** The NetworkPolicy for `atom`, or undefined when spec.networkPolicy.enabled is false. */
export function desiredNetworkPolicy(atom: Atom, dns: DNSConfig): V1NetworkPolicy | undefined {
  const np = atom.spec.networkPolicy;
  if (!np.enabled) return undefined;
  const egress: V1NetworkPolicyEgressRule[] = [
    { to: np.egressCIDRs.map((cidr) => ({ ipBlock: { cidr } })), ports: [{ protocol: 'TCP', port: HTTPS }] },
  ];
  if (np.allowDNS) {
    egress.push({
      to: [
        {
          namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': dns.namespace } },
          podSelector: { matchLabels: dns.podLabels },
        },
      ],
      ports: [
        { protocol: 'UDP', port: DNS },
        { protocol: 'TCP', port: DNS },
      ],
    });
  }
  if (np.proxy)
    egress.push({ to: [{ ipBlock: { cidr: np.proxy.cidr } }], ports: [{ protocol: 'TCP', port: np.proxy.port }] });
  for (const rule of np.additionalEgress ?? []) egress.push(integrationRule(rule));
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: childMetadata(atom, networkPolicyName(atom)),
    spec: {
      podSelector: { matchLabels: selectorLabels(atom) },
      // Ingress listed with no ingress rules: nothing may connect in. (An empty `ingress: []`
      // would mean the same but is dropped by the API server, so it would look like drift.)
      policyTypes: ['Ingress', 'Egress'],
      egress,
    },
  };
}

function selector(s: NonNullable<EgressPeer['podSelector']>): V1LabelSelector {
  return {
    ...(s.matchLabels ? { matchLabels: s.matchLabels } : {}),
    ...(s.matchExpressions
      ? {
          matchExpressions: s.matchExpressions.map((e) => ({
            key: e.key,
            operator: e.operator,
            ...(e.values ? { values: e.values } : {}),
          })),
        }
      : {}),
  };
}

function peer(p: EgressPeer): V1NetworkPolicyPeer {
  if (p.ipBlock)
    return { ipBlock: { cidr: p.ipBlock.cidr, ...(p.ipBlock.except ? { except: p.ipBlock.except } : {}) } };
  return {
    ...(p.namespaceSelector ? { namespaceSelector: selector(p.namespaceSelector) } : {}),
    ...(p.podSelector ? { podSelector: selector(p.podSelector) } : {}),
  };
}

/** One entry of spec.networkPolicy.additionalEgress as an egress rule: its destinations, only on its ports. */
function integrationRule(rule: EgressRule): V1NetworkPolicyEgressRule {
  return {
    to: rule.to.map(peer),
    ports: rule.ports.map((p) => ({
      protocol: p.protocol,
      port: p.port,
      ...(p.endPort !== undefined ? { endPort: p.endPort } : {}),
    })),
  };
}

function selectorText(s: NonNullable<EgressPeer['podSelector']>): string {
  const parts = [
    ...Object.entries(s.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`),
    ...(s.matchExpressions ?? []).map(
      (e) => `${e.key} ${e.operator}${e.values?.length ? ` (${e.values.join(',')})` : ''}`,
    ),
  ];
  return parts.join(',');
}

function peerText(p: EgressPeer): string {
  if (p.ipBlock) return `${p.ipBlock.cidr}${p.ipBlock.except?.length ? ` except ${p.ipBlock.except.join(', ')}` : ''}`;
  const pods = p.podSelector
    ? selectorText(p.podSelector)
      ? `pods ${selectorText(p.podSelector)}`
      : 'all pods'
    : 'all pods';
  if (!p.namespaceSelector) return `${pods} in the Atom's namespace`;
  const namespaces = selectorText(p.namespaceSelector);
  return `${pods} in ${namespaces ? `namespaces ${namespaces}` : 'every namespace'}`;
}

function ruleText(rule: EgressRule): string {
  const ports = rule.ports.map((p) => `${p.protocol} ${p.port}${p.endPort !== undefined ? `-${p.endPort}` : ''}`);
  return `${ports.join(', ')} to ${rule.to.map(peerText).join(', ')}`;
}

/**
 * What the Atom's NetworkPolicy lets out, in one sentence for the NetworkIsolated condition: the
 * platform on TCP 443, then DNS, the proxy and each integration endpoint by name.
 */
export function egressSummary(atom: Atom): string {
  const np = atom.spec.networkPolicy;
  const extras = [
    np.allowDNS ? 'DNS to the cluster DNS pods' : '',
    np.proxy ? `the proxy ${np.proxy.cidr}:${np.proxy.port}` : '',
  ].filter(Boolean);
  const integrations = (np.additionalEgress ?? []).map(ruleText);
  return (
    `NetworkPolicy ${networkPolicyName(atom)} admits no ingress and allows egress only to TCP 443 on ${np.egressCIDRs.join(', ')}` +
    `${extras.length ? ` plus ${extras.join(' and ')}` : ''}` +
    `${integrations.length ? `; integration endpoints: ${integrations.join('; ')}` : ''}`
  );
}
