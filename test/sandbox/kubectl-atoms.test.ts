// `kubectl get atoms` as a user sees it, with the real kubectl against the sandbox and the
// generated CRD: Ready at a glance; the Ready message only with -o wide, as cert-manager does.
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureTools } from '../../hack/fetch-tools.js';
import { kubectl as run, useSandbox, waitFor } from './helpers.js';

const sandbox = useSandbox();
const kubectl = (args: string[]) => run(sandbox(), args);

const readyStatus = (status: 'True' | 'False', reason: string, message: string) =>
  JSON.stringify({
    status: {
      phase: status === 'True' ? 'Running' : 'Pending',
      currentVersion: '5.1.0',
      conditions: [
        { type: 'Ready', status, reason, message, lastTransitionTime: '2026-11-30T00:00:00Z', observedGeneration: 1 },
      ],
    },
  });

beforeAll(async () => {
  ensureTools();
  expect((await kubectl(['apply', '-f', join(process.cwd(), 'crds', 'atoms.atomoperator.io.yaml')])).code).toBe(0);
  await waitFor(async () => (await kubectl(['get', 'atoms'])).code === 0 || undefined, 'atoms served');
  expect((await kubectl(['apply', '-f', join(process.cwd(), 'examples', 'minimal', 'atom.yaml')])).code).toBe(0);
  const patched = await kubectl([
    'patch',
    'atom',
    'atom-sample',
    '--subresource=status',
    '--type=merge',
    '-p',
    readyStatus('False', 'CertificateNotFound', 'Secret atom-sample-registration not found.'),
  ]);
  expect(patched.stderr).toBe('');
}, 60_000);

describe('kubectl get atoms', () => {
  it('shows Ready among the default columns and leaves the message to -o wide', async () => {
    const out = await kubectl(['get', 'atoms']);
    const [header, row] = out.stdout.trim().split('\n');
    expect(header).toMatch(/^NAME\s+READY\s+PHASE\s+VERSION\s+ADVERTISED\s+CERT-EXPIRY\s+AGE$/);
    expect(row).toMatch(/^atom-sample\s+False\s+Pending\s+5\.1\.0\s+\s+\d+s$/);
    expect(out.stdout).not.toContain('not found');
  });

  it('adds the Ready message with -o wide', async () => {
    const out = await kubectl(['get', 'atoms', '-o', 'wide']);
    const [header, row] = out.stdout.trim().split('\n');
    expect(header).toMatch(/^NAME\s+READY\s+PHASE\s+VERSION\s+ADVERTISED\s+CERT-EXPIRY\s+STATUS\s+AGE$/);
    expect(row).toMatch(
      /^atom-sample\s+False\s+Pending\s+5\.1\.0\s+.*Secret atom-sample-registration not found\.\s+\d+s$/,
    );
  });
});
