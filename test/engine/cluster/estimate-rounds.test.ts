// Goal: the analytic model's migrations have rounds the UI can show, and they are the model's own: at a constant
// rate the round log has as many rounds as estimatePrecopy counts and its bytes sum to the estimate's total; under
// rate changes it matches the outcome the run reports; the last pre-copy round names the stop rule; reading
// progress never changes a run (same end, bytes and downtime with or without the log, however often it is read).
// Method: EstimateMigrationModel runs on a bare kernel Simulation, with and without the round-log hook.
import { describe, expect, it } from 'vitest'
import { DEFAULT_STOP_RULES, EstimateMigrationModel, type StopRules } from '../../../engine/cluster/estimate-model'
import type { MigrationOutcome } from '../../../engine/cluster/migration-model'
import type { FluidProgress } from '../../../engine/cluster/estimate-run'
import { Simulation } from '../../../engine/kernel/simulation'

const GIB = 2 ** 30
const MIB = 2 ** 20
const end = (hostId: string) => ({ hostId, linkMbitPerS: 1000, activeMigrations: 0 })
const VMS = [
  { vmId: 'quiet', memBytes: GIB, dirtyBytesPerS: 10e6, wwsBytes: 256 * MIB },
  { vmId: 'busy', memBytes: 4 * GIB, dirtyBytesPerS: 80e6, wwsBytes: 512 * MIB },
  { vmId: 'faster-than-link', memBytes: 2 * GIB, dirtyBytesPerS: 200e6, wwsBytes: 64 * MIB },
  { vmId: 'idle', memBytes: GIB, dirtyBytesPerS: 0, wwsBytes: 16 * MIB }
]
const RULES: Record<string, StopRules> = { refined: DEFAULT_STOP_RULES, textbook: { ...DEFAULT_STOP_RULES, peekLagUs: null } }

interface Run { outcome: MigrationOutcome; endUs: number; progress: (() => FluidProgress) | null; mid: FluidProgress[] }

/** One migration at 1 Gbit/s; `rateAtUs` re-shares the link once; `readEveryUs` reads progress that often. */
function run(vm: (typeof VMS)[number], rules: StopRules, options: { log: boolean; rateAtUs?: [number, number]; readEveryUs?: number }): Run {
  const sim = new Simulation(1)
  let progress: (() => FluidProgress) | null = null
  const model = new EstimateMigrationModel(rules, options.log ? { onRunStarted: (_id, read) => { progress = read } } : {})
  let result: { outcome: MigrationOutcome; endUs: number } | null = null
  const handle = model.start({ migrationId: 'm', vm, source: end('a'), target: end('b'), linkMbitPerS: 1000, concurrent: 1, clock: sim,
    onEnd: (outcome) => { result = { outcome, endUs: sim.nowUs } } })
  const mid: FluidProgress[] = []
  if (options.rateAtUs !== undefined) {
    const [atUs, mbit] = options.rateAtUs
    sim.schedule(atUs, () => handle.rateChanged(mbit))
  }
  if (options.readEveryUs !== undefined) {
    const every = options.readEveryUs
    const read = (): void => {
      if (result !== null) return
      if (progress !== null) mid.push((progress as () => FluidProgress)())
      sim.schedule(every, read)
    }
    sim.schedule(every, read)
  }
  sim.runToCompletion()
  if (result === null) throw new Error('the migration never ended')
  return { ...(result as { outcome: MigrationOutcome; endUs: number }), progress, mid }
}

describe('estimated migrations have rounds', () => {
  for (const [rulesName, rules] of Object.entries(RULES)) {
    for (const vm of VMS) {
      it(`${rulesName}, ${vm.vmId}: the round log matches the estimate (count, bytes, contiguous, one stop reason)`, () => {
        const estimate = new EstimateMigrationModel(rules).estimate(vm, end('a'), end('b'), 1000, 1)
        const r = run(vm, rules, { log: true })
        const rounds = (r.progress as unknown as () => FluidProgress)().rounds
        expect(rounds).toHaveLength(estimate.rounds)
        expect(rounds.map((x) => x.index)).toEqual(rounds.map((_, i) => i + 1))
        const total = rounds.reduce((sum, x) => sum + x.bytesSent, 0)
        expect(Math.abs(total - estimate.bytes)).toBeLessThanOrEqual(1)
        expect(rounds.at(-1)?.final).toBe(true)
        expect(rounds.filter((x) => x.final)).toHaveLength(1)
        // Exactly one stop reason, on the last pre-copy round.
        expect(rounds.filter((x) => x.stopReason !== null).map((x) => x.index)).toEqual([rounds.length - 1])
        for (let i = 1; i < rounds.length; i++) expect(rounds[i].startS).toBeCloseTo(rounds[i - 1].startS + rounds[i - 1].durationS, 9)
        // The round log ends where the transfer ended: the run's total less the resume overhead.
        const last = rounds[rounds.length - 1]
        expect((last.startS + last.durationS) * 1e6).toBeCloseTo(estimate.totalUs - rules.resumeOverheadUs, -1)
      })
    }
  }

  it('the stop reason names the rule that fired', () => {
    const reasonOf = (vm: (typeof VMS)[number], rules: StopRules): string | null =>
      (run(vm, rules, { log: true }).progress as unknown as () => FluidProgress)().rounds.find((x) => x.stopReason !== null)?.stopReason ?? null
    expect(reasonOf(VMS[0], DEFAULT_STOP_RULES)).toBe('less than 256 KiB left')
    expect(reasonOf(VMS[2], DEFAULT_STOP_RULES)).toBe('the guest dirtied more than the round sent')
    expect(reasonOf(VMS[1], { ...DEFAULT_STOP_RULES, maxRounds: 2 })).toBe('round cap 2 reached')
  })

  it('under a rate change the rounds sum to the outcome\'s bytes and count its rounds', () => {
    for (const vm of VMS.slice(0, 3)) {
      const r = run(vm, DEFAULT_STOP_RULES, { log: true, rateAtUs: [3_000_000, 400], readEveryUs: 250_000 })
      const rounds = (r.progress as unknown as () => FluidProgress)().rounds
      expect(rounds).toHaveLength(r.outcome.rounds)
      expect(Math.abs(rounds.reduce((sum, x) => sum + x.bytesSent, 0) - r.outcome.bytes)).toBeLessThanOrEqual(1)
    }
  })

  it('mid-run progress shows the round in flight, moving forward, and its sent bytes never pass the end', () => {
    const r = run(VMS[1], DEFAULT_STOP_RULES, { log: true, readEveryUs: 500_000 })
    expect(r.mid.length).toBeGreaterThan(5)
    expect(r.mid.every((p) => p.current !== null)).toBe(true)
    for (let i = 1; i < r.mid.length; i++) expect(r.mid[i].sentBytes).toBeGreaterThan(r.mid[i - 1].sentBytes)
    expect(r.mid[0].current?.index).toBe(1)
    expect(r.mid[0].current?.doneBytes).toBeGreaterThan(0)
    expect(r.mid.at(-1)?.sentBytes).toBeLessThanOrEqual(r.outcome.bytes)
    expect(r.mid.at(-1)?.rounds.length).toBeGreaterThan(0)
  })

  it('reading progress never changes a run: the same end, bytes, downtime and rounds as without the log', () => {
    for (const vm of VMS) {
      const plain = run(vm, DEFAULT_STOP_RULES, { log: false, rateAtUs: [2_500_000, 300] })
      const read = run(vm, DEFAULT_STOP_RULES, { log: true, rateAtUs: [2_500_000, 300], readEveryUs: 123_457 })
      expect(read.endUs).toBe(plain.endUs)
      expect(read.outcome).toEqual(plain.outcome)
    }
  })
})
