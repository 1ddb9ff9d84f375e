// The analytic estimate (used by policies' cost gates and --migration-model estimate) against the page-level
// model it stands for: on a matrix of memory, writable working set, dirty rate (below, near and above the link)
// and link, total time, downtime and bytes agree within 15 %, including the corner where the guest dirties
// faster than the link and peek-and-skip shortens the last rounds.
import { describe, it, expect } from 'vitest'
import { Simulation } from '../../../engine/kernel/simulation'
import { DEFAULT_STOP_RULES, EstimateMigrationModel } from '../../../engine/cluster/estimate-model'
import type { MigrationOutcome } from '../../../engine/cluster/migration-model'
import { PageMigrationModel } from '../../../engine/migration/page-model'

const MIB = 1 << 20
const estimator = new EstimateMigrationModel({ ...DEFAULT_STOP_RULES, resumeOverheadUs: 10_000 })
const matrix = [512, 2048, 8192].flatMap((memMiB) => [16, 128, 1024].filter((wwsMiB) => wwsMiB < memMiB).flatMap((wwsMiB) =>
  [2, 20, 100, 200, 800].flatMap((dirtyMiBPerS) => [1000, 10_000].map((linkMbitPerS) => ({ memMiB, wwsMiB, dirtyMiBPerS, linkMbitPerS })))))

function relativeError(measured: number, estimated: number): number {
  return Math.abs(measured - estimated) / estimated
}

describe('estimate vs page-level migration model', () => {
  it('covers dirty rates on both sides of the link rate', () => {
    const lambdas = matrix.map((c) => (c.dirtyMiBPerS * MIB * 8) / (c.linkMbitPerS * 1e6))
    expect(lambdas.some((l) => l > 1)).toBe(true)
    expect(lambdas.some((l) => l > 0.8 && l < 1)).toBe(true)
  })

  for (const c of matrix) {
    it(`${c.memMiB} MiB, WWS ${c.wwsMiB} MiB, ${c.dirtyMiBPerS} MiB/s dirty, ${c.linkMbitPerS} Mbit/s: within 15 %`, () => {
      const vm = { vmId: 'vm-0001', memBytes: c.memMiB * MIB, dirtyBytesPerS: c.dirtyMiBPerS * MIB, wwsBytes: c.wwsMiB * MIB }
      const end = (hostId: string) => ({ hostId, linkMbitPerS: c.linkMbitPerS, activeMigrations: 0 })
      const estimate = estimator.estimate(vm, end('host-a'), end('host-b'), c.linkMbitPerS, 1)
      const sim = new Simulation(7)
      let outcome: MigrationOutcome | undefined
      new PageMigrationModel({ seed: 7, estimator, resumeOverheadUs: 10_000 }).start({
        migrationId: 'mig-1', vm, source: end('host-a'), target: end('host-b'), linkMbitPerS: c.linkMbitPerS, concurrent: 1,
        clock: sim, onEnd: (ended) => { outcome = ended }
      })
      sim.runToCompletion({ eventsMax: 50_000_000 })
      expect(outcome?.outcome).toBe('completed')
      expect(outcome?.lostWrites).toBe(0)
      const measured = { totalUs: outcome?.totalUs ?? 0, downtimeUs: outcome?.downtimeUs ?? 0, bytes: outcome?.bytes ?? 0 }
      for (const key of ['totalUs', 'downtimeUs', 'bytes'] as const) {
        expect(relativeError(measured[key], estimate[key]), key).toBeLessThan(0.15)
      }
    }, 60_000)
  }
})
