// The production entry, what the image runs (bundled by `npm run build` into
// dist/main.js). It refuses a Node.js that is too old before any dependency
// loads (ESM hoists static imports, so the operator is imported dynamically after
// the check), then runs the operator. Without a cluster it exits 2 with one line
// saying how to name one: the no-cluster demo is `make run` (src/demo/start.ts).
import { nodeVersionProblem } from './util/node-version.js';

const problem = nodeVersionProblem(process.versions.node);
if (problem) {
  process.stderr.write(`${problem}\n`);
  process.exit(2);
}

const { runOperatorMain } = await import('./operator-main.js');
await runOperatorMain({ argv: process.argv.slice(2), env: process.env }).catch((err: unknown) => {
  process.stderr.write(`atom-operator: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
