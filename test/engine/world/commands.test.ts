// The interactive world's host commands: fail → repair, power off only when empty, power on boots, evacuation
// empties a host; every command answers with what happened or why it was refused, and is audited.
import { describe, it, expect } from 'vitest'
import { readFileSync } from 'node:fs'
import { createWorld } from '../../../engine/index'

const scenario = JSON.parse(readFileSync('scenarios/small-cluster.json', 'utf8')) as unknown

describe('interactive world commands', () => {
  it('refuses a malformed command from an in-process caller with a message naming the field, instead of throwing', () => {
    const world = createWorld(scenario, 1)
    const unknownKind = world.apply({ kind: 'teleport-vm', vmId: 'vm-0001' } as never)
    expect(unknownKind.ok).toBe(false)
    expect(unknownKind.detail).toMatch(/^invalid command: kind/)
    const badParameter = world.apply({ kind: 'migrate', vmId: 'vm-0001', destination: 'host-0002', strategy: 'precopy', parameters: { warpFactor: 9 } } as never)
    expect(badParameter.ok).toBe(false)
    expect(badParameter.detail).toMatch(/parameters/)
    expect(world.snapshot().migrations).toEqual([])
  })

  it('fails and repairs a host, refuses to power off a busy one, powers an emptied one off and on', () => {
    const world = createWorld(scenario, 1)
    const hostId = world.snapshot().hosts[3].id
    expect(world.apply({ kind: 'repair-host', hostId })).toEqual({ ok: false, detail: `${hostId} has not failed (it is on)` })
    expect(world.apply({ kind: 'fail-host', hostId }).ok).toBe(true)
    expect(world.snapshot().hosts[3].power).toBe('failed')
    expect(world.apply({ kind: 'repair-host', hostId })).toEqual({ ok: true, detail: `${hostId} repaired` })
    expect(world.snapshot().hosts[3].power).toBe('on')

    const busy = world.snapshot().hosts.find((host) => host.vmIds.length > 0)
    const refusal = world.apply({ kind: 'power-host', hostId: busy?.id ?? '', on: false })
    expect(refusal.ok).toBe(false)
    expect(refusal.detail).toMatch(/evacuate it first/)

    const target = world.snapshot().hosts[6].id
    expect(world.apply({ kind: 'evacuate-host', hostId: target }).ok).toBe(true)
    for (let t = 1; t <= 60 && world.snapshot().hosts[6].vmIds.length > 0; t++) world.runUntil(world.nowUs + 60_000_000)
    expect(world.snapshot().hosts[6].vmIds).toEqual([])
    expect(world.apply({ kind: 'power-host', hostId: target, on: false }).ok).toBe(true)
    expect(world.snapshot().hosts[6].power).toBe('off')
    expect(world.apply({ kind: 'power-host', hostId: target, on: true }).ok).toBe(true)
    expect(world.snapshot().hosts[6].power).toBe('booting')
    world.runUntil(world.nowUs + 300_000_000)
    expect(world.snapshot().hosts[6].power).toBe('on')

    const audited = world.drainRecords().filter((record) => record.kind === 'audit' && record.audit.actor === 'user')
    expect(audited.map((record) => record.kind === 'audit' ? record.audit.action : '')).toEqual(
      ['repair-host', 'fail-host', 'repair-host', 'power-host', 'evacuate-host', 'power-host', 'power-host'])
  })
})
