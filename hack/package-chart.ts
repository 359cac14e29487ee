// Builds the chart archive a release publishes (`npm run package`, `make package`): helm from
// .tools/bin packages charts/atom-operator with version and appVersion taken from package.json,
// so the chart, the operator and the image tag (which defaults to appVersion) move in step.
// The archive goes to dist-charts/ (git-ignored); test/chart/lint.test.ts lints what this builds.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { z } from 'zod';
import { ensureTools } from './fetch-tools.js';

const root = resolve(dirname(new URL(import.meta.url).pathname), '..');
export const chartPath = join(root, 'charts', 'atom-operator');
export const packageDir = join(root, 'dist-charts');

const packageJson = z.object({ version: z.string().regex(/^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$/) });

/** The version in package.json (SemVer 2, as Helm requires of a chart version). */
export function releaseVersion(): string {
  return packageJson.parse(JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'))).version;
}

/** Packages the chart into `destination` and returns the archive's path; throws with helm's words on failure. */
export function packageChart(destination: string = packageDir): string {
  const version = releaseVersion();
  mkdirSync(destination, { recursive: true });
  const { helm } = ensureTools();
  const r = spawnSync(
    helm,
    ['package', chartPath, '--version', version, '--app-version', version, '--destination', destination],
    { encoding: 'utf8' },
  );
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`helm package failed: ${r.stderr.trim()}`);
  return join(destination, `atom-operator-${version}.tgz`);
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(new URL(import.meta.url).pathname)) {
  try {
    console.log(`packaged ${relative(process.cwd(), packageChart())}`);
  } catch (err) {
    console.error(`package: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  }
}
