// Nearest-rank percentiles of a sample, the way latency figures are usually quoted.
export interface Distribution {
  count: number;
  p50: number;
  p99: number;
  max: number;
}

export function distribution(values: readonly number[]): Distribution {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) =>
    sorted.length === 0 ? NaN : (sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] as number);
  return {
    count: sorted.length,
    p50: at(0.5),
    p99: at(0.99),
    max: sorted.length === 0 ? NaN : (sorted.at(-1) as number),
  };
}

export function perAtom(counts: Readonly<Record<string, number>>, atoms: number): Record<string, number> {
  return Object.fromEntries(
    Object.entries(counts)
      .sort()
      .map(([k, v]) => [k, round(v / atoms, 3)]),
  );
}

export const round = (v: number, digits = 1) => Math.round(v * 10 ** digits) / 10 ** digits;
