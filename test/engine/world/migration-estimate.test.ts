// The migrate sheet's defaults finish: the engine suggests parameters from the path's bandwidth, its estimate
// model prices the move before start, and an 8 GiB VM migrated with those defaults completes (with the old
// 100 Mbit/s first round it could not, and the estimate says so). A move that hits its time cap says why.
import { describe, it, expect } from 'vitest'
import { readFileSync } from 'node:fs'
import { createWorld, type World } from '../../../engine/index'

const scenario = JSON.parse(readFileSync('scenarios/small-cluster.json', 'utf8')) as unknown

function bigVmAndTarget(world: World): { vmId: string; destination: string } {
  const vm = world.snapshot().vms.find((v) => v.memMiB === 8192 && v.hostId !== null)
  const target = world.dropVerdicts(vm?.id ?? '').find((v) => v.refusal === null && v.hostId !== vm?.hostId)
  return { vmId: vm?.id ?? '', destination: target?.hostId ?? '' }
}

function runToEnd(world: World, vmId: string): NonNullable<ReturnType<World['snapshot']>['migrations'][number]> | undefined {
  for (let i = 0; i < 2000; i++) {
    world.runUntil(world.nowUs + 1_000_000)
    const done = world.snapshot().migrations.find((m) => m.vmId === vmId && m.outcome !== null)
    if (done !== undefined) return done
  }
  return undefined
}

describe('migration estimate', () => {
  it('suggests the path bandwidth, prices the move, and the defaults complete within the estimate', () => {
    const world = createWorld(scenario, 1)
    const move = bigVmAndTarget(world)
    const answer = world.estimateMigration({ ...move, strategy: 'precopy' })
    if (typeof answer === 'string') throw new Error(answer)
    expect(answer.pathMbitPerS).toBeGreaterThan(1000)
    expect(answer.suggested.rateMinMbitPerS).toBe(Math.floor(answer.pathMbitPerS))
    expect(answer.estimate?.bytes).toBeGreaterThanOrEqual(8 * 1024 ** 3)
    expect(answer.fitsTimeCap).toBe(true)
    const slow = world.estimateMigration({ ...move, strategy: 'precopy', parameters: { rateMinMbitPerS: 100, rateMaxMbitPerS: 500 } })
    expect(typeof slow === 'string' ? null : slow.fitsTimeCap).toBe(false)

    expect(world.apply({ kind: 'migrate', ...move, strategy: 'precopy', parameters: answer.suggested as Record<string, number> }).ok).toBe(true)
    const done = runToEnd(world, move.vmId)
    expect(done?.outcome).toBe('completed')
    // Within 50 % of the estimate (the page-level LAN shares links with the rack clients).
    expect(done?.totalTimeMs).toBeLessThan((answer.estimate?.totalMs ?? 0) * 1.5)
  })

  it('a move that runs into its time cap is aborted saying it timed out, not "cancelled"', () => {
    const world = createWorld(scenario, 1)
    const move = bigVmAndTarget(world)
    expect(world.apply({ kind: 'migrate', ...move, strategy: 'precopy', parameters: { rateMinMbitPerS: 100, rateMaxMbitPerS: 100 }, timeCapS: 30 }).ok).toBe(true)
    const done = runToEnd(world, move.vmId)
    expect(done?.outcome).toBe('aborted')
    expect(done?.abortReason).toBe("timed out after 30 s (the migration's time cap)")
    expect(done?.timeCapMs).toBe(30_000)
  })

  it('says why there is no estimate', () => {
    const world = createWorld(scenario, 1)
    const move = bigVmAndTarget(world)
    const answer = world.estimateMigration({ ...move, strategy: 'postcopy' })
    expect(typeof answer === 'string' ? answer : answer.note).toMatch(/pre-copy only/)
    expect(world.estimateMigration({ vmId: 'vm-nope', destination: move.destination, strategy: 'precopy' })).toBe('unknown VM vm-nope')
  })
})
