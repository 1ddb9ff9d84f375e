// Goal: the analytic pre-copy model reproduces migration.md §9 (geometric rounds capped by the WWS, Clark/Xen stop
// rules) and, as a MigrationModel, ends every migration exactly once at the estimated time or on abort; when the
// network changes its rate mid-run, the fluid form continues the round in progress at the new rate.
// Method: closed-form arithmetic checks, then runs on a bare kernel Simulation.
import { describe, expect, it } from 'vitest'
import { EstimateMigrationModel, estimatePrecopy, skipRoundS, DEFAULT_STOP_RULES } from '../../../engine/cluster/estimate-model'
import type { MigrationOutcome } from '../../../engine/cluster/migration-model'
import { FluidPrecopy } from '../../../engine/cluster/estimate-run'
import { Simulation } from '../../../engine/kernel/simulation'

const GIB = 2 ** 30
const base = { resumeOverheadUs: 0, maxRounds: 30, stopBelowBytes: 256 * 1024, maxSentFactor: 3 }

describe('estimatePrecopy', () => {
  it('matches the reference illustration: M = 1 GiB, R = 800 Mbit/s, D = 200 Mbit/s (λ = 0.25)', () => {
    const estimate = estimatePrecopy({ ...base, memBytes: GIB, dirtyBytesPerS: 25e6, wwsBytes: GIB, rateBytesPerS: 100e6 })
    // V_mig → M / (1 − λ) = 11,453 Mbit; rounds continue until < 256 KiB remain (λ^7·M = 65.5 KB).
    expect(estimate.bytes * 8 / 1e6).toBeCloseTo(11_453, -1)
    expect(estimate.rounds).toBe(8)
    expect(estimate.downtimeUs).toBe(Math.ceil(GIB * 0.25 ** 7 / 100e6 * 1e6))
    expect(estimate.totalUs / 1e6).toBeCloseTo(GIB / 100e6 / 0.75, 2)
    expect(estimate.converges).toBe(true)
  })

  it('caps rounds at the writable working set: with λ ≥ 1 they stall there, so downtime = W / R + resume overhead', () => {
    const wws = 64 * 2 ** 20
    const stalled = estimatePrecopy({ ...base, resumeOverheadUs: 20_000, memBytes: GIB, dirtyBytesPerS: 150e6, wwsBytes: wws, rateBytesPerS: 100e6 })
    expect(stalled.converges).toBe(false)
    expect(stalled.downtimeUs).toBe(Math.ceil(wws / 100e6 * 1e6) + 20_000)
    expect(stalled.bytes).toBe(GIB + 2 * wws)
    // λ < 1: round 1 is capped at W, later rounds shrink geometrically below it.
    const converging = estimatePrecopy({ ...base, memBytes: GIB, dirtyBytesPerS: 25e6, wwsBytes: wws, rateBytesPerS: 100e6 })
    expect(converging.downtimeUs).toBeLessThan(3_000)
    expect(converging.bytes).toBeLessThan(GIB + wws / 0.75 + 1)
  })

  it('stops after the first round when the dirty rate reaches the link rate (λ ≥ 1), and says it does not converge', () => {
    const estimate = estimatePrecopy({ ...base, memBytes: GIB, dirtyBytesPerS: 150e6, wwsBytes: GIB, rateBytesPerS: 100e6 })
    expect(estimate.converges).toBe(false)
    expect(estimate.rounds).toBe(2)
    expect(estimate.downtimeUs).toBe(Math.ceil(GIB / 100e6 * 1e6))
  })

  it('honours the round cap and the 3 × M data cap', () => {
    const capped = estimatePrecopy({ ...base, maxRounds: 3, memBytes: GIB, dirtyBytesPerS: 90e6, wwsBytes: GIB, rateBytesPerS: 100e6 })
    expect(capped.rounds).toBe(4)
    // Pre-copy stops before its data passes 3 × M; the final stop-and-copy comes on top (Xen's DEF_MAX_FACTOR).
    const heavy = estimatePrecopy({ ...base, memBytes: GIB, dirtyBytesPerS: 95e6, wwsBytes: GIB, rateBytesPerS: 100e6 })
    expect(heavy.bytes).toBeLessThanOrEqual(4 * GIB)
    expect(heavy.bytes).toBeGreaterThan(3 * GIB)
    expect(heavy.rounds).toBeLessThan(30)
  })

  it('sends an idle VM in one pass plus an empty stop-and-copy', () => {
    const idle = estimatePrecopy({ ...base, resumeOverheadUs: 30_000, memBytes: GIB, dirtyBytesPerS: 0, wwsBytes: 16 * 2 ** 20, rateBytesPerS: 100e6 })
    expect(idle.bytes).toBe(GIB)
    expect(idle.downtimeUs).toBe(30_000)
  })
})

describe('EstimateMigrationModel', () => {
  const vm = { vmId: 'vm-0001', memBytes: GIB, dirtyBytesPerS: 10e6, wwsBytes: 256 * 2 ** 20 }
  const end = (hostId: string) => ({ hostId, linkMbitPerS: 1000, activeMigrations: 0 })

  it('divides the link among concurrent migrations', () => {
    const model = new EstimateMigrationModel()
    const alone = model.estimate(vm, end('a'), end('b'), 1000, 1)
    const shared = model.estimate(vm, end('a'), end('b'), 1000, 2)
    expect(shared.totalUs).toBeGreaterThan(1.9 * alone.totalUs)
  })

  it('repeats an estimate exactly, as a fresh object, and gives other inputs their own (the model remembers its last one)', () => {
    const model = new EstimateMigrationModel()
    const first = model.estimate(vm, end('a'), end('b'), 1000, 1)
    const reference = estimatePrecopy({ ...base, resumeOverheadUs: 30_000, cpuStateBytes: 256 * 1024, peekAndSkip: { peekLagUs: 25_000 },
      memBytes: vm.memBytes, dirtyBytesPerS: vm.dirtyBytesPerS, wwsBytes: vm.wwsBytes, rateBytesPerS: 1000e6 / 8 })
    expect(first).toEqual(reference)
    ;(first as { totalUs: number }).totalUs = -1
    const again = model.estimate(vm, end('a'), end('b'), 1000, 1)
    expect(again).toEqual(reference)
    expect(again).not.toBe(first)
    const busier = model.estimate({ ...vm, dirtyBytesPerS: 40e6 }, end('a'), end('b'), 1000, 1)
    expect(busier.totalUs).toBeGreaterThan(reference.totalUs)
    expect(model.estimate(vm, end('a'), end('b'), 500, 1).totalUs).toBeGreaterThan(reference.totalUs)
  })

  it('completes at the estimated time, once', () => {
    const sim = new Simulation(1)
    const model = new EstimateMigrationModel(DEFAULT_STOP_RULES)
    const outcomes: [number, MigrationOutcome][] = []
    model.start({ migrationId: 'm', vm, source: end('a'), target: end('b'), linkMbitPerS: 1000, concurrent: 1, clock: sim,
      onEnd: (outcome) => outcomes.push([sim.nowUs, outcome]) })
    sim.runToCompletion()
    const expected = model.estimate(vm, end('a'), end('b'), 1000, 1)
    expect(outcomes).toHaveLength(1)
    expect(outcomes[0][0]).toBe(expected.totalUs)
    expect(outcomes[0][1]).toMatchObject({ outcome: 'completed', bytes: expected.bytes, downtimeUs: expected.downtimeUs, lostWrites: null })
  })

  it('reports aborted (source alive) or failed (source lost) with the bytes sent so far', () => {
    for (const sourceSurvives of [true, false]) {
      const sim = new Simulation(1)
      const outcomes: MigrationOutcome[] = []
      const run = new EstimateMigrationModel().start({ migrationId: 'm', vm, source: end('a'), target: end('b'), linkMbitPerS: 1000,
        concurrent: 1, clock: sim, onEnd: (outcome) => outcomes.push(outcome) })
      sim.runUntil(1_000_000)
      run.abort('test', sourceSurvives)
      run.abort('again', sourceSurvives)
      sim.runToCompletion()
      expect(outcomes).toHaveLength(1)
      expect(outcomes[0].outcome).toBe(sourceSurvives ? 'aborted' : 'failed')
      expect(outcomes[0].totalUs).toBe(1_000_000)
      expect(outcomes[0].bytes).toBeGreaterThan(0)
    }
  })
})

describe('estimatePrecopy with peek-and-skip (the datacenter default)', () => {
  const MIB = 2 ** 20
  const skip = { ...base, cpuStateBytes: 0, peekAndSkip: { peekLagUs: 0 } }

  it('a round time solves dt/ds = (1 − h·(1 − e^(−D·t/W)))/R (checked by numeric integration)', () => {
    for (const [setBytes, hotShare] of [[512 * MIB, 0.25], [128 * MIB, 1], [2048 * MIB, 1 / 16]] as const) {
      const rate = 119e6, dirty = 200 * MIB, hot = 128 * MIB
      let t = 0
      const stepBytes = setBytes / 200_000
      for (let s = 0; s < setBytes; s += stepBytes) t += (1 - hotShare * -Math.expm1((-dirty * t) / hot)) * stepBytes / rate
      expect(skipRoundS(setBytes, hotShare, rate, dirty, hot, 0)).toBeCloseTo(t, 3)
    }
    // With no writes, or before the first peek, it is plain V/R.
    expect(skipRoundS(100e6, 1, 100e6, 0, 64 * MIB, 0)).toBe(1)
    expect(skipRoundS(1e6, 1, 100e6, 200 * MIB, 64 * MIB, 0.025)).toBe(0.01)
  })

  it('with λ ≥ 1 skipping shortens the last round, so downtime sits below the W/R floor of the plain formula', () => {
    const params = { ...base, memBytes: GIB, dirtyBytesPerS: 150e6, wwsBytes: 64 * MIB, rateBytesPerS: 100e6 }
    const plain = estimatePrecopy(params)
    const refined = estimatePrecopy({ ...params, ...skip })
    expect(refined.downtimeUs).toBeLessThan(plain.downtimeUs)
    expect(refined.downtimeUs).toBeGreaterThan(0.3 * plain.downtimeUs)
    // Round 1 skips most of the hot set (it is rewritten long before the scan reaches it).
    expect(refined.bytes).toBeLessThan(plain.bytes)
    expect(refined.converges).toBe(false)
  })

  it('for a quiet guest it agrees with the plain formula', () => {
    const params = { ...base, memBytes: GIB, dirtyBytesPerS: 1e6, wwsBytes: 256 * MIB, rateBytesPerS: 100e6 }
    const plain = estimatePrecopy(params)
    const refined = estimatePrecopy({ ...params, ...skip })
    expect(Math.abs(refined.totalUs - plain.totalUs) / plain.totalUs).toBeLessThan(0.01)
    expect(Math.abs(refined.bytes - plain.bytes) / plain.bytes).toBeLessThan(0.01)
  })
})

describe('FluidPrecopy (the estimate under a piecewise-constant rate)', () => {
  const MIB = 2 ** 20
  const rules = { ...base, resumeOverheadUs: 30_000, cpuStateBytes: 256 * 1024 }
  const shapes = [
    { memBytes: GIB, dirtyBytesPerS: 10e6, wwsBytes: 256 * MIB },
    { memBytes: 8 * GIB, dirtyBytesPerS: 150 * MIB, wwsBytes: 512 * MIB },
    { memBytes: 2 * GIB, dirtyBytesPerS: 800 * MIB, wwsBytes: 128 * MIB },
    { memBytes: 512 * MIB, dirtyBytesPerS: 0, wwsBytes: 16 * MIB }
  ]

  it('at a constant rate reproduces estimatePrecopy (textbook and peek-and-skip), however the time is sliced', () => {
    for (const shape of shapes) {
      for (const peek of [undefined, { peekLagUs: 25_000 }]) {
        const params = { ...rules, ...shape, ...(peek === undefined ? {} : { peekAndSkip: peek }) }
        const rate = 125e6
        const expected = estimatePrecopy({ ...params, rateBytesPerS: rate })
        const whole = new FluidPrecopy(params).predict(rate)
        expect(Math.ceil(whole.transferS * 1e6) + rules.resumeOverheadUs).toBeGreaterThanOrEqual(expected.totalUs - 2)
        expect(Math.ceil(whole.transferS * 1e6) + rules.resumeOverheadUs).toBeLessThanOrEqual(expected.totalUs + 1)
        expect(whole.bytes).toBeCloseTo(expected.bytes, -1)
        expect(whole.rounds).toBe(expected.rounds)
        const sliced = new FluidPrecopy(params)
        for (let k = 0; k < 37; k++) sliced.advance(0.173, rate)
        const rest = sliced.predict(rate)
        expect(rest.transferS).toBeCloseTo(whole.transferS, 6)
        expect(rest.bytes / whole.bytes).toBeCloseTo(1, 9)
      }
    }
  })

  it('a round in progress continues at the new rate: 10 s at half the rate cost about 5 s (less what the slow scan skipped)', () => {
    const params = { ...rules, ...shapes[1], peekAndSkip: { peekLagUs: 25_000 } }
    const fast = new FluidPrecopy(params).predict(250e6)
    const slowed = new FluidPrecopy(params)
    slowed.advance(10, 125e6)
    const rest = slowed.predict(250e6)
    expect(rest.transferS).toBeGreaterThan(fast.transferS + 4.5)
    expect(rest.transferS).toBeLessThan(fast.transferS + 5.5)
  })
})

describe('EstimateMigrationModel under rate changes', () => {
  const vm = { vmId: 'vm-0001', memBytes: 4 * GIB, dirtyBytesPerS: 50e6, wwsBytes: 256 * 2 ** 20 }
  const end = (hostId: string) => ({ hostId, linkMbitPerS: 1000, activeMigrations: 0 })

  function runWithChange(changeAtUs: number, toMbitPerS: number): { atUs: number; outcome: MigrationOutcome } {
    const sim = new Simulation(1)
    let ended: { atUs: number; outcome: MigrationOutcome } | undefined
    const run = new EstimateMigrationModel().start({ migrationId: 'm', vm, source: end('a'), target: end('b'), linkMbitPerS: 1000,
      concurrent: 1, rateMbitPerS: 1000, clock: sim, onEnd: (outcome) => { ended = { atUs: sim.nowUs, outcome } } })
    sim.scheduleAt(changeAtUs, () => run.rateChanged(toMbitPerS))
    sim.runToCompletion()
    if (ended === undefined) throw new Error('no outcome')
    return ended
  }

  it('ends later when the rate halves mid-run and at the estimated time when the "change" keeps the rate', () => {
    const planned = new EstimateMigrationModel().estimate(vm, end('a'), end('b'), 1000, 1)
    const same = runWithChange(5_000_000, 1000)
    expect(Math.abs(same.atUs - planned.totalUs)).toBeLessThanOrEqual(35)
    const halved = runWithChange(5_000_000, 500)
    expect(halved.outcome.outcome).toBe('completed')
    expect(halved.atUs).toBe(halved.outcome.totalUs)
    expect(halved.outcome.totalUs).toBeGreaterThan(planned.totalUs * 1.5)
    expect(halved.outcome.bytes).toBeGreaterThan(planned.bytes)
    // Downtime is the final copy at the rate of the moment plus the resume overhead.
    expect(halved.outcome.downtimeUs).toBeGreaterThan(planned.downtimeUs)
  })
})
