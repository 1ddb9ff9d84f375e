// Goal: the CloudSim-compatible mode copies CloudSim 3.0.3's semantics (policies.md §7.5), each quirk behind its
// own switch, and the default stays faithful. Method: a small CloudSim-style cluster (G4/G5 hosts, the four VM
// types, replayed traces) run in both modes and with single switches; direct checks of the migration model,
// the metric definition and the initial placement.
import { describe, expect, test } from 'vitest'
import { CloudsimMigrationModel } from '../../../engine/cluster/cloudsim-model'
import { alternativesText } from '../../../engine/cluster/decisions'
import type { MigrationOutcome } from '../../../engine/cluster/migration-model'
import { Simulation } from '../../../engine/kernel/simulation'
import { COMPAT_SWITCHES, resolveCompat, switchesOn } from '../../../engine/cluster/compat'
import { clusterMetrics } from '../../../engine/metrics/summary'
import { buildDatacenter } from '../../../engine/scenario/build'
import { cloudsimPlanetlabScenario } from '../../../engine/scenario/cloudsim-setup'
import { formatTracePack } from '../../../engine/scenario/trace-pack'
import { detect } from '../../../engine/policy/detectors'
import { runRecorded, ofKind, validated } from './support'

/** 48 VMs with bursty, phase-shifted traces (deterministic), 12 hosts, 8 h. */
function smallCloudsim() {
  const series = Array.from({ length: 48 }, (_, i) => ({
    name: `vm ${String(i).padStart(2, '0')}`,
    samplesPct: Array.from({ length: 96 }, (_, k) => Math.round(Math.min(99, 5 + 45 * (1 + Math.sin((k + 7 * i) / 5)) * ((i * 37 + k * 11) % 7 === 0 ? 1.6 : 0.5))))
  }))
  return validated(cloudsimPlanetlabScenario({
    name: 'small-cloudsim', description: '', traceCount: 48, traces: { pack: formatTracePack(series, 300) }, hostCount: 12, durationH: 8
  }))
}

const scenario = smallCloudsim()
const cloudsim = resolveCompat('cloudsim')

describe('CloudSim migration model (ramOverHalfBandwidth)', () => {
  test('870 MB over half of 1 Gbit/s takes 13.92 s with no downtime and RAM as the bytes', () => {
    const model = new CloudsimMigrationModel()
    const vm = { vmId: 'v', memBytes: 870 * 1024 * 1024, dirtyBytesPerS: 50e6, wwsBytes: 64e6 }
    const end = (linkMbitPerS: number, activeMigrations: number) => ({ hostId: 'h', linkMbitPerS, activeMigrations })
    const estimate = model.estimate(vm, end(500, 3), end(500, 5))
    expect(estimate.totalUs).toBe(13_920_000)
    expect(estimate.downtimeUs).toBe(0)
    expect(estimate.bytes).toBe(vm.memBytes)
  })

  function startOne(sim: Simulation, ends: MigrationOutcome[]) {
    const vm = { vmId: 'v', memBytes: 870 * 1024 * 1024, dirtyBytesPerS: 0, wwsBytes: 0 }
    const end = { hostId: 'h', linkMbitPerS: 500, activeMigrations: 0 }
    return new CloudsimMigrationModel().start({
      migrationId: 'm', vm, source: end, target: end, linkMbitPerS: 500, concurrent: 1, clock: sim, onEnd: (outcome) => ends.push(outcome)
    })
  }

  test('a run ends once, from its timer, completed after RAM / half the bandwidth', () => {
    const sim = new Simulation(1)
    const ends: MigrationOutcome[] = []
    const run = startOne(sim, ends)
    expect(ends).toEqual([])
    sim.runUntil(13_919_999)
    expect(ends).toEqual([])
    sim.runUntil(20_000_000)
    expect(ends).toEqual([{ outcome: 'completed', totalUs: 13_920_000, downtimeUs: 0, bytes: 870 * 1024 * 1024, rounds: 1, lostWrites: null, abortReason: null }])
    run.abort('too late', true)
    sim.runUntil(30_000_000)
    expect(ends).toHaveLength(1)
  })

  test('an abort ends it (aborted or failed) with the bytes sent so far, never completed, once', () => {
    for (const sourceSurvives of [true, false]) {
      const sim = new Simulation(1)
      const ends: MigrationOutcome[] = []
      const run = startOne(sim, ends)
      sim.runUntil(3_480_000)
      run.abort('host crashed', sourceSurvives)
      run.abort('again', sourceSurvives)
      expect(ends).toEqual([])
      sim.runUntil(30_000_000)
      expect(ends).toEqual([{
        outcome: sourceSurvives ? 'aborted' : 'failed', totalUs: 3_480_000, downtimeUs: 0, bytes: Math.round((870 * 1024 * 1024) / 4), rounds: 1,
        lostWrites: null, abortReason: 'host crashed'
      }])
    }
  })
})

describe('decision records', () => {
  test('name the first three alternatives as the old slice/map/join did', () => {
    const reference = (alternatives: readonly { hostId: string; reason: string }[]) =>
      alternatives.slice(0, 3).map((a) => `${a.hostId}: ${a.reason}`).join('; ')
    const pool = [{ hostId: 'host-0001', reason: 'CPU above limit' }, { hostId: 'h 2', reason: '' }, { hostId: 'x', reason: 'insufficient memory' },
      { hostId: 'host-0009', reason: 'host is off' }]
    for (let count = 0; count <= pool.length; count++) expect(alternativesText(pool.slice(0, count))).toBe(reference(pool.slice(0, count)))
    expect(alternativesText(pool.slice(0, 2))).toBe('host-0001: CPU above limit; h 2: ')
  })
})

describe('compat mode on a CloudSim-style cluster', () => {
  const faithful = runRecorded({ scenario, seed: 1, policy: 'lr-mmt' })
  const compat = runRecorded({ scenario, seed: 1, policy: 'lr-mmt', compat: cloudsim })

  test('the summary says which mode and switches were used', () => {
    expect(faithful.summary.compat).toBe('faithful')
    expect(faithful.summary.compatSwitches).toBe('')
    expect(compat.summary.compat).toBe('cloudsim')
    expect(compat.summary.compatSwitches.split(',')).toEqual([...COMPAT_SWITCHES])
  })

  test('cloudsim: migrations last RAM / half the NIC, have no downtime, and migrate RAM-sized bytes', () => {
    const ended = ofKind(compat.events, 'migration.ended')
    expect(ended.length).toBeGreaterThan(0)
    for (const migration of ended) {
      expect(migration.downtimeUs).toBe(0)
      expect([870, 1740, 613].map((mb) => Math.round(mb * 8 / 500 * 1e6))).toContain(migration.totalUs)
    }
    expect(ofKind(faithful.events, 'migration.ended').every((m) => m.downtimeUs > 0)).toBe(true)
  })

  test('cloudsim: migrations are no flows on the shared network (no rate changes; each starts at its path\'s capacity)', () => {
    const started = ofKind(compat.events, 'migration.started')
    expect(started.length).toBeGreaterThan(0)
    // 1 Gbit/s NICs, half of it for migrations, one rack: the path capacity is 500 Mbit/s whatever else moves.
    for (const migration of started) expect(migration.rateMbitPerS).toBe(500)
    expect(ofKind(compat.events, 'migration.rate')).toEqual([])
    expect(ofKind(faithful.events, 'migration.rate').length).toBeGreaterThan(0)
  })

  test('cloudsim: memory is not enforced after the initial placement, faithful never overcommits', () => {
    let overcommitted = false
    runRecorded({ scenario, seed: 1, policy: 'lr-mmt', compat: cloudsim }, (event, dc) => {
      if (event.kind !== 'migration.ended') return
      const state = dc.inspectState()
      const resident = new Float64Array(state.hosts.length)
      for (const vm of state.vms) if (vm.hostIndex >= 0) resident[vm.hostIndex] += vm.memMiB
      if (state.hosts.some((host) => resident[host.index] > host.memMiB)) overcommitted = true
    })
    expect(overcommitted).toBe(true)
    const state = faithful.dc.inspectState()
    for (const host of state.hosts) expect(host.memUsedMiB).toBeLessThanOrEqual(host.memMiB + 1e-6)
  })

  test('the default (no compat given, scenario faithful) is the faithful mode', () => {
    const again = runRecorded({ scenario, seed: 1, policy: 'lr-mmt' })
    expect(again.summary.traceHash).toBe(faithful.summary.traceHash)
    expect(again.summary.traceHash).not.toBe(compat.summary.traceHash)
  })

  test('the scenario file can ask for the mode, and a switch turned off there stays off', () => {
    const fromFile = runRecorded({ scenario: validated({ ...scenario, compat: { mode: 'cloudsim', switches: { memoryUnenforced: false } } }), seed: 1, policy: 'lr-mmt' })
    expect(fromFile.summary.compat).toBe('cloudsim')
    expect(fromFile.summary.compatSwitches.split(',')).not.toContain('memoryUnenforced')
    for (const host of fromFile.dc.inspectState().hosts) expect(host.memUsedMiB).toBeLessThanOrEqual(host.memMiB + 1e-6)
  })

  test.each(COMPAT_SWITCHES.map((name) => [name]))('turning %s off alone changes the run', (name) => {
    const without = runRecorded({ scenario, seed: 1, policy: name === 'plainLeastSquares' ? 'lrr-mmt' : 'lr-mmt', compat: resolveCompat('cloudsim', { [name]: false }) })
    expect(switchesOn(resolveCompat('cloudsim', { [name]: false })).split(',')).not.toContain(name)
    const reference = name === 'plainLeastSquares' ? runRecorded({ scenario, seed: 1, policy: 'lrr-mmt', compat: cloudsim }).summary : compat.summary
    const differs = (['energyKWh', 'migrations', 'slatahPct', 'pdmPct', 'bytesMigrated', 'traceHash'] as const).some((field) => without.summary[field] !== reference[field])
    expect(differs).toBe(true)
  })
})

describe('single quirks', () => {
  test('plainLeastSquares: LRR decides exactly like LR (same migrations, energy and SLA)', () => {
    const lr = runRecorded({ scenario, seed: 1, policy: 'lr-mmt', compat: cloudsim }).summary
    const lrr = runRecorded({ scenario, seed: 1, policy: 'lrr-mmt', compat: cloudsim }).summary
    for (const field of ['migrations', 'energyKWh', 'slatahPct', 'pdmPct', 'bytesMigrated'] as const) expect(lrr[field]).toBe(lr[field])
    const samples = [0.2, 0.25, 0.22, 0.3, 0.28, 0.9, 0.33, 0.35, 0.34, 0.4]
    expect(detect('lr', samples, 1.2, 1, true).metric).toBe(detect('lrr', samples, 1.2, 1, true).metric)
    expect(detect('lr', samples, 1.2, 1, false).metric).not.toBeCloseTo(detect('lrr', samples, 1.2, 1, false).metric, 6)
  })

  test('targetTenthReserved: a moving VM reserves 10 % of its CPU on the target, counted as its load', () => {
    const built = buildDatacenter(scenario, 1, 8, { compat: resolveCompat('faithful', { targetTenthReserved: true }) })
    const { state } = built
    const vm = state.vms.find((v) => v.cpuDemandMips > 0) as (typeof state.vms)[number]
    const target = state.hosts.find((h) => h.index !== vm.hostIndex && h.vmIndices.length === 0) ?? state.hosts.find((h) => h.index !== vm.hostIndex) as (typeof state.hosts)[number]
    const before = target.cpuReservedMips
    state.reserve(vm, target, 0)
    expect(target.cpuReservedMips - before).toBeCloseTo(0.1 * vm.cpuDemandMips, 9)
    const energyBefore = target.energyJ
    state.accountHost(target, 3_600_000_000)
    expect(target.energyJ - energyBefore).toBeGreaterThan(0)
  })

  test('instantFreePower: hosts boot in 0 s and an idle host draws 0 W', () => {
    const built = buildDatacenter(scenario, 1, 8, { compat: resolveCompat('faithful', { instantFreePower: true }) })
    expect(built.state.hosts.every((host) => host.bootUs === 0)).toBe(true)
    const idle = built.state.hosts[0]
    for (const vmIndex of [...idle.vmIndices]) built.state.detachVm(built.state.vms[vmIndex], 0)
    built.state.accountHost(idle, 3_600_000_000)
    expect(idle.energyJ).toBe(0)
    const faithfulState = buildDatacenter(scenario, 1, 8).state
    const faithfulIdle = faithfulState.hosts[0]
    for (const vmIndex of [...faithfulIdle.vmIndices]) faithfulState.detachVm(faithfulState.vms[vmIndex], 0)
    faithfulState.accountHost(faithfulIdle, 3_600_000_000)
    expect(faithfulIdle.bootUs).toBe(60_000_000)
    expect(faithfulIdle.energyJ).toBeCloseTo(86 * 3600, 6)
  })

  test('cloudsimMetrics: SLATAH is Σ saturated time / Σ busy time, not the mean of per-host shares', () => {
    const { state } = buildDatacenter(scenario, 1, 8)
    for (const host of state.hosts) { host.activeUs = 0; host.busyUs = 0; host.saturatedUs = 0; host.overloadUs = 0 }
    Object.assign(state.hosts[0], { activeUs: 100, busyUs: 100, saturatedUs: 50, overloadUs: 50 })
    Object.assign(state.hosts[1], { activeUs: 900, busyUs: 900, saturatedUs: 0, overloadUs: 0 })
    expect(clusterMetrics(state, 1000, true).slatah).toBeCloseTo(0.05, 12)
    expect(clusterMetrics(state, 1000, false).slatah).toBeCloseTo(0.25, 12)
  })

  test('pabfdInitialPlacement: VMs at full MIPS, never a 2,500-MIPS VM on a 1,860-MIPS core, ≤ 70 % once shared', () => {
    const { state } = buildDatacenter(scenario, 1, 8, { compat: resolveCompat('faithful', { pabfdInitialPlacement: true }), initialThreshold: 0.7 })
    for (const host of state.hosts) {
      const full = host.vmIndices.reduce((sum, i) => sum + state.vms[i].cpuCapacityMips, 0)
      for (const i of host.vmIndices) expect(state.vms[i].cpuCapacityMips).toBeLessThanOrEqual(host.mipsPerCore)
      if (host.vmIndices.length > 1) expect(full / host.cpuCapacityMips).toBeLessThanOrEqual(0.7 + 1e-9)
    }
  })
})
