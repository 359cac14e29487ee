// What the agent pod's status says, reduced to the facts decisions need.
import type { V1Pod } from '@kubernetes/client-node';

export interface PodHealth {
  phase: string;
  ready: boolean;
  terminating: boolean;
  crashLooping: boolean;
  restarts: number;
  /** Why the container is waiting (ImagePullBackOff, CrashLoopBackOff...), if it is. */
  waitingReason?: string;
  waitingMessage?: string;
  /** When the pod last became Ready (from its Ready condition). */
  readySince?: string;
}

export function podHealth(pod: V1Pod): PodHealth {
  const statuses = pod.status?.containerStatuses ?? [];
  const readyCondition = pod.status?.conditions?.find((c) => c.type === 'Ready');
  const waiting = statuses.map((s) => s.state?.waiting).find((w) => w?.reason);
  const readyTime = readyCondition?.lastTransitionTime as unknown;
  return {
    phase: pod.status?.phase ?? 'Pending',
    ready: readyCondition?.status === 'True',
    terminating: Boolean(pod.metadata?.deletionTimestamp),
    crashLooping: statuses.some((s) => s.state?.waiting?.reason === 'CrashLoopBackOff'),
    restarts: statuses.reduce((n, s) => n + (s.restartCount ?? 0), 0),
    ...(waiting?.reason ? { waitingReason: waiting.reason } : {}),
    ...(waiting?.message ? { waitingMessage: waiting.message } : {}),
    ...(readyCondition?.status === 'True' && readyTime
      ? { readySince: readyTime instanceof Date ? readyTime.toISOString() : String(readyTime) }
      : {}),
  };
}
