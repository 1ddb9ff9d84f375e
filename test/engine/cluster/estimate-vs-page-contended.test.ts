// The analytic estimate against the page-level model when migrations contend for the network (both run over the
// same max-min fair network, the estimate integrating its progress between rate changes): two and four
// migrations leaving one NIC together or staggered, and one ToR uplink shared by a rack's evacuation. Each
// migration's total time, downtime and bytes agree within the same 15 % as the uncontended matrix.
import { describe, expect, it } from 'vitest'
import { DEFAULT_STOP_RULES, EstimateMigrationModel } from '../../../engine/cluster/estimate-model'
import { PageMigrationModel } from '../../../engine/migration/page-model'
import { runContended, type PlannedMove } from './contended-runs'

const MIB = 1 << 20
const estimator = new EstimateMigrationModel({ ...DEFAULT_STOP_RULES, resumeOverheadUs: 10_000 })
const vm = (id: number, memMiB: number, wwsMiB: number, dirtyMiBPerS: number) =>
  ({ vmId: `vm-${id}`, memBytes: memMiB * MIB, dirtyBytesPerS: dirtyMiBPerS * MIB, wwsBytes: wwsMiB * MIB })
const host = (rack: string, nicMbitPerS = 1000) => ({ rack, nicMbitPerS, nicFactor: 1 })

interface Case {
  readonly name: string
  readonly hosts: ReturnType<typeof host>[]
  readonly moves: PlannedMove[]
  readonly torUplinkMbitPerS?: number
}

const twoHosts = [host('r'), host('r')]
const cases: Case[] = [
  { name: 'two migrations on one 1 GbE NIC, together', hosts: twoHosts, moves: [
    { vm: vm(1, 1024, 64, 20), source: 0, target: 1, startUs: 0 },
    { vm: vm(2, 2048, 128, 40), source: 0, target: 1, startUs: 0 }] },
  { name: 'four migrations on one 1 GbE NIC, staggered by 2 s', hosts: twoHosts, moves: [1, 2, 3, 4].map((i) => (
    { vm: vm(i, 512 * i, 32 * i, 10 * i), source: 0, target: 1, startUs: (i - 1) * 2_000_000 })) },
  { name: 'four migrations on one 10 GbE NIC, together (rounds shorten when the others finish)', hosts: [host('r', 10_000), host('r', 10_000)],
    moves: [1, 2, 3, 4].map((i) => ({ vm: vm(i, 1024 * i, 64, 50 * i), source: 0, target: 1, startUs: 0 })) },
  { name: 'a rack evacuation: four hosts of rack a to rack b through one 2 Gbit/s ToR uplink', torUplinkMbitPerS: 2000,
    hosts: [host('a'), host('a'), host('a'), host('a'), host('b'), host('b'), host('b'), host('b')],
    moves: [0, 1, 2, 3].map((i) => ({ vm: vm(i + 1, 1024 + 512 * i, 64, 15 + 5 * i), source: i, target: 4 + i, startUs: 0 })) }
]

function relativeError(measured: number, estimated: number): number {
  return Math.abs(measured - estimated) / estimated
}

describe('estimate vs page-level model under contention', () => {
  for (const c of cases) {
    it(`${c.name}: every migration within 15 %`, () => {
      const options = { torUplinkMbitPerS: c.torUplinkMbitPerS }
      const estimated = runContended(estimator, c.hosts, c.moves, options)
      const paged = runContended(new PageMigrationModel({ seed: 7, estimator, resumeOverheadUs: 10_000 }), c.hosts, c.moves, options)
      // Contention is real: some migration's rate changed while it ran.
      expect(estimated.rates.length).toBeGreaterThan(c.moves.length)
      c.moves.forEach((_, i) => {
        const e = estimated.outcomes[i]
        const p = paged.outcomes[i]
        expect(e.outcome).toBe('completed')
        expect(p.outcome).toBe('completed')
        expect(p.lostWrites).toBe(0)
        for (const key of ['totalUs', 'downtimeUs', 'bytes'] as const) {
          expect(relativeError(p[key], e[key]), `migration ${i + 1} ${key}: page ${p[key]}, estimate ${e[key]}`).toBeLessThan(0.15)
        }
      })
    }, 120_000)
  }

  it('contention costs time: a migration sharing its NIC with another takes longer than alone', () => {
    const alone = runContended(estimator, twoHosts, [cases[0].moves[0]]).outcomes[0]
    const shared = runContended(estimator, twoHosts, cases[0].moves).outcomes[0]
    expect(shared.totalUs).toBeGreaterThan(1.5 * alone.totalUs)
    expect(shared.bytes).toBeGreaterThan(alone.bytes)
  })
})
