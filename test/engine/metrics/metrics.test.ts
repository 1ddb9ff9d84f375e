// Goal: the summary statistics are the standard ones: nearest-rank percentiles, Student-t 95 % intervals; and
// the cluster metrics integrate what happened: energy from the power table over time, SLATAH from time at
// 100 % CPU, PDM from CPU lost to migrations. Method: hand-computed values and tiny constant-demand runs.
import { describe, expect, it } from 'vitest'
import { createDatacenter } from '../../../engine/index'
import { boxSummary, mean, meanCi95, percentile, quantileSorted, sampleStdDev, tQuantile975 } from '../../../engine/metrics/stats'
import { RUN_SUMMARY_FIELDS } from '../../../engine/metrics/summary'
import { tinyScenario } from '../cluster/support'

describe('statistics', () => {
  it('uses nearest-rank percentiles', () => {
    const values = Array.from({ length: 100 }, (_, i) => i + 1)
    expect(percentile(values, 99)).toBe(99)
    expect(percentile([5], 99)).toBe(5)
    expect(percentile([], 99)).toBeNaN()
  })

  it('gives the 95 % confidence interval of a mean with Student\'s t', () => {
    expect(tQuantile975(1)).toBe(12.706)
    const ci = meanCi95([1, 2, 3, 4])
    expect(ci.mean).toBe(2.5)
    expect(ci.ci95).toBeCloseTo(3.182 * Math.sqrt(5 / 3) / 2, 9)
    const values = [2, 4, 4, 4, 5, 5, 7, 9]
    expect(sampleStdDev(values)).toBeCloseTo(2.138, 3)
    expect(meanCi95(values).ci95).toBeCloseTo(2.365 * 2.138 / Math.sqrt(8), 3)
  })

  it('uses exact t quantiles beyond the 30-row table, not step values', () => {
    // R: qt(0.975, c(31, 35, 40, 50, 60, 100, 120, 1000)); the old table said 2.0 for 31–60 and 1.98 to 120.
    const exact: [number, number][] = [[31, 2.039513], [35, 2.030108], [40, 2.021075], [50, 2.008559], [60, 2.000298], [100, 1.983972], [120, 1.979930], [1000, 1.962339]]
    for (const [df, t] of exact) expect(Math.abs(tQuantile975(df) - t)).toBeLessThan(1e-4)
    expect(tQuantile975(30)).toBe(2.042)
    expect(tQuantile975(31)).toBeLessThan(tQuantile975(30))
    expect(tQuantile975(0)).toBeNaN()
  })

  it('reports an empty sample, and the spread of a single value, as not measured (NaN), never as 0', () => {
    expect(mean([])).toBeNaN()
    expect(meanCi95([])).toEqual({ mean: Number.NaN, ci95: Number.NaN, n: 0 })
    expect(meanCi95([7])).toEqual({ mean: 7, ci95: Number.NaN, n: 1 })
    expect(boxSummary([]).median).toBeNaN()
  })

  it('summarises a box with type-7 quartiles, Tukey whiskers and outliers, ignoring non-finite values', () => {
    expect(quantileSorted([1, 2, 3, 4], 0.25)).toBe(1.75)
    expect(quantileSorted([1, 2, 3, 4], 0.5)).toBe(2.5)
    const box = boxSummary([5, 1, 2, 3, 4, 6, 7, 8, 100, Number.NaN])
    expect(box).toMatchObject({ n: 9, min: 1, q1: 3, median: 5, q3: 7, max: 100, whiskerLow: 1, whiskerHigh: 8, outliers: [100] })
    expect(box.mean).toBeCloseTo(136 / 9, 12)
    expect(box.ci95).toBe(meanCi95([1, 2, 3, 4, 5, 6, 7, 8, 100]).ci95)
  })
})

describe('cluster metrics', () => {
  it('integrates energy from the power table: 4 hosts at 30 % for 2 h', () => {
    // 8 VMs × 4 vCPU × 2,500 MIPS × 0.3 spread over 4 hosts of 40,000 MIPS: 15 % each; 100 + 200 × 0.15 W.
    const summary = createDatacenter({ scenario: tinyScenario(), seed: 1, policy: 'none' }).run()
    expect(summary.energyKWh).toBeCloseTo(4 * 130 * 2 / 1000, 6)
    expect(summary).toMatchObject({ migrations: 0, slatahPct: 0, pdmPct: 0, slav: 0, maxActiveHosts: 4, hosts: 4, vms: 8 })
    expect(Object.keys(summary)).toEqual([...RUN_SUMMARY_FIELDS])
  })

  it('counts time at 100 % CPU in SLATAH and migration losses in PDM', () => {
    // Three hosts; all eight VMs packed on the first at 30 %, then demand jumps to 95 % after 5 min: without a
    // policy that host sits at 100 % for 6,900 of 7,200 s while the others idle.
    const scenario = tinyScenario({
      initialPlacement: 'pack',
      vms: [{ count: 8, vcpus: 4, mipsPerVcpu: 2500, memMiB: 8192, cpu: { kind: 'trace', samplesPct: [30, 95], loop: false } }]
    }, 3)
    const noneRun = createDatacenter({ scenario, seed: 1, policy: 'none' })
    const none = noneRun.run()
    expect(none.slatahPct).toBeCloseTo((6900 / 7200) / 3 * 100, 6)
    // Per-VM SLA: the saturated host's unserved demand (76,000 − 40,000 MIPS for 6,900 s) is shared by its VMs.
    const state = noneRun.inspectState()
    const perVm = state.vms.reduce((sum, vm) => sum + vm.unservedMipsS, 0)
    expect(perVm / (36_000 * 6900)).toBeCloseTo(1, 6)
    expect(state.vms[0].unservedMipsS / perVm).toBeCloseTo(1 / 8, 9)
    const moved = createDatacenter({ scenario, seed: 1, policy: 'thr-mmt' }).run()
    expect(moved.migrations).toBeGreaterThan(0)
    expect(moved.pdmPct).toBeGreaterThan(0)
    expect(moved.slatahPct).toBeLessThan(none.slatahPct / 10)
    expect(moved.slav).toBeCloseTo(moved.slatahPct / 100 * moved.pdmPct / 100, 12)
    expect(moved.esv).toBeCloseTo(moved.energyKWh * moved.slav, 12)
  })
})
