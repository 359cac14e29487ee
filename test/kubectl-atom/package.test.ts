// What `npm pack` ships: the plugin (launcher, completion hook, bundle, its docs) and nothing that
// only tests need; and the packed plugin runs on its own, outside the checkout, without node_modules.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';

const root = process.cwd();
const packResult = z.array(
  z.object({ filename: z.string(), files: z.array(z.object({ path: z.string(), mode: z.int() })) }),
);
let files: { path: string; mode: number }[];

beforeAll(() => {
  // prepack runs build:plugin, so the list includes the bundle as it is built now.
  const out = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts=false'], {
    cwd: root,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  files = packResult.parse(JSON.parse(out.slice(out.indexOf('[')))).flatMap((entry) => entry.files);
}, 120_000);

describe('npm pack', () => {
  it('contains the plugin, executable, and its docs', () => {
    const byPath = new Map(files.map((f) => [f.path, f]));
    for (const path of ['bin/kubectl-atom', 'bin/kubectl_complete-atom', 'dist/kubectl-atom.js'])
      expect((byPath.get(path)?.mode ?? 0) & 0o111, `${path} executable`).not.toBe(0);
    expect([...byPath.keys()]).toEqual(
      expect.arrayContaining(['docs/kubectl-atom.md', 'docs/troubleshooting.md', 'package.json', 'README.md']),
    );
  });

  it('contains nothing test-only', () => {
    const testOnly = files.filter((f) =>
      /(^|\/)(test|tests|__golden__|fixtures|testdata|sandbox|bench)(\/|$)|\.test\.|\.spec\.|vitest|\.tmp$/.test(
        f.path,
      ),
    );
    expect(testOnly).toEqual([]);
    expect(files.every((f) => !f.path.startsWith('src/'))).toBe(true);
  });

  it('runs from the unpacked package, outside the checkout', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kubectl-atom-pack-'));
    const tarball = execFileSync('npm', ['pack', '--pack-destination', dir, '--silent'], {
      cwd: root,
      encoding: 'utf8',
    })
      .trim()
      .split('\n')
      .at(-1) as string;
    execFileSync('tar', ['-xzf', join(dir, tarball), '-C', dir]);
    // The Node of the checkout (24), as a user's own Node would be: the package brings no node_modules.
    const env = { PATH: `${join(root, 'node_modules', '.bin')}:/usr/bin:/bin`, HOME: dir };
    const help = execFileSync(join(dir, 'package', 'bin', 'kubectl-atom'), ['--help'], { env, encoding: 'utf8' });
    expect(help).toContain('kubectl atom COMMAND [args] [flags]');
    const completion = execFileSync(join(dir, 'package', 'bin', 'kubectl_complete-atom'), ['ro'], {
      env,
      encoding: 'utf8',
    });
    expect(completion).toBe('rollout\n:4\n');
    // A reader that is gone before the plugin writes (`| head`): a quiet exit 0, no stack trace.
    const piped = spawnSync(
      'sh',
      ['-c', '(sleep 0.3; "$0" --help) | true', join(dir, 'package', 'bin', 'kubectl-atom')],
      {
        env,
        encoding: 'utf8',
      },
    );
    expect(piped.stderr).toBe('');
    // npm runs the installed package's lifecycle scripts: they must work with the files it ships.
    const shipped = z
      .object({ scripts: z.record(z.string(), z.string()).optional() })
      .parse(JSON.parse(readFileSync(join(dir, 'package', 'package.json'), 'utf8')));
    for (const hook of ['preinstall', 'install', 'postinstall'] as const) {
      const script = shipped.scripts?.[hook];
      if (script) execFileSync('sh', ['-c', script], { cwd: join(dir, 'package'), env, stdio: 'pipe' });
    }
  }, 120_000);
});
