// Runs the real kubectl (from .tools/bin) with the built plugin on PATH, so `kubectl atom ...`
// goes through kubectl's plugin discovery exactly as on a user's machine.
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createServer, request, type Server } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { dump } from 'js-yaml';
import { ensureTools } from '../../hack/fetch-tools.js';
import type { Sandbox } from '../../src/sandbox/index.js';
import { createCertificateAuthority } from '../../src/sandbox/pki.js';

const root = process.cwd();
export const kubectlPath = join(root, '.tools', 'bin', 'kubectl');

/** Bundles the plugin as `npm run build:plugin` does, so the tests run what the package ships. */
export async function buildPlugin(): Promise<void> {
  ensureTools();
  // Asynchronously: the sandbox and the operator of the test run in this process and must keep going.
  await promisify(execFile)(join(root, 'node_modules', '.bin', 'tsx'), ['hack/build-plugin.ts'], { cwd: root });
}

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** `kubectl atom ARGS` with KUBECONFIG set and the plugin (bin/) first on PATH. */
export function kubectlAtom(
  kubeconfig: string,
  args: readonly string[],
  options: { env?: Record<string, string>; timeoutMs?: number } = {},
): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      kubectlPath,
      ['atom', ...args],
      {
        timeout: options.timeoutMs ?? 30_000,
        env: {
          PATH: `${join(root, 'bin')}:${join(root, '.tools', 'bin')}:${process.env.PATH ?? ''}`,
          HOME: process.env.HOME ?? '/tmp',
          KUBECONFIG: kubeconfig,
          ...options.env,
        },
      },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/**
 * Makes output comparable across runs: ages and times change, column widths follow them.
 * Ages become AGE, timestamps TIME, fingerprints FPR; tables also lose their padding.
 */
export function normalise(text: string, options: { table?: boolean } = { table: true }): string {
  const stable = text
    .replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z/g, 'TIME')
    .replace(/\b(in|expired) \d+[smhdy](\d+[smh])?( ago)?/g, '$1 AGE$3')
    .replace(/(?<=\s)\d+[smhdy](\d+[smh])?(?=\s)/g, 'AGE')
    .replace(/\b[0-9A-F]{2}(:[0-9A-F]{2}){31}\b/g, 'FPR');
  // Column widths follow the ages; the table layout itself is pinned by the unit tests of table.ts.
  return options.table ? stable.replace(/ {2,}/g, '  ').replace(/ +$/gm, '') : stable;
}

/** A kubeconfig file for the sandbox with a second context carrying a namespace (for -n defaults). */
export function writeKubeconfig(path: string, server: string, ca: string, token: string, namespace?: string): string {
  writeFileSync(
    path,
    dump({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'c', cluster: { server, 'certificate-authority-data': Buffer.from(ca).toString('base64') } }],
      users: [{ name: 'u', user: { token } }],
      contexts: [
        { name: 'main', context: { cluster: 'c', user: 'u', ...(namespace ? { namespace } : {}) } },
        { name: 'other', context: { cluster: 'c', user: 'u', namespace: 'elsewhere' } },
      ],
      'current-context': 'main',
    }),
  );
  return path;
}

export interface DenyRule {
  method: string;
  /** Matched against the request path (no query). */
  path: RegExp;
}

export interface ForbiddingProxy {
  url: string;
  ca: string;
  stop(): Promise<void>;
}

/**
 * An HTTPS proxy in front of the sandbox that answers 403 Forbidden, as kube-apiserver's RBAC
 * does, for the requests a rule matches: the sandbox itself authorizes everything.
 */
export async function startForbiddingProxy(sandbox: Sandbox, deny: readonly DenyRule[]): Promise<ForbiddingProxy> {
  const ca = await createCertificateAuthority('forbidding-proxy-ca');
  const serving = await ca.issue({ commonName: 'forbidding-proxy', hosts: ['127.0.0.1'], usage: 'server' });
  const upstream = new URL(sandbox.url);
  const sockets = new Set<Socket>();
  const server: Server = createServer({ cert: serving.cert, key: serving.key }, (req, res) => {
    const path = new URL(req.url ?? '/', 'https://x').pathname;
    if (deny.some((rule) => rule.method === req.method && rule.path.test(path))) {
      res.writeHead(403, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          kind: 'Status',
          apiVersion: 'v1',
          status: 'Failure',
          reason: 'Forbidden',
          code: 403,
          message: `atoms.atomoperator.io is forbidden: User "plugin-user" cannot ${req.method?.toLowerCase()} resource`,
        }),
      );
      return;
    }
    const forward = request(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path: req.url,
        headers: { ...req.headers, host: upstream.host },
        ca: sandbox.caCert,
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    forward.on('error', () => res.destroy());
    req.pipe(forward);
  });
  server.on('secureConnection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `https://127.0.0.1:${port}`,
    ca: ca.cert,
    async stop() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * The events block of `why` depends on timing (aggregated counts, a retried write); goldens keep
 * its heading only, and tests assert the events that matter with toContain.
 */
export function withoutEventRows(text: string): string {
  return text.replace(/(Events \(last )\d+ of \d+\):\n( {2}.*\n)+/, '$1N of N):\n  ...\n');
}
