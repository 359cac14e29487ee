// Writes the Atom CRD generated from the zod schemas (src/api) to crds/ and to the
// Helm chart. Idempotent: the same schemas always give the same bytes.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { crdFiles } from '../src/api/crd-yaml.js';

const root = resolve(dirname(new URL(import.meta.url).pathname), '..');
for (const [path, content] of Object.entries(crdFiles())) {
  const target = join(root, path);
  mkdirSync(dirname(target), { recursive: true });
  writeFileSync(target, content);
  console.log(`wrote ${path}`);
}
