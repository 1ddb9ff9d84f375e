// Goal: PABFD through the power-band index chooses exactly what the reference scan of every host chooses —
// same host, same increase, same alternatives — including exact ties, excluded hosts, candidate subsets,
// detector refusals, and after the plan has moved and rolled back VMs (the index follows every move); and the
// off-hosts-only path (booting as a last resort) chooses what the scan chooses among off hosts.
// Method: fast-check draws clusters mixing power curves that tie exactly (identical linear hosts) with tabular
// presets and utilisations near band edges, then compares both paths VM by VM while proposing moves.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { linearPowerTable, powerAtW, POWER_PRESETS_W, type PowerTableW } from '../../../engine/cluster/power'
import type { DetectorVerdict } from '../../../engine/policy/detectors'
import { pabfdHost, pabfdHostByScan, type PabfdOptions } from '../../../engine/policy/placement'
import { Plan } from '../../../engine/policy/plan'
import { MEM_BUCKETS, PowerBands, tablePowerW } from '../../../engine/policy/power-bands'
import { handView, type HandHost } from './support'

const TABLES: readonly PowerTableW[] = [
  linearPowerTable(150, 450), POWER_PRESETS_W['ibm-x3550-xeon-x5670'], POWER_PRESETS_W['hp-proliant-ml110-g4'],
  [100, 100, 100, 100, 100, 100, 100, 100, 100, 100, 100], [300, 250, 200, 210, 220, 230, 240, 250, 260, 270, 280]
]

const hostArb = fc.record({
  table: fc.integer({ min: 0, max: TABLES.length - 1 }),
  capacityMips: fc.constantFrom(10_000, 20_000),
  memMiB: fc.constantFrom(8192, 16_384),
  // Demands in MIPS that put utilisation on and around band edges (multiples of 5 %) as well as anywhere.
  vms: fc.array(fc.record({ demandMips: fc.oneof(fc.constantFrom(0, 500, 1000, 2000), fc.integer({ min: 0, max: 4000 })),
    memMiB: fc.constantFrom(512, 1024, 1500, 2048, 3000, 4096) }), { maxLength: 5 }),
  threshold: fc.option(fc.double({ min: 0.3, max: 1.1, noNaN: true }), { nil: undefined }),
  off: fc.boolean()
})

function verdictOf(threshold: number | undefined, util: number): DetectorVerdict | undefined {
  return threshold === undefined ? undefined : { method: 'test', threshold, metric: util, inclusive: false, shiftFactor: 1 }
}

describe('PABFD over the power-band index', () => {
  it('matches the full scan: host, increase and alternatives, across moves and rollbacks', () => {
    fc.assert(fc.property(
      fc.array(hostArb, { minLength: 2, maxLength: 14 }),
      fc.array(fc.boolean(), { maxLength: 14 }),
      fc.array(fc.boolean(), { maxLength: 14 }),
      (specs, dropCandidate, exclude) => {
        const hosts: HandHost[] = specs.map((spec) => spec.off && spec.vms.length === 0
          ? { capacityMips: spec.capacityMips, memMiB: spec.memMiB, power: TABLES[spec.table], state: 'off' }
          : { capacityMips: spec.capacityMips, memMiB: spec.memMiB, power: TABLES[spec.table], vms: spec.vms })
        const view = handView({ hosts })
        const verdicts = view.hosts.map((host, h) => verdictOf(specs[h].threshold, host.cpuUtil))
        const candidates = view.hosts.map((host) => host.index).filter((h) => dropCandidate[h] !== true)
        const excluded = new Set(candidates.filter((h) => exclude[h] === true))
        const options: PabfdOptions = { verdicts, candidates, excluded, allowOff: false }
        // Booting as a last resort: the off hosts alone (the fast path), and every host with off ones allowed (the scan).
        const offOptions: PabfdOptions = { verdicts, candidates: candidates.filter((h) => view.hosts[h].state === 'off'), excluded, allowOff: true }
        const mixedOptions: PabfdOptions = { ...options, allowOff: true }
        const plan = new Plan(view)
        const reference = new Plan(view)
        expect(plan.powerBands()).not.toBeNull()
        const mark = plan.mark()
        for (const vm of view.vms) {
          expect(pabfdHost(plan, vm.index, offOptions)).toEqual(pabfdHostByScan(reference, vm.index, offOptions))
          expect(pabfdHost(plan, vm.index, mixedOptions)).toEqual(pabfdHostByScan(reference, vm.index, mixedOptions))
          const fast = pabfdHost(plan, vm.index, options)
          const slow = pabfdHostByScan(reference, vm.index, options)
          expect(fast).toEqual(slow)
          if (fast !== null && slow !== null) {
            const move = { reason: 'test', priority: 1, benefit: { metric: 'm', before: 0, after: 0 } }
            plan.propose(vm.index, fast.hostIndex, move)
            reference.propose(vm.index, slow.hostIndex, move)
          }
        }
        plan.rollback(mark)
        reference.rollback(mark)
        for (const vm of view.vms) {
          expect(pabfdHost(plan, vm.index, options)).toEqual(pabfdHostByScan(reference, vm.index, options))
          expect(pabfdHost(plan, vm.index, offOptions)).toEqual(pabfdHostByScan(reference, vm.index, offOptions))
        }
      }
    ), { numRuns: 300 })
  })

  it('breaks exact ties by host index, as the scan does (identical hosts, identical increases)', () => {
    const hosts: HandHost[] = Array.from({ length: 6 }, () => ({ power: linearPowerTable(150, 450), vms: [{ demandMips: 2500 }] }))
    const view = handView({ hosts: [{ vms: [{ demandMips: 1000 }] }, ...hosts] })
    const options: PabfdOptions = { verdicts: [], candidates: [1, 2, 3, 4, 5, 6], excluded: new Set([1]), allowOff: false }
    expect(pabfdHost(new Plan(view), 0, options)?.hostIndex).toBe(2)
    expect(pabfdHost(new Plan(view), 0, options)).toEqual(pabfdHostByScan(new Plan(view), 0, options))
  })

  it('skips only hosts without room: a VM of 3,000 MiB still finds the one host with 3,500 MiB free past the first refusals', () => {
    // Hosts 1–3 refuse (memory full) so the band walk runs; host 4 (16,384 − 12,884 = 3,500 MiB free, bucket
    // [2,048, 4,096)) is the only one with room. Skipping one bucket too many would miss it.
    const full: HandHost = { memMiB: 4096, vms: [{ demandMips: 100, memMiB: 4096 }] }
    const view = handView({ hosts: [{ vms: [{ demandMips: 1000, memMiB: 3000 }] }, full, full, full, { vms: [{ demandMips: 100, memMiB: 12_884 }] }] })
    const options: PabfdOptions = { verdicts: [], candidates: [1, 2, 3, 4], excluded: new Set(), allowOff: false }
    expect(pabfdHost(new Plan(view), 0, options)?.hostIndex).toBe(4)
    expect(pabfdHost(new Plan(view), 0, options)).toEqual(pabfdHostByScan(new Plan(view), 0, options))
  })

  it('picks the lowest memory bucket that can hold a VM: bucket b ≥ 1 is skipped exactly while 2^b ≤ m − 1', () => {
    const reference = (memMiB: number): number => {
      if (!(memMiB >= 2)) return 0
      let bucket = 1
      while (bucket < MEM_BUCKETS - 1 && 2 ** bucket <= memMiB - 1) bucket++
      return bucket
    }
    const edges = Array.from({ length: 30 }, (_, k) => 2 ** k).flatMap((p) => [p, p + 1, p + 2, p + 1 - 1e-9, p + 1 + 1e-9, p - 0.5])
    for (const memMiB of [0, 0.5, 1, 1.5, 2, 3, 1e12, Number.POSITIVE_INFINITY, ...edges]) expect(PowerBands.lowestBucketFor(memMiB)).toBe(reference(memMiB))
    fc.assert(fc.property(fc.double({ min: 0, max: 1e9, noNaN: true }), (memMiB) => { expect(PowerBands.lowestBucketFor(memMiB)).toBe(reference(memMiB)) }), { numRuns: 2000 })
  })

  it('free power-on (CloudSim): an off host the plan already boots this tick is weighed on its own, not as its class', () => {
    // Hosts 1 and 2 are off and of one class; the plan has already put VM 0 on host 2. With free power-on an off
    // host's increase counts from its planned load, so VM 1 adds less on host 2 than on untouched host 1, though
    // host 1 comes first among the candidates.
    const off: HandHost = { power: POWER_PRESETS_W['hp-proliant-ml110-g4'], state: 'off' }
    const view = { ...handView({ hosts: [{ vms: [{ demandMips: 1000 }, { demandMips: 1000 }] }, off, off] }), powerOnFree: true }
    const options: PabfdOptions = { verdicts: [], candidates: [1, 2], excluded: new Set(), allowOff: true }
    const plan = new Plan(view)
    plan.propose(0, 2, { reason: 'test', priority: 1, benefit: { metric: 'm', before: 0, after: 0 } })
    const reference = new Plan(view)
    reference.propose(0, 2, { reason: 'test', priority: 1, benefit: { metric: 'm', before: 0, after: 0 } })
    expect(pabfdHost(plan, 1, options)?.hostIndex).toBe(2)
    expect(pabfdHost(plan, 1, options)).toEqual(pabfdHostByScan(reference, 1, options))
  })

  it('booting as a last resort: many off hosts of few shapes, refusals, hosts the plan loads and rolls back, free power-on or not', () => {
    // The off-host path groups unloaded off hosts by shape; here VMs are large enough that whole shapes refuse,
    // and the plan keeps loading the chosen off hosts (then rolling some back), so loaded, unloaded and
    // rolled-back-to-zero hosts of one class alternate in candidate order.
    const offArb = fc.record({ table: fc.integer({ min: 0, max: 2 }), capacityMips: fc.constantFrom(4000, 10_000), memMiB: fc.constantFrom(4096, 16_384) })
    const vmArb = fc.record({ demandMips: fc.constantFrom(0, 1000, 3000, 6000, 12_000), memMiB: fc.constantFrom(1024, 4096, 8192, 20_000) })
    fc.assert(fc.property(
      fc.array(offArb, { minLength: 1, maxLength: 24 }), fc.array(vmArb, { minLength: 1, maxLength: 12 }),
      fc.array(fc.boolean(), { maxLength: 26 }), fc.array(fc.boolean(), { maxLength: 26 }), fc.boolean(), fc.boolean(),
      (offSpecs, vmSpecs, dropCandidate, exclude, powerOnFree, reverse) => {
        const active: HandHost = { capacityMips: 1e6, memMiB: 1e6, vms: vmSpecs }
        const offHosts: HandHost[] = offSpecs.map((spec) => ({ capacityMips: spec.capacityMips, memMiB: spec.memMiB, power: TABLES[spec.table], state: 'off' }))
        const view = { ...handView({ hosts: [active, ...offHosts] }), powerOnFree }
        let candidates = view.hosts.map((host) => host.index).filter((h) => h > 0 && dropCandidate[h] !== true)
        if (reverse) candidates = candidates.reverse()
        const options: PabfdOptions = { verdicts: [], candidates, excluded: new Set(candidates.filter((h) => exclude[h] === true)), allowOff: true }
        const plan = new Plan(view)
        const reference = new Plan(view)
        const move = { reason: 'test', priority: 1, benefit: { metric: 'm', before: 0, after: 0 } }
        for (const round of [0, 1]) {
          const mark = plan.mark()
          for (const vm of view.vms) {
            const fast = pabfdHost(plan, vm.index, options)
            const slow = pabfdHostByScan(reference, vm.index, options)
            expect(fast).toEqual(slow)
            if (fast !== null && slow !== null) {
              plan.propose(vm.index, fast.hostIndex, move)
              reference.propose(vm.index, slow.hostIndex, move)
            }
          }
          if (round === 0) { plan.rollback(mark); reference.rollback(mark) }
        }
      }
    ), { numRuns: 400 })
  })

  it('interpolates a table exactly as powerAtW does (bit for bit, including outside 0…1)', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: TABLES.length - 1 }), fc.double({ min: -0.5, max: 1.5, noNaN: true }), (t, util) => {
      expect(tablePowerW(Float64Array.from([0, ...TABLES[t]]), 1, util)).toBe(powerAtW(TABLES[t], util))
    }), { numRuns: 2000 })
  })

  it('declines to index a view without power tables; PABFD then scans', () => {
    const view = handView({ hosts: [{ vms: [{ demandMips: 1000 }] }, {}] })
    const curved = { ...view, powerW: (_host: number, util: number) => 100 + 100 * util * util, powerTableW: undefined }
    expect(PowerBands.build(curved, () => 0.5, () => 0)).toBeNull()
    const choice = pabfdHost(new Plan(curved), 0, { verdicts: [], candidates: [1], excluded: new Set(), allowOff: false })
    expect(choice?.hostIndex).toBe(1)
  })
})
