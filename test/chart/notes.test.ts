// NOTES.txt, printed after `helm install`, tells the user what to do next.
import { describe, expect, it } from 'vitest';
import { chartDir, helmWithValues, scenarios } from './helm.js';

function notes(values: Record<string, unknown>): string {
  const r = helmWithValues(['install', 'ops', chartDir, '--namespace', 'atom-system', '--dry-run=client'], values);
  if (r.status !== 0) throw new Error(r.stderr);
  const start = r.stdout.indexOf('NOTES:');
  expect(start, 'helm printed NOTES').toBeGreaterThanOrEqual(0);
  return r.stdout.slice(start);
}

describe('NOTES.txt', () => {
  it('walks through the registration Secret, a first Atom and watching it', () => {
    const text = notes(scenarios.defaults);
    expect(text).toContain('kubectl create secret tls my-atom-registration --cert=atom.crt --key=atom.key');
    expect(text).toContain('kind: Atom');
    expect(text).toContain('kubectl get atoms -w');
    expect(text).toContain('kubectl wait --for=condition=Ready atom/my-atom');
    // Without a default platform URL, the sample Atom must name one.
    expect(text).toContain('url: https://platform.example.com');
    expect(text).toContain('operator.releasePublicKeys.secretName');
    expect(text).toContain('WITHOUT a signature check');
  });

  it('in namespaced mode, sends the commands to a watched namespace', () => {
    const text = notes(scenarios.namespaced);
    expect(text).toContain('It manages Atoms in: team-a, team-b.');
    expect(text).toContain('kubectl -n team-a create secret tls my-atom-registration');
    expect(text).toContain('kubectl -n team-a get atoms -w');
  });

  it('leaves out what is already configured', () => {
    const text = notes(scenarios.everything);
    expect(text).not.toContain('WITHOUT a signature check');
    expect(text).not.toContain('url: https://platform.example.com');
  });
});
