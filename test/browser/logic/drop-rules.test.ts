// Drop validation as a pure function: every refusal the UI can see, in the order a user would fix them, with
// a sentence naming VM and host. Method: the 4 × 5 × 3 fixture with its special hosts.
import { describe, expect, it } from 'vitest'
import { dropRefusal, freeMemMiB, refusalLabel, refusalText } from '../../../renderer/src/logic/drop-rules'
import { buildWorld, IDS } from '../fixtures/world'

const world = buildWorld()
const vm = (id: string) => world.vms.find((v) => v.id === id)!
const host = (id: string) => world.hosts.find((h) => h.id === id)!

describe('dropRefusal', () => {
  it('allows a running VM onto an on host with room and no conflicting group', () => {
    expect(dropRefusal(vm('vm-0003'), host(IDS.freeHost), world)).toBeNull()
  })

  it('refuses the VM\'s own host', () => {
    expect(dropRefusal(vm('vm-0003'), host('host-01'), world)).toBe('same-host')
  })

  it('refuses a VM that is already migrating, whatever the target', () => {
    expect(dropRefusal(vm(IDS.migratingVm), host(IDS.freeHost), world)).toBe('already-migrating')
  })

  it('refuses a failed host and a powered-off host as host-down', () => {
    expect(dropRefusal(vm('vm-0003'), host(IDS.failedHost), world)).toBe('host-down')
    expect(dropRefusal(vm('vm-0003'), { ...host(IDS.freeHost), power: 'off' }, world)).toBe('host-down')
  })

  it('refuses a host in maintenance', () => {
    expect(dropRefusal(vm('vm-0003'), host(IDS.maintenanceHost), world)).toBe('maintenance')
  })

  it('refuses a host without enough free memory (reservations count)', () => {
    expect(freeMemMiB(host(IDS.fullHost))).toBe(1024)
    expect(dropRefusal(vm('vm-0003'), host(IDS.fullHost), world)).toBe('no-memory')
  })

  it('refuses a host running another VM of the same anti-affinity group', () => {
    expect(dropRefusal(vm(IDS.antiAffinityVm), host(IDS.antiAffinityHost), world)).toBe('anti-affinity')
    expect(dropRefusal(vm('vm-0003'), host(IDS.antiAffinityHost), world)).toBeNull()
  })

  it('reports host-down before memory when both apply', () => {
    expect(dropRefusal(vm('vm-0003'), { ...host(IDS.fullHost), power: 'failed' }, world)).toBe('host-down')
  })

  it('explains each refusal in a sentence naming the VM or host', () => {
    expect(refusalText('no-memory', vm('vm-0003'), host(IDS.fullHost))).toBe(`${IDS.fullHost} has 1024 MiB free; ${vm('vm-0003').name} needs 4096 MiB.`)
    expect(refusalText('anti-affinity', vm(IDS.antiAffinityVm), host(IDS.antiAffinityHost))).toContain('anti-affinity group "web-a"')
    expect(refusalText('host-down', vm('vm-0003'), host(IDS.failedHost))).toBe(`${IDS.failedHost} is failed.`)
    expect(refusalText('maintenance', vm('vm-0003'), host(IDS.maintenanceHost))).toContain('maintenance')
    expect(refusalText('already-migrating', vm(IDS.migratingVm), host(IDS.freeHost))).toContain('already migrating')
    expect(refusalText(null, vm('vm-0003'), host(IDS.freeHost))).toBe('')
    expect(refusalLabel('no-memory')).toBe('no memory')
  })
})
