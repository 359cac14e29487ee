import { dump } from 'js-yaml';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1';
import { PersistentVolumeClaim, Pod, ServiceAccount } from 'kubernetes-models/v1';
import { describe, expect, it } from 'vitest';
import {
  atom,
  withImage,
  withInstallToken,
  withNetworkPolicy,
  withPlatformCA,
  withPod,
  withStorage,
} from '../../test/support/fixtures.js';
import { desiredClaim } from './claim/claim.js';
import { podSpecHashAnnotation } from './names.js';
import { childKinds } from './registry.js';
import { defaultDNSConfig, desiredNetworkPolicy, egressSummary } from './network-policy/network-policy.js';
import { desiredPod, imageReference, type PodInputs } from './pod/pod.js';
import { defaultAgentProfile } from './profile.js';
import { desiredServiceAccount } from './service-account/service-account.js';

const inputs: PodInputs = {
  image: `boomi/atom@sha256:${'a'.repeat(64)}`,
  version: '5.0.2',
  certificateHash: '0123456789abcdef',
  platformUrl: 'https://platform.example.com',
  profile: defaultAgentProfile,
};

const cases = {
  minimal: atom('minimal'),
  'full-shaping': atom(
    'shaped',
    withInstallToken('shaped-token'),
    withPlatformCA('platform-ca'),
    withImage({ repository: 'registry.example.com/atom', pullSecrets: [{ name: 'regcred' }] }),
    withPod({
      resources: { requests: { cpu: '500m', memory: '1Gi' }, limits: { memory: 2147483648 } },
      env: [
        { name: 'EXTRA', value: '1' },
        { name: 'BOOMI_ACCOUNTID', value: 'spoofed' },
      ],
      nodeSelector: { 'kubernetes.io/os': 'linux' },
      tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'atoms', effect: 'NoSchedule' }],
      affinity: {
        nodeAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: {
            nodeSelectorTerms: [{ matchExpressions: [{ key: 'zone', operator: 'In', values: ['a'] }] }],
          },
        },
      },
      priorityClassName: 'integrations',
      labels: { team: 'payments', 'app.kubernetes.io/name': 'spoofed' },
      annotations: { 'example.com/owner': 'payments' },
      terminationGracePeriodSeconds: 300,
    }),
    withStorage({ size: '20Gi', storageClassName: 'fast', deleteClaimOnAtomDeletion: true }),
    withNetworkPolicy({ egressCIDRs: ['203.0.113.0/24'], proxy: { cidr: '10.0.0.15/32', port: 3128 } }),
  ),
  'empty-dir-no-dns': atom(
    'throwaway',
    withStorage({ emptyDir: { sizeLimit: '5Gi' } }),
    withNetworkPolicy({ allowDNS: false }),
  ),
  'integration-endpoints': atom(
    'integrations',
    withNetworkPolicy({
      egressCIDRs: ['203.0.113.0/24'],
      additionalEgress: [
        {
          to: [{ ipBlock: { cidr: '10.20.0.0/16', except: ['10.20.99.0/24'] } }, { ipBlock: { cidr: 'fd00:20::/64' } }],
          ports: [{ protocol: 'TCP', port: 5432 }],
        },
        { to: [{ ipBlock: { cidr: '10.30.0.5/32' } }], ports: [{ protocol: 'TCP', port: 22 }] },
        {
          to: [
            {
              namespaceSelector: { matchLabels: { team: 'erp' } },
              podSelector: { matchExpressions: [{ key: 'app', operator: 'In', values: ['api', 'queue'] }] },
            },
            { podSelector: { matchLabels: { app: 'cache' } } },
          ],
          ports: [
            { protocol: 'TCP', port: 8000, endPort: 8100 },
            { protocol: 'UDP', port: 514 },
          ],
        },
      ],
    }),
  ),
};

describe.each(Object.entries(cases))('children of the %s Atom', (name, a) => {
  const pod = desiredPod(a, inputs);
  const claim = desiredClaim(a);
  const policy = desiredNetworkPolicy(a, defaultDNSConfig);
  const sa = desiredServiceAccount(a);

  it.each(childKinds.map((c) => [c.kind, c] as const))('%s matches its golden file', async (_kind, child) => {
    const built = child.desired ? (child.desired(a, { dns: defaultDNSConfig }, undefined)?.object ?? null) : pod;
    await expect(dump(built, { lineWidth: -1 })).toMatchFileSnapshot(`${child.folder}/__golden__/${name}.yaml`);
  });

  it('validate against the Kubernetes schemas', () => {
    expect(() => new Pod(pod as ConstructorParameters<typeof Pod>[0]).validate()).not.toThrow();
    if (claim)
      expect(() =>
        new PersistentVolumeClaim(claim as ConstructorParameters<typeof PersistentVolumeClaim>[0]).validate(),
      ).not.toThrow();
    if (policy)
      expect(() =>
        new NetworkPolicy(policy as ConstructorParameters<typeof NetworkPolicy>[0]).validate(),
      ).not.toThrow();
    if (sa)
      expect(() => new ServiceAccount(sa as ConstructorParameters<typeof ServiceAccount>[0]).validate()).not.toThrow();
  });

  it('run under the restricted Pod Security Standard with no API credentials', () => {
    const spec = pod.spec!;
    expect(spec.automountServiceAccountToken).toBe(false);
    expect(spec.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
    for (const c of spec.containers) {
      expect(c.securityContext).toEqual({
        allowPrivilegeEscalation: false,
        readOnlyRootFilesystem: true,
        runAsNonRoot: true,
        capabilities: { drop: ['ALL'] },
      });
      expect(c.lifecycle?.preStop?.exec?.command).toEqual(['sh', '/home/boomi/scaledown.sh']);
    }
    expect(spec.volumes!.filter((v) => v.hostPath)).toEqual([]);
  });

  it('mount the registration Secret read-only with mode 0400', () => {
    const vol = pod.spec!.volumes!.find((v) => v.name === 'registration')!;
    expect(vol.secret).toMatchObject({ secretName: `${a.metadata.name}-registration`, defaultMode: 0o400 });
    expect(pod.spec!.containers[0]!.volumeMounts!.find((m) => m.name === 'registration')).toEqual({
      name: 'registration',
      mountPath: '/etc/atom/registration',
      readOnly: true,
    });
  });

  it('are owned by the Atom and labelled for it', () => {
    expect(pod.metadata!.ownerReferences).toEqual([
      {
        apiVersion: 'atomoperator.io/v1alpha1',
        kind: 'Atom',
        name: a.metadata.name,
        uid: a.metadata.uid,
        controller: true,
        blockOwnerDeletion: true,
      },
    ]);
    expect(pod.metadata!.labels).toMatchObject({
      'app.kubernetes.io/name': 'atom',
      'app.kubernetes.io/managed-by': 'atom-operator',
      'atomoperator.io/atom': a.metadata.name,
    });
  });
});

describe('desiredPod', () => {
  const a = cases['full-shaping'];
  it('gives the agent its identity from the Atom, and a user variable never shadows one', () => {
    const env = desiredPod(a, inputs).spec!.containers[0]!.env!;
    expect(env.filter((e) => e.name === 'BOOMI_ACCOUNTID')).toEqual([{ name: 'BOOMI_ACCOUNTID', value: 'acme-0001' }]);
    expect(env).toContainEqual({
      name: 'ATOM_LOCALHOSTID',
      valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.name' } },
    });
    expect(env).toContainEqual({
      name: 'INSTALL_TOKEN',
      valueFrom: { secretKeyRef: { name: 'shaped-token', key: 'token' } },
    });
    expect(env).toContainEqual({ name: 'EXTRA', value: '1' });
  });

  it('keeps the hash when nothing changed and changes it on a rotated certificate or a new image', () => {
    const hash = (i: PodInputs) => desiredPod(a, i).metadata!.annotations![podSpecHashAnnotation];
    expect(hash(inputs)).toBe(hash({ ...inputs }));
    expect(hash({ ...inputs, certificateHash: 'fedcba9876543210' })).not.toBe(hash(inputs));
    expect(hash({ ...inputs, image: `boomi/atom@sha256:${'b'.repeat(64)}` })).not.toBe(hash(inputs));
  });

  it("uses the user's ServiceAccount when named, and then creates none", () => {
    const own = atom('own', withPod({ serviceAccountName: 'custom' }));
    expect(desiredPod(own, inputs).spec!.serviceAccountName).toBe('custom');
    expect(desiredServiceAccount(own)).toBeUndefined();
  });

  it.each([
    [{ digest: `sha256:${'c'.repeat(64)}`, tag: '5.0.2' }, `r/atom@sha256:${'c'.repeat(64)}`],
    [{ tag: '5.0.2' }, 'r/atom:5.0.2'],
    [{}, 'r/atom:latest'],
  ])('refers to the image by digest whenever one is known (%j)', (ref, expected) => {
    expect(imageReference('r/atom', ref)).toBe(expected);
  });
});

describe('desiredNetworkPolicy', () => {
  it("selects exactly the Atom's pod, admits nothing in, and lets out only 443, DNS and the proxy", () => {
    const policy = desiredNetworkPolicy(cases['full-shaping'], defaultDNSConfig)!;
    expect(policy.spec!.podSelector).toEqual({ matchLabels: { 'atomoperator.io/atom': 'shaped' } });
    expect(policy.spec!.policyTypes).toEqual(['Ingress', 'Egress']);
    expect(policy.spec!.ingress).toBeUndefined();
    const ports = policy.spec!.egress!.flatMap((r) => r.ports!.map((p) => `${p.protocol}/${p.port}`));
    expect(ports).toEqual(['TCP/443', 'UDP/53', 'TCP/53', 'TCP/3128']);
    expect(policy.spec!.egress![1]!.to).toEqual([
      {
        namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } },
        podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } },
      },
    ]);
  });

  it('adds each integration endpoint as its own rule on its own ports, after 443, DNS and the proxy', () => {
    const policy = desiredNetworkPolicy(cases['integration-endpoints'], defaultDNSConfig)!;
    // Each endpoint as the user wrote it (the destinations and ports pass through unchanged).
    expect(policy.spec!.egress!.slice(2)).toEqual(cases['integration-endpoints'].spec.networkPolicy.additionalEgress);
    // The platform rule is untouched: still TCP 443 only.
    expect(policy.spec!.egress![0]).toEqual({
      to: [{ ipBlock: { cidr: '203.0.113.0/24' } }],
      ports: [{ protocol: 'TCP', port: 443 }],
    });
  });

  it.each([
    [
      'minimal',
      'NetworkPolicy minimal-egress admits no ingress and allows egress only to TCP 443 on 0.0.0.0/0, ::/0 plus DNS to the cluster DNS pods',
    ],
    [
      'full-shaping',
      'NetworkPolicy shaped-egress admits no ingress and allows egress only to TCP 443 on 203.0.113.0/24 plus DNS to the cluster DNS pods and the proxy 10.0.0.15/32:3128',
    ],
    [
      'empty-dir-no-dns',
      'NetworkPolicy throwaway-egress admits no ingress and allows egress only to TCP 443 on 0.0.0.0/0, ::/0',
    ],
    [
      'integration-endpoints',
      'NetworkPolicy integrations-egress admits no ingress and allows egress only to TCP 443 on 203.0.113.0/24 plus DNS to the cluster DNS pods; ' +
        'integration endpoints: TCP 5432 to 10.20.0.0/16 except 10.20.99.0/24, fd00:20::/64; TCP 22 to 10.30.0.5/32; ' +
        "TCP 8000-8100, UDP 514 to pods app In (api,queue) in namespaces team=erp, pods app=cache in the Atom's namespace",
    ],
  ] as const)('egressSummary of the %s Atom names every destination it lets out', (name, summary) => {
    expect(egressSummary(cases[name])).toBe(summary);
  });

  it('defaults to all IPv4 and IPv6 destinations on 443, and drops DNS when asked', () => {
    const policy = desiredNetworkPolicy(cases['empty-dir-no-dns'], defaultDNSConfig)!;
    expect(policy.spec!.egress).toEqual([
      {
        to: [{ ipBlock: { cidr: '0.0.0.0/0' } }, { ipBlock: { cidr: '::/0' } }],
        ports: [{ protocol: 'TCP', port: 443 }],
      },
    ]);
  });

  it('is not wanted when disabled', () => {
    expect(desiredNetworkPolicy(atom('open', withNetworkPolicy({ enabled: false })), defaultDNSConfig)).toBeUndefined();
  });
});

describe('desiredClaim', () => {
  it('is kept on Atom deletion by default: no owner reference', () => {
    expect(desiredClaim(cases.minimal)!.metadata!.ownerReferences).toBeUndefined();
  });
  it('is owned by the Atom when deleteClaimOnAtomDeletion is set', () => {
    expect(desiredClaim(cases['full-shaping'])!.metadata!.ownerReferences).toHaveLength(1);
  });
  it('does not exist for emptyDir Atoms', () => {
    expect(desiredClaim(cases['empty-dir-no-dns'])).toBeUndefined();
  });
});
