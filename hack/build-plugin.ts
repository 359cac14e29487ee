// Bundles the kubectl plugin into one file, dist/kubectl-atom.js, with its dependencies inside:
// the npm package then runs it with any Node from 22 up and installs nothing else for it.
import { renameSync } from 'node:fs';
import { build } from 'esbuild';

const outfile = 'dist/kubectl-atom.js';
// Written beside and renamed: test files build in parallel, and a reader never sees half a file.
const partial = `${outfile}.${process.pid}.tmp`;

await build({
  entryPoints: ['src/kubectl-atom/main.ts'],
  outfile: partial,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node22',
  minify: true,
  // Error classes name themselves from the constructor (new.target.name): keep those names.
  keepNames: true,
  legalComments: 'none',
  // Bundled CommonJS dependencies call require(); ESM output has none unless we make one.
  banner: {
    js: "import { createRequire as __createRequire } from 'node:module';\nconst require = __createRequire(import.meta.url);",
  },
  logLevel: 'warning',
});
renameSync(partial, outfile);
