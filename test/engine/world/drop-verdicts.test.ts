// Goal: one rule decides whether a user may drop a VM on a host. The verdicts the UI shows while dragging are
// exactly what the migrate command then answers (same code path, same words), for every refusal the UI names.
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { createWorld, type World } from '../../../engine/index'

const scenario = JSON.parse(readFileSync('scenarios/small-cluster.json', 'utf8')) as unknown
const verdictOn = (world: World, vmId: string, hostId: string) => world.dropVerdicts(vmId).find((v) => v.hostId === hostId)

describe('drop verdicts', () => {
  it('names each refusal and agrees with the migrate command', () => {
    const world = createWorld(scenario, 1)
    const vm = world.snapshot().vms[2]
    const hosts = world.snapshot().hosts
    const full = hosts.find((h) => h.id !== vm.hostId && h.memMiB - h.memUsedMiB < vm.memMiB)
    const free = hosts.filter((h) => h.id !== vm.hostId && h.memMiB - h.memUsedMiB >= vm.memMiB)
    expect(full).toBeDefined()
    expect(free.length).toBeGreaterThanOrEqual(3)

    expect(verdictOn(world, vm.id, vm.hostId as string)).toMatchObject({ refusal: 'same-host', reason: `${vm.id} already runs on ${vm.hostId}` })
    const noMemory = verdictOn(world, vm.id, full?.id as string)
    expect(noMemory).toMatchObject({ refusal: 'no-memory' })
    expect(noMemory?.reason).toMatch(new RegExp(`^${full?.id} has \\d+ MiB free; ${vm.id} needs ${vm.memMiB} MiB$`))
    expect(world.apply({ kind: 'migrate', vmId: vm.id, destination: full?.id as string, strategy: 'precopy' })).toEqual({ ok: false, detail: noMemory?.reason })

    expect(world.apply({ kind: 'fail-host', hostId: free[0].id }).ok).toBe(true)
    expect(verdictOn(world, vm.id, free[0].id)).toEqual({ hostId: free[0].id, refusal: 'host-down', reason: `${free[0].id} is failed` })
    expect(world.apply({ kind: 'evacuate-host', hostId: free[1].id }).ok).toBe(true)
    expect(verdictOn(world, vm.id, free[1].id)).toMatchObject({ refusal: 'maintenance' })

    expect(verdictOn(world, vm.id, free[2].id)).toEqual({ hostId: free[2].id, refusal: null, reason: '' })
    expect(world.apply({ kind: 'migrate', vmId: vm.id, destination: free[2].id, strategy: 'precopy' }).ok).toBe(true)
    const moving = verdictOn(world, vm.id, free[1].id)
    expect(moving?.refusal).toBe('already-migrating')
    expect(world.apply({ kind: 'migrate', vmId: vm.id, destination: free[2].id, strategy: 'precopy' })).toEqual({ ok: false, detail: verdictOn(world, vm.id, free[2].id)?.reason })
    expect(world.dropVerdicts('vm-9999')).toEqual([])
  })
})
