// docs/troubleshooting.md, read where the package keeps it (beside src/ in a checkout, beside
// dist/ in the npm package), split into one entry per `### Reason` heading.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const docPath = join('docs', 'troubleshooting.md');

/** The doc's path, looking upwards from this module (src/kubectl-atom/ or dist/). */
export function findTroubleshootingDoc(from = dirname(fileURLToPath(import.meta.url))): string | undefined {
  let dir = from;
  for (let i = 0; i < 4; i++) {
    const candidate = join(dir, docPath);
    if (existsSync(candidate)) return candidate;
    dir = dirname(dir);
  }
  return undefined;
}

/** Reason -> the text under its heading, markdown emphasis removed so a terminal shows plain words. */
export function troubleshootingEntries(markdown: string): Map<string, string> {
  const entries = new Map<string, string>();
  let reason: string | undefined;
  let lines: string[] = [];
  const flush = () => {
    if (reason !== undefined) entries.set(reason, lines.join('\n').trim().replace(/\*\*/g, ''));
  };
  for (const line of markdown.split('\n')) {
    const heading = /^(#{1,3})\s+(.*)$/.exec(line);
    if (heading) {
      flush();
      reason = heading[1] === '###' ? heading[2]?.trim() : undefined;
      lines = [];
    } else if (reason !== undefined) lines.push(line);
  }
  flush();
  return entries;
}

export function loadTroubleshooting(): Map<string, string> {
  const path = findTroubleshootingDoc();
  return path ? troubleshootingEntries(readFileSync(path, 'utf8')) : new Map();
}
