// The one statistics module of Cutover: run summaries, `cutover sweep` and the app's Experiments view all take
// their means, confidence intervals and box-plot quartiles from here (the renderer receives them computed).
// An empty sample has no statistic: functions return NaN, never a made-up 0 (callers show "not measured").

export function mean(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN
  let total = 0
  for (const value of values) total += value
  return total / values.length
}

/** Nearest-rank percentile (p in 0…100) of the values; NaN for an empty list. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN
  const sorted = [...values].sort((a, b) => a - b)
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length))
  return sorted[Math.min(sorted.length, rank) - 1]
}

/** Sample standard deviation (n − 1); NaN with fewer than two values (one value says nothing about spread). */
export function sampleStdDev(values: readonly number[]): number {
  if (values.length < 2) return Number.NaN
  const m = mean(values)
  let squares = 0
  for (const value of values) squares += (value - m) * (value - m)
  return Math.sqrt(squares / (values.length - 1))
}

/** Two-sided 97.5 % quantiles of Student's t for 1…30 degrees of freedom (exact to 3 decimals). */
const T_975 = [12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145,
  2.131, 2.12, 2.11, 2.101, 2.093, 2.086, 2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042]
/** 97.5 % quantile of the standard normal distribution. */
const Z_975 = 1.959963984540054

/**
 * t(0.975, df). Beyond the table the Cornish–Fisher expansion around the normal quantile (Abramowitz & Stegun
 * 26.7.5, three terms) is within 1e-4 of the exact value for df > 30 (e.g. 2.0211 for 40, 2.0003 for 60),
 * instead of the step values 2.0/1.98/1.96 a printed table falls back to.
 */
export function tQuantile975(degreesOfFreedom: number): number {
  if (!(degreesOfFreedom >= 1)) return Number.NaN
  const df = Math.floor(degreesOfFreedom)
  if (df <= 30) return T_975[df - 1]
  const z = Z_975
  const z3 = z ** 3
  const z5 = z ** 5
  const z7 = z ** 7
  return z + (z3 + z) / (4 * df) + (5 * z5 + 16 * z3 + 3 * z) / (96 * df ** 2) + (3 * z7 + 19 * z5 + 17 * z3 - 15 * z) / (384 * df ** 3)
}

export interface MeanCi {
  /** NaN for an empty sample. */
  readonly mean: number
  /** Half-width of the 95 % interval of the mean; NaN with fewer than two values. */
  readonly ci95: number
  readonly n: number
}

export function meanCi95(values: readonly number[]): MeanCi {
  const n = values.length
  return { mean: mean(values), ci95: n < 2 ? Number.NaN : (tQuantile975(n - 1) * sampleStdDev(values)) / Math.sqrt(n), n }
}

/** Quantile q ∈ [0, 1] of already sorted values, linear interpolation between order statistics (Hyndman–Fan 7). */
export function quantileSorted(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN
  const position = (sorted.length - 1) * Math.min(1, Math.max(0, q))
  const lower = Math.floor(position)
  const upper = Math.ceil(position)
  return sorted[lower] + (sorted[upper] - sorted[lower]) * (position - lower)
}

export interface BoxSummary extends MeanCi {
  readonly min: number
  readonly q1: number
  readonly median: number
  readonly q3: number
  readonly max: number
  /** Most extreme values within 1.5 IQR of the quartiles (Tukey). */
  readonly whiskerLow: number
  readonly whiskerHigh: number
  readonly outliers: readonly number[]
}

/** Tukey box summary plus mean and 95 % CI of the finite values (non-finite ones are not measurements). */
export function boxSummary(values: readonly number[]): BoxSummary {
  const finite = values.filter(Number.isFinite)
  const sorted = [...finite].sort((a, b) => a - b)
  const q1 = quantileSorted(sorted, 0.25)
  const q3 = quantileSorted(sorted, 0.75)
  const fence = 1.5 * (q3 - q1)
  const inside = sorted.filter((v) => v >= q1 - fence && v <= q3 + fence)
  return {
    // The mean and interval over the values in their given order: exactly what meanCi95 gives the CLI's summary
    // (a sorted sum can differ in the last bit).
    ...meanCi95(finite), min: sorted[0] ?? Number.NaN, q1, median: quantileSorted(sorted, 0.5), q3,
    max: sorted[sorted.length - 1] ?? Number.NaN,
    whiskerLow: inside[0] ?? Number.NaN, whiskerHigh: inside[inside.length - 1] ?? Number.NaN,
    outliers: sorted.filter((v) => v < q1 - fence || v > q3 + fence)
  }
}
