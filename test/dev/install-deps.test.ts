// `make run` / `make test` install dependencies through hack/install-deps.sh: exactly when
// package-lock.json changed since the last install (a plain `npm ci` counts), one install at a
// time when two start at once, and without the engine warnings of an older system Node. Run in a
// temporary copy of the Makefile and the script, with a recorder standing in for npm (a real
// `npm ci` takes minutes); the recorder runs the package's postinstall as npm would.
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = new URL('../../', import.meta.url).pathname;

interface Run {
  code: number | null;
  output: string;
}

function project(): { dir: string; installs: () => string[] } {
  const dir = mkdtempSync(join(tmpdir(), 'install-deps-'));
  mkdirSync(join(dir, 'hack'));
  copyFileSync(join(root, 'Makefile'), join(dir, 'Makefile'));
  copyFileSync(join(root, 'hack/install-deps.sh'), join(dir, 'hack/install-deps.sh'));
  chmodSync(join(dir, 'hack/install-deps.sh'), 0o755);
  writeFileSync(join(dir, 'package-lock.json'), '{"lockfileVersion":3,"packages":{"":{}}}\n');
  // npm ci as far as the script can tell: node_modules replaced, postinstall run, output on stderr.
  writeFileSync(
    join(dir, 'fake-npm'),
    `#!/usr/bin/env bash
set -e
[[ -f npm-fails ]] && { echo "npm error something broke" >&2; exit 1; }
echo "start $$ $*" >> installs.log
rm -rf node_modules
sleep 1
mkdir node_modules
echo "npm warn EBADENGINE Unsupported engine {" >&2
echo "npm warn EBADENGINE   current: { node: 'v20.20.2' }" >&2
echo "npm warn deprecated something@1: keep this one" >&2
bash hack/install-deps.sh --record
echo "end $$" >> installs.log
`,
  );
  chmodSync(join(dir, 'fake-npm'), 0o755);
  return {
    dir,
    installs: () =>
      existsSync(join(dir, 'installs.log'))
        ? readFileSync(join(dir, 'installs.log'), 'utf8').trim().split('\n').filter(Boolean)
        : [],
  };
}

function run(dir: string, command: string[]): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(command[0]!, command.slice(1), {
      cwd: dir,
      env: { ...process.env, ATOM_DEPS_NPM: join(dir, 'fake-npm') },
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('exit', (code) => resolve({ code, output }));
  });
}

const makeDeps = (dir: string) => run(dir, ['make', '--no-print-directory', 'deps']);
const check = (dir: string) => spawnSync('hack/install-deps.sh', ['--check'], { cwd: dir }).status;

describe('make deps (hack/install-deps.sh)', () => {
  it('installs on a fresh checkout, then not again until package-lock.json changes', async () => {
    const p = project();
    expect(check(p.dir)).toBe(1);
    expect((await makeDeps(p.dir)).code).toBe(0);
    expect(p.installs().filter((l) => l.startsWith('start'))).toEqual([expect.stringMatching(/^start \d+ ci /)]);
    expect(check(p.dir)).toBe(0);
    expect((await makeDeps(p.dir)).code).toBe(0);
    expect(p.installs().filter((l) => l.startsWith('start'))).toHaveLength(1);
    writeFileSync(join(p.dir, 'package-lock.json'), '{"lockfileVersion":3,"packages":{"":{"v":2}}}\n');
    expect(check(p.dir)).toBe(1);
    expect((await makeDeps(p.dir)).code).toBe(0);
    expect(p.installs().filter((l) => l.startsWith('start'))).toHaveLength(2);
  });

  it('does not reinstall after a plain npm ci (its postinstall records the lockfile)', async () => {
    const p = project();
    expect((await run(p.dir, ['./fake-npm', 'ci'])).code).toBe(0);
    expect((await makeDeps(p.dir)).code).toBe(0);
    expect(p.installs().filter((l) => l.startsWith('start'))).toHaveLength(1);
  });

  it('runs one install when two start at once: the second waits, then finds nothing to do', async () => {
    const p = project();
    const [a, b] = await Promise.all([makeDeps(p.dir), makeDeps(p.dir)]);
    expect([a.code, b.code]).toEqual([0, 0]);
    const log = p.installs();
    expect(log).toHaveLength(2);
    expect(log[0]).toMatch(/^start /);
    expect(log[1]).toMatch(/^end /);
    expect(`${a.output}${b.output}`).toContain('waiting for another dependency install');
    expect(existsSync(join(p.dir, '.deps-install.lock'))).toBe(false);
  });

  it('takes over the lock of an install that was killed', async () => {
    const p = project();
    mkdirSync(join(p.dir, '.deps-install.lock'));
    const dead = spawnSync('true').pid;
    writeFileSync(join(p.dir, '.deps-install.lock', 'pid'), String(dead));
    expect((await makeDeps(p.dir)).code).toBe(0);
    expect(p.installs()).toHaveLength(2);
  });

  it('fails when npm fails, records nothing, and tries again next time', async () => {
    const p = project();
    writeFileSync(join(p.dir, 'npm-fails'), '');
    const failed = await makeDeps(p.dir);
    expect(failed.code).not.toBe(0);
    expect(failed.output).toContain('npm error something broke');
    expect(check(p.dir)).toBe(1);
    expect(existsSync(join(p.dir, '.deps-install.lock'))).toBe(false);
  });

  it("hides only npm's engine warnings about the system Node; other warnings stay", async () => {
    const p = project();
    const { output } = await makeDeps(p.dir);
    expect(output).not.toContain('EBADENGINE');
    expect(output).toContain('npm warn deprecated something@1: keep this one');
  });
});

describe('allowScripts in package.json', () => {
  it('approves exactly the dependencies with install scripts in the lockfile (node and esbuild)', () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
      allowScripts?: Record<string, boolean>;
    };
    const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8')) as {
      packages: Record<string, { hasInstallScript?: boolean }>;
    };
    // The root ("") is this project: its own postinstall records the lockfile hash; allowScripts is about dependencies.
    const withScripts = Object.entries(lock.packages)
      .filter(([path, p]) => path !== '' && p.hasInstallScript)
      .map(([path]) => path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length))
      .sort();
    expect(withScripts).toEqual(['esbuild', 'node']);
    expect(pkg.allowScripts).toEqual({ esbuild: true, node: true });
  });
});
