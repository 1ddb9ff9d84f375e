// Small statistics used by run summaries and sweeps: mean, nearest-rank percentile, sample standard deviation
// and the 95 % confidence interval of a mean (Student's t for small samples).

export function mean(values: readonly number[]): number {
  if (values.length === 0) return 0
  let total = 0
  for (const value of values) total += value
  return total / values.length
}

/** Nearest-rank percentile (p in 0…100) of the values; 0 for an empty list. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return 0
  const sorted = [...values].sort((a, b) => a - b)
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length))
  return sorted[Math.min(sorted.length, rank) - 1]
}

export function sampleStdDev(values: readonly number[]): number {
  if (values.length < 2) return 0
  const m = mean(values)
  let squares = 0
  for (const value of values) squares += (value - m) * (value - m)
  return Math.sqrt(squares / (values.length - 1))
}

/** Two-sided 97.5 % quantiles of Student's t for 1…30 degrees of freedom. */
const T_975 = [12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145,
  2.131, 2.12, 2.11, 2.101, 2.093, 2.086, 2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042]

export function tQuantile975(degreesOfFreedom: number): number {
  if (degreesOfFreedom < 1) return Number.NaN
  if (degreesOfFreedom <= 30) return T_975[degreesOfFreedom - 1]
  if (degreesOfFreedom <= 60) return 2.0
  if (degreesOfFreedom <= 120) return 1.98
  return 1.96
}

export interface MeanCi {
  readonly mean: number
  /** Half-width of the 95 % interval (0 with fewer than two values). */
  readonly ci95: number
  readonly n: number
}

export function meanCi95(values: readonly number[]): MeanCi {
  const n = values.length
  if (n < 2) return { mean: mean(values), ci95: 0, n }
  return { mean: mean(values), ci95: (tQuantile975(n - 1) * sampleStdDev(values)) / Math.sqrt(n), n }
}
