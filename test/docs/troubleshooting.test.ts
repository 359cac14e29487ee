// docs/troubleshooting.md has an entry (a `### Reason` heading with text under it) for every reason the
// operator can put in a condition or an event, and no entry for a reason that no longer exists.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { certificateReasons } from '../../src/certificates/inspect.js';
import { reasons as controllerReasons } from '../../src/controller/atom/reasons.js';
import { connectivityReasons } from '../../src/health/reasons.js';
import { platformErrorDocs } from '../../src/platform/errors.js';
import { rolloutReasons } from '../../src/rollout/reasons.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const doc = readFileSync(join(root, 'docs/troubleshooting.md'), 'utf8');
const controllerDir = join(root, 'src/controller/atom');

// Quoted CamelCase words on reason/record lines that are not reasons: condition types, statuses,
// event types, the pod step kinds and phases the same lines compare against.
const notReasons = new Set([
  'True',
  'False',
  'Unknown',
  'Normal',
  'Warning',
  'Ready',
  'CertificateValid',
  'NetworkIsolated',
  'Progressing',
  'Degraded',
  'Create',
  'Replace',
  'Keep',
  'Hold',
  'WaitForTermination',
  'DeleteStrays',
  'Waiting',
  'Pending',
  'Failed',
  'Running',
  'Starting',
  'Applied',
  'Disabled',
]);

/** Reasons written as string literals in the controller (events, union types, comparisons). */
function literalReasons(): Set<string> {
  const found = new Set<string>();
  for (const file of readdirSync(controllerDir).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))) {
    // Arguments the formatter wrapped onto their own lines are joined back to the call's line.
    const text = readFileSync(join(controllerDir, file), 'utf8').replace(/([(,?:])\s*\n\s*/g, '$1 ');
    for (const line of text.split('\n')) {
      if (!/reason|record\(/.test(line)) continue;
      for (const [, word] of line.matchAll(/'([A-Z][A-Za-z]+)'/g)) if (word && !notReasons.has(word)) found.add(word);
    }
  }
  return found;
}

const literals = literalReasons();
const everyReason = new Set<string>([
  ...Object.values(controllerReasons),
  ...rolloutReasons,
  ...Object.values(certificateReasons),
  ...Object.keys(platformErrorDocs),
  ...connectivityReasons,
  ...literals,
]);

/** Heading -> the text under it up to the next heading. */
const entries = new Map<string, string>();
for (const section of doc.split(/^### /m).slice(1)) {
  const [heading = '', ...body] = section.split('\n');
  entries.set(heading.trim(), body.join('\n').split(/^##/m)[0]?.trim() ?? '');
}

describe('docs/troubleshooting.md', () => {
  it('the source scan finds the event reasons written as literals (so a broken scan cannot pass silently)', () => {
    for (const known of [
      'PodCreated',
      'StrayPodRemoved',
      'SpecChanged',
      'CertificateRotated',
      'VersionChanged',
      'CertificateExpiresSoon',
    ]) {
      expect(literals).toContain(known);
    }
  });

  it.each([...everyReason].sort())('has an entry for %s', (reason) => {
    expect(
      entries.has(reason),
      `add "### ${reason}" to docs/troubleshooting.md: what it means, what the operator does, what to do`,
    ).toBe(true);
    expect(entries.get(reason)?.length ?? 0).toBeGreaterThan(40);
  });

  it('has no entry for a reason the operator does not have, and none twice', () => {
    const headings = doc
      .split('\n')
      .filter((l) => l.startsWith('### '))
      .map((l) => l.slice(4).trim());
    expect(headings.filter((h) => !everyReason.has(h))).toEqual([]);
    expect(headings.length).toBe(new Set(headings).size);
  });
});
