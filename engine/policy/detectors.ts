// Host overload detectors of Beloglazov & Buyya (policies.md §7.1). Each returns a verdict (threshold and the
// metric compared with it) rather than a bare boolean, so callers can ask "still overloaded if this VM left or
// arrived?" by shifting every utilisation sample, and so the decision trace can show the numbers.
import { iqr, leastSquares, loess, mad, robustLoess } from './stats'

export type DetectorName = 'thr' | 'iqr' | 'mad' | 'lr' | 'lrr'

export const DETECTOR_NAMES: readonly DetectorName[] = ['thr', 'iqr', 'mad', 'lr', 'lrr']

/** Default safety parameter s (THR: the static threshold). */
export const DEFAULT_SAFETY: Readonly<Record<DetectorName, number>> = Object.freeze({ thr: 0.8, iqr: 1.5, mad: 2.5, lr: 1.2, lrr: 1.2 })

/** Fewer samples than this → the THR fallback (0.7). */
export const MIN_HISTORY: Readonly<Record<DetectorName, number>> = Object.freeze({ thr: 1, iqr: 12, mad: 12, lr: 10, lrr: 10 })
export const FALLBACK_THRESHOLD = 0.7
export const LR_WINDOW = 10

export interface DetectorVerdict {
  /** Which rule decided: the detector's own name or `thr-fallback`. */
  readonly method: string
  readonly threshold: number
  readonly metric: number
  /** Overloaded when metric ≥ threshold (LR family) rather than metric > threshold. */
  readonly inclusive: boolean
  /** Change of `metric` per unit of utilisation added to every sample. */
  readonly shiftFactor: number
}

/** Whether the host is overloaded once every sample is shifted by `shiftUtil` (a VM's share added or removed). */
export function isOverloaded(verdict: DetectorVerdict, shiftUtil = 0): boolean {
  const metric = verdict.metric + verdict.shiftFactor * shiftUtil
  return verdict.inclusive ? metric >= verdict.threshold - 1e-12 : metric > verdict.threshold + 1e-12
}

function staticVerdict(method: string, threshold: number, current: number): DetectorVerdict {
  return { method, threshold, metric: current, inclusive: false, shiftFactor: 1 }
}

/**
 * Judges a host from its utilisation samples (oldest first, the last one is now).
 * `migrationIntervals` (LR family): how many intervals ahead to predict, ⌈max VM migration time / interval⌉.
 * `plainLeastSquares` (LR family, CloudSim-compatible): fit OLS instead of (robust) loess.
 */
export function detect(name: DetectorName, samples: readonly number[], safety: number, migrationIntervals = 1, plainLeastSquares = false): DetectorVerdict {
  const current = samples.length === 0 ? 0 : samples[samples.length - 1]
  if (name === 'thr') return staticVerdict('thr', safety, current)
  if (samples.length < MIN_HISTORY[name]) return staticVerdict('thr-fallback', FALLBACK_THRESHOLD, current)
  if (name === 'iqr') return staticVerdict('iqr', 1 - safety * iqr(samples), current)
  if (name === 'mad') return staticVerdict('mad', 1 - safety * mad(samples), current)
  const window = samples.slice(-LR_WINDOW)
  const fit = plainLeastSquares ? leastSquares(window) : name === 'lr' ? loess(window) : robustLoess(window)
  const predicted = fit.intercept + fit.slope * (LR_WINDOW + migrationIntervals)
  return { method: name, threshold: 1, metric: safety * predicted, inclusive: true, shiftFactor: safety }
}
