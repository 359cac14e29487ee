// Every chart value the docs tell a person to set (`--set key=...`, "chart value `key`") exists in
// charts/atom-operator/values.yaml, so a renamed value cannot leave a command that helm refuses.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { load } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../chart/helm.js';

const values = load(readFileSync(join(repoRoot, 'charts/atom-operator/values.yaml'), 'utf8'));
const docs = ['README.md', ...readdirSync(join(repoRoot, 'docs')).map((f) => `docs/${f}`)].filter((f) =>
  f.endsWith('.md'),
);

/** Whether `path` (dots, optional `[i]` indexes) names a key of the chart's values. */
function isValue(path: string): boolean {
  let node: unknown = values;
  for (const key of path.replace(/\[\d+\]/g, '').split('.')) {
    if (typeof node !== 'object' || node === null || !(key in node)) return false;
    node = (node as Record<string, unknown>)[key];
  }
  return true;
}

describe('chart values named in the docs', () => {
  it.each(docs)('%s names only values the chart has', (file) => {
    const text = readFileSync(join(repoRoot, file), 'utf8');
    const named = [
      ...[...text.matchAll(/--set(?:-string|-json|-file)? ([^=\s]+)=/g)].map((m) => m[1] ?? ''),
      ...[...text.matchAll(/chart value `([^`]+)`/g)].map((m) => m[1] ?? ''),
    ];
    expect(named.filter((path) => !isValue(path))).toEqual([]);
  });
});
