// The README's promise: with no cluster, `make run` (npm start) starts the sandbox
// with sample Atoms and prints kubectl commands that show them coming up.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { ensureTools } from '../../hack/fetch-tools.js';
import { parseConfig } from '../../src/config/load.js';
import { startDemo } from '../../src/demo/sandbox-demo.js';
import { silentLogger } from '../../src/observability/logger.js';
import { createOperator } from '../../src/operator.js';
import { defaultAgentProfile } from '../../src/resources/profile.js';

const run = promisify(execFile);
const root = new URL('../../', import.meta.url).pathname;
let child: ChildProcess | undefined;

afterAll(() => {
  child?.kill('SIGKILL');
});

describe('make run without a cluster', () => {
  it('starts the sandbox, shows Running Atoms with the printed commands, and stops cleanly on SIGTERM', async () => {
    const { kubectl } = ensureTools();
    const cwd = mkdtempSync(join(tmpdir(), 'atom-demo-'));
    const env = { ...process.env, HOME: cwd, KUBECONFIG: '' };
    delete (env as Record<string, string | undefined>).KUBECONFIG;
    child = spawn(
      join(root, 'node_modules/.bin/tsx'),
      [
        join(root, 'src/demo/start.ts'),
        '--metrics-address=127.0.0.1:0',
        '--health-address=127.0.0.1:0',
        '--log-level=warn',
      ],
      { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const deadline = Date.now() + 60_000;
    while (!stderr.includes('Stop with Ctrl-C') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(stderr).toContain('starting the built-in sandbox');
    const command = stderr
      .split('\n')
      .find((l) => l.includes('get atoms -A'))!
      .trim()
      .split(/\s+/);
    expect(command.slice(0, 3)).toEqual(['kubectl', '--kubeconfig', '.sandbox/kubeconfig']);
    let table = '';
    while (Date.now() < deadline) {
      table = (await run(kubectl, command.slice(1), { cwd })).stdout;
      if ((table.match(/Running/g) ?? []).length === 5) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    expect(table).toMatch(/atom-sample\s+True\s+Running\s+5\.0\.2\s+5\.0\.2/);
    const children = (
      await run(
        kubectl,
        [
          '--kubeconfig',
          '.sandbox/kubeconfig',
          'get',
          'pods,pvc,networkpolicies',
          '-A',
          '-l',
          'app.kubernetes.io/managed-by=atom-operator',
          '-o',
          'name',
        ],
        { cwd },
      )
    ).stdout;
    expect(children).toContain('pod/atom-sample-agent');
    expect(children).toContain('persistentvolumeclaim/atom-sample-install');
    expect(children).toContain('networkpolicy.networking.k8s.io/atom-sample-egress');
    const exited = new Promise<number | null>((resolve) => child!.on('exit', (code) => resolve(code)));
    expect(existsSync(join(cwd, '.sandbox', 'kubeconfig'))).toBe(true);
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    // "the sandbox keeps nothing": no .sandbox/ left in the working directory.
    expect(readdirSync(cwd).filter((f) => f === '.sandbox')).toEqual([]);
  }, 90_000);
});

describe('make sandbox', () => {
  it('writes .sandbox/kubeconfig while it runs and removes it on Ctrl-C (SIGINT)', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'atom-sandbox-cli-'));
    const cli = spawn(join(root, 'node_modules/.bin/tsx'), [join(root, 'src/sandbox/cli.ts')], {
      cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child = cli;
    let stdout = '';
    cli.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
    const deadline = Date.now() + 30_000;
    while (!stdout.includes('kubeconfig:') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(existsSync(join(cwd, '.sandbox', 'kubeconfig'))).toBe(true);
    const exited = new Promise<number | null>((resolve) => cli.on('exit', (code) => resolve(code)));
    cli.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(readdirSync(cwd)).toEqual([]);
  }, 60_000);
});

describe('the sandbox demo', () => {
  it('takes one sample Atom offline, and the operator reports it while the others stay connected', async () => {
    // The demo's minute, shortened; the operator asks every second instead of every minute.
    const demo = await startDemo({
      dir: mkdtempSync(join(tmpdir(), 'atom-demo-offline-')),
      examplesDir: join(root, 'examples'),
      offlineAfterMs: 4_000,
    });
    const config = parseConfig({
      argv: [
        '--leader-election-enabled=false',
        '--metrics-address=127.0.0.1:0',
        '--health-address=127.0.0.1:0',
        `--platform-url=${demo.simulator.url}`,
        '--platform-status-poll-interval=1s',
      ],
      env: {},
      hostname: () => 'test',
      podNamespace: () => 'default',
    });
    const operator = createOperator({
      kubeConfig: demo.sandbox.kubeConfig(),
      config,
      logger: silentLogger(),
      profile: defaultAgentProfile,
      releasePublicKeys: demo.releasePublicKeys,
    });
    try {
      await operator.start();
      const [ns, name] = demo.goesOffline.split('/') as [string, string];
      const connected = (namespace: string, atom: string) =>
        (
          demo.sandbox.store.get('atoms.atomoperator.io', namespace, atom) as {
            status?: { conditions?: { type: string; status: string; reason: string }[] };
          }
        )?.status?.conditions?.find((c) => c.type === 'Connected');
      const deadline = Date.now() + 30_000;
      while (connected(ns, name)?.reason !== 'ReportedOffline' && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 100));
      expect(connected(ns, name)).toMatchObject({ status: 'False', reason: 'ReportedOffline' });
      for (const other of demo.atoms.filter((a) => a !== demo.goesOffline)) {
        const [otherNs, otherName] = other.split('/') as [string, string];
        expect(connected(otherNs, otherName), other).toMatchObject({ status: 'True', reason: 'Online' });
      }
      const reportedOffline = () =>
        (
          demo.sandbox.store.list('events', ns) as unknown as {
            involvedObject: { name: string };
            reason: string;
            type: string;
          }[]
        ).some((e) => e.involvedObject.name === name && e.type === 'Warning' && e.reason === 'ReportedOffline');
      // It was online first: the change is a Warning event (written after the status).
      await expect.poll(reportedOffline, { timeout: 5_000 }).toBe(true);
    } finally {
      await operator.stop();
      await demo.stop();
    }
  }, 60_000);
});
