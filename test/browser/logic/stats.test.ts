// Statistics for the experiment comparison: quantiles by linear interpolation, Tukey box summaries, mean,
// sample SD and the Student-t 95 % confidence interval, checked against hand-computed values.
import { describe, expect, it } from 'vitest'
import { boxSummary, ci95HalfWidth, mean, quantileSorted, sampleSd, tCritical95 } from '../../../renderer/src/logic/stats'
import { niceScale, project } from '../../../renderer/src/logic/scale'
import { compareMetrics, formatMeanCi, seedRange } from '../../../renderer/src/logic/experiment-table'

describe('stats', () => {
  it('computes quantiles with linear interpolation (type 7)', () => {
    const sorted = [1, 2, 3, 4]
    expect(quantileSorted(sorted, 0)).toBe(1)
    expect(quantileSorted(sorted, 0.25)).toBe(1.75)
    expect(quantileSorted(sorted, 0.5)).toBe(2.5)
    expect(quantileSorted(sorted, 1)).toBe(4)
    expect(quantileSorted([], 0.5)).toBeNaN()
  })

  it('computes mean, sample SD and the 95 % CI with t', () => {
    const values = [2, 4, 4, 4, 5, 5, 7, 9]
    expect(mean(values)).toBe(5)
    expect(sampleSd(values)).toBeCloseTo(2.138, 3)
    expect(ci95HalfWidth(values)).toBeCloseTo(2.365 * 2.138 / Math.sqrt(8), 3)
    expect(ci95HalfWidth([3])).toBe(0)
    expect(tCritical95(1)).toBe(12.706)
    expect(tCritical95(1000)).toBe(1.96)
  })

  it('summarises a box with Tukey whiskers and outliers', () => {
    const box = boxSummary([1, 2, 3, 4, 5, 6, 7, 8, 100])
    expect(box.median).toBe(5)
    expect(box.q1).toBe(3)
    expect(box.q3).toBe(7)
    expect(box.whiskerHigh).toBe(8)
    expect(box.outliers).toEqual([100])
    expect(box.n).toBe(9)
  })

  it('builds nice scales and projects values', () => {
    const scale = niceScale(0.3, 9.2, 5)
    expect(scale.ticks).toEqual([0, 2, 4, 6, 8, 10])
    expect(project(scale, 5, 100, 0)).toBe(50)
    expect(niceScale(3, 3).min).toBeLessThan(3)
  })

  it('groups experiment runs by metric and policy', () => {
    const runs = [
      { policy: 'none', seed: 1, metrics: { energyKWh: 10, migrations: 0 } },
      { policy: 'none', seed: 2, metrics: { energyKWh: 12, migrations: 0 } },
      { policy: 'drs', seed: 1, metrics: { energyKWh: 8, migrations: 4 } },
      { policy: 'drs', seed: 2, metrics: { energyKWh: 9, migrations: 6 } }
    ]
    const table = compareMetrics(runs)
    expect(table.map((t) => t.metric)).toEqual(['energyKWh', 'migrations'])
    expect(table[0].byPolicy.map((p) => [p.policy, p.summary.mean])).toEqual([['none', 11], ['drs', 8.5]])
    expect(formatMeanCi(table[0].byPolicy[0].summary)).toMatch(/^11\.0 ± 12\.7$/)
    expect(seedRange(3, 6)).toEqual([3, 4, 5, 6])
    expect(seedRange(1, 100)).toHaveLength(50)
    expect(seedRange(5, 1)).toEqual([])
  })
})
