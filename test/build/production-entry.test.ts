// What a user of the image sees from `node dist/main.js`: the production bundle,
// built here with a known version and commit, run as the image runs it.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildProduction, repoRoot } from '../../hack/build.js';
import { configFields } from '../../src/config/load.js';
import { startSandbox } from '../../src/sandbox/index.js';

const stamp = { version: '9.8.7-test', commit: 'c0ffee123456' };
const outdir = mkdtempSync(join(tmpdir(), 'atom-dist-'));
// No kubeconfig, no ~/.kube/config, no service account: the environment of an image run outside a cluster.
const home = mkdtempSync(join(tmpdir(), 'atom-home-'));
const node = join(repoRoot, 'node_modules/.bin/node');

beforeAll(async () => {
  await buildProduction(stamp, outdir);
}, 60_000);

function runBundle(args: readonly string[], nodeFlags: readonly string[] = [], nodeBinary = node) {
  const run = spawnSync(nodeBinary, [...nodeFlags, '--enable-source-maps', join(outdir, 'main.js'), ...args], {
    cwd: home,
    env: { PATH: process.env.PATH ?? '', HOME: home },
    encoding: 'utf8',
    timeout: 30_000,
  });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

describe('node dist/main.js', () => {
  it('without any cluster exits 2 with one line naming every way to point it at one (no demo)', () => {
    const { status, stdout, stderr } = runBundle([]);
    expect(status).toBe(2);
    expect(stdout).toBe('');
    const lines = stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('--kubeconfig');
    expect(lines[0]).toContain('KUBECONFIG');
    expect(lines[0]).toContain('~/.kube/config');
    expect(lines[0]).toContain('service account');
    expect(stderr).not.toContain('sandbox');
  });

  it('with a --kubeconfig that does not exist names the flag', () => {
    const { status, stderr } = runBundle([`--kubeconfig=${join(home, 'nope')}`]);
    expect(status).toBe(2);
    expect(stderr.trim()).toBe(
      `atom-operator: invalid configuration: --kubeconfig: ${join(home, 'nope')} does not exist`,
    );
  });

  it('--help prints every flag with its environment variable and default on stdout', () => {
    const { status, stdout, stderr } = runBundle(['--help']);
    expect(status).toBe(0);
    expect(stderr).toBe('');
    for (const field of configFields()) {
      const line = stdout.split('\n').find((l) => l.trimStart().startsWith(`${field.flag} `));
      expect(line, field.flag).toBeDefined();
      expect(line).toContain(field.env);
      expect(line).toContain(field.defaultValue === undefined ? 'no default' : `default "${field.defaultValue}"`);
    }
    expect(stdout).toContain(
      '--leader-election-lease-duration  (ATOM_OPERATOR_LEADER_ELECTION_LEASE_DURATION; default "15s")',
    );
  });

  it('--version prints the version and commit the build was given', () => {
    const { status, stdout } = runBundle(['--version']);
    expect(status).toBe(0);
    expect(stdout).toBe('atom-operator 9.8.7-test (commit c0ffee123456)\n');
  });

  it('names flags, not configuration fields, in what it refuses', () => {
    const { status, stderr } = runBundle(['--leader-election-renew-deadline=20s']);
    expect(status).toBe(2);
    expect(stderr.trim()).toBe(
      'atom-operator: invalid configuration: flag --leader-election-renew-deadline: must be shorter than --leader-election-lease-duration',
    );
  });

  it('on a Node.js older than 22.19 exits 2 with one line saying which Node to use and how', () => {
    const pretend = 'data:text/javascript,Object.defineProperty(process.versions,"node",{value:"22.18.0"})';
    const { status, stdout, stderr } = runBundle([], ['--import', pretend]);
    expect(status).toBe(2);
    expect(stdout).toBe('');
    expect(stderr.trim().split('\n')).toEqual([expect.stringContaining('Node.js 22.18.0 is too old')]);
    expect(stderr).toContain('22.19 or newer');
    expect(stderr).toContain('make run');
  });

  // The check only helps if it runs before undici loads; a real old Node shows that. The system's Node
  // (not the one in node_modules/.bin) is used when it is old enough to matter.
  const systemNode = (process.env.PATH ?? '')
    .split(delimiter)
    .filter((dir) => !dir.includes('node_modules'))
    .map((dir) => join(dir, 'node'))
    .find((path) => spawnSync(path, ['--version'], { encoding: 'utf8' }).status === 0);
  const systemVersion = systemNode ? spawnSync(systemNode, ['--version'], { encoding: 'utf8' }).stdout.trim() : '';
  const [major = 0, minor = 0] = systemVersion.replace(/^v/, '').split('.').map(Number);
  const oldSystemNode = systemNode !== undefined && (major < 22 || (major === 22 && minor < 19));
  it.runIf(oldSystemNode)(`on the system's old Node.js (${systemVersion}) prints the same one line, no stack`, () => {
    const { status, stderr } = runBundle([], [], systemNode);
    expect(status).toBe(2);
    expect(stderr.trim().split('\n')).toEqual([
      expect.stringContaining(`Node.js ${systemVersion.replace(/^v/, '')} is too old`),
    ]);
  });
});

describe('build info', () => {
  let stopSandbox: (() => Promise<void>) | undefined;
  afterAll(async () => {
    await stopSandbox?.();
  });

  it('exports the version and commit given at build time in atom_operator_build_info', async () => {
    const sandbox = await startSandbox();
    stopSandbox = () => sandbox.stop();
    const port = await freePort();
    const child = spawn(
      node,
      [
        '--enable-source-maps',
        join(outdir, 'main.js'),
        `--kubeconfig=${sandbox.kubeconfigPath}`,
        '--leader-election-enabled=false',
        `--metrics-address=127.0.0.1:${port}`,
        '--health-address=127.0.0.1:0',
        '--log-level=warn',
      ],
      { cwd: home, env: { PATH: process.env.PATH ?? '', HOME: home }, stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    try {
      let text = '';
      const deadline = Date.now() + 20_000;
      while (!text.includes('atom_operator_build_info') && Date.now() < deadline && child.exitCode === null) {
        text = await fetch(`http://127.0.0.1:${port}/metrics`).then(
          (r) => r.text(),
          () => '',
        );
        await new Promise((r) => setTimeout(r, 200));
      }
      expect(stderr).toBe('');
      expect(text).toMatch(/^atom_operator_build_info\{version="9\.8\.7-test",commit="c0ffee123456",[^}]*\} 1$/m);
    } finally {
      child.kill('SIGTERM');
    }
  }, 40_000);
});

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}
