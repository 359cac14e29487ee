// `npm run build`: the production operator as one esbuild bundle, dist/main.js
// (+ a source map of our own code, + dist/meta.json listing every input). Everything the entry
// imports is inside it, dependencies included, so the image needs no node_modules.
// Version and commit are written in with `define` (see src/config/build-info.ts):
// VERSION and COMMIT from the environment (the Dockerfile's build args), else
// package.json's version and `git rev-parse`.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type BuildOptions, build, type Metafile, type Plugin } from 'esbuild';
import { keepSources, type SourceMapV3 } from './source-map.js';

export const repoRoot = new URL('..', import.meta.url).pathname;
export const PRODUCTION_ENTRY = 'src/main.ts';

export interface BuildStamp {
  readonly version: string;
  readonly commit: string;
}

function gitCommit(): string | undefined {
  try {
    return execFileSync('git', ['rev-parse', '--short=12', 'HEAD'], {
      cwd: repoRoot,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
  } catch {
    return undefined;
  }
}

/** The stamp for this build: explicit VERSION / COMMIT win (the image build passes them). */
export function buildStamp(env: Readonly<Record<string, string | undefined>> = process.env): BuildStamp {
  const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string };
  return {
    version: env.VERSION || pkg.version,
    commit: env.COMMIT || gitCommit() || 'unknown',
  };
}

/**
 * Writes non-ASCII characters of our sources as \\u escapes. esbuild escapes them in strings but not in
 * regular expressions (the duration parsers' "µs"), and one such character makes V8 keep the whole
 * bundle's text at two bytes a character. Escapes mean the same in strings, regular expressions and
 * identifiers; only the columns of those few lines shift in the source map.
 */
const asciiSources: Plugin = {
  name: 'ascii-sources',
  setup(b) {
    b.onLoad({ filter: /\/src\/.*\.ts$/ }, (args) => ({
      contents: readFileSync(args.path, 'utf8').replace(
        /[\u0080-\uffff]/g,
        (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
      ),
      loader: 'ts',
    }));
  },
};

/** One bundle for Node 24: ESM, every dependency inside, source map without sources (the image has none to show). */
export function productionBuildOptions(
  stamp: BuildStamp,
  outdir: string = join(repoRoot, 'dist'),
): BuildOptions & { metafile: true } {
  return {
    absWorkingDir: repoRoot,
    entryPoints: [PRODUCTION_ENTRY],
    outfile: join(outdir, 'main.js'),
    bundle: true,
    platform: 'node',
    target: 'node24',
    format: 'esm',
    sourcemap: true,
    sourcesContent: false,
    // Whitespace and comments out, names kept: V8 holds the whole source text in memory (as two bytes
    // a character once a comment has an em dash), and stack frames keep their function names.
    minifyWhitespace: true,
    minifySyntax: true,
    metafile: true,
    logLevel: 'warning',
    // Bundled CommonJS dependencies (undici, pino, prom-client) call require() for Node built-ins;
    // an ES module has no require of its own.
    plugins: [asciiSources],
    banner: {
      js: "import { createRequire as __atomCreateRequire } from 'node:module'; const require = __atomCreateRequire(import.meta.url);",
    },
    define: {
      __ATOM_OPERATOR_VERSION__: JSON.stringify(stamp.version),
      __ATOM_OPERATOR_COMMIT__: JSON.stringify(stamp.commit),
    },
  };
}

/** Builds into `outdir` (dist/ by default; tests build elsewhere) and returns esbuild's metafile. */
export async function buildProduction(
  stamp: BuildStamp = buildStamp(),
  outdir: string = join(repoRoot, 'dist'),
): Promise<Metafile> {
  rmSync(outdir, { recursive: true, force: true });
  mkdirSync(outdir, { recursive: true });
  const result = await build(productionBuildOptions(stamp, outdir));
  writeFileSync(join(outdir, 'meta.json'), `${JSON.stringify(result.metafile)}\n`);
  // dist/ is a package of its own: Node reads main.js as an ES module without the repository's package.json.
  writeFileSync(join(outdir, 'package.json'), `${JSON.stringify({ type: 'module' })}\n`);
  // Only our own code keeps its mappings: Node parses the whole map at start (see hack/source-map.ts).
  const mapPath = join(outdir, 'main.js.map');
  const map = JSON.parse(readFileSync(mapPath, 'utf8')) as SourceMapV3;
  writeFileSync(mapPath, JSON.stringify(keepSources(map, (source) => !source.includes('node_modules/'))));
  return result.metafile;
}

const isMain = process.argv[1] !== undefined && new URL(import.meta.url).pathname === process.argv[1];
if (isMain) {
  const stamp = buildStamp();
  await buildProduction(stamp).then(
    () => process.stderr.write(`built dist/main.js (version ${stamp.version}, commit ${stamp.commit})\n`),
    (err: unknown) => {
      process.stderr.write(`build: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exit(1);
    },
  );
}
