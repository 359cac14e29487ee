// What a user sees when the agent misbehaves, and the tools they use to watch
// it: kubectl wait, metrics.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ensureTools } from '../../hack/fetch-tools.js';
import { useHarness } from '../support/harness.js';

const run = promisify(execFile);
const NS = 'default';
const ctx = useHarness();

const readyAtom = (name: string, spec: Record<string, unknown> = {}) => ctx.h.readyAtom(NS, name, spec);

describe('kubectl', () => {
  it('waits for condition Ready on an Atom', async () => {
    const { kubectl } = ensureTools();
    await ctx.h.createRegistrationSecret(NS, 'waited-registration');
    await ctx.h.applyAtom(NS, 'waited');
    const { stdout } = await run(kubectl, [
      '--kubeconfig',
      ctx.h.sandbox.kubeconfigPath,
      'wait',
      '--for=condition=Ready',
      'atom/waited',
      '--timeout=30s',
    ]);
    expect(stdout).toContain('atom.atomoperator.io/waited condition met');
  });
});

describe('an agent that crash-loops', () => {
  it('shows Degraded with reason CrashLoopBackOff and how to look', async () => {
    await readyAtom('crashy');
    ctx.h.sandbox.kubelet.crashLoop(NS, 'crashy-agent', { restartCount: 4 });
    await ctx.h.waitFor('Degraded', () => ctx.h.condition(NS, 'crashy', 'Degraded')?.status === 'True');
    expect(ctx.h.condition(NS, 'crashy', 'Degraded')).toMatchObject({ reason: 'CrashLoopBackOff' });
    expect(ctx.h.condition(NS, 'crashy', 'Degraded')!.message).toContain('kubectl logs crashy-agent --previous');
    expect(ctx.h.condition(NS, 'crashy', 'Ready')?.status).toBe('False');
    expect(ctx.h.atom(NS, 'crashy').status.phase).toBe('Degraded');
    ctx.h.sandbox.kubelet.setPodReady(NS, 'crashy-agent', true);
    await ctx.h.waitFor(
      'recovered',
      () =>
        ctx.h.condition(NS, 'crashy', 'Degraded')?.status === 'False' &&
        ctx.h.condition(NS, 'crashy', 'Ready')?.status === 'True',
    );
  });
});

describe('a pod that keeps failing', () => {
  it('is replaced, then replaced again only after a backoff', async () => {
    await readyAtom('failing');
    const first = ctx.h.pods(NS, 'failing')[0]!.metadata!.uid;
    ctx.h.sandbox.kubelet.setPodPhase(NS, 'failing-agent', 'Failed', { reason: 'Evicted', message: 'node pressure' });
    await ctx.h.waitFor('a replacement pod', () => ctx.h.pods(NS, 'failing').some((p) => p.metadata?.uid !== first));
    // Events are written asynchronously, after the pod.
    await ctx.h.waitFor('PodFailed and PodCreated events', () =>
      ['PodFailed', 'PodCreated'].every((r) => ctx.h.events(NS, 'failing').some((e) => e.reason === r)),
    );
    await ctx.h.waitFor('the replacement Ready', () => ctx.h.pods(NS, 'failing')[0]?.status?.phase === 'Running');
    // It fails again before becoming healthy: the next pod waits.
    ctx.h.sandbox.kubelet.setPodPhase(NS, 'failing-agent', 'Failed', { reason: 'Error' });
    await ctx.h.waitFor('backoff shown', () => ctx.h.condition(NS, 'failing', 'Ready')?.reason === 'PodFailed');
    expect(ctx.h.condition(NS, 'failing', 'Ready')!.message).toMatch(/starts in \d+s/);
    await new Promise((r) => setTimeout(r, 1_000));
    expect(ctx.h.pods(NS, 'failing')).toHaveLength(0);
  });
});

describe('metrics', () => {
  it('count Atoms by condition and expose certificate expiry', async () => {
    const text = await ctx.h.operator!.manager.metrics.registry.metrics();
    expect(text).toMatch(/atom_operator_atoms\{condition="Ready"\} [1-9]/);
    expect(text).toMatch(
      /atom_operator_certificate_expiry_timestamp_seconds\{atom_namespace="default",atom="waited"\} \d+/,
    );
    expect(text).toMatch(/atom_operator_atoms_by_version\{version="5.0.2"\} [1-9]/);
    expect(text).toMatch(/atom_operator_updates_total\{result="started"\} [1-9]/);
  });
});

describe('a pod the API server refuses', () => {
  it("is reported with the server's reason instead of retried silently", async () => {
    await ctx.h.createRegistrationSecret(NS, 'own-sa-registration');
    await ctx.h.applyAtom(NS, 'own-sa', { pod: { serviceAccountName: 'custom' } });
    await ctx.h.waitFor('PodRefused', () => ctx.h.condition(NS, 'own-sa', 'Ready')?.reason === 'PodRefused');
    expect(ctx.h.condition(NS, 'own-sa', 'Ready')!.message).toMatch(/refused pod own-sa-agent: .*serviceaccount/i);
    expect(ctx.h.atom(NS, 'own-sa').status.phase).toBe('Failed');
    await ctx.h.waitFor('a Warning event', () =>
      ctx.h.events(NS, 'own-sa').some((e) => e.type === 'Warning' && e.reason === 'PodRefused'),
    );
  });
});
