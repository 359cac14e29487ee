// The byte-exact form a release signature covers: object keys sorted recursively (by UTF-16
// code units, like Array.prototype.sort), no whitespace, JSON.stringify escaping. The platform
// signs the same form, so any change here breaks every signature.

export function canonicalJSON(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    const text = JSON.stringify(value);
    if (text === undefined) throw new TypeError(`canonicalJSON cannot encode a ${typeof value}`);
    return text;
  }
  if (Array.isArray(value)) {
    // JSON.stringify turns holes and undefined in arrays into null; keep that meaning.
    return `[${value.map((item) => (item === undefined ? 'null' : canonicalJSON(item))).join(',')}]`;
  }
  const record = value as Record<string, unknown>;
  const members = Object.keys(record)
    .filter((key) => record[key] !== undefined)
    .sort()
    .map((key) => `${JSON.stringify(key)}:${canonicalJSON(record[key])}`);
  return `{${members.join(',')}}`;
}
