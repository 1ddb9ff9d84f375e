// Goal: the WWS probe reports the distinct pages dirtied over its sliding window (Clark §4) and the
// acceptance cases of migration.md §8 hold: a cyclic sweep's WWS is its region; a Zipf one's is smaller and
// grows with the rate. Method: the sliding union against a naive oracle (fast-check), then simulated runs.
import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { Simulation } from '../../../engine/kernel'
import { DirtyBitmap, GuestMemory, MIB, startWwsProbe, WwsWindow } from '../../../engine/memory'
import { measureWws, type WorkloadSpec } from '../../../engine/workload'

describe('WwsWindow', () => {
  it('equals the union of the last windowSamples samples (naive oracle)', () => {
    const pageCount = 300
    const samplesArb = fc.array(fc.uniqueArray(fc.integer({ min: 0, max: pageCount - 1 }), { maxLength: 40 }), { maxLength: 40 })
    fc.assert(fc.property(fc.integer({ min: 1, max: 8 }), samplesArb, (windowSamples, samples) => {
      const window = new WwsWindow(pageCount, windowSamples)
      samples.forEach((pages, index) => {
        const wws = window.addSample(DirtyBitmap.fromPages(pageCount, pages))
        const union = new Set(samples.slice(Math.max(0, index - windowSamples + 1), index + 1).flat())
        expect(wws).toBe(union.size)
      })
    }), { numRuns: 200 })
  })
})

function hotset(pattern: 'seq' | 'rand' | 'zipf', dirtyPagesPerS: number): WorkloadSpec {
  return { kind: 'hotset', hotMiB: 8, dirtyPagesPerS, pattern, zipfS: 1.0 }
}

const measure = (spec: WorkloadSpec, durationUs = 20_000_000) => measureWws({ spec, memBytes: 64 * MIB, durationUs, seed: 1 })

describe('WWS acceptance', () => {
  it('measures a cyclic sweep of 8 MiB covered in 2 s as 8 MiB (within 2 %)', () => {
    const result = measure(hotset('seq', 1024))
    const eightMiB = 8 * MIB
    expect(Math.abs(result.summary.wwsBytesFinal - eightMiB)).toBeLessThanOrEqual(0.02 * eightMiB)
    expect(Math.abs(result.summary.wwsBytesMean - eightMiB)).toBeLessThanOrEqual(0.02 * eightMiB)
    expect(result.summary.wwsBytesMax).toBeLessThanOrEqual(eightMiB)
    const atOneS = result.series.find((sample) => sample.atUs === 1_000_000)
    expect(atOneS?.wwsBytes).toBe(1024 * 4096)
    expect(result.summary.dirtyPagesPerSMean).toBeCloseTo(1024, 0)
  })

  it('measures a Zipf hot set below its region, growing with the rate', () => {
    const wws = [500, 2000, 8000].map((rate) => measure(hotset('zipf', rate)).summary.wwsBytesMean)
    expect(wws[0]).toBeLessThan(wws[1])
    expect(wws[1]).toBeLessThan(wws[2])
    expect(wws[2]).toBeLessThan(8 * MIB)
    expect(wws[0]).toBeGreaterThan(0)
  })

  it('measures a uniform hot set near n(1 − e^(−D·T/n))', () => {
    const result = measure(hotset('rand', 256))
    const pages = 2048
    const expected = pages * (1 - Math.exp((-256 * 8) / pages)) * 4096
    expect(Math.abs(result.summary.wwsBytesMean - expected) / expected).toBeLessThan(0.03)
  })

  it('counts a rogue writer\'s whole region and its rate (muncher)', () => {
    const result = measure({ kind: 'muncher', regionMiB: 16, writeMbitPerS: 1000 }, 10_000_000)
    expect(result.summary.wwsBytesFinal).toBe(16 * MIB)
    expect(result.summary.pageWritesPerSMean).toBeCloseTo(1e9 / 8 / 4096, -1)
  })
})

describe('scheduled WWS probe', () => {
  it('samples every sampleUs after same-instant writes, and stops cleanly', () => {
    const sim = new Simulation(1)
    const memory = new GuestMemory({ memBytes: 16 * MIB })
    const seen: number[] = []
    const probe = startWwsProbe(sim, memory, { sampleUs: 10_000, windowUs: 30_000, onSample: (sample) => seen.push(sample.atUs) })
    sim.scheduleAt(10_000, () => memory.writeRange(0, 8))
    sim.scheduleAt(25_000, () => memory.writeRange(4, 8))
    sim.runUntil(60_000)
    expect(seen).toEqual([10_000, 20_000, 30_000, 40_000, 50_000, 60_000])
    expect(probe.series.map((sample) => sample.wwsPages)).toEqual([8, 8, 12, 8, 8, 0])
    expect(probe.series[0].dirtyPagesPerS).toBe(800)
    probe.stop()
    expect(memory.dirtyLogging).toBe(false)
    sim.runUntil(100_000)
    expect(seen.length).toBe(6)
    expect(probe.summary()).toMatchObject({ samples: 6, wwsBytesMax: 12 * 4096, wwsBytesFinal: 0 })
  })

  it('rejects a window that is not a multiple of the sample period', () => {
    const memory = new GuestMemory({ memBytes: 16 * MIB })
    expect(() => startWwsProbe(new Simulation(1), memory, { sampleUs: 50_000, windowUs: 70_000 })).toThrow(/multiple/)
  })
})
