// Every error path of the plugin, through the real kubectl: no kubeconfig, an unknown context,
// no cluster, no CRD, RBAC denying each verb a command needs, an unknown Atom, wrong usage.
import { mkdtempSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { useHarness } from '../support/harness.js';
import {
  buildPlugin,
  kubectlAtom,
  normalise,
  startForbiddingProxy,
  writeKubeconfig,
  type ForbiddingProxy,
} from './support.js';

const golden = (name: string) => join(import.meta.dirname, '__golden__', name);
const harness = useHarness();
const dir = mkdtempSync(join(tmpdir(), 'kubectl-atom-errors-'));
let bare: Sandbox;
let proxy: ForbiddingProxy;
let denied: string;
let sandboxConfig: string;

beforeAll(async () => {
  await buildPlugin();
  const h = harness.h;
  sandboxConfig = h.sandbox.kubeconfigPath;
  await h.readyAtom('default', 'err-atom', { version: '5.0.2', update: { mode: 'Manual' } });
  await h.readyAtom('default', 'err-auto');
  bare = await startSandbox();
  proxy = await startForbiddingProxy(h.sandbox, [
    { method: 'GET', path: /^\/apis\/atomoperator\.io\/v1alpha1\/atoms$/ },
    { method: 'PATCH', path: /\/atoms\/[^/]+$/ },
    { method: 'PATCH', path: /\/atoms\/[^/]+\/status$/ },
    { method: 'GET', path: /\/api\/v1\/namespaces\/[^/]+\/events$/ },
  ]);
  denied = writeKubeconfig(join(dir, 'denied'), proxy.url, proxy.ca, h.sandbox.token);
}, 90_000);

afterAll(async () => {
  await proxy?.stop();
  await bare?.stop();
});

/** A port nothing listens on: bound once, then released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function failure(args: string[], kubeconfig = sandboxConfig, env: Record<string, string> = {}) {
  const run = await kubectlAtom(kubeconfig, args, { env });
  return { code: run.code, stdout: run.stdout, stderr: normalise(run.stderr) };
}

describe('without a usable kubeconfig or cluster', () => {
  it('says no kubeconfig was found', async () => {
    const run = await failure(['status'], join(dir, 'missing'));
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^error: no kubeconfig found \(looked for .*missing\).*\[NO_KUBECONFIG\]\n$/);
  });

  it('names the contexts when --context is unknown', async () => {
    const run = await failure(['status', '--context', 'nope']);
    expect(run).toMatchObject({ code: 1 });
    expect(run.stderr).toBe('error: context "nope" is not in the kubeconfig (contexts: sandbox). [BAD_KUBECONFIG]\n');
  });

  it('says which cluster it cannot reach', async () => {
    const port = await closedPort();
    const config = writeKubeconfig(join(dir, 'down'), `https://127.0.0.1:${port}`, 'not a ca', 'token');
    const run = await failure(['status'], config);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      /^error: cannot reach the cluster at https:\/\/127\.0\.0\.1:\d+ \(context main\): .*ECONNREFUSED.*Check that the cluster is running.*\[NO_CLUSTER\]\n$/,
    );
  });

  it('says the credentials were rejected', async () => {
    const h = harness.h;
    const config = writeKubeconfig(join(dir, 'bad-token'), h.sandbox.url, h.sandbox.caCert, 'not-the-token');
    const run = await failure(['status'], config);
    expect(run).toEqual({
      code: 1,
      stdout: '',
      stderr: `error: the cluster at ${h.sandbox.url} rejected the credentials of context main (401): log in again or refresh the token in your kubeconfig. [UNAUTHORIZED]\n`,
    });
  });

  it('says the CRD is not installed', async () => {
    const run = await failure(['status', '-A'], bare.kubeconfigPath);
    expect(run.code).toBe(1);
    await expect(run.stderr).toMatchFileSnapshot(golden('error-no-crd.txt'));
  });
});

describe('RBAC denied', () => {
  it.each([
    ['status -A', ['status', '-A'], 'list atoms.atomoperator.io in all namespaces'],
    [
      'approve',
      ['approve', 'err-atom', '--version', '5.0.3'],
      'patch atoms.atomoperator.io in namespace default (err-atom)',
    ],
    ['why', ['why', 'err-atom'], 'list events in namespace default'],
    [
      'resume --on',
      ['resume', '--version', '5.0.3', '--on', 'err-atom'],
      'patch atoms.atomoperator.io in namespace default (err-atom)',
    ],
  ])('%s names the verb and the resource', async (_, args, what) => {
    const run = await failure(args, denied);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`error: RBAC does not allow you to ${what}.`);
    expect(run.stderr).toMatch(/kubectl auth can-i \w+ [\w./]+ (-A|-n default)\n?.*\[FORBIDDEN\]\n$/);
  });

  it('forget-failed of a version that never failed stops before the write', async () => {
    // The read is allowed, and the answer is why there is nothing to patch (the denied patch is in rollout.test.ts).
    const run = await failure(['forget-failed', 'err-atom', '5.0.1'], denied);
    expect(run.stderr).toBe(
      'error: 5.0.1 is not a failed version of Atom default/err-atom (failed versions: none). [NOT_APPLICABLE]\n',
    );
    expect(run.code).toBe(1);
  });

  it('golden: the full message', async () => {
    const run = await failure(['approve', 'err-atom', '--version', '5.0.3'], denied);
    await expect(run.stderr).toMatchFileSnapshot(golden('error-forbidden.txt'));
  });
});

describe('what the user asked does not fit', () => {
  it.each([
    [
      'an unknown Atom',
      ['why', 'nope'],
      'error: Atom nope not found in namespace default; list them with: kubectl atom status -n default [NOT_FOUND]\n',
      1,
    ],
    [
      'an unknown command',
      ['frobnicate'],
      'error: unknown command "frobnicate". Commands: status, rollout status, approve, resume, forget-failed, certs, why, completion (see kubectl atom --help). [USAGE]\n',
      2,
    ],
    [
      'an unknown flag',
      ['status', '--frob'],
      'error: unknown flag --frob for kubectl atom status (see kubectl atom status --help). [USAGE]\n',
      2,
    ],
    [
      'a missing argument',
      ['why'],
      'error: why takes NAME, got none. Usage: kubectl atom why NAME [flags] [USAGE]\n',
      2,
    ],
    [
      'approve without --version',
      ['approve', 'err-atom'],
      'error: approve needs the version: kubectl atom approve NAME --version VERSION [USAGE]\n',
      2,
    ],
    [
      'approve on an Automatic Atom',
      ['approve', 'err-auto', '--version', '5.0.3'],
      'error: Atom default/err-auto has update.mode Automatic: it follows the advertised version by itself and cannot be pinned. Set update.mode Manual to approve versions one by one. [NOT_APPLICABLE]\n',
      1,
    ],
    [
      'resume with nothing halted',
      ['resume'],
      'error: no rollout is halted (see kubectl atom rollout status); nothing to resume. [NOT_APPLICABLE]\n',
      1,
    ],
    [
      'approve of something that is not a version',
      ['approve', 'err-atom', '--version', 'latest'],
      'error: --version latest: must be a version such as 1.2.3, 1.2.3-rc.1 or 24.11.0.2. [USAGE]\n',
      2,
    ],
    [
      'a bad output format',
      ['status', '-o', 'wide'],
      'error: unsupported output format "wide": use -o json or -o yaml. [USAGE]\n',
      2,
    ],
    [
      'a bad --expiring',
      ['certs', '--expiring', 'soon'],
      'error: --expiring takes a span such as 30d, 2w or 12h, not "soon". [USAGE]\n',
      2,
    ],
    [
      '-A with -n',
      ['status', '-A', '-n', 'default'],
      'error: -A and -n exclude each other: choose all namespaces or one. [USAGE]\n',
      2,
    ],
    ['an unknown shell', ['completion', 'fish'], 'error: completion supports bash and zsh, not "fish". [USAGE]\n', 2],
  ])('%s', async (_, args, stderr, code) => {
    const run = await failure(args);
    expect(run.stderr).toBe(stderr);
    expect(run.code).toBe(code);
    expect(run.stdout).toBe('');
  });
});
