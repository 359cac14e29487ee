// docs/troubleshooting.md has an entry (a `### Reason` heading with text under it) for every reason the
// operator can put in a condition or an event, and no entry for a reason that no longer exists.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { certificateReasons } from '../../src/certificates/inspect.js';
import { reasons as controllerReasons } from '../../src/api/reasons.js';
import { advertisementRejectionReasons, platformErrorDocs } from '../../src/platform/errors.js';
import { connectivityReasons } from '../../src/health/reasons.js';
import { rolloutReasons } from '../../src/rollout/reasons.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const doc = readFileSync(join(root, 'docs/troubleshooting.md'), 'utf8');
const decisionDirs = ['src/controller/atom', 'src/rollout', 'src/resources'];

/**
 * Lines of the decision code that write a reason as a string literal (`reason: 'Foo'`): every reason
 * is a constant, named and documented once (src/api/reasons.ts, src/rollout/reasons.ts,
 * src/certificates, src/platform/errors.ts), so this must find none.
 */
function literalReasonLines(): string[] {
  const found: string[] = [];
  for (const dir of decisionDirs) {
    for (const file of readdirSync(join(root, dir), { recursive: true, encoding: 'utf8' })) {
      if (!file.endsWith('.ts') || file.endsWith('.test.ts')) continue;
      const lines = readFileSync(join(root, dir, file), 'utf8').split('\n');
      lines.forEach((line, i) => {
        if (/\breason\??:\s*'[A-Z]/.test(line)) found.push(`${dir}/${file}:${i + 1}: ${line.trim()}`);
      });
    }
  }
  return found;
}

const everyReason = new Set<string>([
  ...Object.values(controllerReasons),
  ...rolloutReasons,
  ...Object.values(certificateReasons),
  ...Object.keys(platformErrorDocs),
  ...connectivityReasons,
]);

/** Heading -> the text under it up to the next heading. */
const entries = new Map<string, string>();
for (const section of doc.split(/^### /m).slice(1)) {
  const [heading = '', ...body] = section.split('\n');
  entries.set(heading.trim(), body.join('\n').split(/^##/m)[0]?.trim() ?? '');
}

describe('docs/troubleshooting.md', () => {
  it('the decision code writes no reason as a string literal (each is a documented constant)', () => {
    expect(literalReasonLines()).toEqual([]);
  });

  it.each([...everyReason].sort())('has an entry for %s', (reason) => {
    expect(
      entries.has(reason),
      `add "### ${reason}" to docs/troubleshooting.md: what it means, what the operator does, what to do`,
    ).toBe(true);
    expect(entries.get(reason)?.length ?? 0).toBeGreaterThan(40);
  });

  it.each(advertisementRejectionReasons)('explains the AdvertisementRejected sub-reason %s in its table', (reason) => {
    const rows = (entries.get('AdvertisementRejected') ?? '').split('\n').filter((l) => l.trim().startsWith('|'));
    expect(rows.some((row) => row.split('|')[1]?.includes(`\`${reason}\``))).toBe(true);
  });

  it('has no entry for a reason the operator does not have, and none twice', () => {
    // The runbooks of the chart's alerts (under "## Alerts") are checked by test/chart/monitoring.test.ts.
    const headings = (doc.split(/^## Alerts$/m)[0] ?? '')
      .split('\n')
      .filter((l) => l.startsWith('### '))
      .map((l) => l.slice(4).trim());
    expect(headings.filter((h) => !everyReason.has(h))).toEqual([]);
    expect(headings.length).toBe(new Set(headings).size);
  });
});
