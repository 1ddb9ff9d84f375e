// Descriptive statistics for experiment comparisons: quantiles (linear interpolation, Hyndman–Fan type 7),
// Tukey box-plot summaries, mean, sample standard deviation and the 95 % confidence interval of the mean
// with Student's t. Pure functions over plain arrays; empty input yields NaN rather than throwing.

/** Two-sided 97.5 % quantiles of Student's t for df 1…30. */
const T_975 = [12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131,
  2.12, 2.11, 2.101, 2.093, 2.086, 2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042]

/** t critical value for a two-sided 95 % interval with `df` degrees of freedom. */
export function tCritical95(df: number): number {
  if (df < 1) return Number.NaN
  if (df <= 30) return T_975[Math.floor(df) - 1]
  if (df <= 40) return 2.021
  if (df <= 60) return 2.0
  if (df <= 120) return 1.98
  return 1.96
}

export function mean(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN
  let sum = 0
  for (const value of values) sum += value
  return sum / values.length
}

/** Sample standard deviation (n − 1); 0 for a single value. */
export function sampleSd(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN
  if (values.length === 1) return 0
  const m = mean(values)
  let squares = 0
  for (const value of values) squares += (value - m) ** 2
  return Math.sqrt(squares / (values.length - 1))
}

/** Half-width of the 95 % confidence interval of the mean (0 for one value). */
export function ci95HalfWidth(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN
  if (values.length === 1) return 0
  return tCritical95(values.length - 1) * sampleSd(values) / Math.sqrt(values.length)
}

/** Quantile q ∈ [0, 1] of already sorted values, linear interpolation between order statistics. */
export function quantileSorted(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN
  const position = (sorted.length - 1) * Math.min(1, Math.max(0, q))
  const lower = Math.floor(position)
  const upper = Math.ceil(position)
  return sorted[lower] + (sorted[upper] - sorted[lower]) * (position - lower)
}

export interface BoxSummary {
  readonly n: number
  readonly min: number
  readonly q1: number
  readonly median: number
  readonly q3: number
  readonly max: number
  /** Most extreme values within 1.5 IQR of the quartiles (Tukey). */
  readonly whiskerLow: number
  readonly whiskerHigh: number
  readonly outliers: readonly number[]
  readonly mean: number
  readonly ci95: number
}

export function boxSummary(values: readonly number[]): BoxSummary {
  const sorted = [...values].filter(Number.isFinite).sort((a, b) => a - b)
  const q1 = quantileSorted(sorted, 0.25)
  const q3 = quantileSorted(sorted, 0.75)
  const fence = 1.5 * (q3 - q1)
  const inside = sorted.filter((v) => v >= q1 - fence && v <= q3 + fence)
  return {
    n: sorted.length, min: sorted[0] ?? Number.NaN, q1, median: quantileSorted(sorted, 0.5), q3,
    max: sorted[sorted.length - 1] ?? Number.NaN,
    whiskerLow: inside[0] ?? Number.NaN, whiskerHigh: inside[inside.length - 1] ?? Number.NaN,
    outliers: sorted.filter((v) => v < q1 - fence || v > q3 + fence),
    mean: mean(sorted), ci95: ci95HalfWidth(sorted)
  }
}
