// What a user sees when the agent misbehaves, and the tools they use to watch
// it: kubectl wait, metrics.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureTools } from '../../hack/fetch-tools.js';
import { release, startHarness, type Harness } from '../support/harness.js';

const run = promisify(execFile);
const NS = 'default';
let h: Harness;

beforeAll(async () => {
  h = await startHarness();
  h.simulator.setRelease('stable', release('5.0.2', 'a'));
  await h.startOperator();
});
afterAll(async () => {
  await h?.stop();
});

async function readyAtom(name: string, spec: Record<string, unknown> = {}) {
  await h.createRegistrationSecret(NS, `${name}-registration`);
  await h.applyAtom(NS, name, spec);
  await h.waitFor(`${name} Ready`, () => h.condition(NS, name, 'Ready')?.status === 'True');
}

describe('kubectl', () => {
  it('waits for condition Ready on an Atom', async () => {
    const { kubectl } = ensureTools();
    await h.createRegistrationSecret(NS, 'waited-registration');
    await h.applyAtom(NS, 'waited');
    const { stdout } = await run(kubectl, ['--kubeconfig', h.sandbox.kubeconfigPath, 'wait', '--for=condition=Ready', 'atom/waited', '--timeout=30s']);
    expect(stdout).toContain('atom.atomoperator.io/waited condition met');
  });
});

describe('an agent that crash-loops', () => {
  it('shows Degraded with reason CrashLoopBackOff and how to look', async () => {
    await readyAtom('crashy');
    h.sandbox.kubelet.crashLoop(NS, 'crashy-agent', { restartCount: 4 });
    await h.waitFor('Degraded', () => h.condition(NS, 'crashy', 'Degraded')?.status === 'True');
    expect(h.condition(NS, 'crashy', 'Degraded')).toMatchObject({ reason: 'CrashLoopBackOff' });
    expect(h.condition(NS, 'crashy', 'Degraded')!.message).toContain('kubectl logs crashy-agent --previous');
    expect(h.condition(NS, 'crashy', 'Ready')?.status).toBe('False');
    expect(h.atom(NS, 'crashy').status.phase).toBe('Degraded');
    h.sandbox.kubelet.setPodReady(NS, 'crashy-agent', true);
    await h.waitFor('recovered', () => h.condition(NS, 'crashy', 'Degraded')?.status === 'False' && h.condition(NS, 'crashy', 'Ready')?.status === 'True');
  });
});

describe('a pod that keeps failing', () => {
  it('is replaced, then replaced again only after a backoff', async () => {
    await readyAtom('failing');
    h.sandbox.kubelet.setPodPhase(NS, 'failing-agent', 'Failed', { reason: 'Evicted', message: 'node pressure' });
    await h.waitFor('a replacement pod', () => h.events(NS, 'failing').some((e) => e.reason === 'PodCreated' && (e.count ?? 1) >= 2) || h.events(NS, 'failing').filter((e) => e.reason === 'PodCreated').length >= 2);
    await h.waitFor('the replacement Ready', () => h.pods(NS, 'failing')[0]?.status?.phase === 'Running');
    // It fails again before becoming healthy: the next pod waits.
    h.sandbox.kubelet.setPodPhase(NS, 'failing-agent', 'Failed', { reason: 'Error' });
    await h.waitFor('backoff shown', () => h.condition(NS, 'failing', 'Ready')?.reason === 'PodFailed');
    expect(h.condition(NS, 'failing', 'Ready')!.message).toMatch(/starts in \d+s/);
    await new Promise((r) => setTimeout(r, 1_000));
    expect(h.pods(NS, 'failing')).toHaveLength(0);
  });
});

describe('metrics', () => {
  it('count Atoms by condition and expose certificate expiry', async () => {
    const text = await h.operator!.manager.metrics.registry.metrics();
    expect(text).toMatch(/atom_operator_atoms\{condition="Ready"\} [1-9]/);
    expect(text).toMatch(/atom_operator_certificate_expiry_timestamp_seconds\{namespace="default",atom="waited"\} \d+/);
    expect(text).toMatch(/atom_operator_atoms_by_version\{version="5.0.2"\} [1-9]/);
    expect(text).toMatch(/atom_operator_updates_total\{result="started"\} [1-9]/);
  });
});
