// Robust statistics and regressions used by the overload detectors and VM selectors (Beloglazov & Buyya):
// median, MAD, IQR (CloudSim's quartile rule), tricube-weighted local linear regression (loess) with an
// optional bisquare-robust refit, and the squared multiple correlation R² of one series on others.

export function median(values: readonly number[]): number {
  if (values.length === 0) return 0
  // A typed array sorts numbers natively, several times faster than a comparator (same order for numbers).
  const sorted = Float64Array.from(values).sort()
  const middle = sorted.length >> 1
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
}

/** Median absolute deviation from the median (unscaled). */
export function mad(values: readonly number[]): number {
  const center = median(values)
  return median(values.map((value) => Math.abs(value - center)))
}

/** Interquartile range with CloudSim's MathUtil.iqr rule: Q1 = x[round(0.25(n+1)) − 1], Q3 = x[round(0.75(n+1)) − 1]. */
export function iqr(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const n = sorted.length
  if (n === 0) return 0
  const q1 = sorted[Math.min(n - 1, Math.max(0, Math.round(0.25 * (n + 1)) - 1))]
  const q3 = sorted[Math.min(n - 1, Math.max(0, Math.round(0.75 * (n + 1)) - 1))]
  return q3 - q1
}

export interface LineFit {
  readonly intercept: number
  readonly slope: number
}

function weightedLine(y: readonly number[], weights: readonly number[]): LineFit {
  let sw = 0, sx = 0, sy = 0, sxx = 0, sxy = 0
  for (let i = 0; i < y.length; i++) {
    const x = i + 1
    const w = weights[i]
    sw += w; sx += w * x; sy += w * y[i]; sxx += w * x * x; sxy += w * x * y[i]
  }
  const denominator = sw * sxx - sx * sx
  if (sw === 0 || Math.abs(denominator) < 1e-12) return { intercept: sw === 0 ? 0 : sy / sw, slope: 0 }
  const slope = (sw * sxy - sx * sy) / denominator
  return { intercept: (sy - slope * sx) / sw, slope }
}

/** Tricube weights over x = 1…n by distance from the newest point (x = n): (1 − (d/n)³)³. */
export function tricubeWeights(n: number): number[] {
  return Array.from({ length: n }, (_, i) => {
    const distance = (n - (i + 1)) / n
    return (1 - distance ** 3) ** 3
  })
}

/** Local linear fit of y over x = 1…n with tricube weights centred on the newest sample. */
export function loess(y: readonly number[]): LineFit {
  return weightedLine(y, tricubeWeights(y.length))
}

/** Loess refitted with bisquare robustness weights (residuals beyond 6 × median |residual| get weight 0). */
export function robustLoess(y: readonly number[], iterations = 2): LineFit {
  const base = tricubeWeights(y.length)
  let fit = weightedLine(y, base)
  for (let iteration = 0; iteration < iterations; iteration++) {
    const residuals = y.map((value, i) => value - (fit.intercept + fit.slope * (i + 1)))
    const scale = 6 * median(residuals.map(Math.abs))
    if (scale < 1e-12) break
    const weights = residuals.map((r, i) => {
      const u = r / scale
      return Math.abs(u) < 1 ? base[i] * (1 - u * u) ** 2 : 0
    })
    fit = weightedLine(y, weights)
  }
  return fit
}

/** Solves the symmetric system A·x = b in place by Gaussian elimination with partial pivoting; null if singular. */
function solve(a: number[][], b: number[]): number[] | null {
  const n = b.length
  for (let col = 0; col < n; col++) {
    let pivot = col
    for (let row = col + 1; row < n; row++) if (Math.abs(a[row][col]) > Math.abs(a[pivot][col])) pivot = row
    if (Math.abs(a[pivot][col]) < 1e-12) return null
    ;[a[col], a[pivot]] = [a[pivot], a[col]]
    ;[b[col], b[pivot]] = [b[pivot], b[col]]
    for (let row = col + 1; row < n; row++) {
      const factor = a[row][col] / a[col][col]
      for (let k = col; k < n; k++) a[row][k] -= factor * a[col][k]
      b[row] -= factor * b[col]
    }
  }
  const x = new Array<number>(n).fill(0)
  for (let row = n - 1; row >= 0; row--) {
    let sum = b[row]
    for (let k = row + 1; k < n; k++) sum -= a[row][k] * x[k]
    x[row] = sum / a[row][row]
  }
  return x
}

/**
 * R² of regressing `y` on the `predictors` (each a series of the same length) with an intercept, by ordinary
 * least squares; null when there are too few samples or the system is singular.
 */
export function multipleRSquared(y: readonly number[], predictors: readonly (readonly number[])[]): number | null {
  const n = y.length
  const p = predictors.length + 1
  if (n <= p) return null
  const row = (i: number): number[] => [1, ...predictors.map((series) => series[i])]
  const xtx = Array.from({ length: p }, () => new Array<number>(p).fill(0))
  const xty = new Array<number>(p).fill(0)
  for (let i = 0; i < n; i++) {
    const x = row(i)
    for (let a = 0; a < p; a++) {
      xty[a] += x[a] * y[i]
      for (let b = 0; b < p; b++) xtx[a][b] += x[a] * x[b]
    }
  }
  const beta = solve(xtx, xty)
  if (beta === null) return null
  const meanY = y.reduce((sum, value) => sum + value, 0) / n
  let ssRes = 0, ssTot = 0
  for (let i = 0; i < n; i++) {
    const x = row(i)
    const predicted = x.reduce((sum, value, k) => sum + value * beta[k], 0)
    ssRes += (y[i] - predicted) ** 2
    ssTot += (y[i] - meanY) ** 2
  }
  return ssTot < 1e-12 ? null : 1 - ssRes / ssTot
}
