// Every command of the plugin through the real kubectl against the sandbox and the running
// operator: output pinned in golden files (ages and times normalised), exit codes, and approve
// followed by the rollout it starts.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { KubeObject } from '../../src/kube/resource.js';
import { release, useHarness } from '../support/harness.js';
import { buildPlugin, kubectlAtom, kubectlPath, normalise, withoutEventRows, writeKubeconfig } from './support.js';

const golden = (name: string) => join(import.meta.dirname, '__golden__', name);
const harness = useHarness({
  initialRelease: release('5.0.2', 'a'),
  operatorArgs: ['--fleet-soak-seconds=1', '--fleet-max-concurrent=2', '--platform-poll-interval=1s'],
});
const day = 86_400_000;
let kubeconfig: string;
const run = (...args: string[]) => kubectlAtom(kubeconfig, args);

beforeAll(async () => {
  await buildPlugin();
  const h = harness.h;
  kubeconfig = h.sandbox.kubeconfigPath;
  await h.api.applyObject({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team-b' } } as KubeObject, {
    fieldManager: 'test',
  });
  // Distinct expiries, so `certs` has one order to pin.
  await h.createRegistrationSecret('default', 'cmd-ready-registration', { notAfter: new Date(Date.now() + 200 * day) });
  await h.applyAtom('default', 'cmd-ready');
  await h.createRegistrationSecret('default', 'cmd-manual-registration', {
    notAfter: new Date(Date.now() + 300 * day),
  });
  await h.applyAtom('default', 'cmd-manual', { version: '5.0.2', update: { mode: 'Manual', wave: 1 } });
  await h.createRegistrationSecret('default', 'cmd-expiring-registration', {
    notAfter: new Date(Date.now() + 10 * day),
  });
  await h.applyAtom('default', 'cmd-expiring');
  await h.applyAtom('default', 'cmd-nosecret');
  await h.createRegistrationSecret('team-b', 'cmd-argo-registration');
  await h.applyAtom(
    'team-b',
    'cmd-argo',
    { version: '5.0.2', update: { mode: 'Manual' } },
    {
      labels: { 'app.kubernetes.io/instance': 'atoms-team-b' },
      annotations: { 'argocd.argoproj.io/tracking-id': 'atoms-team-b:atomoperator.io/Atom:team-b/cmd-argo' },
    },
  );
  await h.waitFor(
    'every Atom reported',
    () =>
      ['cmd-ready', 'cmd-manual'].every((n) => h.condition('default', n, 'Ready')?.status === 'True') &&
      ['cmd-expiring', 'cmd-nosecret'].every((n) => h.condition('default', n, 'CertificateValid')) &&
      h.condition('team-b', 'cmd-argo', 'Ready')?.status === 'True' &&
      h.condition('default', 'cmd-expiring', 'Ready')?.status === 'True',
  );
  h.simulator.setRelease('stable', release('5.0.3', 'b'));
  await h.waitFor(
    'the Automatic Atoms at 5.0.3, the Manual ones offered it',
    () =>
      ['cmd-ready', 'cmd-expiring'].every((n) => h.atom('default', n)?.status?.currentVersion === '5.0.3') &&
      h.condition('default', 'cmd-manual', 'UpToDate')?.reason === 'UpdateAvailable' &&
      h.condition('team-b', 'cmd-argo', 'UpToDate')?.reason === 'UpdateAvailable' &&
      ['cmd-ready', 'cmd-expiring'].every((n) => h.condition('default', n, 'Ready')?.status === 'True'),
    60_000,
  );
  await h.settle();
}, 120_000);

describe('status', () => {
  it('shows the namespace as a table; no Atom is Degraded, so it exits 0', async () => {
    // (exit code 3 for a Degraded Atom is pinned in rollout.test.ts, where a rollback makes one)
    const out = await run('status');
    expect(out.code).toBe(0);
    expect(out.stderr).toBe('');
    await expect(normalise(out.stdout)).toMatchFileSnapshot(golden('status.txt'));
  });

  it('shows every namespace with -A', async () => {
    const out = await run('status', '-A');
    await expect(normalise(out.stdout)).toMatchFileSnapshot(golden('status-all.txt'));
  });

  it('shows one Atom, and exits 0 when it is healthy', async () => {
    const out = await run('status', 'cmd-argo', '-n', 'team-b');
    expect(out.code).toBe(0);
    expect(out.stderr).toBe('');
    await expect(normalise(out.stdout)).toMatchFileSnapshot(golden('status-one.txt'));
  });

  it.each(['json', 'yaml'])('prints -o %s', async (format) => {
    const out = await run('status', '-n', 'team-b', '-o', format);
    expect(out.code).toBe(0);
    await expect(normalise(out.stdout, {})).toMatchFileSnapshot(golden(`status-team-b.${format}`));
  });

  it("follows kubectl's kubeconfig rules: --kubeconfig, --context and the context's namespace", async () => {
    const h = harness.h;
    const config = writeKubeconfig(
      join(mkdtempSync(join(tmpdir(), 'kubectl-atom-')), 'config'),
      h.sandbox.url,
      h.sandbox.caCert,
      h.sandbox.token,
      'team-b',
    );
    // KUBECONFIG points elsewhere: --kubeconfig alone counts.
    const env = { KUBECONFIG: join(tmpdir(), 'no-such-kubeconfig') };
    const inContextNamespace = await kubectlAtom(kubeconfig, ['status', '--kubeconfig', config], { env });
    expect(inContextNamespace.stdout).toMatch(/^NAME\s+READY.*\ncmd-argo\s+True/);
    const otherContext = await kubectlAtom(kubeconfig, ['status', '--kubeconfig', config, '--context', 'other'], {
      env,
    });
    expect(otherContext.stdout).toBe('No Atoms found in namespace elsewhere.\n');
  });

  it('is listed by kubectl plugin list', async () => {
    const h = harness.h;
    const out = await kubectlAtom(h.sandbox.kubeconfigPath, []);
    expect(out.stdout).toContain('kubectl atom COMMAND');
    const { execFile } = await import('node:child_process');
    const list = await new Promise<string>((resolve) =>
      execFile(
        kubectlPath,
        ['plugin', 'list', '--name-only'],
        { env: { PATH: `${join(process.cwd(), 'bin')}:/usr/bin:/bin`, HOME: tmpdir() } },
        (_, stdout) => resolve(stdout),
      ),
    );
    expect(list.split('\n')).toContain('kubectl-atom');
  });

  it('says so when a namespace has no Atoms', async () => {
    const out = await run('status', '-n', 'kube-public');
    expect(out).toEqual({ code: 0, stdout: 'No Atoms found in namespace kube-public.\n', stderr: '' });
  });
});

describe('rollout status', () => {
  it('shows the rollout of 5.0.3: waves, the Atom that holds wave 0 back, the Manual Atoms awaiting approval', async () => {
    const out = await run('rollout', 'status');
    expect(out.code).toBe(0);
    await expect(normalise(out.stdout)).toMatchFileSnapshot(golden('rollout-status-progressing.txt'));
  });
});

describe('certs', () => {
  it('lists registration certificates by expiry, soonest first', async () => {
    const out = await run('certs', '-A');
    expect(out.code).toBe(0);
    const names = out.stdout
      .split('\n')
      .slice(1, -1)
      .map((line) => line.split(/\s+/)[1]);
    expect(names[0]).toBe('cmd-expiring');
    expect(names.at(-1)).toBe('cmd-nosecret');
    await expect(normalise(out.stdout)).toMatchFileSnapshot(golden('certs-all.txt'));
  });

  it('keeps only those expiring within --expiring', async () => {
    const out = await run('certs', '-A', '--expiring', '30d');
    await expect(normalise(out.stdout)).toMatchFileSnapshot(golden('certs-expiring.txt'));
    expect((await run('certs', '--expiring', '1d')).stdout).toBe('No registration certificate expires within 1d.\n');
  });
});

describe('why', () => {
  it('explains a Degraded Atom with its conditions, events and the troubleshooting entries', async () => {
    const out = await run('why', 'cmd-nosecret');
    expect(out.code).toBe(0);
    expect(out.stdout).toContain('SecretNotFound (CertificateValid=False)');
    expect(out.stdout).toMatch(/Warning\s+CertificateInvalid\s+\d+\s+Secret cmd-nosecret-registration/);
    await expect(withoutEventRows(normalise(out.stdout))).toMatchFileSnapshot(golden('why-nosecret.txt'));
  });

  it('explains a certificate that expires soon and an update waiting for approval', async () => {
    const expiring = await run('why', 'cmd-expiring');
    await expect(withoutEventRows(normalise(expiring.stdout))).toMatchFileSnapshot(golden('why-expiring.txt'));
    const manual = await run('why', 'cmd-manual');
    expect(manual.stdout).toContain('UpdateAvailable (UpToDate=False)');
  });
});

describe('approve', () => {
  it('pins the advertised version on a Manual Atom, and the operator rolls it out', async () => {
    const h = harness.h;
    const out = await run('approve', 'cmd-manual', '--version', '5.0.3');
    expect(out).toEqual({
      code: 0,
      stdout:
        'atom.atomoperator.io/cmd-manual approved for 5.0.3\nFollow it with: kubectl atom status cmd-manual -n default\n',
      stderr: '',
    });
    const atom = h.atom('default', 'cmd-manual');
    expect(atom.spec.version).toBe('5.0.3');
    expect(atom.metadata.managedFields?.some((m) => m.manager === 'kubectl-atom')).toBe(true);
    await h.waitFor(
      'cmd-manual runs 5.0.3',
      () =>
        h.atom('default', 'cmd-manual')?.status?.currentVersion === '5.0.3' &&
        h.condition('default', 'cmd-manual', 'Ready')?.status === 'True',
      30_000,
    );
    expect(h.pods('default', 'cmd-manual')[0]?.spec?.containers[0]?.image).toBe(`boomi/atom@sha256:${'b'.repeat(64)}`);
    const status = await run('status', 'cmd-manual');
    expect(status.stdout).toMatch(/cmd-manual\s+True\s+True\s+5\.0\.3\s+5\.0\.3\s+1\s+Pinned/);
    expect((await run('approve', 'cmd-manual', '--version', '5.0.3')).stdout).toContain('already approved for 5.0.3');
  }, 60_000);

  it('warns that Argo CD will revert the change and says what to commit', async () => {
    const out = await run('approve', 'cmd-argo', '-n', 'team-b', '--version', '5.0.3');
    expect(out.code).toBe(0);
    await expect(out.stderr).toMatchFileSnapshot(golden('approve-argocd.stderr.txt'));
    expect(harness.h.atom('team-b', 'cmd-argo').spec.version).toBe('5.0.3');
  });
});

describe('help and completion', () => {
  it.each(['status', 'rollout status', 'approve', 'resume', 'forget-failed', 'certs', 'why', 'completion'])(
    '%s --help',
    async (command) => {
      const out = await run(...command.split(' '), '--help');
      expect(out.code).toBe(0);
      await expect(out.stdout).toMatchFileSnapshot(golden(`help-${command.replace(' ', '-')}.txt`));
    },
  );

  it('prints the command list for kubectl atom --help', async () => {
    const out = await run('--help');
    await expect(out.stdout).toMatchFileSnapshot(golden('help.txt'));
  });

  it.each(['bash', 'zsh'])('prints a %s completion script', async (shell) => {
    const out = await run('completion', shell);
    expect(out.code).toBe(0);
    await expect(out.stdout).toMatchFileSnapshot(golden(`completion.${shell}`));
  });

  it('the bash script completes in bash', async () => {
    const script = (await run('completion', 'bash')).stdout;
    // Asynchronously: the sandbox API server runs in this process and must keep answering.
    const { execFile } = await import('node:child_process');
    const { promisify } = await import('node:util');
    const complete = async (...words: string[]) =>
      (
        await promisify(execFile)(
          'bash',
          [
            '-c',
            `${script}\nCOMP_WORDS=(kubectl-atom ${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length}; _kubectl_atom; printf '%s\\n' "\${COMPREPLY[@]}"`,
          ],
          {
            encoding: 'utf8',
            env: {
              PATH: `${join(process.cwd(), 'bin')}:${process.env.PATH ?? ''}`,
              KUBECONFIG: kubeconfig,
              HOME: tmpdir(),
            },
          },
        )
      ).stdout;
    expect(await complete('rollout', '')).toBe('status\n');
    expect(await complete('why', 'cmd-m')).toBe('cmd-manual\n');
  });

  it('completes commands, flags and Atom names in cobra format', async () => {
    expect((await run('__complete', 'ro')).stdout).toBe('rollout\n:4\n');
    expect((await run('__complete', 'certs', '--exp')).stdout).toBe('--expiring\n:4\n');
    expect((await run('__complete', 'why', 'cmd-')).stdout).toBe(
      'cmd-expiring\ncmd-manual\ncmd-nosecret\ncmd-ready\n:4\n',
    );
    expect((await run('__complete', 'why', '-n', 'team-b', '')).stdout).toBe('cmd-argo\n:4\n');
  });
});
