// The image cannot be built here (no Docker engine), so the Dockerfile's promises are
// checked statically: what it copies is in the build context, and the runtime stage is the
// non-root, read-only-friendly image the chart expects.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { repoRoot } from './helm.js';

const dockerfile = readFileSync(join(repoRoot, 'Dockerfile'), 'utf8');
const dockerignore = readFileSync(join(repoRoot, '.dockerignore'), 'utf8');

/** Instructions with continuation lines joined, comments dropped. */
const instructions = dockerfile
  .replace(/\\\n/g, ' ')
  .split('\n')
  .map((l) => l.trim())
  .filter((l) => l !== '' && !l.startsWith('#'));

const stages = instructions.reduce<{ name: string; lines: string[] }[]>((acc, line) => {
  const from = /^FROM\s+\S+(?:\s+AS\s+(\S+))?/i.exec(line);
  if (from) acc.push({ name: from[1] ?? `stage${acc.length}`, lines: [] });
  else acc[acc.length - 1]?.lines.push(line);
  return acc;
}, []);
const runtime = stages[stages.length - 1];

/** Whether .dockerignore (an allow-list: "*" then "!path") lets `path` into the build context. */
function inContext(path: string): boolean {
  let included = true;
  for (const raw of dockerignore.split('\n').map((l) => l.trim())) {
    if (raw === '' || raw.startsWith('#')) continue;
    const negated = raw.startsWith('!');
    const pattern = (negated ? raw.slice(1) : raw).replace(/\/$/, '');
    const matches = pattern === '*' || path === pattern || path.startsWith(`${pattern}/`);
    if (matches) included = negated;
  }
  return included;
}

describe('Dockerfile', () => {
  it('builds on Node 24 in stages and runs the compiled operator from the last one', () => {
    expect(dockerfile).toMatch(/^ARG NODE_IMAGE=node:24-/m);
    expect(stages.map((s) => s.name)).toEqual(['build', 'deps', 'runtime']);
    expect(stages[0]?.lines).toContain('RUN npm run build');
    expect(stages[1]?.lines.some((l) => /npm ci --omit=dev/.test(l))).toBe(true);
    expect(runtime?.lines).toContain('ENTRYPOINT ["node", "dist/main.js"]');
    expect(existsSync(join(repoRoot, 'src', 'main.ts')), 'dist/main.js is compiled from src/main.ts').toBe(true);
    const build = z
      .object({ compilerOptions: z.object({ outDir: z.literal('dist'), rootDir: z.literal('src') }) })
      .safeParse(JSON.parse(readFileSync(join(repoRoot, 'tsconfig.build.json'), 'utf8')));
    expect(build.success).toBe(true);
  });

  it('runs as the numeric non-root user the chart sets, with no npm in the final image', () => {
    expect(runtime?.lines).toContain('USER 65532:65532');
    expect(runtime?.lines.some((l) => l.startsWith('RUN rm -rf /usr/local/lib/node_modules/npm'))).toBe(true);
    // Nothing may run after USER that writes into the image; the root file system is read-only at run time.
    const afterUser = runtime?.lines.slice(runtime.lines.indexOf('USER 65532:65532') + 1) ?? [];
    expect(afterUser.filter((l) => /^(RUN|COPY|ADD)\b/i.test(l))).toEqual([]);
  });

  it('carries OCI labels', () => {
    for (const label of ['title', 'description', 'version', 'revision', 'licenses']) {
      expect(dockerfile).toContain(`org.opencontainers.image.${label}=`);
    }
  });

  it('copies from the build context only files .dockerignore lets in, and that exist', () => {
    const sources = instructions
      .filter((l) => /^COPY\s/i.test(l) && !/--from=/.test(l))
      .flatMap((l) =>
        l
          .split(/\s+/)
          .slice(1, -1)
          .filter((a) => !a.startsWith('--')),
      )
      .map((p) => p.replace(/^\.\//, '').replace(/\/$/, ''));
    expect(sources.length).toBeGreaterThan(0);
    for (const source of sources) {
      expect(existsSync(join(repoRoot, source)), `${source} exists`).toBe(true);
      expect(inContext(source), `${source} is in the build context`).toBe(true);
    }
    // Secrets, local tools and build output never go into the context.
    for (const excluded of ['node_modules', 'dist', '.tools', '.git', 'test', 'charts'])
      expect(inContext(excluded), excluded).toBe(false);
  });
});
