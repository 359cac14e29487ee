// Shared test plumbing for the sandbox conformance suite: a sandbox per file,
// raw HTTPS requests, real kubectl, and polling without timing assertions.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ApiException } from '@kubernetes/client-node';
import { load } from 'js-yaml';
import { Agent, fetch } from 'undici';
import { afterAll, beforeAll } from 'vitest';
import { startSandbox, type Sandbox, type SandboxOptions } from '../../src/sandbox/index.js';

export function useSandbox(opts: SandboxOptions = {}): () => Sandbox {
  let sandbox: Sandbox | undefined;
  beforeAll(async () => {
    sandbox = await startSandbox(opts);
  });
  afterAll(async () => {
    await sandbox?.stop();
  });
  return () => {
    if (!sandbox) throw new Error('sandbox not started');
    return sandbox;
  };
}

export interface Status {
  kind: string;
  apiVersion: string;
  status: string;
  message: string;
  reason: string;
  code: number;
  details?: {
    name?: string;
    group?: string;
    kind?: string;
    causes?: { reason?: string; message?: string; field?: string }[];
    retryAfterSeconds?: number;
  };
}

/** The Status a client-node call failed with. */
export async function failure(call: Promise<unknown>): Promise<Status> {
  try {
    await call;
  } catch (err) {
    if (err instanceof ApiException) {
      const body: unknown = err.body;
      return (typeof body === 'string' ? JSON.parse(body) : body) as Status;
    }
    throw err;
  }
  throw new Error('expected the call to fail');
}

export interface RawResponse {
  status: number;
  headers: Headers;
  text: string;
  json<T = Record<string, unknown>>(): T;
}

const agents = new WeakMap<Sandbox, Agent>();

export async function raw(
  sb: Sandbox,
  method: string,
  path: string,
  opts: {
    body?: string | Buffer;
    contentType?: string;
    accept?: string;
    acceptEncoding?: string;
    token?: string | null;
  } = {},
): Promise<RawResponse> {
  let agent = agents.get(sb);
  if (!agent) {
    agent = new Agent({ connect: { ca: sb.caCert } });
    agents.set(sb, agent);
  }
  const headers: Record<string, string> = {};
  if (opts.token !== null) headers.authorization = `Bearer ${opts.token ?? sb.token}`;
  if (opts.contentType) headers['content-type'] = opts.contentType;
  if (opts.accept) headers.accept = opts.accept;
  if (opts.acceptEncoding) headers['accept-encoding'] = opts.acceptEncoding;
  const res = await fetch(`${sb.url}${path}`, { method, headers, body: opts.body, dispatcher: agent });
  const text = await res.text();
  return { status: res.status, headers: res.headers as unknown as Headers, text, json: <T>() => JSON.parse(text) as T };
}

export const kubectlPath = join(process.cwd(), '.tools', 'bin', 'kubectl');

export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function kubectl(sb: Sandbox, args: string[], input?: string, timeoutMs = 20_000): Promise<CommandResult> {
  return new Promise((resolve) => {
    const child = execFile(
      kubectlPath,
      ['--kubeconfig', sb.kubeconfigPath, ...args],
      { timeout: timeoutMs, env: { ...process.env, KUBECONFIG: sb.kubeconfigPath } },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
    if (input !== undefined) child.stdin?.end(input);
  });
}

export async function waitFor<T>(
  check: () => T | undefined | Promise<T | undefined>,
  what: string,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export function widgetCrd(): Record<string, unknown> {
  return load(readFileSync(join(process.cwd(), 'test', 'sandbox', 'fixtures', 'widget-crd.yaml'), 'utf8')) as Record<
    string,
    unknown
  >;
}

export function widget(
  name: string,
  spec: Record<string, unknown> = { image: 'nginx:1.25' },
  extra: Record<string, unknown> = {},
): {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace: string; [k: string]: unknown };
  spec: Record<string, unknown>;
  [k: string]: unknown;
} {
  return { apiVersion: 'test.sandbox.io/v1', kind: 'Widget', metadata: { name, namespace: 'default' }, spec, ...extra };
}

/** Creates the test CRD through the raw API and waits until it is Established. */
export async function installWidgetCrd(sb: Sandbox): Promise<void> {
  const res = await raw(sb, 'POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', {
    body: JSON.stringify(widgetCrd()),
    contentType: 'application/json',
  });
  if (res.status !== 201) throw new Error(`CRD create failed: ${res.status} ${res.text}`);
  await waitFor(async () => {
    const crd = (
      await raw(sb, 'GET', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions/widgets.test.sandbox.io')
    ).json<{
      status?: { conditions?: { type: string; status: string }[] };
    }>();
    return crd.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True');
  }, 'the widget CRD to be established');
}
