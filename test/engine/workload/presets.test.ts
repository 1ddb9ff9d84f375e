// Goal: the presets of Clark et al.'s workloads dirty memory as §4 characterises them (migration.md §8a): rate
// ranges in distinct pages per second at 50 ms resolution, and hot sets large or small as published.
// Method: the WWS probe of `cutover wws` (50 ms harvest, 8 s window) on each preset at its set-up's VM size.
import { describe, expect, it } from 'vitest'
import { MIB } from '../../../engine/memory/geometry'
import { measureWws } from '../../../engine/workload/measure'
import { WORKLOAD_PRESET_NAMES, workloadPreset, type WorkloadPresetName } from '../../../engine/workload/presets'
import { checkWorkloadSpec } from '../../../engine/workload/factory'

function measure(name: WorkloadPresetName, seconds = 20) {
  const preset = workloadPreset(name)
  const result = measureWws({ spec: preset.spec, memBytes: preset.memMiB * MIB, durationUs: seconds * 1e6, seed: 1 })
  const rates = result.series.map((sample) => sample.dirtyPagesPerS).sort((a, b) => a - b)
  return {
    mean: result.summary.dirtyPagesPerSMean, p10: rates[Math.floor(rates.length * 0.1)], p90: rates[Math.floor(rates.length * 0.9)],
    max: result.summary.dirtyPagesPerSMax, wwsMiB: result.summary.wwsBytesMax / MIB
  }
}

describe('workload presets (Clark et al. §4)', () => {
  it('every preset is a valid spec for its VM and documents its source and assumptions', () => {
    for (const name of WORKLOAD_PRESET_NAMES) {
      const preset = workloadPreset(name)
      expect(checkWorkloadSpec(preset.spec, preset.memMiB * MIB), name).toBeUndefined()
      expect(preset.source).toMatch(/Clark et al\. §[46]/)
      expect(preset.assumptions.length).toBeGreaterThan(0)
    }
  })

  it('specweb99: 10,000–12,000 pages/s and a large WWS', () => {
    const m = measure('specweb99')
    expect(m.mean).toBeGreaterThanOrEqual(10_000)
    expect(m.mean).toBeLessThanOrEqual(12_000)
    expect(m.wwsMiB).toBeGreaterThan(64)
  })

  it('quake3: 400–500 pages/s over a small hot set', () => {
    const m = measure('quake3')
    expect(m.mean).toBeGreaterThanOrEqual(400)
    expect(m.max).toBeLessThanOrEqual(500)
    expect(m.wwsMiB).toBeLessThan(8)
  })

  it('mmuncher: about 1 Gbit/s of writes, faster than the 500 Mbit/s cap, over the whole 256 MiB region', () => {
    const m = measure('mmuncher', 12)
    expect(m.mean * 4096 * 8 / 1e6).toBeGreaterThan(900)
    expect(m.mean * 4096 * 8 / 1e6).toBeLessThan(1100)
    expect(m.wwsMiB).toBeCloseTo(256, 0)
  })

  it('apache-static: network buffers dominate, so the set stays small however fast it is rewritten', () => {
    const m = measure('apache-static')
    expect(m.wwsMiB).toBeLessThan(16)
    expect(m.mean).toBeGreaterThan(10_000)
  })

  it('kernel-compile: phases between about 2,000 and 7,000 pages/s', () => {
    const m = measure('kernel-compile', 30)
    expect(m.p10).toBeGreaterThanOrEqual(1_800)
    expect(m.p10).toBeLessThan(3_000)
    expect(m.p90).toBeGreaterThan(6_000)
    expect(m.max).toBeLessThanOrEqual(7_500)
  })

  it('oltp-osdb: 2,500–3,000 pages/s with spikes to about 7,000', () => {
    const m = measure('oltp-osdb', 30)
    expect(m.p10).toBeGreaterThanOrEqual(2_500)
    expect(m.p10).toBeLessThanOrEqual(3_000)
    expect(m.max).toBeGreaterThan(6_000)
    expect(m.max).toBeLessThan(8_000)
  })
})
