// An operator running in-process against the sandbox API server and the platform
// simulator, with helpers that act as a user would (apply Atoms and Secrets,
// delete things, wait for conditions).
import type { V1Pod } from '@kubernetes/client-node';
import { afterAll, beforeAll } from 'vitest';
import { atomCRD } from '../../src/api/crd.js';
import { parseConfig } from '../../src/config/load.js';
import { AtomType } from '../../src/controller/atom/controller.js';
import { KubeApi } from '../../src/kube/api.js';
import { KubeClient } from '../../src/kube/client.js';
import { CoreTypes, type KubeObject } from '../../src/kube/resource.js';
import { silentLogger } from '../../src/observability/logger.js';
import { createOperator, type Operator } from '../../src/operator.js';
import { defaultAgentProfile } from '../../src/resources/profile.js';
import { startSandbox, type Sandbox, type SandboxOptions } from '../../src/sandbox/index.js';
import { startPlatformSimulator, type PlatformSimulator } from '../../src/sandbox/platform-simulator/index.js';

export const USER = 'test-user';
export const release = (version: string, digestChar = version.replace(/\D/g, '').slice(-1) || 'a') => ({
  version,
  image: 'boomi/atom',
  digest: `sha256:${digestChar.repeat(64).slice(0, 64)}`,
  publishedAt: '2026-11-20T00:00:00Z',
  critical: false,
});

export interface Harness {
  sandbox: Sandbox;
  simulator: PlatformSimulator;
  api: KubeApi;
  operator?: Operator;
  startOperator(extraArgs?: string[]): Promise<Operator>;
  stopOperator(): Promise<void>;
  createRegistrationSecret(
    namespace: string,
    name: string,
    opts?: { notBefore?: Date; notAfter?: Date; mismatchedKey?: boolean; commonName?: string },
  ): Promise<void>;
  applyAtom(
    namespace: string,
    name: string,
    spec?: Record<string, unknown>,
    metadata?: Record<string, unknown>,
  ): Promise<void>;
  atom(namespace: string, name: string): KubeObject & { status?: any; spec?: any };
  pods(namespace: string, atomName: string): V1Pod[];
  condition(
    namespace: string,
    name: string,
    type: string,
  ): { status: string; reason: string; message: string } | undefined;
  events(namespace: string, name: string): { reason: string; type: string; message: string; count?: number }[];
  waitFor<T>(what: string, check: () => T | undefined | false, timeoutMs?: number): Promise<T>;
  /** Creates the registration Secret and the Atom, and waits until the Atom is Ready. */
  readyAtom(namespace: string, name: string, spec?: Record<string, unknown>): Promise<void>;
  /** Waits until the operator's queue is empty and nothing is in flight. */
  settle(): Promise<void>;
  stop(): Promise<void>;
}

const b64 = (s: string) => Buffer.from(s).toString('base64');

export async function startHarness(
  options: { sandbox?: SandboxOptions; operatorArgs?: string[]; trustSimulatorReleaseKey?: boolean } = {},
): Promise<Harness> {
  const sandbox = await startSandbox({
    kubeletMode: 'auto',
    podStartDelayMs: 50,
    podTerminationDelayMs: 100,
    ...options.sandbox,
  });
  const simulator = await startPlatformSimulator();
  const api = new KubeApi(new KubeClient(sandbox.kubeConfig()), [AtomType]);
  await api.applyObject(atomCRD() as unknown as KubeObject, { fieldManager: USER });

  const harness: Harness = {
    sandbox,
    simulator,
    api,
    async startOperator(extraArgs = []) {
      const config = parseConfig({
        argv: [
          '--leader-election-enabled=false',
          '--metrics-address=127.0.0.1:0',
          '--health-address=127.0.0.1:0',
          `--platform-url=${simulator.url}`,
          '--platform-poll-interval=10s',
          '--shutdown-timeout=2s',
          ...(options.operatorArgs ?? []),
          ...extraArgs,
        ],
        env: {},
        hostname: () => 'test',
        podNamespace: () => 'default',
      });
      const operator = createOperator({
        kubeConfig: sandbox.kubeConfig(),
        config,
        logger: silentLogger(),
        profile: defaultAgentProfile,
        releasePublicKeys: options.trustSimulatorReleaseKey ? [simulator.releaseKeys.publicKeyPem] : [],
        platformClient: { retry: { maxAttempts: 1, baseDelayMs: 10, maxDelayMs: 10, maxRetryAfterMs: 10 } },
      });
      await operator.start();
      await operator.manager.waitForCacheSync();
      harness.operator = operator;
      return operator;
    },
    async stopOperator() {
      await harness.operator?.stop();
      delete harness.operator;
    },
    async createRegistrationSecret(namespace, name, opts = {}) {
      const issued = await simulator.issueRegistrationCertificate(opts.commonName ?? `${namespace}.${name}`, opts);
      await api.applyObject(
        {
          apiVersion: 'v1',
          kind: 'Secret',
          type: 'kubernetes.io/tls',
          metadata: { name, namespace },
          data: { 'tls.crt': b64(issued.cert), 'tls.key': b64(issued.key), 'ca.crt': b64(issued.ca) },
        } as KubeObject,
        { fieldManager: USER },
      );
    },
    async applyAtom(namespace, name, spec = {}, metadata = {}) {
      await api.applyObject(
        {
          apiVersion: 'atomoperator.io/v1alpha1',
          kind: 'Atom',
          metadata: { name, namespace, ...metadata },
          spec: {
            platform: { accountId: 'acme' },
            registration: { certificateSecretRef: { name: `${name}-registration` } },
            ...spec,
          },
        } as KubeObject,
        { fieldManager: USER },
      );
    },
    atom: (namespace, name) =>
      sandbox.store.get('atoms.atomoperator.io', namespace, name) as KubeObject & { status?: any; spec?: any },
    pods: (namespace, atomName) =>
      (sandbox.store.list('pods', namespace) as V1Pod[]).filter(
        (p) => p.metadata?.labels?.['atomoperator.io/atom'] === atomName,
      ),
    condition(namespace, name, type) {
      return harness.atom(namespace, name)?.status?.conditions?.find((c: { type: string }) => c.type === type);
    },
    events(namespace, name) {
      return (
        sandbox.store.list('events', namespace) as unknown as {
          involvedObject: { name: string };
          reason: string;
          type: string;
          message: string;
          count?: number;
        }[]
      ).filter((e) => e.involvedObject.name === name);
    },
    async waitFor(what, check, timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs;
      let last: unknown;
      for (;;) {
        try {
          const value = check();
          if (value !== undefined && value !== false) return value as never;
        } catch (err) {
          last = err;
        }
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
        await new Promise((r) => setTimeout(r, 25));
      }
    },
    async readyAtom(namespace, name, spec = {}) {
      await harness.createRegistrationSecret(namespace, `${name}-registration`);
      await harness.applyAtom(namespace, name, spec);
      await harness.waitFor(`${name} Ready`, () => harness.condition(namespace, name, 'Ready')?.status === 'True');
    },
    async settle() {
      const queue = harness.operator?.atoms.controller.queue;
      if (!queue) return;
      await harness.waitFor('the work queue to drain', () => queue.length === 0 && queue.processingCount === 0, 20_000);
    },
    async stop() {
      await harness.stopOperator();
      await simulator.stop();
      await sandbox.stop();
    },
  };
  return harness;
}

export { CoreTypes };

/**
 * One harness per test file: started before the tests with the operator running and `stable`
 * advertising `initialRelease`, stopped after them. Read it through `.h` inside tests.
 */
export function useHarness(
  options: Parameters<typeof startHarness>[0] & { initialRelease?: ReturnType<typeof release> } = {},
): { readonly h: Harness } {
  let current: Harness | undefined;
  beforeAll(async () => {
    current = await startHarness(options);
    current.simulator.setRelease('stable', options.initialRelease ?? release('5.0.2', 'a'));
    await current.startOperator();
  });
  afterAll(async () => {
    await current?.stop();
  });
  return {
    get h() {
      if (!current) throw new Error('the harness is not started yet');
      return current;
    },
  };
}
