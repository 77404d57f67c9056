// Percentiles of raw samples, shared by the benches and the storm's worker thread (kept free of imports
// so the thread loads nothing else).

/** Nearest-rank percentile; NaN for no samples. */
export function pct(xs: number[], p: number): number {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
}
