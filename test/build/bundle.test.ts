// The production bundle (npm run build) holds the operator and what it uses,
// nothing else: no sandbox, simulator, demo, test code or fixtures, no package
// only development tools need; package.json's dependencies are exactly what the
// bundle imports; its source map keeps our code and only our code.
import { readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { join } from 'node:path';
import { build, type Metafile } from 'esbuild';
import { beforeAll, describe, expect, it } from 'vitest';
import { productionBuildOptions, repoRoot } from '../../hack/build.js';
import { keepSources, type SourceMapV3 } from '../../hack/source-map.js';

const stamp = { version: '0.0.0-test', commit: 'test' };
let meta: Metafile;
let code: string;
let fullMap: SourceMapV3;

const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as {
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};
const lock = JSON.parse(readFileSync(join(repoRoot, 'package-lock.json'), 'utf8')) as {
  packages: Record<string, { dev?: boolean; devOptional?: boolean }>;
};

/** "node_modules/a/node_modules/@s/b/lib/x.js" -> "node_modules/a/node_modules/@s/b" (the lock's key). */
function packageDir(input: string): string | undefined {
  const match = /^(?:node_modules\/(?:@[^/]+\/)?[^/]+\/)*node_modules\/(?:@[^/]+\/)?[^/]+/.exec(input);
  return match?.[0];
}
const packageName = (dir: string) => dir.slice(dir.lastIndexOf('node_modules/') + 'node_modules/'.length);

beforeAll(async () => {
  const result = await build({ ...productionBuildOptions(stamp, join(repoRoot, 'dist-test')), write: false });
  meta = result.metafile;
  code = result.outputFiles.find((f) => f.path.endsWith('main.js'))?.text ?? '';
  fullMap = JSON.parse(result.outputFiles.find((f) => f.path.endsWith('main.js.map'))?.text ?? '{}') as SourceMapV3;
}, 60_000);

describe('the production bundle', () => {
  it('has inputs from src/ and production packages only: no sandbox, demo, test code or fixtures', () => {
    const inputs = Object.keys(meta.inputs);
    expect(inputs).toContain('src/main.ts');
    expect(inputs).toContain('src/operator.ts');
    const devCode = inputs.filter(
      (input) =>
        /^(src\/sandbox|src\/demo|test|bench|hack)\//.test(input) ||
        /(^|\/)testdata\//.test(input) ||
        /\.test\.ts$/.test(input),
    );
    expect(devCode).toEqual([]);
    expect(inputs.filter((i) => !i.startsWith('src/') && !i.startsWith('node_modules/'))).toEqual([]);
  });

  it('loads no package that `npm ci --omit=dev` leaves out (development-only packages)', () => {
    const devOnly = [...new Set(Object.keys(meta.inputs).map(packageDir))]
      .filter((dir): dir is string => dir !== undefined)
      .filter((dir) => lock.packages[dir] === undefined || lock.packages[dir]?.dev === true);
    expect(devOnly).toEqual([]);
  });

  it("imports exactly package.json's dependencies from our code, and every one of them", () => {
    const imported = new Set<string>();
    for (const [input, { imports }] of Object.entries(meta.inputs)) {
      if (!input.startsWith('src/')) continue;
      for (const { path } of imports) {
        const dir = packageDir(path);
        if (dir) imported.add(packageName(dir));
      }
    }
    expect([...imported].sort()).toEqual(Object.keys(pkg.dependencies).sort());
  });

  it('leaves the packages only development tools use in devDependencies', () => {
    for (const name of ['@kubernetes/client-node', '@peculiar/x509', 'reflect-metadata', 'esbuild']) {
      expect(pkg.dependencies[name], name).toBeUndefined();
      expect(pkg.devDependencies[name], name).toBeDefined();
      expect(lock.packages[`node_modules/${name}`]?.dev, `${name} is dev-only in the lockfile`).toBe(true);
    }
  });

  it('carries the version and commit given at build time', () => {
    expect(code).toContain('"0.0.0-test"');
    expect(code).not.toContain('__ATOM_OPERATOR_VERSION__');
  });
});

describe('the trimmed source map', () => {
  it('maps our code exactly as the full map does, and nothing of the dependencies', () => {
    const trimmed = keepSources(fullMap, (source) => !source.includes('node_modules/'));
    expect(trimmed.sources.length).toBeGreaterThan(50);
    expect(trimmed.sources.filter((s) => !s.startsWith('../src/'))).toEqual([]);
    const full = new SourceMap(fullMap as never);
    const mine = new SourceMap(trimmed as never);
    const lines = code.split('\n');
    let ours = 0;
    const wrong: string[] = [];
    // The bundle is minified into a few long lines: probe every 11th column of each.
    for (let line = 0; line < lines.length; line++) {
      for (let column = 0; column < (lines[line]?.length ?? 0); column += 11) {
        const expected = full.findEntry(line, column) as Record<string, unknown>;
        const actual = mine.findEntry(line, column) as Record<string, unknown>;
        const where = `${line}:${column}`;
        if (String(expected.originalSource).startsWith('../src/')) {
          ours++;
          if (JSON.stringify(actual) !== JSON.stringify(expected)) wrong.push(`${where} ${JSON.stringify(actual)}`);
        } else if (actual.originalSource !== undefined) wrong.push(`${where} blames ${String(actual.originalSource)}`);
      }
    }
    expect(wrong.slice(0, 5)).toEqual([]);
    expect(ours).toBeGreaterThan(10_000);
  });
});
