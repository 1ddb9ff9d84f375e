// Goal: the overload detectors follow Beloglazov & Buyya: THR fires strictly above its threshold, IQR and MAD
// derive their thresholds from the robust statistics of the history (with the THR 0.7 fallback on short
// histories), LR/LRR fire when s × the loess prediction reaches 1. Method: hand-computed histories.
import { describe, expect, it } from 'vitest'
import { detect, isOverloaded, FALLBACK_THRESHOLD } from '../../../engine/policy/detectors'
import { iqr, loess, mad, median, multipleRSquared, robustLoess } from '../../../engine/policy/stats'

describe('statistics', () => {
  it('computes median, MAD and the CloudSim interquartile range', () => {
    expect(median([3, 1, 2])).toBe(2)
    expect(median([4, 1, 2, 3])).toBe(2.5)
    expect(mad([1, 1, 2, 2, 4, 6, 9])).toBe(1)
    // n = 12: Q1 = x[round(3.25) − 1] = x[2], Q3 = x[round(9.75) − 1] = x[9]
    expect(iqr([12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1])).toBe(10 - 3)
  })

  it('fits a straight line exactly, and the robust fit ignores an outlier', () => {
    const line = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map((x) => 0.1 + 0.05 * x)
    const fit = loess(line)
    expect(fit.slope).toBeCloseTo(0.05, 12)
    expect(fit.intercept).toBeCloseTo(0.1, 12)
    const spiked = [...line]
    spiked[4] = 2
    expect(Math.abs(robustLoess(spiked).slope - 0.05)).toBeLessThan(Math.abs(loess(spiked).slope - 0.05))
    expect(robustLoess(spiked).slope).toBeCloseTo(0.05, 6)
  })

  it('measures R² of one series against others', () => {
    const a = [1, 2, 3, 4, 5, 6, 7, 8]
    expect(multipleRSquared(a.map((x) => 2 * x + 1), [a])).toBeCloseTo(1, 12)
    expect(multipleRSquared([1, 2], [[1, 2]])).toBeNull()
  })
})

describe('overload detectors', () => {
  it('THR fires exactly above its threshold', () => {
    expect(isOverloaded(detect('thr', [0.8], 0.8))).toBe(false)
    expect(isOverloaded(detect('thr', [0.8000001], 0.8))).toBe(true)
    expect(isOverloaded(detect('thr', [0.9], 0.8), -0.1)).toBe(false)
  })

  it('IQR and MAD fall back to THR 0.7 below 12 samples', () => {
    for (const name of ['iqr', 'mad'] as const) {
      const short = detect(name, [0.5, 0.6, 0.71], 1.5)
      expect(short).toMatchObject({ method: 'thr-fallback', threshold: FALLBACK_THRESHOLD })
      expect(isOverloaded(short)).toBe(true)
    }
  })

  it('IQR threshold is 1 − s·IQR and MAD threshold is 1 − s·MAD', () => {
    const history = [0.5, 0.52, 0.48, 0.5, 0.6, 0.4, 0.5, 0.55, 0.45, 0.5, 0.7, 0.3]
    const iqrVerdict = detect('iqr', history, 1.5)
    expect(iqrVerdict.threshold).toBeCloseTo(1 - 1.5 * iqr(history), 12)
    const madVerdict = detect('mad', history, 2.5)
    expect(madVerdict.threshold).toBeCloseTo(1 - 2.5 * mad(history), 12)
    expect(madVerdict.metric).toBe(0.3)
    expect(isOverloaded(madVerdict)).toBe(false)
    const volatile = [...history.slice(0, 11), 0.95]
    expect(isOverloaded(detect('mad', volatile, 2.5))).toBe(true)
  })

  it('LR predicts along the trend, ⌈migration time / interval⌉ steps ahead, and fires at s·û ≥ 1', () => {
    const rising = [0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7, 0.75]
    const verdict = detect('lr', rising, 1.2, 2)
    expect(verdict.metric).toBeCloseTo(1.2 * (0.25 + 0.05 * 12), 9)
    expect(isOverloaded(verdict)).toBe(true)
    expect(isOverloaded(detect('lr', rising.map((u) => u - 0.3), 1.2, 1))).toBe(false)
    expect(detect('lrr', rising.slice(0, 9), 1.2).method).toBe('thr-fallback')
  })
})
