// Atom code versions: semantic versions (1.2.3, 1.2.3-rc.1+build.5) and the vendor's
// dotted numerics (24.11.0.2). Pure; numbers are compared as digit strings so a
// version part larger than 2^53 still orders correctly.

export interface Version {
  /** The text as given. */
  raw: string;
  /** Numeric release parts without leading zeros: `24.11.0.2` -> ['24', '11', '0', '2']. */
  release: string[];
  /** Pre-release identifiers: `1.2.3-rc.1` -> ['rc', '1']; empty for a release. */
  prerelease: string[];
}

const versionPattern =
  /^v?(\d+(?:\.\d+){0,7})(?:-([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?(?:\+[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?$/;
const numeric = /^\d+$/;

function stripZeros(digits: string): string {
  return digits.replace(/^0+(?=\d)/, '');
}

/** Parses a version; undefined when the text is not one. Build metadata (`+...`) is dropped: it never orders. */
export function parseVersion(text: string): Version | undefined {
  const match = versionPattern.exec(text.trim());
  if (!match) return undefined;
  const [, release = '', prerelease] = match;
  return {
    raw: text,
    release: release.split('.').map(stripZeros),
    prerelease: prerelease === undefined ? [] : prerelease.split('.'),
  };
}

function compareDigits(a: string, b: string): number {
  const left = stripZeros(a);
  const right = stripZeros(b);
  if (left.length !== right.length) return Math.sign(left.length - right.length);
  return left < right ? -1 : left > right ? 1 : 0;
}

// Semver 2.0.0 §11: numeric identifiers order numerically and below alphanumeric ones,
// alphanumeric ones order by ASCII, and a longer list wins when all shared fields are equal.
function comparePrerelease(a: readonly string[], b: readonly string[]): number {
  if (a.length === 0 || b.length === 0) return Math.sign(b.length - a.length);
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const x = a[i] ?? '';
    const y = b[i] ?? '';
    const xNumeric = numeric.test(x);
    const yNumeric = numeric.test(y);
    let order: number;
    if (xNumeric && yNumeric) order = compareDigits(x, y);
    else if (xNumeric !== yNumeric) order = xNumeric ? -1 : 1;
    else order = x < y ? -1 : x > y ? 1 : 0;
    if (order !== 0) return order;
  }
  return Math.sign(a.length - b.length);
}

/**
 * Orders two parsed versions: negative when `a` is older, 0 when equal, positive when newer.
 * Missing release parts count as 0 (`24.11` equals `24.11.0`), so semver and dotted numerics mix.
 */
export function compareParsed(a: Version, b: Version): number {
  const parts = Math.max(a.release.length, b.release.length);
  for (let i = 0; i < parts; i++) {
    const order = compareDigits(a.release[i] ?? '0', b.release[i] ?? '0');
    if (order !== 0) return order;
  }
  return comparePrerelease(a.prerelease, b.prerelease);
}

/** Orders two version strings; undefined when either is not a version, so callers decide what that means. */
export function compareVersions(a: string, b: string): number | undefined {
  const left = parseVersion(a);
  const right = parseVersion(b);
  return left && right ? compareParsed(left, right) : undefined;
}

/** True when both name the same version (`1.2` and `1.2.0`, or `1.2.3+a` and `1.2.3+b`); falls back to text equality. */
export function sameVersion(a: string | undefined, b: string | undefined): boolean {
  if (a === undefined || b === undefined) return false;
  const order = compareVersions(a, b);
  return order === undefined ? a.trim() === b.trim() : order === 0;
}

/**
 * True when `candidate` is newer than `than`. Nothing is older than a candidate when `than` is
 * unknown; an unparseable `than` (a hand-written tag such as `latest`) is replaced by any other
 * version; an unparseable candidate is never newer, since it cannot be ordered.
 */
export function isNewerVersion(candidate: string, than: string | undefined): boolean {
  if (parseVersion(candidate) === undefined) return false;
  if (than === undefined) return true;
  const order = compareVersions(candidate, than);
  if (order === undefined) return candidate.trim() !== than.trim();
  return order > 0;
}

/** True when `version` appears in `list` as the same version (see sameVersion). */
export function includesVersion(list: readonly string[] | undefined, version: string): boolean {
  return (list ?? []).some((entry) => sameVersion(entry, version));
}
