import { createHash } from 'node:crypto';
import { canonicalJSON } from '../util/canonical-json.js';

export { canonicalJSON };

/** A short content hash for change detection (an annotation on the child). */
export function contentHash(value: unknown): string {
  return createHash('sha256').update(canonicalJSON(value)).digest('hex').slice(0, 16);
}
