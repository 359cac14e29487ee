import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { configMap, eventually, startEnv, type Env } from './helpers.js';

let env: Env;

beforeEach(async () => {
  env = await startEnv();
});

afterEach(async () => {
  await env.sandbox.stop();
});

const entry = fileURLToPath(new URL('./testdata/operator-entry.ts', import.meta.url));
const tsx = fileURLToPath(new URL('../../node_modules/.bin/tsx', import.meta.url));

describe('the operator process', () => {
  it('on SIGTERM finishes the reconcile in flight, releases the lease and exits 0', async () => {
    const child = spawn(
      tsx,
      [entry, '--metrics-address=127.0.0.1:0', '--health-address=127.0.0.1:0', '--shutdown-timeout=10s'],
      {
        env: {
          PATH: process.env.PATH,
          ATOM_OPERATOR_KUBECONFIG: env.sandbox.kubeconfigPath,
          ATOM_OPERATOR_WATCH_NAMESPACES: 'default',
          ATOM_OPERATOR_LEADER_ELECTION_NAMESPACE: 'default',
          ATOM_OPERATOR_LEADER_ELECTION_IDENTITY: 'replica-1',
          ATOM_OPERATOR_LOG_LEVEL: 'warn',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      const lease = () =>
        env.sandbox.store.get('leases.coordination.k8s.io', 'default', 'atom-operator-leader') as unknown as
          | { spec: { holderIdentity?: string } }
          | undefined;
      await eventually(() => expect(lease()?.spec.holderIdentity).toBe('replica-1'), 30_000);
      await env.api.create(configMap('work'));
      await eventually(() => expect(stdout).toContain('started default/work'), 15_000);
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(stdout).toContain('finished default/work');
      expect(lease()?.spec.holderIdentity ?? '').toBe('');
    } catch (err) {
      child.kill('SIGKILL');
      throw new Error(`${String(err)}\nstdout:\n${stdout}\nstderr:\n${stderr}`);
    }
  });
});
