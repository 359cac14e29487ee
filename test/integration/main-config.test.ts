// Files the configuration names are checked at start: a bad one is a configuration
// error (exit 2, one readable line), never a crash later.
import { execFile } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = new URL('../../', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'atom-config-'));

function runMain(args: string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      join(root, 'node_modules/.bin/tsx'),
      [join(root, 'src/main.ts'), `--kubeconfig=${join(dir, 'missing')}`, ...args],
      { env: { ...process.env, HOME: dir } },
      (err, _out, stderr) => {
        resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stderr });
      },
    );
  });
}

describe('files named by the configuration', () => {
  it.each([
    [
      'a release key that is not ed25519',
      () => {
        const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 })
          .publicKey.export({ type: 'spki', format: 'pem' })
          .toString();
        writeFileSync(join(dir, 'rsa.pem'), rsa);
        return [`--platform-release-public-keys-file=${join(dir, 'rsa.pem')}`];
      },
      '--platform-release-public-keys-file',
    ],
    [
      'a key file without a public key',
      () => {
        writeFileSync(join(dir, 'empty.pem'), 'nothing here');
        return [`--platform-release-public-keys-file=${join(dir, 'empty.pem')}`];
      },
      'holds no PEM public key',
    ],
    [
      'an agent profile with a wrong field',
      () => {
        writeFileSync(join(dir, 'profile.yaml'), 'runAsUser: 0\n');
        return [`--atoms-agent-profile-file=${join(dir, 'profile.yaml')}`];
      },
      'runAsUser',
    ],
  ])(
    '%s: exit 2 and one line saying which',
    async (_name, args, words) => {
      const { code, stderr } = await runMain(args());
      expect(code).toBe(2);
      const lines = stderr.trim().split('\n');
      expect(lines).toHaveLength(1);
      // Named by the flag a user sets, never by a field of the configuration object.
      expect(lines[0]).toMatch(/^atom-operator: invalid configuration: --[a-z-]+[: ]/);
      expect(lines[0]).toContain(words);
    },
    30_000,
  );
});
