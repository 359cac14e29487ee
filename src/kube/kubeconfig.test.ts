// Our kubeconfig loader against real servers: the sandbox API server (token,
// CA) and a TLS server that demands a client certificate.
import { appendFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dump } from 'js-yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../sandbox/index.js';
import { createCertificateAuthority } from '../sandbox/pki.js';
import { KubeClient } from './client.js';
import { ExecCredentialPlugin } from './exec-credential.js';
import { inClusterKubeconfig, KubeconfigError, loadKubeconfigFile, parseKubeconfig } from './kubeconfig.js';

let sandbox: Sandbox;
const dir = mkdtempSync(join(tmpdir(), 'kubeconfig-'));
const b64 = (text: string) => Buffer.from(text).toString('base64');

beforeAll(async () => {
  sandbox = await startSandbox();
});
afterAll(async () => {
  await sandbox.stop();
});

type User = Record<string, unknown>;
type Cluster = Record<string, unknown>;

function kubeconfig(cluster: Cluster, user: User, name = 'config'): string {
  const path = join(dir, `${name}.yaml`);
  writeFileSync(
    path,
    dump({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'c', cluster: { server: sandbox.url, ...cluster } }],
      users: [{ name: 'u', user }],
      contexts: [{ name: 'ctx', context: { cluster: 'c', user: 'u', namespace: 'team-a' } }],
      'current-context': 'ctx',
    }),
  );
  return path;
}

const listNamespaces = (path: string) =>
  new KubeClient(loadKubeconfigFile(path, { PATH: process.env.PATH })).request({
    method: 'GET',
    path: '/api/v1/namespaces',
  }) as Promise<{ kind: string }>;

describe('a kubeconfig file', () => {
  it("reads the sandbox's own kubeconfig (CA data, token) and talks to it", async () => {
    const config = loadKubeconfigFile(sandbox.kubeconfigPath);
    expect(config.server).toBe(sandbox.url);
    expect(config.namespace).toBe('default');
    expect(await listNamespaces(sandbox.kubeconfigPath)).toMatchObject({ kind: 'NamespaceList' });
  });

  it('resolves certificate-authority and tokenFile relative to the kubeconfig, as kubectl does', async () => {
    writeFileSync(join(dir, 'ca.crt'), sandbox.caCert);
    writeFileSync(join(dir, 'token'), `${sandbox.token}\n`);
    const path = kubeconfig({ 'certificate-authority': 'ca.crt' }, { tokenFile: 'token' }, 'files');
    expect(loadKubeconfigFile(path).namespace).toBe('team-a');
    expect(await listNamespaces(path)).toMatchObject({ kind: 'NamespaceList' });
  });

  it('sends the token it is given: a wrong one is refused by the server', async () => {
    const path = kubeconfig({ 'certificate-authority-data': b64(sandbox.caCert) }, { token: 'wrong' }, 'wrong');
    await expect(listNamespaces(path)).rejects.toMatchObject({ code: 'KubeUnauthorized' });
  });

  it('verifies the server against the CA, and skips that only when insecure-skip-tls-verify says so', async () => {
    const unverified = kubeconfig({}, { token: sandbox.token }, 'no-ca');
    await expect(listNamespaces(unverified)).rejects.toMatchObject({ code: 'KubeNetwork' });
    const skip = kubeconfig({ 'insecure-skip-tls-verify': true }, { token: sandbox.token }, 'skip');
    expect(await listNamespaces(skip)).toMatchObject({ kind: 'NamespaceList' });
  });

  it.each([
    ['no current context', 'clusters: []\n', 'has no current-context'],
    [
      'a current context that is not defined',
      'current-context: nowhere\ncontexts: []\n',
      'the current context "nowhere" is not defined',
    ],
    [
      'a CA file that does not exist',
      dump({
        clusters: [{ name: 'c', cluster: { server: 'https://x', 'certificate-authority': 'missing.crt' } }],
        contexts: [{ name: 'x', context: { cluster: 'c' } }],
        'current-context': 'x',
      }),
      'cannot read the CA file',
    ],
    [
      'a client certificate without its key',
      dump({
        clusters: [{ name: 'c', cluster: { server: 'https://x' } }],
        users: [{ name: 'u', user: { 'client-certificate-data': b64('cert') } }],
        contexts: [{ name: 'x', context: { cluster: 'c', user: 'u' } }],
        'current-context': 'x',
      }),
      'client certificate without its key',
    ],
    [
      'an auth-provider (removed from kubectl)',
      dump({
        clusters: [{ name: 'c', cluster: { server: 'https://x' } }],
        users: [{ name: 'u', user: { 'auth-provider': { name: 'gcp' } } }],
        contexts: [{ name: 'x', context: { cluster: 'c', user: 'u' } }],
        'current-context': 'x',
      }),
      'use an exec credential plugin',
    ],
    [
      'a server that is not a URL',
      dump({ clusters: [{ name: 'c', cluster: { server: 'x' } }] }),
      'clusters.0.cluster.server',
    ],
    ['text that is not YAML', 'a: [', 'is not YAML'],
  ])('refuses %s with a KubeconfigError saying so', (_name, text, words) => {
    const parse = () => parseKubeconfig(text, { path: join(dir, 'bad.yaml') });
    expect(parse).toThrow(KubeconfigError);
    expect(parse).toThrow(words);
    try {
      parse();
    } catch (err) {
      expect(err).toMatchObject({ code: 'KubeconfigInvalid', retryable: false });
    }
  });
});

describe('an exec credential plugin', () => {
  /** A plugin (Node script) that logs each run and prints an ExecCredential; it fails without KUBERNETES_EXEC_INFO. */
  function plugin(name: string, status: Record<string, unknown>): { path: string; runs: () => number } {
    const log = join(dir, `${name}.runs`);
    writeFileSync(log, '');
    const script = [
      'const info = JSON.parse(process.env.KUBERNETES_EXEC_INFO);',
      `if (info.kind !== 'ExecCredential' || info.spec.interactive !== false) process.exit(3);`,
      `require('node:fs').appendFileSync(${JSON.stringify(log)}, process.env.PLUGIN_GREETING + '\\n');`,
      `console.log(JSON.stringify({ apiVersion: 'client.authentication.k8s.io/v1', kind: 'ExecCredential', status: ${JSON.stringify(status)} }));`,
    ].join('\n');
    writeFileSync(join(dir, `${name}.cjs`), script);
    const path = kubeconfig(
      { 'certificate-authority-data': b64(sandbox.caCert) },
      {
        exec: {
          apiVersion: 'client.authentication.k8s.io/v1',
          command: process.execPath,
          args: [join(dir, `${name}.cjs`)],
          env: [{ name: 'PLUGIN_GREETING', value: 'hello' }],
        },
      },
      name,
    );
    return { path, runs: () => readFileSync(log, 'utf8').split('\n').filter(Boolean).length };
  }

  it('runs the plugin with its env and uses its token until it expires', async () => {
    const { path, runs } = plugin('lasting', {
      token: sandbox.token,
      expirationTimestamp: new Date(Date.now() + 3_600_000).toISOString(),
    });
    const client = new KubeClient(loadKubeconfigFile(path, { PATH: process.env.PATH }));
    await client.request({ method: 'GET', path: '/api/v1/namespaces' });
    await client.request({ method: 'GET', path: '/api/v1/namespaces' });
    expect(runs()).toBe(1);
    expect(readFileSync(join(dir, 'lasting.runs'), 'utf8')).toBe('hello\n');
  });

  it('runs it again once the credential is (about to be) expired', async () => {
    const { path, runs } = plugin('expiring', {
      token: sandbox.token,
      expirationTimestamp: new Date(Date.now() + 5_000).toISOString(),
    });
    const client = new KubeClient(loadKubeconfigFile(path, { PATH: process.env.PATH }));
    await client.request({ method: 'GET', path: '/api/v1/namespaces' });
    await client.request({ method: 'GET', path: '/api/v1/namespaces' });
    expect(runs()).toBe(2);
  });

  it('reports a plugin that prints no credential as retryable KubeconfigExecFailed', async () => {
    const { path } = plugin('empty', {});
    await expect(listNamespaces(path)).rejects.toMatchObject({
      code: 'KubeconfigExecFailed',
      retryable: true,
      message: expect.stringContaining('neither a token nor a client certificate'),
    });
  });

  it('stops a plugin that hangs (even one ignoring SIGTERM) and says so, instead of waiting for it', async () => {
    const script = join(dir, 'hanging.cjs');
    writeFileSync(script, "process.on('SIGTERM', () => {}); setInterval(() => {}, 1000);");
    const hanging = new ExecCredentialPlugin(
      { apiVersion: 'client.authentication.k8s.io/v1', command: process.execPath, args: [script] },
      { cwd: dir, env: { PATH: process.env.PATH }, server: 'https://127.0.0.1', timeoutMs: 300 },
    );
    await expect(hanging.credential()).rejects.toMatchObject({
      code: 'KubeconfigExecFailed',
      retryable: true,
      message: expect.stringContaining('did not finish within 0.3 s'),
    });
  }, 10_000);
});

describe('a client certificate', () => {
  let server: Server;
  let url: string;
  let ca: Awaited<ReturnType<typeof createCertificateAuthority>>;
  beforeAll(async () => {
    ca = await createCertificateAuthority('kubeconfig-test-ca');
    const serving = await ca.issue({ commonName: '127.0.0.1', hosts: ['127.0.0.1'], usage: 'server' });
    server = createServer(
      { cert: serving.cert, key: serving.key, ca: ca.cert, requestCert: true, rejectUnauthorized: true },
      (req, res) => {
        const peer = (req.socket as import('node:tls').TLSSocket).getPeerCertificate();
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ user: peer.subject?.CN }));
      },
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => {
    server.close();
  });

  it.each(['data', 'file'])('is presented to a server that demands one (%s)', async (form) => {
    const client = await ca.issue({ commonName: 'atom-operator', usage: 'client' });
    writeFileSync(join(dir, 'client.crt'), client.cert);
    writeFileSync(join(dir, 'client.key'), client.key);
    const user =
      form === 'data'
        ? { 'client-certificate-data': b64(client.cert), 'client-key-data': b64(client.key) }
        : { 'client-certificate': 'client.crt', 'client-key': join(dir, 'client.key') };
    const path = kubeconfig({ server: url, 'certificate-authority-data': b64(ca.cert) }, user, `cert-${form}`);
    const body = await new KubeClient(loadKubeconfigFile(path)).request({ method: 'GET', path: '/api' });
    expect(body).toEqual({ user: 'atom-operator' });
  });
});

describe('in-cluster', () => {
  it("uses the pod's service account: CA, token file and namespace", async () => {
    const account = mkdtempSync(join(tmpdir(), 'serviceaccount-'));
    writeFileSync(join(account, 'ca.crt'), sandbox.caCert);
    writeFileSync(join(account, 'token'), sandbox.token);
    appendFileSync(join(account, 'namespace'), 'atoms\n');
    const { port } = new URL(sandbox.url);
    const config = inClusterKubeconfig('127.0.0.1', port, account);
    expect(config.server).toBe(`https://127.0.0.1:${port}`);
    expect(config.namespace).toBe('atoms');
    const list = await new KubeClient(config).request({ method: 'GET', path: '/api/v1/namespaces' });
    expect(list).toMatchObject({ kind: 'NamespaceList' });
    expect(inClusterKubeconfig('fd00::1', '443', account).server).toBe('https://[fd00::1]:443');
  });

  it('fails at start, not at the first request, without a token', () => {
    const account = mkdtempSync(join(tmpdir(), 'serviceaccount-'));
    writeFileSync(join(account, 'ca.crt'), sandbox.caCert);
    expect(() => inClusterKubeconfig('127.0.0.1', '443', account)).toThrow('cannot read the service account token');
  });
});
