// The snapshot's per-VM migration id and per-host reserved memory (gathered in one pass each, not per host or per
// VM): a live migration names itself on its VM and reserves the VM's memory on the destination only, and both
// clear once it ends, also after many earlier migrations.
import { describe, expect, it } from 'vitest'
import { readFileSync } from 'node:fs'
import { createWorld, type World, type WorldSnapshot } from '../../../engine/index'

const load = (name: string): unknown => JSON.parse(readFileSync(`scenarios/${name}.json`, 'utf8')) as unknown

function startUserMigration(world: World): { vmId: string; source: string; destination: string } {
  const snap = world.snapshot()
  const vm = snap.vms.find((v) => v.hostId !== null && v.state === 'running') as WorldSnapshot['vms'][number]
  const verdict = world.dropVerdicts(vm.id).find((v) => v.refusal === null && v.hostId !== vm.hostId)
  const destination = verdict?.hostId ?? ''
  expect(world.apply({ kind: 'migrate', vmId: vm.id, destination, strategy: 'precopy', parameters: {} }).ok).toBe(true)
  return { vmId: vm.id, source: vm.hostId ?? '', destination }
}

describe('snapshot indexes', () => {
  it('a live migration names itself on its VM and reserves memory on its destination only; both clear when it ends', () => {
    const world = createWorld(load('small-cluster'), 1)
    const before = world.snapshot()
    const move = startUserMigration(world)
    world.runUntil(world.nowUs + 1_000_000)
    const during = world.snapshot()
    const migration = during.migrations.find((m) => m.vmId === move.vmId && m.outcome === null)
    expect(migration).toBeDefined()
    const vm = during.vms.find((v) => v.id === move.vmId)
    expect(vm?.migrationId).toBe(migration?.id)
    expect(vm?.state).toBe('migrating')
    expect(during.vms.filter((v) => v.migrationId !== null).map((v) => v.id)).toEqual([move.vmId])
    const reserved = (s: WorldSnapshot, hostId: string): number => s.hosts.find((h) => h.id === hostId)?.memReservedMiB ?? NaN
    expect(reserved(during, move.destination) - reserved(before, move.destination)).toBe(vm?.memMiB)
    expect(reserved(during, move.source)).toBe(reserved(before, move.source))
    while (world.snapshot().migrations.some((m) => m.id === migration?.id && m.outcome === null)) world.runUntil(world.nowUs + 1_000_000)
    const after = world.snapshot()
    expect(after.vms.find((v) => v.id === move.vmId)?.migrationId).toBeNull()
    expect(reserved(after, move.destination)).toBe(reserved(before, move.destination))
  })
})
