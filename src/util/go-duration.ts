// Go's time.ParseDuration grammar ("90m", "1h30m", "1.5h", ".5h", "300ms"), unsigned: a window,
// deadline or interval never runs backwards. The one parser for the configuration and the spec.

const unitMilliseconds: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  μs: 1e-3,
  ms: 1,
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
};

const term = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/gy;

/** Milliseconds of a Go duration, rounded to the millisecond; undefined when it is not one. "0" is 0. */
export function parseGoDuration(text: string): number | undefined {
  if (text === '0') return 0;
  if (text === '') return undefined;
  let total = 0;
  let consumed = 0;
  term.lastIndex = 0;
  for (let match = term.exec(text); match; match = term.exec(text)) {
    const [all, amount = '', unit = ''] = match;
    total += Number(amount) * (unitMilliseconds[unit] ?? Number.NaN);
    consumed += all.length;
  }
  if (consumed !== text.length || !Number.isFinite(total)) return undefined;
  return Math.round(total);
}

/** A duration as a person reads it and Go parses it: 5400000 -> "1h30m", 250 -> "250ms", 0 -> "0s". */
export function formatDuration(milliseconds: number): string {
  let rest = Math.round(milliseconds);
  const parts: string[] = [];
  for (const [unit, size] of [
    ['h', 3_600_000],
    ['m', 60_000],
    ['s', 1000],
    ['ms', 1],
  ] as const) {
    const n = Math.floor(rest / size);
    if (n > 0) parts.push(`${n}${unit}`);
    rest -= n * size;
  }
  return parts.join('') || '0s';
}
