// Finding hosts in a big cluster: search by host or VM, state/rack/CPU filters, sort within racks.
import { describe, expect, it } from 'vitest'
import { filterRacks, isFiltering, NO_FILTER } from '../../../renderer/src/logic/host-filter'
import { buildWorld, IDS } from '../fixtures/world'

const world = buildWorld({ racks: 3, hostsPerRack: 4, vmsPerHost: 2 })
const vmById = new Map(world.vms.map((vm) => [vm.id, vm]))
const racks = ['rack-1', 'rack-2', 'rack-3'].map((rack) => ({ rack, hosts: world.hosts.filter((host) => host.rack === rack) }))
const ids = (result: ReturnType<typeof filterRacks>): string[] => result.flatMap((group) => group.hosts.map((host) => host.id))

describe('filterRacks', () => {
  it('keeps everything without a filter, in name order', () => {
    expect(ids(filterRacks(racks, NO_FILTER, vmById))).toEqual(world.hosts.map((host) => host.id))
    expect(isFiltering(NO_FILTER)).toBe(false)
  })

  it('finds a host by its id and by a VM it runs (id or name), case-insensitively', () => {
    expect(ids(filterRacks(racks, { ...NO_FILTER, query: 'HOST-07' }, vmById))).toEqual(['host-07'])
    const vm = world.vms.find((candidate) => candidate.hostId === 'host-03')
    expect(vm).toBeDefined()
    if (vm === undefined) return
    expect(ids(filterRacks(racks, { ...NO_FILTER, query: vm.id }, vmById))).toEqual(['host-03'])
    expect(ids(filterRacks(racks, { ...NO_FILTER, query: vm.name.toUpperCase() }, vmById))).toEqual(['host-03'])
    expect(filterRacks(racks, { ...NO_FILTER, query: 'no-such-thing' }, vmById)).toEqual([])
  })

  it('filters by state, rack and CPU use, dropping racks left empty', () => {
    expect(ids(filterRacks(racks, { ...NO_FILTER, state: 'failed' }, vmById))).toEqual([IDS.failedHost])
    expect(ids(filterRacks(racks, { ...NO_FILTER, state: 'maintenance' }, vmById))).toEqual([IDS.maintenanceHost])
    expect(ids(filterRacks(racks, { ...NO_FILTER, state: 'on' }, vmById))).not.toContain(IDS.maintenanceHost)
    expect(ids(filterRacks(racks, { ...NO_FILTER, state: 'migrating' }, vmById))).toEqual([world.vms.find((vm) => vm.id === IDS.migratingVm)?.hostId])
    const rack2 = filterRacks(racks, { ...NO_FILTER, rack: 'rack-2' }, vmById)
    expect(rack2.map((group) => group.rack)).toEqual(['rack-2'])
    const busy = filterRacks(racks, { ...NO_FILTER, minCpuPct: 50 }, vmById).flatMap((group) => group.hosts)
    expect(busy.length).toBeGreaterThan(0)
    expect(busy.every((host) => host.cpuUsedPct >= 50)).toBe(true)
    expect(isFiltering({ ...NO_FILTER, minCpuPct: 50 })).toBe(true)
  })

  it('sorts within each rack by CPU, memory share or VM count, ties by name', () => {
    for (const group of filterRacks(racks, { ...NO_FILTER, sort: 'cpu' }, vmById)) {
      const cpu = group.hosts.map((host) => host.cpuUsedPct)
      expect(cpu).toEqual([...cpu].sort((a, b) => b - a))
    }
    const byVms = filterRacks(racks, { ...NO_FILTER, sort: 'vms' }, vmById)
    for (const group of byVms) {
      const counts = group.hosts.map((host) => host.vmIds.length)
      expect(counts).toEqual([...counts].sort((a, b) => b - a))
    }
  })
})
