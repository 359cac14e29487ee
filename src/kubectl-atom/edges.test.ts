// The small decisions at the plugin's edges: who manages an Atom (GitOps), which kubeconfig and
// namespace kubectl would use, what an API failure tells the user, and what completes.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dump } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import type { KubeClient } from '../kube/client.js';
import { KubeApiError } from '../kube/errors.js';
import { type AtomList, AtomsClient } from './atoms-client.js';
import { certsCommand } from './commands/certs.js';
import { rolloutStatusCommand } from './commands/rollout-status.js';
import { statusCommand } from './commands/status.js';
import { commands, runPlugin } from './cli.js';
import { completionCandidates } from './completion.js';
import { EXIT, PLUGIN_ERROR_CODES, PluginError, pluginErrorFrom } from './errors.js';
import { gitOpsAdvice, gitOpsOwner } from './gitops.js';
import { kubeconfigFiles, type LoadedKubeconfig, loadKubeconfig } from './kubeconfig.js';
import { findTroubleshootingDoc, troubleshootingEntries } from './troubleshooting.js';

describe('GitOps ownership', () => {
  it.each([
    [
      { annotations: { 'argocd.argoproj.io/tracking-id': 'fleet:atomoperator.io/Atom:eu/a' } },
      'Argo CD',
      'Application fleet',
    ],
    [
      { labels: { 'app.kubernetes.io/instance': 'fleet' }, annotations: { 'argocd.argoproj.io/sync-wave': '1' } },
      'Argo CD',
      'Application fleet',
    ],
    [
      {
        labels: { 'kustomize.toolkit.fluxcd.io/name': 'atoms', 'kustomize.toolkit.fluxcd.io/namespace': 'flux-system' },
      },
      'Flux',
      'Kustomization flux-system/atoms',
    ],
    [
      { labels: { 'helm.toolkit.fluxcd.io/name': 'atoms', 'helm.toolkit.fluxcd.io/namespace': 'eu' } },
      'Flux',
      'HelmRelease eu/atoms',
    ],
  ])('%o is managed by %s (%s)', (metadata, tool, source) => {
    expect(gitOpsOwner(metadata)).toMatchObject({ tool, source });
  });

  it('does not take a plain app.kubernetes.io/instance label (Helm sets it too) for Argo CD', () => {
    expect(gitOpsOwner({ labels: { 'app.kubernetes.io/instance': 'x' } })).toBeUndefined();
    expect(gitOpsOwner({})).toBeUndefined();
  });

  it('tells Flux Helm users to change the values, others the manifest', () => {
    const helm = gitOpsOwner({ labels: { 'helm.toolkit.fluxcd.io/name': 'atoms' } })!;
    expect(gitOpsAdvice(helm, 'eu/a', '1.2.0')).toContain(
      'Commit this to the values of HelmRelease atoms that render Atom eu/a:',
    );
    const flux = gitOpsOwner({ labels: { 'kustomize.toolkit.fluxcd.io/name': 'atoms' } })!;
    expect(gitOpsAdvice(flux, 'eu/a', '1.2.0')).toContain('    version: "1.2.0"');
  });
});

describe('kubeconfig rules', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kubectl-atom-kc-'));
  const write = (name: string, contexts: { name: string; namespace?: string }[], current: string, server: string) => {
    const path = join(dir, name);
    writeFileSync(
      path,
      dump({
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [{ name: `${name}-cluster`, cluster: { server } }],
        users: [{ name: `${name}-user`, user: { token: 't' } }],
        contexts: contexts.map((c) => ({
          name: c.name,
          context: {
            cluster: `${name}-cluster`,
            user: `${name}-user`,
            ...(c.namespace ? { namespace: c.namespace } : {}),
          },
        })),
        'current-context': current,
      }),
    );
    return path;
  };
  const a = write('a', [{ name: 'one', namespace: 'team-a' }, { name: 'shared' }], 'one', 'https://a.example:6443');
  const b = write('b', [{ name: 'two' }, { name: 'shared', namespace: 'from-b' }], 'two', 'https://b.example:6443');

  it('--kubeconfig wins over KUBECONFIG, which wins over ~/.kube/config', () => {
    expect(kubeconfigFiles({ kubeconfig: a }, { KUBECONFIG: b })).toEqual([a]);
    expect(kubeconfigFiles({}, { KUBECONFIG: `${a}:${b}` })).toEqual([a, b]);
    expect(kubeconfigFiles({}, { HOME: '/home/u' })).toEqual(['/home/u/.kube/config']);
  });

  it("uses the context's namespace, -n over it, and default without either", () => {
    expect(loadKubeconfig({}, { KUBECONFIG: a })).toMatchObject({
      context: 'one',
      namespace: 'team-a',
      server: 'https://a.example:6443',
    });
    expect(loadKubeconfig({ namespace: 'x' }, { KUBECONFIG: a }).namespace).toBe('x');
    expect(loadKubeconfig({ context: 'shared' }, { KUBECONFIG: a }).namespace).toBe('default');
  });

  it('merges KUBECONFIG files with the first definition winning, and switches --context across them', () => {
    const merged = loadKubeconfig({}, { KUBECONFIG: `${a}:${b}` });
    expect(merged.context).toBe('one');
    expect(loadKubeconfig({ context: 'two' }, { KUBECONFIG: `${a}:${b}` }).server).toBe('https://b.example:6443');
    expect(loadKubeconfig({ context: 'shared' }, { KUBECONFIG: `${a}:${b}` }).namespace).toBe('default');
  });

  it.each([
    [{ kubeconfig: join(dir, 'missing') }, {}, 'NO_KUBECONFIG'],
    [{}, { KUBECONFIG: join(dir, 'missing') }, 'NO_KUBECONFIG'],
    [{ context: 'nope' }, { KUBECONFIG: a }, 'BAD_KUBECONFIG'],
  ])('%o with %o fails with %s', (flags, env, code) => {
    expect(() => loadKubeconfig(flags, env)).toThrow(expect.objectContaining({ code }));
  });

  it.each([
    ['YAML that does not parse', 'apiVersion: v1\nclusters: [\n', /deficient indentation/],
    [
      'a server that is not a URL',
      'clusters: [{name: c, cluster: {server: "not a url"}}]\nusers: [{name: u, user: {token: t}}]\n' +
        'contexts: [{name: x, context: {cluster: c, user: u}}]\ncurrent-context: x\n',
      /server of cluster "c" .* not a URL/,
    ],
    [
      'a client certificate file that does not exist',
      'clusters: [{name: c, cluster: {server: "https://c.example"}}]\n' +
        'users: [{name: u, user: {client-certificate: /nope/crt, client-key: /nope/key}}]\n' +
        'contexts: [{name: x, context: {cluster: c, user: u}}]\ncurrent-context: x\n',
      /user "u" names client-certificate \/nope\/crt, which does not exist/,
    ],
  ])('a kubeconfig with %s is one BAD_KUBECONFIG line', (_, text, says) => {
    const path = join(dir, 'faulty');
    writeFileSync(path, text);
    const err = (() => {
      try {
        loadKubeconfig({ kubeconfig: path }, {});
      } catch (e) {
        return e;
      }
    })();
    expect(err).toMatchObject({ code: 'BAD_KUBECONFIG', message: expect.stringMatching(says) });
    expect((err as Error).message).not.toContain('\n');
  });
});

describe('API failures as the user reads them', () => {
  it('an answer that is not a list is one API_ERROR line, not a ZodError dump', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kubectl-atom-notlist-'));
    const path = join(dir, 'config');
    writeFileSync(
      path,
      dump({
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [{ name: 'c', cluster: { server: 'https://proxy.example' } }],
        users: [{ name: 'u', user: { token: 't' } }],
        contexts: [{ name: 'x', context: { cluster: 'c', user: 'u' } }],
        'current-context': 'x',
      }),
    );
    // The API server's place taken by something answering HTML (a login page behind a proxy).
    const answersHtml = { request: async () => '<html>sign in</html>' } as unknown as KubeClient;
    const client = new AtomsClient(loadKubeconfig({}, { KUBECONFIG: path }), answersHtml);
    for (const call of [() => client.listAtoms(undefined), () => client.atomEvents('default', 'a')]) {
      const err = await call().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(PluginError);
      expect(err).toMatchObject({ code: 'API_ERROR', message: expect.stringMatching(/^[^\n]*is not a list[^\n]*$/) });
    }
  });

  const intent = {
    verb: 'patch',
    resource: 'atoms.atomoperator.io/status',
    namespace: 'eu',
    name: 'a',
    server: 'https://k',
    context: 'prod',
  };
  const api = (code: ConstructorParameters<typeof KubeApiError>[0]['code'], status: number) =>
    new KubeApiError({ code, status, message: 'x' });

  it.each([
    [
      api('KubeForbidden', 403),
      'FORBIDDEN',
      'RBAC does not allow you to patch atoms.atomoperator.io/status in namespace eu (a)',
    ],
    [api('KubeUnauthorized', 401), 'UNAUTHORIZED', 'rejected the credentials of context prod'],
    [api('KubeNotFound', 404), 'NOT_FOUND', 'Atom a not found in namespace eu'],
    [api('KubeNetwork', 0), 'NO_CLUSTER', 'cannot reach the cluster at https://k (context prod)'],
    [api('KubeConflict', 409), 'CONFLICT', 'run the command again'],
    [api('KubeInvalid', 422), 'INVALID', 'the API server refused the change: x'],
    [api('KubeServerError', 500), 'API_ERROR', 'x'],
  ])('%s becomes %s', (err, code, text) => {
    const mapped = pluginErrorFrom(err, intent);
    expect(mapped.code).toBe(code);
    expect(mapped.message).toContain(text);
  });

  it('a 404 on a list means the CRD is missing', () => {
    const { name: _, ...listIntent } = intent;
    expect(pluginErrorFrom(api('KubeNotFound', 404), listIntent).code).toBe('NO_CRD');
  });

  it('usage errors exit 2, the others 1', () => {
    expect(new PluginError('USAGE', 'x').exitCode).toBe(2);
    expect(new PluginError('NO_CRD', 'x').exitCode).toBe(1);
  });

  it('every error code is documented in docs/kubectl-atom.md', () => {
    const doc = readFileSync(join(import.meta.dirname, '..', '..', 'docs', 'kubectl-atom.md'), 'utf8');
    for (const code of Object.keys(PLUGIN_ERROR_CODES)) expect(doc, code).toContain(`\`${code}\``);
  });
});

describe('completion', () => {
  const complete = (...words: string[]) => completionCandidates({ words, commands });
  it.each([
    [[''], ['status', 'rollout', 'approve', 'resume', 'forget-failed', 'certs', 'why', 'completion', 'help']],
    [['r'], ['rollout', 'resume']],
    [['rollout', ''], ['status']],
    [
      ['completion', ''],
      ['bash', 'zsh'],
    ],
    [
      ['status', '-o', ''],
      ['json', 'yaml'],
    ],
    [['rollout', 'status', '--w'], ['--watch']],
    [['approve', 'a', ''], []],
  ])('%o -> %o', (words, expected) => {
    expect(complete(...words)).toEqual({ kind: 'words', words: expected });
  });

  it.each([[['why', '']], [['approve', 'x']], [['status', '-n', 'eu', '']], [['resume', '--on', '']]])(
    '%o asks for Atom names',
    (words) => {
      expect(complete(...words)).toEqual({ kind: 'atoms' });
    },
  );
});

describe('the troubleshooting doc', () => {
  it('is found beside the sources and split into one entry per reason', () => {
    const path = findTroubleshootingDoc();
    expect(path).toBeDefined();
    const entries = troubleshootingEntries(readFileSync(path!, 'utf8'));
    expect(entries.get('RolloutHalted')).toMatch(/^- Where: `UpToDate=False`/);
    expect(entries.get('RolloutHalted')).not.toContain('### ');
    expect(entries.has('Where to look')).toBe(false);
  });
});

describe('an Atom the list cannot read', () => {
  // listAtoms' answer with one Atom that fails the schema (stored before a CRD upgrade, say).
  const listed: AtomList = {
    atoms: [],
    unreadable: [{ namespace: 'eu', name: 'old', problem: 'spec.registration: Required' }],
  };
  const client = { listAtoms: async () => listed } as unknown as AtomsClient;

  it.each([
    ['status', statusCommand],
    ['certs', certsCommand],
    ['rollout status', rolloutStatusCommand],
  ])('%s names it in one warning line and exits 3', async (_, command) => {
    const err: string[] = [];
    const code = await command.run({
      flags: {},
      positionals: [],
      io: {
        out: () => undefined,
        err: (text) => err.push(text),
        env: {},
        now: () => new Date('2026-01-01T00:00:00Z'),
        sleep: async () => undefined,
        signal: new AbortController().signal,
      },
      connect: () => ({ client, config: {} as LoadedKubeconfig, namespace: undefined }),
    });
    expect(err).toEqual(['Warning: Atom eu/old does not match the Atom schema: spec.registration: Required\n']);
    expect(code).toBe(EXIT.unhealthy);
  });
});

describe('flags without their value', () => {
  it.each([
    [['certs', '--expiring', '--kubeconfig', 'x'], '--expiring needs a value'],
    [['status', '-n', '-A'], '-n needs a value'],
  ])('%j is one USAGE line that names the flag', async (argv, says) => {
    const err: string[] = [];
    const code = await runPlugin(argv, {
      out: () => undefined,
      err: (text) => err.push(text),
      env: {},
      now: () => new Date(),
      sleep: async () => undefined,
      signal: new AbortController().signal,
    });
    expect(code).toBe(EXIT.usage);
    expect(err).toHaveLength(1);
    expect(err[0]).toContain(says);
    expect(err[0]?.trimEnd()).not.toContain('\n');
  });
});
