// Goal: the trace pack round-trips, names its bad lines, and the shipped PlanetLab days are the real data
// (the README's per-day VM counts and statistics), replayed into VM demand by position in name order.
// Method: format/parse on small inputs; parse every shipped pack (gunzip here, in the test, like the CLI).
import { readFileSync } from 'node:fs'
import { gunzipSync } from 'node:zlib'
import { describe, expect, test } from 'vitest'
import { cloudsimPlanetlabScenario, cloudsimTypeCounts } from '../../../engine/scenario/cloudsim-setup'
import { buildDatacenter } from '../../../engine/scenario/build'
import { cloudsimVmType, formatTracePack, parsePlanetlabFile, parseTracePack, TraceFormatError } from '../../../engine/scenario/trace-pack'
import { validateScenario } from '../../../engine/scenario/validate'

const DAYS: Record<string, { vms: number; meanPct: number; sdPct: number }> = {
  '20110303': { vms: 1052, meanPct: 12.31, sdPct: 17.09 }, '20110306': { vms: 898, meanPct: 11.44, sdPct: 16.83 },
  '20110309': { vms: 1061, meanPct: 10.70, sdPct: 15.57 }, '20110322': { vms: 1516, meanPct: 9.26, sdPct: 12.78 },
  '20110325': { vms: 1078, meanPct: 10.56, sdPct: 14.14 }, '20110403': { vms: 1463, meanPct: 12.39, sdPct: 16.55 },
  '20110409': { vms: 1358, meanPct: 11.12, sdPct: 15.09 }, '20110411': { vms: 1233, meanPct: 11.56, sdPct: 15.07 },
  '20110412': { vms: 1054, meanPct: 11.54, sdPct: 15.15 }, '20110420': { vms: 1033, meanPct: 10.43, sdPct: 15.21 }
}

function packOf(day: string): string {
  return gunzipSync(readFileSync(new URL(`../../../data/planetlab/${day}.tsv.gz`, import.meta.url))).toString('utf8')
}

describe('trace pack format', () => {
  test('round-trips series sorted by byte order, names with spaces included', () => {
    const text = formatTracePack([{ name: 'b node', samplesPct: [1, 2.5] }, { name: 'a_x', samplesPct: [99, 0] }], 300)
    const pack = parseTracePack(text)
    expect(pack.names).toEqual(['a_x', 'b node'])
    expect([...pack.samplesPct]).toEqual([99, 0, 1, 2.5])
    expect(pack.sampleIntervalS).toBe(300)
  })

  test('a bad sample names its line and sample', () => {
    const text = 'cutover-traces v1 interval_s=300 samples=2 vms=2\na\t1,2\nb\t3,101\n'
    expect(() => parseTracePack(text, 'day.tsv')).toThrow('day.tsv:3: sample 2: expected a percentage 0…100, got "101"')
  })

  test('a PlanetLab file with a non-number names the line', () => {
    expect(() => parsePlanetlabFile('3\n4\n-1\n', 'dir/vm a')).toThrow(TraceFormatError)
    expect(() => parsePlanetlabFile('3\n4\n-1\n', 'dir/vm a')).toThrow('dir/vm a:3:')
    expect(parsePlanetlabFile('3\r\n4\n', 'f')).toEqual([3, 4])
  })

  test('VM types by position follow CloudSim (i / ceil(n / 4))', () => {
    expect(cloudsimTypeCounts(1052)).toEqual([263, 263, 263, 263])
    expect(cloudsimTypeCounts(898)).toEqual([225, 225, 225, 223])
    expect(cloudsimVmType(224, 898)).toBe(0)
    expect(cloudsimVmType(225, 898)).toBe(1)
  })
})

describe('shipped PlanetLab days', () => {
  test.each(Object.keys(DAYS))('%s matches the data README (VM count, mean and st.dev of all samples)', (day) => {
    const pack = parseTracePack(packOf(day), day)
    const expected = DAYS[day]
    expect(pack.names.length).toBe(expected.vms)
    expect(pack.sampleCount).toBe(288)
    let sum = 0
    let squares = 0
    for (const value of pack.samplesPct) { sum += value; squares += value * value }
    const mean = sum / pack.samplesPct.length
    expect(mean).toBeCloseTo(expected.meanPct, 2)
    expect(Math.sqrt(squares / pack.samplesPct.length - mean * mean)).toBeCloseTo(expected.sdPct, 2)
    expect(pack.names.filter((name) => name.includes(' ')).length).toBeGreaterThan(0)
  })

  test('the preset replays trace i on VM i with the type of its quarter', () => {
    const pack = packOf('20110306')
    const document = JSON.parse(readFileSync(new URL('../../../scenarios/planetlab-20110306.json', import.meta.url), 'utf8'))
    const validation = validateScenario({ ...document, traces: { pack } })
    if (!validation.ok) throw new Error(validation.errors.join('\n'))
    const built = buildDatacenter(validation.scenario, 1)
    const parsed = parseTracePack(pack)
    expect(built.state.vms.length).toBe(898)
    expect(built.state.hosts.length).toBe(800)
    expect(built.state.hosts.slice(0, 4).map((h) => h.mipsPerCore)).toEqual([1860, 2660, 1860, 2660])
    for (const vmIndex of [0, 224, 225, 897]) {
      const vm = built.state.vms[vmIndex]
      expect(vm.cpuCapacityMips).toBe([2500, 2000, 1000, 500][cloudsimVmType(vmIndex, 898)])
      for (const k of [0, 100, 287, 288]) {
        expect(built.state.utilAt(vmIndex, k)).toBeCloseTo(parsed.samplesPct[vmIndex * 288 + Math.min(k, 287)] / 100, 6)
      }
    }
  })

  test('a replay scenario without its pack, or asking for more traces than it holds, is refused with the field path', () => {
    const base = cloudsimPlanetlabScenario({ name: 't', description: '', traceCount: 8, traces: { file: 'x.tsv.gz' }, hostCount: 2 })
    const missing = validateScenario(base)
    expect(missing.ok).toBe(false)
    if (!missing.ok) expect(missing.errors[0]).toMatch(/^traces\.pack: replay VMs need a trace pack, got none \(traces\.file "x\.tsv\.gz"/)
    const pack = formatTracePack([{ name: 'a', samplesPct: [1] }, { name: 'b', samplesPct: [2] }], 300)
    const short = validateScenario({ ...base, traces: { pack } })
    expect(short.ok).toBe(false)
    if (!short.ok) expect(short.errors).toContain('vms[1].cpu.first: traces 3…4 requested, the pack holds 2, got 2')
  })
})
