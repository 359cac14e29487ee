import type { V1Pod } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { certificateHashAnnotation, podSpecHashAnnotation, versionAnnotation } from '../../resources/names.js';
import { decidePodStep, podFacts } from './pod-step.js';

function pod(
  name: string,
  opts: { hash?: string; version?: string; cert?: string; terminating?: boolean; phase?: string } = {},
) {
  const p: V1Pod = {
    metadata: {
      name,
      annotations: {
        [podSpecHashAnnotation]: opts.hash ?? 'h1',
        [versionAnnotation]: opts.version ?? '1.0.0',
        [certificateHashAnnotation]: opts.cert ?? 'c1',
      },
      ...(opts.terminating ? { deletionTimestamp: new Date('2026-01-01T00:00:00Z') } : {}),
    },
    status: { phase: opts.phase ?? 'Running' },
  };
  return podFacts(p);
}
const desired = pod('a-agent');

describe('decidePodStep', () => {
  it.each([
    ['no pod and a usable certificate', [], true, 'Create'],
    ['no pod and an unusable certificate', [], false, 'Hold'],
    ['the desired pod already running', [pod('a-agent')], true, 'Keep'],
    ['the old pod still terminating', [pod('a-agent', { hash: 'old', terminating: true })], true, 'WaitForTermination'],
    ['a stray pod under another name', [pod('a-agent-old'), pod('a-agent')], true, 'DeleteStrays'],
    ['a changed spec but an unusable new certificate', [pod('a-agent', { hash: 'old', cert: 'c0' })], false, 'Hold'],
    ['a failed pod', [pod('a-agent', { phase: 'Failed' })], true, 'Replace'],
  ])('with %s: %s', (_name, live, canStart, kind) => {
    expect(decidePodStep({ desired, live, canStart }).kind).toBe(kind);
  });

  it.each([
    [{ hash: 'old', version: '0.9.0' }, 'VersionChanged'],
    [{ hash: 'old', cert: 'c0' }, 'CertificateRotated'],
    [{ hash: 'old' }, 'SpecChanged'],
  ])('says why a pod is replaced (%j -> %s)', (opts, reason) => {
    const step = decidePodStep({ desired, live: [pod('a-agent', opts)], canStart: true });
    expect(step).toMatchObject({ kind: 'Replace', reason });
  });

  it('never creates while any pod of the Atom is terminating, even under another name', () => {
    const step = decidePodStep({ desired, live: [pod('a-agent-old', { terminating: true })], canStart: true });
    expect(step.kind).toBe('WaitForTermination');
  });
});
