// Trims a source map to the sources we wrote. Node's --enable-source-maps parses
// the whole map into memory; the map of the bundled dependencies (undici, zod,
// ...) cost the process about 50 MiB at rest, while a stack frame inside them is
// still found by its dist/main.js position. Standard source map v3 VLQ coding.
const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const DIGIT = new Map([...BASE64].map((c, i) => [c, i]));

export interface SourceMapV3 {
  version: 3;
  sources: string[];
  sourcesContent?: (string | null)[];
  names: string[];
  mappings: string;
  [key: string]: unknown;
}

function decodeSegment(text: string): number[] {
  const values: number[] = [];
  let value = 0;
  let shift = 0;
  for (const char of text) {
    const digit = DIGIT.get(char);
    if (digit === undefined) throw new Error(`source map: bad VLQ character ${char}`);
    value += (digit & 31) << shift;
    if (digit & 32) shift += 5;
    else {
      values.push(value & 1 ? -(value >>> 1) : value >>> 1);
      value = 0;
      shift = 0;
    }
  }
  return values;
}

function encodeValue(n: number): string {
  let vlq = n < 0 ? (-n << 1) | 1 : n << 1;
  let out = '';
  do {
    let digit = vlq & 31;
    vlq >>>= 5;
    if (vlq > 0) digit |= 32;
    out += BASE64[digit];
  } while (vlq > 0);
  return out;
}

/** The map with only the segments whose source `keep` accepts; sources are renumbered. */
export function keepSources(map: SourceMapV3, keep: (source: string) => boolean): SourceMapV3 {
  const newIndex = new Map<number, number>();
  const sources: string[] = [];
  const contents: (string | null)[] = [];
  map.sources.forEach((source, i) => {
    if (!keep(source)) return;
    newIndex.set(i, sources.length);
    sources.push(source);
    contents.push(map.sourcesContent?.[i] ?? null);
  });
  // Absolute values while reading, previous written values while writing (VLQ fields are deltas).
  const read = { source: 0, line: 0, column: 0, name: 0 };
  const written = { source: 0, line: 0, column: 0, name: 0 };
  // After a kept segment, a dropped one becomes a column-only segment: without it, a lookup in
  // dependency code would find the last kept segment before it and blame one of our lines.
  let lastWrittenMapped = false;
  const lines = map.mappings.split(';').map((line) => {
    let genColumn = 0;
    let writtenColumn = 0;
    const kept: string[] = [];
    for (const segment of line === '' ? [] : line.split(',')) {
      const [column = 0, source, srcLine, srcColumn, name] = decodeSegment(segment);
      genColumn += column;
      if (source === undefined || srcLine === undefined || srcColumn === undefined) continue;
      read.source += source;
      read.line += srcLine;
      read.column += srcColumn;
      if (name !== undefined) read.name += name;
      const target = newIndex.get(read.source);
      if (target === undefined) {
        if (lastWrittenMapped) {
          kept.push(encodeValue(genColumn - writtenColumn));
          writtenColumn = genColumn;
          lastWrittenMapped = false;
        }
        continue;
      }
      let out =
        encodeValue(genColumn - writtenColumn) +
        encodeValue(target - written.source) +
        encodeValue(read.line - written.line) +
        encodeValue(read.column - written.column);
      if (name !== undefined) {
        out += encodeValue(read.name - written.name);
        written.name = read.name;
      }
      writtenColumn = genColumn;
      written.source = target;
      written.line = read.line;
      written.column = read.column;
      lastWrittenMapped = true;
      kept.push(out);
    }
    return kept.join(',');
  });
  return {
    ...map,
    sources,
    ...(map.sourcesContent ? { sourcesContent: contents } : {}),
    mappings: lines.join(';'),
  };
}
