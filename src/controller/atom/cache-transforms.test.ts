import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../kube/resource.js';
import { podHealth } from './pod-health.js';
import { slimAtom, slimPod, slimSecret } from './cache-transforms.js';

describe('cache transforms', () => {
  it('keep of a pod exactly what the reconciler reads, so its health reads the same', () => {
    const pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name: 'a-agent',
        namespace: 'n',
        uid: 'u',
        resourceVersion: '7',
        labels: { 'atomoperator.io/atom': 'a' },
        annotations: { h: '1' },
        ownerReferences: [{ apiVersion: 'x', kind: 'Atom', name: 'a', uid: 'o' }],
        managedFields: [{}],
      },
      spec: {
        containers: [{ name: 'atom', image: 'r@sha256:1', env: [{ name: 'X', value: 'y'.repeat(1000) }] }],
        volumes: [{ name: 'v' }],
      },
      status: {
        phase: 'Running',
        conditions: [
          { type: 'PodScheduled', status: 'True', lastTransitionTime: '2026-01-01T00:00:00Z' },
          { type: 'Ready', status: 'True', lastTransitionTime: '2026-01-01T00:00:00Z', message: 'm' },
          { type: 'ContainersReady', status: 'True', lastTransitionTime: '2026-01-01T00:00:00Z' },
        ],
        containerStatuses: [
          {
            name: 'atom',
            ready: false,
            restartCount: 3,
            image: 'i',
            imageID: 'id',
            state: { waiting: { reason: 'CrashLoopBackOff', message: 'back-off' } },
            lastState: { terminated: { exitCode: 1 } },
          },
        ],
      },
    } as unknown as KubeObject;
    const slim = slimPod(pod) as unknown as { metadata: Record<string, unknown>; spec: unknown };
    expect(slim.spec).toEqual({ containers: [{ name: 'atom', image: 'r@sha256:1' }] });
    expect(slim.metadata).toEqual({
      name: 'a-agent',
      namespace: 'n',
      uid: 'u',
      resourceVersion: '7',
      labels: { 'atomoperator.io/atom': 'a' },
      annotations: { h: '1' },
      ownerReferences: [{ apiVersion: 'x', kind: 'Atom', name: 'a', uid: 'o' }],
    });
    expect(podHealth(slim as never)).toEqual(podHealth(pod as never));
  });

  it("drop Secret values too large for a certificate, and kubectl's last-applied copy", () => {
    const secret = {
      apiVersion: 'v1',
      kind: 'Secret',
      type: 'kubernetes.io/tls',
      metadata: { name: 's', annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{...}' } },
      data: { 'tls.crt': 'Y2VydA==', release: 'x'.repeat(300_000) },
    } as unknown as KubeObject;
    expect(slimSecret(secret)).toEqual({
      apiVersion: 'v1',
      kind: 'Secret',
      type: 'kubernetes.io/tls',
      metadata: { name: 's' },
      data: { 'tls.crt': 'Y2VydA==' },
    });
  });

  it("keep an Atom's own annotations (the resume annotation) but not last-applied", () => {
    const atom = {
      apiVersion: 'a',
      kind: 'Atom',
      metadata: {
        name: 'a',
        annotations: {
          'atomoperator.io/resume-rollout': '1.2.0',
          'kubectl.kubernetes.io/last-applied-configuration': '{}',
        },
      },
      spec: { x: 1 },
    } as unknown as KubeObject;
    expect(slimAtom(atom)).toEqual({
      apiVersion: 'a',
      kind: 'Atom',
      metadata: { name: 'a', annotations: { 'atomoperator.io/resume-rollout': '1.2.0' } },
      spec: { x: 1 },
    });
  });
});
