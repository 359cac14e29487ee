// The operator pod passes the restricted Pod Security Standard on vanilla Kubernetes with every
// values scenario, and OpenShift's restricted-v2 SCC with the defaults and the documented OpenShift
// example: no fixed user, group or fsGroup unless values set one (restricted-v2 assigns its own).
// The two checks below follow the published rules (Pod Security Standards "restricted", v1.27 on;
// the restricted-v2 SecurityContextConstraints of OpenShift 4.11 on), for what a pod spec can show.
import { describe, expect, it } from 'vitest';
import { only, render, restrictedContainerSecurityContext, scenarioList, scenarios, type Manifest } from './helm.js';

interface SecurityContext {
  runAsNonRoot?: boolean;
  runAsUser?: number;
  runAsGroup?: number;
  fsGroup?: number;
  supplementalGroups?: number[];
  allowPrivilegeEscalation?: boolean;
  privileged?: boolean;
  readOnlyRootFilesystem?: boolean;
  procMount?: string;
  capabilities?: { add?: string[]; drop?: string[] };
  seccompProfile?: { type: string };
  seLinuxOptions?: Record<string, string>;
  sysctls?: { name: string }[];
}
interface Container {
  name: string;
  securityContext?: SecurityContext;
  ports?: { hostPort?: number }[];
}
interface PodSpec {
  hostNetwork?: boolean;
  hostPID?: boolean;
  hostIPC?: boolean;
  securityContext?: SecurityContext;
  containers: Container[];
  initContainers?: Container[];
  volumes?: Record<string, unknown>[];
}

const podSpec = (objects: Manifest[]): PodSpec =>
  (only(objects, 'Deployment') as unknown as { spec: { template: { spec: PodSpec } } }).spec.template.spec;

const volumeSource = (v: Record<string, unknown>) => Object.keys(v).find((k) => k !== 'name') ?? '';
const safeSysctls = new Set([
  'kernel.shm_rmid_forced',
  'net.ipv4.ip_local_port_range',
  'net.ipv4.tcp_syncookies',
  'net.ipv4.ping_group_range',
  'net.ipv4.ip_unprivileged_port_start',
]);
const restrictedVolumes = new Set([
  'configMap',
  'csi',
  'downwardAPI',
  'emptyDir',
  'ephemeral',
  'persistentVolumeClaim',
  'projected',
  'secret',
]);

/** Violations of the restricted Pod Security Standard, as sentences; empty when the pod passes. */
function restrictedPodSecurityViolations(pod: PodSpec): string[] {
  const out: string[] = [];
  const containers = [...pod.containers, ...(pod.initContainers ?? [])];
  const podSc = pod.securityContext ?? {};
  if (pod.hostNetwork || pod.hostPID || pod.hostIPC) out.push('host namespaces');
  for (const v of pod.volumes ?? [])
    if (!restrictedVolumes.has(volumeSource(v))) out.push(`volume ${String(v.name)} of type ${volumeSource(v)}`);
  for (const s of podSc.sysctls ?? []) if (!safeSysctls.has(s.name)) out.push(`unsafe sysctl ${s.name}`);
  if (podSc.runAsNonRoot === false) out.push('pod runAsNonRoot false');
  if (podSc.runAsUser === 0) out.push('pod runAsUser 0');
  if (podSc.seccompProfile && !['RuntimeDefault', 'Localhost'].includes(podSc.seccompProfile.type))
    out.push(`pod seccomp ${podSc.seccompProfile.type}`);
  for (const c of containers) {
    const sc = c.securityContext ?? {};
    if (sc.privileged) out.push(`${c.name}: privileged`);
    if (sc.allowPrivilegeEscalation !== false) out.push(`${c.name}: allowPrivilegeEscalation not false`);
    if (!(sc.capabilities?.drop ?? []).includes('ALL')) out.push(`${c.name}: capabilities not dropping ALL`);
    for (const cap of sc.capabilities?.add ?? [])
      if (cap !== 'NET_BIND_SERVICE') out.push(`${c.name}: adds capability ${cap}`);
    if (sc.procMount && sc.procMount !== 'Default') out.push(`${c.name}: procMount ${sc.procMount}`);
    if ((c.ports ?? []).some((p) => p.hostPort)) out.push(`${c.name}: hostPort`);
    const nonRoot = sc.runAsNonRoot ?? podSc.runAsNonRoot;
    if (nonRoot !== true) out.push(`${c.name}: runAsNonRoot not true`);
    if (sc.runAsUser === 0) out.push(`${c.name}: runAsUser 0`);
    const seccomp = sc.seccompProfile?.type ?? podSc.seccompProfile?.type;
    if (!seccomp || !['RuntimeDefault', 'Localhost'].includes(seccomp))
      out.push(`${c.name}: seccomp ${seccomp ?? 'unset'}`);
  }
  return out;
}

/**
 * What OpenShift's restricted-v2 SCC refuses or overrides in a pod that fixes nothing the namespace
 * assigns: a user or fsGroup (MustRunAsRange / MustRunAs from the namespace's annotations, different
 * in every namespace), SELinux options (MustRunAs), privilege, escalation, capabilities other than
 * NET_BIND_SERVICE, seccomp other than runtime/default, and volume types outside its list.
 */
function restrictedV2Violations(pod: PodSpec): string[] {
  const out: string[] = [];
  const podSc = pod.securityContext ?? {};
  for (const field of ['runAsUser', 'runAsGroup', 'fsGroup', 'supplementalGroups', 'seLinuxOptions'] as const)
    if (podSc[field] !== undefined) out.push(`pod fixes ${field}`);
  if (pod.hostNetwork || pod.hostPID || pod.hostIPC) out.push('host namespaces');
  for (const v of pod.volumes ?? [])
    if (!restrictedVolumes.has(volumeSource(v))) out.push(`volume ${String(v.name)} of type ${volumeSource(v)}`);
  for (const c of [...pod.containers, ...(pod.initContainers ?? [])]) {
    const sc = c.securityContext ?? {};
    for (const field of ['runAsUser', 'runAsGroup', 'seLinuxOptions'] as const)
      if (sc[field] !== undefined) out.push(`${c.name} fixes ${field}`);
    if (sc.privileged) out.push(`${c.name}: privileged`);
    if (sc.allowPrivilegeEscalation !== false) out.push(`${c.name}: allowPrivilegeEscalation not false`);
    if (!(sc.capabilities?.drop ?? []).includes('ALL')) out.push(`${c.name}: does not drop ALL`);
    for (const cap of sc.capabilities?.add ?? [])
      if (cap !== 'NET_BIND_SERVICE') out.push(`${c.name}: adds capability ${cap}`);
    const seccomp = sc.seccompProfile?.type ?? podSc.seccompProfile?.type;
    if (seccomp && seccomp !== 'RuntimeDefault') out.push(`${c.name}: seccomp ${seccomp}`);
  }
  return out;
}

describe.each(scenarioList)('the operator pod with %s values', (_name, values) => {
  it('passes the restricted Pod Security Standard', () => {
    expect(restrictedPodSecurityViolations(podSpec(render(values)))).toEqual([]);
  });
});

describe('OpenShift restricted-v2', () => {
  it.each([
    ['defaults', scenarios.defaults],
    ['the OpenShift example', scenarios.openshift],
    ['everything else turned on', scenarios.everything],
  ])('admits the operator pod rendered with %s: no fixed user, group or fsGroup', (_what, values) => {
    const pod = podSpec(render(values));
    expect(restrictedV2Violations(pod)).toEqual([]);
    expect(restrictedPodSecurityViolations(pod)).toEqual([]);
  });

  it('would refuse the fixed IDs a values file can still ask for (the check is not vacuous)', () => {
    expect(restrictedV2Violations(podSpec(render(scenarios.knobs)))).toEqual([
      'pod fixes runAsUser',
      'pod fixes runAsGroup',
      'pod fixes fsGroup',
      'operator fixes runAsUser',
    ]);
  });

  it('the OpenShift example points Atoms and the operator at OpenShift DNS and the 6443 API endpoints', () => {
    const objects = render({ ...scenarios.openshift, networkPolicy: { enabled: true, apiServerPorts: [6443] } });
    const env = (
      only(objects, 'Deployment') as unknown as {
        spec: { template: { spec: { containers: { env: { name: string; value?: string }[] }[] } } };
      }
    ).spec.template.spec.containers[0]?.env;
    expect(env).toContainEqual({ name: 'ATOM_OPERATOR_ATOMS_DNS_NAMESPACE', value: 'openshift-dns' });
    expect(env).toContainEqual({
      name: 'ATOM_OPERATOR_ATOMS_DNS_POD_LABELS',
      value: 'dns.operator.openshift.io/daemonset-dns=default',
    });
  });
});

describe('security contexts come from values', () => {
  it('passes user-set IDs through to the pod and the container, and nothing the user did not set', () => {
    const pod = podSpec(render(scenarios.knobs));
    expect(pod.securityContext).toEqual({
      runAsNonRoot: true,
      runAsUser: 10001,
      runAsGroup: 10001,
      fsGroup: 10001,
      fsGroupChangePolicy: 'OnRootMismatch',
      seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(pod.containers[0]?.securityContext?.runAsUser).toBe(10001);
  });

  it('the defaults fix no user, group or fsGroup anywhere', () => {
    const pod = podSpec(render(scenarios.defaults));
    expect(pod.securityContext).toEqual({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
    expect(pod.containers[0]?.securityContext).toEqual(restrictedContainerSecurityContext);
  });

  it('a values file that weakens the container is caught by the restricted check', () => {
    const pod = podSpec(
      render({ containerSecurityContext: { allowPrivilegeEscalation: true, capabilities: { add: ['NET_ADMIN'] } } }),
    );
    // Helm merges the override into the defaults key by key, so `drop: [ALL]` stays.
    expect(restrictedPodSecurityViolations(pod)).toEqual([
      'operator: allowPrivilegeEscalation not false',
      'operator: adds capability NET_ADMIN',
    ]);
  });

  it('refuses a security context field Kubernetes does not have', () => {
    expect(() => render({ podSecurityContext: { runAsNonroot: true } })).toThrow(/runAsNonroot/);
  });
});
