// The README's "Install in a cluster" commands, as a new user copies them: the helm install
// renders with the real helm, runs the image the user built and pushed (not the chart's
// placeholder, which no registry serves: ImagePullBackOff) and points the operator at a platform;
// the docker tag is the one the chart deploys; and docs/install.md sets the same values.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadAll } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { helm, repoRoot } from '../chart/helm.js';

const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
const installGuide = readFileSync(join(repoRoot, 'docs/install.md'), 'utf8');

/** The shell commands of the first ```sh block under `heading`, continuation lines joined. */
function commandsUnder(doc: string, heading: string): string[] {
  const section = doc.split(`\n## ${heading}\n`)[1]?.split(/\n## /)[0] ?? '';
  const block = /```sh\n([\s\S]*?)```/.exec(section)?.[1] ?? '';
  return block
    .replace(/\\\n\s*/g, ' ')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
}

/** `--set key=value` pairs of a command line. */
function setValues(command: string): Record<string, string> {
  return Object.fromEntries([...command.matchAll(/--set (\S+?)=(\S+)/g)].map((m) => [m[1] ?? '', m[2] ?? '']));
}

const commands = commandsUnder(readme, 'Install in a cluster');
const helmInstall = commands.find((c) => c.startsWith('helm install')) ?? '';

interface Rendered {
  kind: string;
  spec?: { template?: { spec?: { containers?: { image: string; env?: { name: string; value?: string }[] }[] } } };
}

describe("the README's install commands", () => {
  it('install the chart with an image repository and a platform URL, as docs/install.md does', () => {
    expect(helmInstall).not.toBe('');
    const values = setValues(helmInstall);
    expect(Object.keys(values)).toEqual(expect.arrayContaining(['image.repository', 'operator.platformUrl']));
    const guide = setValues(
      commandsUnder(installGuide, '1. Install the operator').find((c) => c.startsWith('helm install')) ?? '',
    );
    expect(Object.keys(guide)).toEqual(expect.arrayContaining(['image.repository', 'operator.platformUrl']));
  });

  it('render with the real helm into an operator that runs the pushed image and knows its platform', () => {
    const args = helmInstall
      .split(/\s+/)
      .slice(2)
      .filter((a) => a !== '--create-namespace');
    const chartPath = args[1] ?? '';
    const r = helm(['template', args[0] ?? '', join(repoRoot, chartPath), ...args.slice(2)]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const deployment = (loadAll(r.stdout) as Rendered[]).find((d) => d?.kind === 'Deployment');
    const container = deployment?.spec?.template?.spec?.containers?.[0];
    const values = setValues(helmInstall);
    // The tag the README builds and pushes is the one the chart deploys (its appVersion).
    const built = /docker build -t (\S+)/.exec(commands.join('\n'))?.[1];
    expect(container?.image).toBe(built);
    expect(container?.image.startsWith(`${values['image.repository']}:`)).toBe(true);
    expect(container?.env).toContainEqual({
      name: 'ATOM_OPERATOR_PLATFORM_URL',
      value: values['operator.platformUrl'],
    });
  });

  it('create the registration Secret the applied example refers to', () => {
    const example = readFileSync(
      join(repoRoot, /kubectl apply -f (\S+)/.exec(commands.join('\n'))?.[1] ?? 'missing'),
      'utf8',
    );
    const secret = /kubectl create secret tls (\S+)/.exec(commands.join('\n'))?.[1];
    expect(example).toContain(`name: ${secret}`);
  });
});
