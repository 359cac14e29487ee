// `helm lint`, plain and --strict, passes for every values scenario we support; the chart
// packages cleanly and renders for the oldest Kubernetes it declares.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { load } from 'js-yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { packageChart, releaseVersion } from '../../hack/package-chart.js';
import {
  chartDir,
  everyKnobValuesPath,
  helm,
  helmWithValues,
  openshiftValuesPath,
  repoRoot,
  scenarioList,
  scenarios,
} from './helm.js';

describe.each(scenarioList)('helm lint with %s values', (_name, values) => {
  it.each([[[]], [['--strict']]])('passes with flags %j', (flags: string[]) => {
    const r = helmWithValues(['lint', chartDir, ...flags], values);
    expect(r.stdout + r.stderr).toContain('1 chart(s) linted, 0 chart(s) failed');
    expect(r.stdout).not.toMatch(/\[(WARNING|ERROR)\]/);
    expect(r.status).toBe(0);
  });
});

it('helm lint --strict fails on a misspelled value', () => {
  const r = helmWithValues(['lint', chartDir, '--strict'], { replicaCont: 3 });
  expect(r.status).not.toBe(0);
  expect(r.stdout + r.stderr).toMatch(/replicaCont/);
});

it('helm package produces a chart with the CRD, the schema and the generated RBAC, and nothing else from the repository', () => {
  const dir = mkdtempSync(join(tmpdir(), 'atom-package-'));
  try {
    const r = helm(['package', chartDir, '--destination', dir]);
    expect(r.status, r.stderr).toBe(0);
    const listing = execFileSync('tar', ['-tzf', join(dir, 'atom-operator-0.1.0.tgz')], { encoding: 'utf8' })
      .split('\n')
      .filter(Boolean)
      .sort();
    expect(listing).toEqual(
      expect.arrayContaining([
        'atom-operator/Chart.yaml',
        'atom-operator/values.yaml',
        'atom-operator/values.schema.json',
        'atom-operator/files/crds/atoms.atomoperator.io.yaml',
        'atom-operator/templates/_rbac-rules.tpl',
        'atom-operator/templates/NOTES.txt',
        'atom-operator/README.md',
        'atom-operator/dashboards/atom-operator.json',
        'atom-operator/examples/openshift-values.yaml',
      ]),
    );
    expect(listing.every((f) => f.startsWith('atom-operator/'))).toBe(true);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

it('renders for the oldest Kubernetes the chart supports', () => {
  const r = helmWithValues(['template', 'ops', chartDir, '--kube-version', '1.27.0'], scenarios.everything);
  expect(r.status, r.stderr).toBe(0);
  const tooOld = helmWithValues(['template', 'ops', chartDir, '--kube-version', '1.26.0'], {});
  expect(tooOld.status).not.toBe(0);
  expect(tooOld.stderr).toMatch(/kubeVersion/i);
});

describe('the chart archive `npm run package` builds', () => {
  const dir = mkdtempSync(join(tmpdir(), 'atom-release-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const archive = packageChart(dir);

  it('carries the version of package.json as chart version and appVersion, as Chart.yaml in the repository does', () => {
    const version = releaseVersion();
    expect(archive).toBe(join(dir, `atom-operator-${version}.tgz`));
    const shown = helm(['show', 'chart', archive]);
    expect(shown.status, shown.stderr).toBe(0);
    expect(load(shown.stdout)).toMatchObject({ name: 'atom-operator', version, appVersion: version });
    expect(load(readFileSync(join(chartDir, 'Chart.yaml'), 'utf8'))).toMatchObject({ version, appVersion: version });
  });

  it.each([
    ['the defaults', []],
    ['the OpenShift example', ['-f', join(repoRoot, openshiftValuesPath)]],
    ['every new knob', ['-f', join(repoRoot, everyKnobValuesPath)]],
  ])('passes helm lint --strict and helm template with %s', (_what, flags: string[]) => {
    const lint = helm(['lint', archive, '--strict', ...flags]);
    expect(lint.stdout + lint.stderr).toContain('1 chart(s) linted, 0 chart(s) failed');
    expect(lint.stdout).not.toMatch(/\[(WARNING|ERROR)\]/);
    const template = helm(['template', 'ops', archive, ...flags]);
    expect(template.status, template.stderr).toBe(0);
    expect(template.stdout).toContain(`image: "atom-operator:${releaseVersion()}"`);
  });
});
