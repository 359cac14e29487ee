// desiredNetworkPolicy: the fence around one Atom. Nothing may connect in; the
// agent may reach TCP 443 on the allowed CIDRs, DNS on the cluster DNS pods, and
// (opt-in) one HTTPS proxy. Nothing else.
import type { V1NetworkPolicy, V1NetworkPolicyEgressRule } from '@kubernetes/client-node';
import { z } from 'zod';
import type { Atom } from '../api/atom.js';
import { childMetadata, networkPolicyName, selectorLabels } from './names.js';

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
