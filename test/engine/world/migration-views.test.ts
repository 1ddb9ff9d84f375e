// The Migrations view's data comes from the engine: each migration carries the trigger and reason its history
// record will carry (not a hard-coded "user"), big clusters list their estimated migrations, the round in flight
// shows as it goes, and a migration that hits its time cap says so.
import { describe, it, expect } from 'vitest'
import { readFileSync } from 'node:fs'
import { createWorld, type World } from '../../../engine/index'

const load = (name: string): unknown => JSON.parse(readFileSync(`scenarios/${name}.json`, 'utf8')) as unknown

function runUntilMigration(world: World, stepUs: number, limitUs: number): void {
  while (world.nowUs < limitUs && world.snapshot().migrations.every((m) => m.outcome !== null)) world.runUntil(world.nowUs + stepUs)
}

describe('migration views', () => {
  it('an evacuation migration says evacuation with the engine\'s reason, and history records the same cause', () => {
    const world = createWorld(load('maintenance-evacuation'), 1)
    runUntilMigration(world, 10_000_000, 2 * 3_600_000_000)
    const live = world.snapshot().migrations.filter((m) => m.outcome === null)
    expect(live.length).toBeGreaterThan(0)
    expect(live.every((m) => m.trigger === 'evacuation')).toBe(true)
    expect(live[0].reason).not.toBe('')
    while (world.snapshot().migrations.some((m) => m.id === live[0].id && m.outcome === null)) world.runUntil(world.nowUs + 1_000_000)
    const done = world.snapshot().migrations.find((m) => m.id === live[0].id)
    const record = world.drainRecords().find((r) => r.kind === 'migration' && r.migration.vmId === live[0].vmId && r.migration.startUs === live[0].startedAtUs)
    // The record carries the id the Migrations view shows, so History can show the same one.
    expect(record?.kind === 'migration' ? record.migration.migrationId : null).toBe(live[0].id)
    expect(live[0].id).toMatch(/^mig-\d{6}$/)
    expect(done?.trigger).toBe('evacuation')
    expect(record?.kind === 'migration' ? [record.migration.trigger, record.migration.reason] : null).toEqual([done?.trigger, done?.reason])
  })

  it('a user migration shows the round in flight: pages sent and left this round, a live dirty rate, an ETA', () => {
    const world = createWorld(load('small-cluster'), 1)
    const snap = world.snapshot()
    const vm = snap.vms.find((v) => v.hostId !== null) as (typeof snap.vms)[number]
    const verdict = world.dropVerdicts(vm.id).find((v) => v.refusal === null && v.hostId !== vm.hostId)
    expect(world.apply({ kind: 'migrate', vmId: vm.id, destination: verdict?.hostId ?? '', strategy: 'precopy', parameters: {} }).ok).toBe(true)
    world.runUntil(world.nowUs + 2_000_000)
    const m = world.snapshot().migrations.find((x) => x.vmId === vm.id && x.outcome === null)
    expect(m?.trigger).toBe('user')
    expect(m?.currentRound?.index).toBe(1)
    expect(m?.currentRound?.pagesDone).toBeGreaterThan(0)
    expect(m?.currentRound?.etaMs).toBeGreaterThan(0)
    // Remaining covers the unsent part of round 1, not only the pages dirtied since it began.
    expect(m?.bytesRemaining).toBeGreaterThanOrEqual(m?.currentRound?.bytesRemaining ?? Infinity)
    expect(m?.bytesRemaining).toBeGreaterThan((m?.memBytes ?? 0) - (m?.bytesSent ?? 0) - 1)
    expect(m?.timeCapMs).toBe(600_000)
  })

  it('the dirty rate is a measured number while a pass runs and null (not 0) once nothing is measured any more', () => {
    const world = createWorld(load('small-cluster'), 1)
    const snap = world.snapshot()
    const vm = snap.vms.find((v) => v.hostId !== null) as (typeof snap.vms)[number]
    const verdict = world.dropVerdicts(vm.id).find((v) => v.refusal === null && v.hostId !== vm.hostId)
    // QEMU's 1 Gbit/s default finishes this 8 GiB VM in about a minute (Clark's 100 Mbit/s first round would not in 10 min).
    expect(world.apply({ kind: 'migrate', vmId: vm.id, destination: verdict?.hostId ?? '', strategy: 'precopy-qemu', parameters: {} }).ok).toBe(true)
    world.runUntil(world.nowUs + 2_000_000)
    const live = world.snapshot().migrations.find((x) => x.vmId === vm.id && x.outcome === null)
    expect(typeof live?.dirtyRateMbitPerS).toBe('number')
    let done = world.snapshot().migrations.find((x) => x.id === live?.id)
    for (let i = 0; i < 1200 && done?.outcome === null; i++) {
      world.runUntil(world.nowUs + 1_000_000)
      done = world.snapshot().migrations.find((x) => x.id === live?.id)
    }
    expect(done?.outcome).toBe('completed')
    expect(done?.dirtyRateMbitPerS).toBeNull()
  })

  it('a finished QEMU migration whose downtime exceeded its limit says so (#17); one within it says it did not', () => {
    const world = createWorld(load('small-cluster'), 1)
    const snap = world.snapshot()
    const [forced, calm] = snap.vms.filter((v) => v.hostId !== null)
    const moves = [forced, calm].map((vm) => {
      const verdict = world.dropVerdicts(vm.id).find((v) => v.refusal === null && v.hostId !== vm.hostId)
      expect(world.apply({ kind: 'migrate', vmId: vm.id, destination: verdict?.hostId ?? '', strategy: 'precopy-qemu', parameters: { downtimeLimitMs: 300 } }).ok).toBe(true)
      return vm.id
    })
    world.runUntil(world.nowUs + 200_000)
    const id = (vmId: string): string => world.snapshot().migrations.find((m) => m.vmId === vmId)?.id ?? ''
    // Forced to switch over early in round 1: nearly all memory goes in the stop-and-copy, far over 300 ms.
    expect(world.apply({ kind: 'force-complete', migrationId: id(moves[0]) }).ok).toBe(true)
    const ids = moves.map(id)
    for (let i = 0; i < 600 && world.snapshot().migrations.some((m) => ids.includes(m.id) && m.outcome === null); i++) world.runUntil(world.nowUs + 1_000_000)
    const [over, within] = ids.map((mid) => world.snapshot().migrations.find((m) => m.id === mid))
    expect(over?.outcome).toBe('completed')
    expect(over?.downtimeLimitMs).toBe(300)
    expect(over?.downtimeMs).toBeGreaterThan(300)
    expect(over?.downtimeOverLimit).toBe(true)
    expect(within?.outcome).toBe('completed')
    expect(within?.downtimeMs).toBeLessThanOrEqual(300)
    expect(within?.downtimeOverLimit).toBe(false)
  })

  it('dc-1000 lists its running estimated migrations with their triggers', () => {
    const world = createWorld(load('dc-1000'), 1)
    runUntilMigration(world, 60_000_000, 6 * 3_600_000_000)
    const live = world.snapshot().migrations.filter((m) => m.outcome === null)
    expect(live.length).toBeGreaterThan(0)
    expect(live.every((m) => m.model === 'estimate' && m.strategy === 'precopy-estimate')).toBe(true)
    expect(live.some((m) => m.trigger !== 'user')).toBe(true)
    expect(live[0].estimate?.totalMs).toBeGreaterThan(0)
  })

  it('dc-1000\'s estimated migrations show the model\'s rounds: the round in flight while running, every round once ended', () => {
    const world = createWorld(load('dc-1000'), 1)
    runUntilMigration(world, 60_000_000, 6 * 3_600_000_000)
    const started = world.snapshot().migrations.find((m) => m.outcome === null && m.model === 'estimate')
    world.runUntil(world.nowUs + 500_000)
    const live = world.snapshot().migrations.find((m) => m.id === started?.id)
    expect(live?.outcome).toBeNull()
    expect(live?.currentRound?.index).toBeGreaterThanOrEqual(1)
    expect(live?.currentRound?.pagesDone).toBeGreaterThan(0)
    expect(live?.bytesSent).toBeGreaterThan(0)
    const id = live?.id
    let done = world.snapshot().migrations.find((m) => m.id === id)
    while (done !== undefined && done.outcome === null) {
      world.runUntil(world.nowUs + 20_000_000)
      done = world.snapshot().migrations.find((m) => m.id === id)
    }
    expect(done?.outcome).toBe('completed')
    const rounds = done?.rounds ?? []
    expect(rounds.length).toBeGreaterThanOrEqual(2)
    expect(rounds.at(-1)).toMatchObject({ final: true, phase: 'stop-and-copy' })
    expect(rounds.filter((r) => r.stopReason !== null)).toHaveLength(1)
    // The rounds add up to what the migration sent, the figure the history records for it.
    const record = world.drainRecords().find((r) => r.kind === 'migration' && r.migration.migrationId === id)
    expect(record?.kind === 'migration' ? record.migration.bytesSent : null).toBe(done?.bytesSent)
    expect(Math.abs(rounds.reduce((sum, r) => sum + r.bytesSent, 0) - (done?.bytesSent ?? 0))).toBeLessThanOrEqual(rounds.length)
  })
})
