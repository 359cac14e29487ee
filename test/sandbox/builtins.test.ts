// Built-in kinds the operator touches, through their typed clients: leases for
// leader election, services, claims, service accounts, pod defaults and
// immutability, deployments' generation, and the kubelet's restart counter.
import { AppsV1Api, CoordinationV1Api, CoreV1Api, NetworkingV1Api } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { failure, useSandbox } from './helpers.js';

const sandbox = useSandbox();

const core = (): CoreV1Api => sandbox().kubeConfig().makeApiClient(CoreV1Api);

describe('leases', () => {
  it('support leader election by optimistic concurrency', async () => {
    const leases = sandbox().kubeConfig().makeApiClient(CoordinationV1Api);
    const created = await leases.createNamespacedLease({
      namespace: 'kube-system',
      body: {
        metadata: { name: 'atom-operator' },
        spec: {
          holderIdentity: 'a',
          leaseDurationSeconds: 15,
          acquireTime: new Date() as never,
          renewTime: new Date() as never,
        },
      },
    });
    const renewed = await leases.replaceNamespacedLease({
      namespace: 'kube-system',
      name: 'atom-operator',
      body: { ...created, spec: { ...created.spec, renewTime: new Date() as never } },
    });
    expect(Number(renewed.metadata?.resourceVersion)).toBeGreaterThan(Number(created.metadata?.resourceVersion));
    // A second candidate holding the old version loses.
    const status = await failure(
      leases.replaceNamespacedLease({
        namespace: 'kube-system',
        name: 'atom-operator',
        body: { ...created, spec: { ...created.spec, holderIdentity: 'b' } },
      }),
    );
    expect(status.reason).toBe('Conflict');
    expect(
      (await leases.readNamespacedLease({ namespace: 'kube-system', name: 'atom-operator' })).spec?.holderIdentity,
    ).toBe('a');
  });
});

describe('defaults on create', () => {
  it('gives services a cluster IP, type and target ports', async () => {
    const svc = await core().createNamespacedService({
      namespace: 'default',
      body: { metadata: { name: 'metrics' }, spec: { selector: { app: 'x' }, ports: [{ port: 8080 }] } },
    });
    expect(svc.spec).toMatchObject({
      type: 'ClusterIP',
      sessionAffinity: 'None',
      ports: [{ port: 8080, protocol: 'TCP', targetPort: 8080 }],
    });
    expect(svc.spec?.clusterIP).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
    expect(svc.spec?.clusterIPs).toEqual([svc.spec?.clusterIP]);
  });

  it('leaves claims Pending (no provisioner) with Filesystem volume mode', async () => {
    const pvc = await core().createNamespacedPersistentVolumeClaim({
      namespace: 'default',
      body: {
        metadata: { name: 'data' },
        spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
      },
    });
    expect(pvc.status?.phase).toBe('Pending');
    expect(pvc.spec?.volumeMode).toBe('Filesystem');
    const status = await failure(
      core().patchNamespacedPersistentVolumeClaim({
        namespace: 'default',
        name: 'data',
        body: [{ op: 'replace', path: '/spec/accessModes', value: ['ReadWriteMany'] }],
      }),
    );
    expect(status.code).toBe(422);
  });

  it('defaults pods the way the real server does and keeps their spec immutable', async () => {
    const pod = await core().createNamespacedPod({
      namespace: 'default',
      body: {
        metadata: { name: 'defaults' },
        spec: { containers: [{ name: 'c', image: 'agent:1.2', ports: [{ containerPort: 9000 }] }] },
      },
    });
    expect(pod.spec).toMatchObject({
      restartPolicy: 'Always',
      terminationGracePeriodSeconds: 30,
      dnsPolicy: 'ClusterFirst',
      serviceAccountName: 'default',
      schedulerName: 'default-scheduler',
    });
    expect(pod.spec?.containers[0]).toMatchObject({
      imagePullPolicy: 'IfNotPresent',
      terminationMessagePath: '/dev/termination-log',
      ports: [{ containerPort: 9000, protocol: 'TCP' }],
    });
    expect(pod.status).toMatchObject({ phase: 'Pending', qosClass: 'BestEffort' });
    const image = await core().patchNamespacedPod({
      namespace: 'default',
      name: 'defaults',
      body: [{ op: 'replace', path: '/spec/containers/0/image', value: 'agent:1.3' }],
    });
    expect(image.spec?.containers[0]?.image).toBe('agent:1.3');
    const status = await failure(
      core().patchNamespacedPod({
        namespace: 'default',
        name: 'defaults',
        body: [{ op: 'add', path: '/spec/containers/0/args', value: ['x'] }],
      }),
    );
    expect(status.code).toBe(422);
    expect(status.message).toContain('pod updates may not change fields other than');
  });

  it('gives every namespace a default ServiceAccount and refuses pods naming a missing one', async () => {
    await core().createNamespace({ body: { metadata: { name: 'sa-check' } } });
    // A controller creates it; on a real cluster that takes a moment.
    const { waitFor } = await import('./helpers.js');
    await waitFor(() => sandbox().store.get('serviceaccounts', 'sa-check', 'default'), 'the default ServiceAccount');
    const status = await failure(
      core().createNamespacedPod({
        namespace: 'sa-check',
        body: {
          metadata: { name: 'p' },
          spec: { serviceAccountName: 'atom-agent', containers: [{ name: 'c', image: 'i:1' }] },
        },
      }),
    );
    expect(status).toMatchObject({
      code: 403,
      reason: 'Forbidden',
      message:
        'pods "p" is forbidden: error looking up service account sa-check/atom-agent: serviceaccount "atom-agent" not found',
    });
  });

  it('creates service accounts', async () => {
    const sa = await core().createNamespacedServiceAccount({
      namespace: 'default',
      body: { metadata: { name: 'atom' }, automountServiceAccountToken: false },
    });
    expect(sa.automountServiceAccountToken).toBe(false);
  });
});

describe('generation of built-ins', () => {
  it('counts deployment and network policy spec changes only', async () => {
    const apps = sandbox().kubeConfig().makeApiClient(AppsV1Api);
    const d = await apps.createNamespacedDeployment({
      namespace: 'default',
      body: {
        metadata: { name: 'gen' },
        spec: {
          selector: { matchLabels: { a: 'b' } },
          template: { metadata: { labels: { a: 'b' } }, spec: { containers: [{ name: 'c', image: 'i:1' }] } },
        },
      },
    });
    expect(d.metadata?.generation).toBe(1);
    const scaled = await apps.patchNamespacedDeployment({
      namespace: 'default',
      name: 'gen',
      body: [{ op: 'replace', path: '/spec/replicas', value: 3 }],
    });
    expect(scaled.metadata?.generation).toBe(2);
    const net = sandbox().kubeConfig().makeApiClient(NetworkingV1Api);
    const np = await net.createNamespacedNetworkPolicy({
      namespace: 'default',
      body: {
        metadata: { name: 'egress' },
        spec: { podSelector: { matchLabels: { a: 'b' } }, egress: [{ ports: [{ port: 443, protocol: 'TCP' }] }] },
      },
    });
    expect(np.spec?.policyTypes).toEqual(['Ingress', 'Egress']);
  });
});

describe('dry run on update', () => {
  it('returns the result of a PUT without storing it', async () => {
    const cm = await core().createNamespacedConfigMap({
      namespace: 'default',
      body: { metadata: { name: 'dry-put' }, data: { a: '1' } },
    });
    const dry = await core().replaceNamespacedConfigMap({
      namespace: 'default',
      name: 'dry-put',
      dryRun: 'All',
      body: { ...cm, data: { a: '2' } },
    });
    expect(dry.data).toEqual({ a: '2' });
    expect((await core().readNamespacedConfigMap({ namespace: 'default', name: 'dry-put' })).data).toEqual({ a: '1' });
  });
});

describe('kubelet restart counter', () => {
  it('is set by setContainerRestarts', async () => {
    await core().createNamespacedPod({
      namespace: 'default',
      body: { metadata: { name: 'restarts' }, spec: { containers: [{ name: 'c', image: 'i:1' }] } },
    });
    sandbox().kubelet.setPodReady('default', 'restarts', true);
    sandbox().kubelet.setContainerRestarts('default', 'restarts', 4);
    const pod = await core().readNamespacedPod({ namespace: 'default', name: 'restarts' });
    expect(pod.status?.containerStatuses?.[0]?.restartCount).toBe(4);
    expect(pod.status?.containerStatuses?.[0]?.ready).toBe(true);
  });
});

describe('validation of built-in specs', () => {
  const container = { name: 'agent', image: 'agent:1' };
  it.each([
    ['no containers', { containers: [] }, 'spec.containers', 'FieldValueRequired'],
    [
      'a container without image',
      { containers: [{ name: 'agent' }] },
      'spec.containers[0].image',
      'FieldValueRequired',
    ],
    [
      'a bad container name',
      { containers: [{ ...container, name: 'Agent_1' }] },
      'spec.containers[0].name',
      'FieldValueInvalid',
    ],
    [
      'duplicate container names',
      { containers: [container, container] },
      'spec.containers[1].name',
      'FieldValueDuplicate',
    ],
    [
      'a mount of a missing volume',
      { containers: [{ ...container, volumeMounts: [{ name: 'data', mountPath: '/data' }] }] },
      'spec.containers[0].volumeMounts[0].name',
      'FieldValueNotFound',
    ],
    [
      'an env name with "="',
      { containers: [{ ...container, env: [{ name: 'A=B', value: 'x' }] }] },
      'spec.containers[0].env[0].name',
      'FieldValueInvalid',
    ],
    [
      'a port out of range',
      { containers: [{ ...container, ports: [{ containerPort: 70000 }] }] },
      'spec.containers[0].ports[0].containerPort',
      'FieldValueInvalid',
    ],
    [
      'a bad quantity',
      { containers: [{ ...container, resources: { limits: { memory: '1GB' } } }] },
      'spec.containers[0].resources.limits[memory]',
      'FieldValueInvalid',
    ],
    [
      'requests above limits',
      { containers: [{ ...container, resources: { requests: { cpu: '2' }, limits: { cpu: '1' } } }] },
      'spec.containers[0].resources.requests',
      'FieldValueInvalid',
    ],
    [
      'a volume without a source',
      { containers: [container], volumes: [{ name: 'data' }] },
      'spec.volumes[0]',
      'FieldValueRequired',
    ],
    [
      'a secret volume mode above 0777',
      { containers: [container], volumes: [{ name: 'reg', secret: { secretName: 'reg', defaultMode: 1000 } }] },
      'spec.volumes[0].secret.defaultMode',
      'FieldValueInvalid',
    ],
  ])('rejects a pod with %s', async (_what, spec, field, reason) => {
    const status = await failure(
      core().createNamespacedPod({ namespace: 'default', body: { metadata: { name: 'invalid-pod' }, spec } as never }),
    );
    expect(status).toMatchObject({ code: 422, reason: 'Invalid' });
    expect(status.details?.causes).toContainEqual(expect.objectContaining({ field, reason }));
  });

  it('accepts the pod shape the operator builds', async () => {
    const pod = await core().createNamespacedPod({
      namespace: 'default',
      body: {
        metadata: { name: 'atom-shaped', labels: { 'app.kubernetes.io/name': 'atom' } },
        spec: {
          automountServiceAccountToken: false,
          securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
          containers: [
            {
              name: 'atom',
              image: `boomi/atom@sha256:${'a'.repeat(64)}`,
              env: [{ name: 'ATOM_NAME', value: 'x' }],
              resources: { requests: { cpu: '500m', memory: '1Gi' }, limits: { memory: '2Gi' } },
              volumeMounts: [
                { name: 'registration', mountPath: '/var/run/atom/registration', readOnly: true },
                { name: 'install', mountPath: '/opt/atom' },
              ],
              securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
            },
          ],
          volumes: [
            { name: 'registration', secret: { secretName: 'reg', defaultMode: 0o400 } },
            { name: 'install', persistentVolumeClaim: { claimName: 'install' } },
          ],
        },
      },
    });
    expect(pod.metadata?.uid).toBeDefined();
  });

  it('rejects a network policy with a bad CIDR or protocol', async () => {
    const net = sandbox().kubeConfig().makeApiClient(NetworkingV1Api);
    const status = await failure(
      net.createNamespacedNetworkPolicy({
        namespace: 'default',
        body: {
          metadata: { name: 'bad-np' },
          spec: {
            podSelector: {},
            policyTypes: ['Egress'],
            egress: [{ to: [{ ipBlock: { cidr: '10.0.0.0/33' } }], ports: [{ protocol: 'ICMP' as never, port: 443 }] }],
          },
        },
      }),
    );
    expect(status.details?.causes?.map((c) => c.field)).toEqual([
      'spec.egress[0].ports[0].protocol',
      'spec.egress[0].to[0].ipBlock.cidr',
    ]);
    const ok = await net.createNamespacedNetworkPolicy({
      namespace: 'default',
      body: {
        metadata: { name: 'ok-np' },
        spec: {
          podSelector: { matchLabels: { a: 'b' } },
          policyTypes: ['Ingress', 'Egress'],
          egress: [
            {
              to: [{ ipBlock: { cidr: '0.0.0.0/0' } }, { ipBlock: { cidr: '::/0' } }],
              ports: [{ protocol: 'TCP', port: 443 }],
            },
          ],
        },
      },
    });
    expect(ok.metadata?.name).toBe('ok-np');
  });

  it('rejects a claim without access modes or storage request', async () => {
    const status = await failure(
      core().createNamespacedPersistentVolumeClaim({
        namespace: 'default',
        body: { metadata: { name: 'bad-pvc' }, spec: {} },
      }),
    );
    expect(status.details?.causes?.map((c) => c.field)).toEqual(['spec.accessModes', 'spec.resources[storage]']);
  });
});

describe('claims and the stand-in provisioner', () => {
  it("binds a pod's claims when the kubelet starts it (auto mode), keeping volumeName immutable", async () => {
    await core().createNamespacedPersistentVolumeClaim({
      namespace: 'default',
      body: {
        metadata: { name: 'install' },
        spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '2Gi' } } },
      },
    });
    sandbox().kubelet.mode = 'auto';
    try {
      await core().createNamespacedPod({
        namespace: 'default',
        body: {
          metadata: { name: 'consumer' },
          spec: {
            containers: [{ name: 'c', image: 'i:1', volumeMounts: [{ name: 'd', mountPath: '/d' }] }],
            volumes: [{ name: 'd', persistentVolumeClaim: { claimName: 'install' } }],
          },
        },
      });
      const { waitFor } = await import('./helpers.js');
      await waitFor(
        () =>
          (
            sandbox().store.get('persistentvolumeclaims', 'default', 'install')?.status as
              | { phase?: string }
              | undefined
          )?.phase === 'Bound' || undefined,
        'claim bound',
      );
    } finally {
      sandbox().kubelet.mode = 'manual';
    }
    const pvc = await core().readNamespacedPersistentVolumeClaim({ namespace: 'default', name: 'install' });
    expect(pvc.status).toMatchObject({ phase: 'Bound', capacity: { storage: '2Gi' } });
    expect(pvc.spec?.volumeName).toMatch(/^pvc-/);
    const status = await failure(
      core().patchNamespacedPersistentVolumeClaim({
        namespace: 'default',
        name: 'install',
        body: [{ op: 'replace', path: '/spec/volumeName', value: 'other' }],
      }),
    );
    expect(status.code).toBe(422);
  });
});
