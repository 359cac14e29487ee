// hack/e2e-kind.sh needs Docker to pass, but its refusals can be checked anywhere: with
// stand-in `docker` and `kind` commands it must stop early, say why, and create nothing.
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { repoRoot } from './helm.js';

const script = join(repoRoot, 'hack', 'e2e-kind.sh');
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A PATH with stand-ins that log their arguments; `kind version` prints `kindVersion`. */
function fakeTools(kindVersion: string): { path: string; calls: () => string[] } {
  const dir = mkdtempSync(join(tmpdir(), 'atom-e2e-tools-'));
  dirs.push(dir);
  const log = join(dir, 'calls.log');
  writeFileSync(log, '');
  const stub = (name: string, body: string) => {
    writeFileSync(join(dir, name), `#!/usr/bin/env bash\necho "${name} $*" >>"${log}"\n${body}\n`);
    chmodSync(join(dir, name), 0o755);
  };
  stub('docker', 'exit 0');
  stub('kind', `if [[ "$1" == version ]]; then echo "${kindVersion}"; fi; exit 0`);
  return {
    path: `${dir}:${process.env.PATH ?? ''}`,
    calls: () => readFileSync(log, 'utf8').split('\n').filter(Boolean),
  };
}

function run(env: Record<string, string>): { status: number | null; stderr: string } {
  const r = spawnSync('bash', [script], { encoding: 'utf8', env: { ...process.env, ...env }, timeout: 30_000 });
  return { status: r.status, stderr: r.stderr };
}

describe('hack/e2e-kind.sh', () => {
  it('refuses a kind older than 0.24, whose CNI would not enforce NetworkPolicy', () => {
    const tools = fakeTools('kind v0.23.0 go1.22 linux/amd64');
    const r = run({ PATH: tools.path });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('kind >= 0.24 is needed for NetworkPolicy enforcement');
    expect(tools.calls().some((c) => c.startsWith('kind create'))).toBe(false);
  });

  it('refuses a TIMEOUT it cannot count down', () => {
    const tools = fakeTools('kind v0.29.0 go1.24 linux/amd64');
    const r = run({ PATH: tools.path, TIMEOUT: '5m' });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('TIMEOUT must be whole seconds');
    // Only the exit trap's look for a cluster to clean up: nothing was built or created.
    expect(tools.calls()).toEqual(['kind get clusters']);
  });

  it('names a missing prerequisite', () => {
    const tools = fakeTools('kind v0.29.0');
    rmSync(join(tools.path.split(':')[0] ?? '', 'docker'));
    const r = run({ PATH: `${tools.path.split(':')[0]}:/usr/bin:/bin` });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('docker is required on PATH');
  });
});
