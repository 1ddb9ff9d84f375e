// A failed host's VMs do not vanish from the snapshot: the host lists them as down until HA has restarted them,
// and while HA restarts one its view names the host it restarts on.
import { describe, it, expect } from 'vitest'
import { readFileSync } from 'node:fs'
import { createWorld } from '../../../engine/index'

const scenario = JSON.parse(readFileSync('scenarios/small-cluster.json', 'utf8')) as unknown

describe('failed host view', () => {
  it('lists the VMs that went down with a host, shows HA restarting them, and drops each once it runs again', () => {
    const world = createWorld(scenario, 1)
    const host = world.snapshot().hosts.find((h) => h.vmIds.length > 0)
    const lost = [...(host?.vmIds ?? [])]
    expect(world.apply({ kind: 'fail-host', hostId: host?.id ?? '' }).ok).toBe(true)
    const after = world.snapshot()
    expect(after.hosts.find((h) => h.id === host?.id)?.downVmIds).toEqual(lost)
    expect(lost.every((id) => after.vms.find((v) => v.id === id)?.state === 'lost')).toBe(true)
    let sawRestarting = false
    for (let i = 0; i < 300 && !sawRestarting; i++) {
      world.runUntil(world.nowUs + 1_000_000)
      sawRestarting ||= world.snapshot().vms.some((v) => lost.includes(v.id) && v.restartingOnHostId !== null)
    }
    expect(sawRestarting).toBe(true)
    world.runUntil(world.nowUs + 120_000_000)
    const end = world.snapshot()
    const down = end.hosts.find((h) => h.id === host?.id)?.downVmIds ?? []
    // Restarted VMs leave the list; the ones still listed are still down.
    expect(down.length).toBeLessThan(lost.length)
    expect(down.every((id) => lost.includes(id) && end.vms.find((v) => v.id === id)?.state === 'lost')).toBe(true)
  })
})
