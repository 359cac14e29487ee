// The fleet commands on a real rollout: a bad version fails on the first wave and halts the
// fleet (rollout status and status exit 3, why explains the rollback), forget-failed needs RBAC on
// the status subresource, resume lets the rollout continue once the cause is gone, --watch follows
// it to the end, forget-failed lets a failed Atom try the version again, resume --clear tidies up.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { release, type Harness } from '../support/harness.js';
import type { KubeletPolicy } from '../support/kubelet-policy.js';
import { fleetImage as image, startWavedFleet } from '../support/waved-fleet.js';
import {
  buildPlugin,
  kubectlAtom,
  normalise,
  withoutEventRows,
  startForbiddingProxy,
  writeKubeconfig,
} from './support.js';

const NS = 'default';
const waves = [0, 0, 1, 1, 2, 2];
const names = waves.map((_, i) => `fleet-${i}`);
const golden = (name: string) => join(import.meta.dirname, '__golden__', name);
let h: Harness;
let kubelet: KubeletPolicy;
const run = (...args: string[]) => kubectlAtom(h.sandbox.kubeconfigPath, args);
const status = (name: string) => h.atom(NS, name)?.status ?? {};
const allAt = (version: string, list = names) =>
  list.every((n) => status(n).currentVersion === version && h.condition(NS, n, 'Ready')?.status === 'True');

beforeAll(async () => {
  await buildPlugin();
  ({ h, kubelet } = await startWavedFleet(NS, names, waves, [
    '--fleet-max-concurrent=2',
    '--fleet-soak-seconds=1',
    '--fleet-halt-threshold=2',
    '--platform-poll-interval=1s',
  ]));
  await h.waitFor('the fleet installed at 1.0.0', () => allAt('1.0.0'), 60_000);
}, 90_000);

afterAll(async () => {
  kubelet?.stop();
  await h?.stop();
});

describe('a bad version', () => {
  it('halts the fleet: rollout status says where and why, and exits 3', async () => {
    kubelet.badImages.add(image('c'));
    h.simulator.setRelease('stable', release('1.2.0', 'c'));
    await h.waitFor(
      'the halt shown, the failed Atoms back on 1.0.0',
      () =>
        ['fleet-0', 'fleet-1'].every((n) => status(n).failedVersions?.includes('1.2.0') && allAt('1.0.0', [n])) &&
        names.slice(2).every((n) => h.condition(NS, n, 'UpToDate')?.reason === 'RolloutHalted'),
      60_000,
    );
    const out = await run('rollout', 'status');
    expect(out.code).toBe(3);
    await expect(normalise(out.stdout)).toMatchFileSnapshot(golden('rollout-status-halted.txt'));
    const json = JSON.parse((await run('rollout', 'status', '-o', 'json')).stdout) as {
      scopes: { version: string; halted: boolean; failed: string[] }[];
    };
    expect(json.scopes.find((s) => s.version === '1.2.0')).toMatchObject({
      halted: true,
      failed: ['default/fleet-0', 'default/fleet-1'],
    });
  }, 90_000);

  it('status shows the rolled-back Atoms as Degraded and exits 3', async () => {
    const out = await run('status');
    expect(out.code).toBe(3);
    expect(out.stderr).toBe('2 Atom(s) Degraded; see why with: kubectl atom why NAME -n NAMESPACE\n');
    await expect(normalise(out.stdout)).toMatchFileSnapshot(golden('status-halted.txt'));
  });

  it('why explains the rollback and how to retry', async () => {
    const out = await run('why', 'fleet-0');
    expect(out.stdout).toContain('RolledBack (Degraded=True)');
    expect(out.stdout).toContain('Failed versions (not retried): 1.2.0');
    expect(out.stdout).toMatch(/Warning\s+RolledBack\s+\d+\s+/);
    await expect(withoutEventRows(normalise(out.stdout))).toMatchFileSnapshot(golden('why-rolled-back.txt'));
  });

  it('forget-failed without RBAC on the status subresource names it', async () => {
    const proxy = await startForbiddingProxy(h.sandbox, [{ method: 'PATCH', path: /\/atoms\/[^/]+\/status$/ }]);
    try {
      const config = writeKubeconfig(
        join(mkdtempSync(join(tmpdir(), 'kubectl-atom-')), 'config'),
        proxy.url,
        proxy.ca,
        h.sandbox.token,
      );
      const out = await kubectlAtom(config, ['forget-failed', 'fleet-0', '1.2.0']);
      expect(out.code).toBe(1);
      expect(out.stderr).toBe(
        'error: RBAC does not allow you to patch atoms.atomoperator.io/status in namespace default (fleet-0). ' +
          'Ask your cluster admin for a Role granting "patch" on "atoms.atomoperator.io/status"; ' +
          'check with: kubectl auth can-i patch atoms.atomoperator.io/status -n default [FORBIDDEN]\n',
      );
      expect(status('fleet-0').failedVersions).toContain('1.2.0');
    } finally {
      await proxy.stop();
    }
  });
});

describe('resume after a halt', () => {
  it('annotates a failed Atom, the rest of the fleet rolls out, and --watch follows it to the end', async () => {
    kubelet.badImages.delete(image('c')); // the cause was outside the version (say, a registry outage)
    const halted = await run('rollout', 'status', '--watch');
    expect(halted.code, 'a watch of a halted rollout ends at once: only a person can move it').toBe(3);
    const out = await run('resume');
    expect(out).toEqual({
      code: 0,
      stdout:
        'atom.atomoperator.io/fleet-0 (default) annotated atomoperator.io/resume-rollout=1.2.0: the rollout of 1.2.0 continues.\n' +
        'Remove the annotation once it is through: kubectl atom resume --clear -A\n',
      stderr: '',
    });
    expect(h.atom(NS, 'fleet-0').metadata.annotations?.['atomoperator.io/resume-rollout']).toBe('1.2.0');
    const watch = kubectlAtom(h.sandbox.kubeconfigPath, ['rollout', 'status', '--watch', '--interval', '300ms'], {
      timeoutMs: 90_000,
    });
    await h.waitFor('waves 1 and 2 at 1.2.0', () => allAt('1.2.0', names.slice(2)), 60_000);
    const watched = await watch;
    expect(watched.code).toBe(0);
    expect(watched.stdout).toMatch(/State:\s+Progressing \(resumed\)/);
    const last = normalise(watched.stdout.slice(watched.stdout.lastIndexOf('Scope:')));
    await expect(last).toMatchFileSnapshot(golden('rollout-status-resumed.txt'));
  }, 90_000);

  it('forget-failed lets a failed Atom try the version again', async () => {
    const out = await run('forget-failed', 'fleet-0', '1.2.0');
    expect(out).toEqual({
      code: 0,
      stdout: 'atom.atomoperator.io/fleet-0: 1.2.0 removed from status.failedVersions; the operator may try it again\n',
      stderr: '',
    });
    await h.waitFor('fleet-0 at 1.2.0', () => allAt('1.2.0', ['fleet-0']), 30_000);
    expect(status('fleet-0').failedVersions ?? []).not.toContain('1.2.0');
    expect(status('fleet-1').failedVersions).toContain('1.2.0');
  }, 60_000);

  it('resume --clear removes the annotation', async () => {
    const out = await run('resume', '--clear', '-A');
    expect(out.stdout).toBe('atom.atomoperator.io/fleet-0 (default): atomoperator.io/resume-rollout removed\n');
    expect(h.atom(NS, 'fleet-0').metadata.annotations?.['atomoperator.io/resume-rollout']).toBeUndefined();
    expect((await run('resume', '--clear', '-A')).stdout).toBe('No Atom carries atomoperator.io/resume-rollout.\n');
  });
});
