import { spawn } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadAll } from 'js-yaml';
import { validateAdvertisementJSON } from '../../platform/advertisement.js';
import { createCertificateAuthority, type IssuedCertificate } from '../pki.js';
import { parseSimulatorArgs } from './cli.js';

const tsx = fileURLToPath(new URL('../../../node_modules/.bin/tsx', import.meta.url));
const cli = fileURLToPath(new URL('./cli.ts', import.meta.url));
const e2eReleases = fileURLToPath(new URL('../../../hack/e2e/releases.json', import.meta.url));

let dir: string;
let files: Record<
  'cert' | 'key' | 'ca' | 'signing' | 'rsa' | 'otherKey' | 'releases' | 'badReleases' | 'selfStatus' | 'badSelfStatus',
  string
>;
let atom: IssuedCertificate;
let caPem: string;
let publicKeyPem: string;

const args = (overrides: Record<string, string | undefined> = {}) =>
  Object.entries({
    listen: '127.0.0.1:0',
    'tls-cert': files.cert,
    'tls-key': files.key,
    'client-ca': files.ca,
    'signing-key': files.signing,
    releases: files.releases,
    ...overrides,
  })
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `--${k}=${v}`);

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'simulator-cli-'));
  const ca = await createCertificateAuthority('cli-test-ca');
  const server = await ca.issue({ commonName: 'platform.test', hosts: ['127.0.0.1'], usage: 'server' });
  const other = await ca.issue({ commonName: 'other', usage: 'server' });
  atom = await ca.issue({ commonName: 'cli-atom', usage: 'client' });
  caPem = ca.cert;
  const signing = generateKeyPairSync('ed25519');
  publicKeyPem = signing.publicKey.export({ type: 'spki', format: 'pem' }).toString();
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const write = (name: string, content: string) => {
    const path = join(dir, name);
    writeFileSync(path, content);
    return path;
  };
  files = {
    cert: write('tls.crt', server.cert),
    key: write('tls.key', server.key),
    ca: write('ca.crt', ca.cert),
    signing: write('signing.pem', signing.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()),
    rsa: write('rsa.pem', rsa.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()),
    otherKey: write('other.key', other.key),
    // The very file the kind end-to-end test mounts, so it cannot drift from what the CLI accepts.
    releases: e2eReleases,
    selfStatus: write('self.json', JSON.stringify({ 'cli-atom': { answer: 'not-offered' } })),
    badSelfStatus: write(
      'bad-self.json',
      JSON.stringify({ 'cli-atom': { answer: 'asleep' }, other: { answer: 'online', delayMs: -1 } }),
    ),
    badReleases: write(
      'bad.json',
      JSON.stringify({ stable: { version: '1.0.0', image: 'a', publishedAt: 'yesterday', critical: 'no', extra: 1 } }),
    ),
  };
});

describe('parseSimulatorArgs', () => {
  it('accepts the e2e inputs', () => {
    const parsed = parseSimulatorArgs(args({ listen: '[::]:8443' }));
    expect(parsed.ok).toBe(true);
    if (parsed.ok) {
      expect(parsed.options).toMatchObject({ host: '::', port: 8443 });
      expect(parsed.options.releases.stable?.version).toBe('1.1.0');
    }
  });

  it('reports every problem, one line each', () => {
    const parsed = parseSimulatorArgs([
      '--listen=nowhere',
      `--tls-cert=${files.cert}`,
      `--tls-key=${files.otherKey}`,
      `--signing-key=${files.rsa}`,
      `--releases=${files.badReleases}`,
      '--colour=blue',
    ]);
    expect(parsed.ok).toBe(false);
    const problems = parsed.ok ? [] : parsed.problems;
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^--colour=blue: unknown argument/),
        '--client-ca: required',
        expect.stringMatching(/^--listen: must be HOST:PORT/),
        '--tls-key: is not the private key of the --tls-cert certificate',
        '--signing-key: must be an ed25519 private key (got rsa)',
        expect.stringMatching(/^--releases: stable\.digest: /),
        expect.stringMatching(/^--releases: stable\.publishedAt: /),
        expect.stringMatching(/^--releases: stable\.critical: /),
        expect.stringMatching(/^--releases: stable: .*extra/),
      ]),
    );
    expect(problems.every((p) => !p.includes('\n'))).toBe(true);
  });

  it('reads an optional --self-status file, and names each problem in a bad one', () => {
    const good = parseSimulatorArgs(args({ 'self-status': files.selfStatus }));
    expect(good.ok && good.options.selfStatus).toEqual({ 'cli-atom': { answer: 'not-offered' } });
    const without = parseSimulatorArgs(args());
    expect(without.ok && without.options.selfStatus).toEqual({});
    const bad = parseSimulatorArgs(args({ 'self-status': files.badSelfStatus }));
    expect(bad.ok ? [] : bad.problems).toEqual([
      expect.stringMatching(/^--self-status: cli-atom\.answer: /),
      expect.stringMatching(/^--self-status: other\.delayMs: /),
    ]);
  });

  it('names files it cannot read and PEM it cannot parse', () => {
    const parsed = parseSimulatorArgs(
      args({ 'tls-cert': join(dir, 'missing.crt'), 'client-ca': files.releases, listen: '127.0.0.1:70000' }),
    );
    expect(parsed.ok ? [] : parsed.problems).toEqual([
      '--listen: port must be 0 to 65535 (got "127.0.0.1:70000")',
      expect.stringMatching(/^--tls-cert: cannot read .*missing\.crt: ENOENT$/),
      '--client-ca: is not a PEM certificate (-----BEGIN CERTIFICATE-----)',
    ]);
  });
});

describe('hack/e2e/platform-simulator.yaml', () => {
  it('runs this CLI with flags it accepts, on the file names hack/e2e-kind.sh puts in its Secrets and ConfigMap', () => {
    const manifest = readFileSync(
      fileURLToPath(new URL('../../../hack/e2e/platform-simulator.yaml', import.meta.url)),
      'utf8',
    );
    type Container = { name: string; command?: string[]; args?: string[] };
    const docs = loadAll(manifest) as {
      kind?: string;
      spec?: { template?: { spec?: { containers?: Container[] } } };
    }[];
    const container = docs.find((d) => d.kind === 'Deployment')?.spec?.template?.spec?.containers?.[0];
    expect(container?.command).toEqual(['node', '/app/platform-simulator.mjs']);
    const script = readFileSync(fileURLToPath(new URL('../../../hack/e2e-kind.sh', import.meta.url)), 'utf8');
    // The keys the script stores (--from-file=KEY=...) are the file names the pod sees under its mounts.
    const byName: Record<string, string> = {
      'tls.crt': files.cert,
      'tls.key': files.key,
      'ca.crt': files.ca,
      'release-private.pem': files.signing,
      'releases.json': files.releases,
    };
    for (const name of Object.keys(byName)) expect(script).toContain(`--from-file=${name}=`);
    const parsed = parseSimulatorArgs(container?.args ?? [], (path) =>
      readFileSync(byName[path.split('/').pop() ?? ''] ?? path, 'utf8'),
    );
    expect(parsed.ok ? [] : parsed.problems).toEqual([]);
    expect(parsed.ok && parsed.options.port).toBe(443);
  });
});

function getRelease(url: string, channel: string): Promise<{ status: number; body: string }> {
  return get(`${url}/atom/v1/releases/${channel}`);
}

function get(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { ca: caPem, cert: atom.cert, key: atom.key }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** `direct`: node itself runs the CLI (tsx as a loader), so signals tsx does not relay, like SIGHUP, arrive. */
function run(argv: string[], direct = false) {
  const command = direct
    ? ([process.execPath, ['--import', 'tsx', cli, ...argv]] as const)
    : ([tsx, [cli, ...argv]] as const);
  const child = spawn(command[0], command[1], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, exited, out: () => stdout, err: () => stderr };
}

/** The first group of `pattern` once the process prints it (undefined after 30 s). */
async function waitForOutput(proc: ReturnType<typeof run>, pattern: RegExp): Promise<string | undefined> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const found = pattern.exec(proc.out())?.[1];
    if (found || Date.now() > deadline) return found;
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('platform simulator process', () => {
  it('serves the given releases signed with the given key over the given TLS, and exits 0 on SIGTERM', async () => {
    const proc = run(args());
    try {
      const url = await waitForOutput(proc, /listening on (https:\/\/\S+)/);
      expect(url, proc.err()).toBeDefined();
      const answer = await getRelease(url ?? '', 'stable');
      expect(answer.status).toBe(200);
      const verdict = validateAdvertisementJSON(answer.body, {
        channel: 'stable',
        allowedRepositories: ['atom-e2e-agent'],
        releasePublicKeys: [publicKeyPem],
      });
      expect(verdict).toMatchObject({ ok: true });
      expect(JSON.parse(answer.body)).toMatchObject(JSON.parse(readFileSync(e2eReleases, 'utf8')).stable);
      expect((await getRelease(url ?? '', 'beta')).status).toBe(404);
      proc.child.kill('SIGTERM');
      expect(await proc.exited).toBe(0);
      expect(proc.out()).toMatch(/GET releases\/stable from cli-atom -> 200/);
    } finally {
      proc.child.kill('SIGKILL');
    }
  }, 45_000);

  it('answers /atom/v1/self as the --self-status file says, and again after SIGHUP', async () => {
    const self = join(dir, 'self-live.json');
    writeFileSync(self, JSON.stringify({ 'cli-atom': { answer: 'not-offered' } }));
    const proc = run(args({ 'self-status': self }), true);
    try {
      const url = await waitForOutput(proc, /listening on (https:\/\/\S+)/);
      expect((await get(`${url}/atom/v1/self`)).status).toBe(404);
      writeFileSync(self, JSON.stringify({ 'cli-atom': { answer: 'offline', lastContactAt: '2026-11-30T10:00:00Z' } }));
      proc.child.kill('SIGHUP');
      await waitForOutput(proc, /(SIGHUP): self status/);
      const answer = await get(`${url}/atom/v1/self`);
      expect(JSON.parse(answer.body)).toEqual({
        atomId: 'cli-atom',
        online: false,
        lastContactAt: '2026-11-30T10:00:00Z',
      });
      proc.child.kill('SIGTERM');
      expect(await proc.exited).toBe(0);
      expect(proc.out()).toMatch(/GET self from cli-atom -> 404/);
    } finally {
      proc.child.kill('SIGKILL');
    }
  }, 45_000);

  it('exits 2 with one line per problem on bad input', async () => {
    const proc = run(args({ listen: 'nowhere', 'signing-key': files.rsa }));
    expect(await proc.exited).toBe(2);
    expect(proc.err().trim().split('\n')).toEqual([
      expect.stringMatching(/^--listen: /),
      '--signing-key: must be an ed25519 private key (got rsa)',
    ]);
  }, 30_000);
});
