// The only node: a stand-in kubelet that moves pods through their lifecycle,
// automatically (auto) or when a test says so (manual). It writes pod status
// through the status subresource as field manager "kubelet", like the real one.
import { nowTimestamp, type Cluster } from './cluster.js';
import { notFound } from './errors.js';
import type { ResourceType } from './resource-types.js';
import type { KubeObject, StoreEvent } from './store.js';

export type KubeletMode = 'auto' | 'manual';
export type PodPhase = 'Running' | 'Succeeded' | 'Failed';

export interface PhaseOptions {
  reason?: string;
  message?: string;
  exitCode?: number;
}

type Obj = Record<string, unknown>;

interface ContainerSpec {
  name: string;
  image?: string;
}

export class SandboxKubelet {
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly unsubscribe: () => void;
  private readonly podType: ResourceType;
  private ipCounter = 1;

  constructor(
    private readonly cluster: Cluster,
    private currentMode: KubeletMode,
    private readonly podStartDelayMs: number,
    private readonly podTerminationDelayMs: number,
    private readonly onError: (err: unknown) => void,
  ) {
    const t = cluster.registry.lookup('', 'v1', 'pods');
    if (!t) throw new Error('pods are not registered');
    this.podType = t;
    this.unsubscribe = cluster.store.subscribe((e) => this.observe(e));
  }

  get mode(): KubeletMode {
    return this.currentMode;
  }

  /** Switching to auto starts pending pods and finishes terminating ones. */
  set mode(mode: KubeletMode) {
    this.currentMode = mode;
    if (mode !== 'auto') return;
    for (const pod of this.cluster.store.list('/pods')) {
      if (pod.metadata.deletionTimestamp) this.later(this.podTerminationDelayMs, () => this.finishIfPresent(pod));
      else if ((pod.status as Obj | undefined)?.phase === 'Pending')
        this.later(this.podStartDelayMs, () => this.startIfPending(pod));
    }
  }

  stop(): void {
    this.unsubscribe();
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }

  private later(ms: number, fn: () => void): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      try {
        fn();
      } catch (err) {
        this.onError(err);
      }
    }, ms);
    this.timers.add(timer);
  }

  private observe(e: StoreEvent): void {
    if (e.storeKey !== '/pods' || this.currentMode !== 'auto') return;
    if (e.type === 'ADDED') this.later(this.podStartDelayMs, () => this.startIfPending(e.object));
    if (e.type === 'MODIFIED' && e.object.metadata.deletionTimestamp && !e.prev?.metadata.deletionTimestamp) {
      this.later(this.podTerminationDelayMs, () => this.finishIfPresent(e.object));
    }
  }

  private current(namespace: string, name: string): KubeObject {
    const pod = this.cluster.store.get('/pods', namespace, name);
    if (!pod) throw notFound(this.podType, name);
    return pod;
  }

  private sameUid(pod: KubeObject): KubeObject | undefined {
    const now = this.cluster.store.get('/pods', pod.metadata.namespace, pod.metadata.name);
    return now && now.metadata.uid === pod.metadata.uid ? now : undefined;
  }

  private startIfPending(pod: KubeObject): void {
    const now = this.sameUid(pod);
    if (!now || now.metadata.deletionTimestamp || (now.status as Obj | undefined)?.phase !== 'Pending') return;
    // Like a WaitForFirstConsumer provisioner: the pod's claims are bound when it starts.
    const volumes =
      (now.spec as { volumes?: { persistentVolumeClaim?: { claimName?: string } }[] } | undefined)?.volumes ?? [];
    for (const v of volumes) {
      const claim = v.persistentVolumeClaim?.claimName;
      if (claim) this.bindClaim(now.metadata.namespace ?? '', claim);
    }
    this.setPodReady(now.metadata.namespace ?? '', now.metadata.name, true);
  }

  /**
   * Binds a PersistentVolumeClaim as a provisioner would: a volume named after the claim's uid,
   * the requested capacity, phase Bound. Does nothing when the claim is missing or bound already.
   */
  bindClaim(namespace: string, name: string): void {
    const claim = this.cluster.store.get('/persistentvolumeclaims', namespace, name);
    if (!claim || (claim.status as Obj | undefined)?.phase === 'Bound') return;
    const spec = (claim.spec ?? {}) as {
      accessModes?: string[];
      resources?: { requests?: { storage?: string } };
      volumeName?: string;
    };
    const claimType = this.cluster.registry.lookup('', 'v1', 'persistentvolumeclaims');
    if (!claimType) return;
    const volumeName = spec.volumeName ?? `pvc-${claim.metadata.uid ?? name}`;
    if (!spec.volumeName) {
      this.cluster.patch(
        claimType,
        namespace,
        name,
        'merge',
        { spec: { volumeName } },
        { fieldManager: 'kube-controller-manager' },
        'kube-controller-manager',
      );
    }
    this.cluster.patch(
      claimType,
      namespace,
      name,
      'merge',
      {
        status: {
          phase: 'Bound',
          accessModes: spec.accessModes ?? ['ReadWriteOnce'],
          capacity: { storage: spec.resources?.requests?.storage ?? '1Gi' },
        },
      },
      { subresource: 'status', fieldManager: 'kube-controller-manager' },
      'kube-controller-manager',
    );
  }

  private finishIfPresent(pod: KubeObject): void {
    const now = this.sameUid(pod);
    if (now?.metadata.deletionTimestamp) this.finishTermination(now.metadata.namespace ?? '', now.metadata.name);
  }

  private writeStatus(pod: KubeObject, status: Obj): void {
    this.cluster.patch(
      this.podType,
      pod.metadata.namespace,
      pod.metadata.name,
      'merge',
      { status },
      { subresource: 'status', fieldManager: 'kubelet' },
      'kubelet',
    );
  }

  private containers(pod: KubeObject): ContainerSpec[] {
    const spec = (pod.spec ?? {}) as { containers?: ContainerSpec[] };
    return spec.containers ?? [];
  }

  private conditions(ready: boolean, reason?: string): Obj[] {
    const at = nowTimestamp();
    const c = (type: string, ok: boolean, why?: string): Obj => {
      const out: Obj = { type, status: ok ? 'True' : 'False', lastProbeTime: null, lastTransitionTime: at };
      if (!ok && why) out.reason = why;
      return out;
    };
    return [
      c('PodReadyToStartContainers', true),
      c('Initialized', true),
      c('Ready', ready, reason ?? 'ContainersNotReady'),
      c('ContainersReady', ready, reason ?? 'ContainersNotReady'),
      c('PodScheduled', true),
    ];
  }

  private baseStatus(pod: KubeObject): Obj {
    const status = (pod.status ?? {}) as Obj;
    const podIP = typeof status.podIP === 'string' ? status.podIP : `10.244.0.${(this.ipCounter++ % 250) + 2}`;
    return {
      hostIP: '10.0.0.10',
      hostIPs: [{ ip: '10.0.0.10' }],
      podIP,
      podIPs: [{ ip: podIP }],
      startTime: status.startTime ?? nowTimestamp(),
    };
  }

  private containerStatuses(pod: KubeObject, make: (c: ContainerSpec, prev: Obj | undefined) => Obj): Obj[] {
    const prev = ((pod.status as Obj | undefined)?.containerStatuses ?? []) as Obj[];
    return this.containers(pod).map((c) => {
      const before = prev.find((p) => p.name === c.name);
      return {
        name: c.name,
        image: c.image,
        imageID: `${c.image ?? ''}@sha256:${'0'.repeat(64)}`,
        containerID: `containerd://${pod.metadata.uid ?? ''}-${c.name}`,
        restartCount: before?.restartCount ?? 0,
        ...make(c, before),
      };
    });
  }

  setPodReady(namespace: string, name: string, ready: boolean): void {
    const pod = this.current(namespace, name);
    const started = nowTimestamp();
    this.writeStatus(pod, {
      phase: 'Running',
      ...this.baseStatus(pod),
      conditions: this.conditions(ready),
      containerStatuses: this.containerStatuses(pod, (_c, before) => ({
        ready,
        started: true,
        state: {
          running: { startedAt: (before?.state as { running?: Obj } | undefined)?.running?.startedAt ?? started },
        },
      })),
    });
  }

  setPodPhase(namespace: string, name: string, phase: PodPhase, opts: PhaseOptions = {}): void {
    if (phase === 'Running') {
      this.setPodReady(namespace, name, true);
      return;
    }
    const pod = this.current(namespace, name);
    const exitCode = opts.exitCode ?? (phase === 'Succeeded' ? 0 : 1);
    const status: Obj = {
      phase,
      ...this.baseStatus(pod),
      conditions: this.conditions(false, 'PodCompleted'),
      containerStatuses: this.containerStatuses(pod, () => ({
        ready: false,
        started: false,
        state: {
          terminated: {
            exitCode,
            reason: opts.reason ?? (phase === 'Succeeded' ? 'Completed' : 'Error'),
            startedAt: nowTimestamp(),
            finishedAt: nowTimestamp(),
          },
        },
      })),
    };
    if (opts.reason) status.reason = opts.reason;
    if (opts.message) status.message = opts.message;
    this.writeStatus(pod, status);
  }

  setContainerRestarts(namespace: string, name: string, restartCount: number): void {
    const pod = this.current(namespace, name);
    const statuses = this.containerStatuses(pod, (_c, before) => ({ ...before, restartCount }));
    this.writeStatus(pod, { containerStatuses: statuses });
  }

  /** The container keeps failing: waiting in CrashLoopBackOff, not ready, restart count up by one. */
  crashLoop(namespace: string, name: string, opts: { restartCount?: number; message?: string } = {}): void {
    const pod = this.current(namespace, name);
    this.writeStatus(pod, {
      phase: 'Running',
      ...this.baseStatus(pod),
      conditions: this.conditions(false),
      containerStatuses: this.containerStatuses(pod, (c, before) => ({
        ready: false,
        started: false,
        restartCount: opts.restartCount ?? Number(before?.restartCount ?? 0) + 1,
        state: {
          waiting: {
            reason: 'CrashLoopBackOff',
            message:
              opts.message ??
              `back-off 10s restarting failed container=${c.name} pod=${name}_${namespace}(${pod.metadata.uid ?? ''})`,
          },
        },
        lastState: {
          terminated: { exitCode: 1, reason: 'Error', startedAt: nowTimestamp(), finishedAt: nowTimestamp() },
        },
      })),
    });
  }

  /** The containers have stopped: the pod object goes away (or waits for its finalizers). */
  finishTermination(namespace: string, name: string): void {
    const pod = this.current(namespace, name);
    if (!pod.metadata.deletionTimestamp) throw new Error(`pod ${namespace}/${name} is not terminating`);
    pod.metadata.deletionGracePeriodSeconds = 0;
    if ((pod.metadata.finalizers ?? []).length === 0) this.cluster.store.remove('/pods', namespace, name);
    else this.cluster.store.put('/pods', pod);
  }
}
