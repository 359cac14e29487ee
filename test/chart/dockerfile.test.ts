// The image cannot be built here (no Docker engine), so the Dockerfile's promises are
// checked statically: the runtime stage holds the production bundle and nothing else, no
// sandbox or test code can enter the build context, every file the bundle is built from
// can, and the runtime stage is the non-root, read-only-friendly image the chart expects.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { productionBuildOptions } from '../../hack/build.js';
import { repoRoot } from './helm.js';

const dockerfile = readFileSync(join(repoRoot, 'Dockerfile'), 'utf8');
const dockerignore = readFileSync(join(repoRoot, '.dockerignore'), 'utf8');

/** Instructions with continuation lines joined, comments dropped. */
function instructionsOf(text: string): string[] {
  return text
    .split('\n')
    .filter((l) => !l.trim().startsWith('#'))
    .join('\n')
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((l) => l.trim().replace(/\s+/g, ' '))
    .filter((l) => l !== '');
}
const instructions = instructionsOf(dockerfile);

const stages = instructions.reduce<{ name: string; from: string; lines: string[] }[]>((acc, line) => {
  const from = /^FROM\s+(\S+)(?:\s+AS\s+(\S+))?/i.exec(line);
  if (from) acc.push({ name: from[2] ?? `stage${acc.length}`, from: from[1] ?? '', lines: [] });
  else acc[acc.length - 1]?.lines.push(line);
  return acc;
}, []);
const runtime = stages[stages.length - 1];

/** A .dockerignore pattern as a regular expression (`*` within a segment, `**` across them). */
function patternRegExp(pattern: string): RegExp {
  const body = pattern
    .replace(/\/$/, '')
    .split('')
    .map((c, i, all) => {
      if (c === '*' && all[i + 1] === '*') return '';
      if (c === '*' && all[i - 1] === '*') return '.*';
      if (c === '*') return '[^/]*';
      return /[.+?^${}()|[\]\\]/.test(c) ? `\\${c}` : c;
    })
    .join('')
    .replace(/\.\*\//g, '(?:.*/)?');
  return new RegExp(`^${body}(?:/.*)?$`);
}

/** Whether .dockerignore (last matching line wins, "!" re-includes) lets `path` into the build context. */
function inContext(path: string, ignoreFile = dockerignore): boolean {
  let included = true;
  for (const raw of ignoreFile.split('\n').map((l) => l.trim())) {
    if (raw === '' || raw.startsWith('#')) continue;
    const negated = raw.startsWith('!');
    if (patternRegExp(negated ? raw.slice(1) : raw).test(path)) included = negated;
  }
  return included;
}

function filesUnder(dir: string): string[] {
  return readdirSync(join(repoRoot, dir)).flatMap((name) => {
    const path = join(dir, name);
    return statSync(join(repoRoot, path)).isDirectory() ? filesUnder(path) : [path];
  });
}

const contextCopies = instructions
  .filter((l) => /^COPY\s/i.test(l) && !/--from=/.test(l))
  .flatMap((l) =>
    l
      .split(' ')
      .slice(1, -1)
      .filter((a) => !a.startsWith('--')),
  )
  .map((p) => p.replace(/^\.\//, '').replace(/\/$/, ''));

describe('Dockerfile', () => {
  it('builds on Node 24 pinned by digest, with a note on how to bump it', () => {
    const image = /^ARG NODE_IMAGE=(\S+)$/m.exec(dockerfile)?.[1];
    expect(image).toMatch(/^node:24-[a-z-]+@sha256:[0-9a-f]{64}$/);
    expect(dockerfile).toMatch(/To bump it:\n#\s+docker buildx imagetools inspect node:24/);
    expect(stages.map((s) => [s.name, s.from])).toEqual([
      ['build', `\${NODE_IMAGE}`],
      ['runtime', `\${NODE_IMAGE}`],
    ]);
    const simulator = readFileSync(join(repoRoot, 'hack/e2e/platform-simulator.Dockerfile'), 'utf8');
    expect(/^ARG NODE_IMAGE=(\S+)$/m.exec(simulator)?.[1], 'the e2e simulator image uses the same base').toBe(image);
  });

  it('bundles with npm run build, passing VERSION and COMMIT into the bundle', () => {
    const build = stages[0]?.lines ?? [];
    expect(build).toContain('ARG VERSION=');
    expect(build).toContain('ARG COMMIT=unknown');
    expect(build).toContain(`RUN VERSION="\${VERSION}" COMMIT="\${COMMIT}" npm run build`);
    const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { scripts: { build: string } };
    expect(pkg.scripts.build).toBe('tsx hack/build.ts');
    expect(readFileSync(join(repoRoot, 'hack/build.ts'), 'utf8')).toMatch(/env\.VERSION \|\| pkg\.version/);
  });

  it('puts only the production bundle into the runtime stage: no node_modules, sources or tests', () => {
    const copies = runtime?.lines.filter((l) => /^(COPY|ADD)\b/i.test(l)) ?? [];
    expect(copies).toEqual([
      'COPY --from=build /src/dist/main.js /src/dist/main.js.map /src/dist/package.json ./dist/',
    ]);
    expect(runtime?.lines).toContain('ENTRYPOINT ["node", "--enable-source-maps", "dist/main.js"]');
  });

  it('leaves NODE_OPTIONS (the heap limit) to the chart', () => {
    expect(dockerfile).not.toMatch(/^\s*ENV\s+.*NODE_OPTIONS/m);
    expect(instructions.filter((l) => /max-old-space-size|NODE_OPTIONS/.test(l))).toEqual([]);
  });

  it('runs as the numeric non-root user the chart sets, with no npm in the final image', () => {
    expect(runtime?.lines).toContain('USER 65532:65532');
    expect(runtime?.lines.some((l) => l.startsWith('RUN rm -rf /usr/local/lib/node_modules/npm'))).toBe(true);
    // Nothing may run after USER that writes into the image; the root file system is read-only at run time.
    const afterUser = runtime?.lines.slice(runtime.lines.indexOf('USER 65532:65532') + 1) ?? [];
    expect(afterUser.filter((l) => /^(RUN|COPY|ADD)\b/i.test(l))).toEqual([]);
  });

  it('carries OCI labels with the version and commit', () => {
    for (const label of ['title', 'description', 'version', 'revision', 'licenses']) {
      expect(dockerfile).toContain(`org.opencontainers.image.${label}=`);
    }
    expect(dockerfile).toContain(`org.opencontainers.image.revision="\${COMMIT}"`);
  });
});

describe('the build context (.dockerignore)', () => {
  it('lets in every file the Dockerfile copies', () => {
    expect(contextCopies.length).toBeGreaterThan(0);
    for (const source of contextCopies) {
      expect(statSync(join(repoRoot, source), { throwIfNoEntry: false }), `${source} exists`).toBeDefined();
      expect(inContext(source), `${source} is in the build context`).toBe(true);
    }
  });

  it('keeps out the sandbox, the simulator, the demo, tests, golden files and local state', () => {
    const leaked = filesUnder('src').filter(
      (file) =>
        inContext(file) &&
        (/^src\/(sandbox|demo)\//.test(file) || /\.test\.ts$/.test(file) || file.includes('__golden__')),
    );
    expect(leaked).toEqual([]);
    for (const excluded of ['node_modules', 'dist', '.tools', '.git', 'test', 'bench', 'charts', 'hack/e2e-kind.sh'])
      expect(inContext(excluded), excluded).toBe(false);
  });

  it('lets in every source file the production bundle is built from', async () => {
    const result = await build({
      ...productionBuildOptions({ version: 'test', commit: 'test' }, join(repoRoot, 'dist-test')),
      write: false,
    });
    const sources = Object.keys(result.metafile.inputs).filter((i) => !i.startsWith('node_modules/'));
    expect(sources.length).toBeGreaterThan(50);
    expect(sources.filter((s) => !inContext(s))).toEqual([]);
    // The build script itself and what it imports.
    expect(inContext(relative(repoRoot, join(repoRoot, 'hack/build.ts')))).toBe(true);
    expect(inContext('hack/source-map.ts')).toBe(true);
  }, 60_000);

  it('matches patterns as Docker does: * within a path segment, ** across them', () => {
    const ignore = '*\n!src/\nsrc/**/*.test.ts\nsrc/sandbox/\n';
    expect(inContext('src/kube/client.ts', ignore)).toBe(true);
    expect(inContext('src/kube/client.test.ts', ignore)).toBe(false);
    expect(inContext('src/a/b/c.test.ts', ignore)).toBe(false);
    expect(inContext('src/sandbox/index.ts', ignore)).toBe(false);
    expect(inContext('README.md', ignore)).toBe(false);
  });
});
