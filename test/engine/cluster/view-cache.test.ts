// Goal: a run's views share what outlives a tick (rule records, each host's sorted VM list while unchanged) and
// are otherwise exactly the views built afresh; a single-flow network solve gives what max-min filling gives.
// Method: random attach/detach sequences on a built cluster, each view compared field by field with a fresh one.
import { describe, expect, it } from 'vitest'
import { EstimateMigrationModel } from '../../../engine/cluster/estimate-model'
import { MigrationNetwork } from '../../../engine/cluster/network'
import { buildView, ViewCache, type ViewContext } from '../../../engine/cluster/view'
import { deriveStream } from '../../../engine/kernel/rng'
import { maxMinFairShare } from '../../../engine/net/fair-share'
import { buildDatacenter } from '../../../engine/scenario/build'
import { tinyScenario } from './support'

function contextOf(built: ReturnType<typeof buildDatacenter>, cache?: ViewCache): ViewContext {
  const { state } = built
  return {
    state, model: new EstimateMigrationModel(), network: new MigrationNetwork(state.hosts, { bandwidthShare: 0.5, torUplinkMbitPerS: 40_000 }),
    bandwidthShare: 0.5, limits: { migrationsPerHost: 2, migrationsPerCluster: 16, movesPerCycleMax: 100, cooldownUs: 0 },
    nowUs: 0, tick: 1, intervalUs: 300e6, migrationsActive: 0, pinned: () => false, cache
  }
}

const plain = (view: ReturnType<typeof buildView>) => ({ hosts: view.hosts, vms: view.vms, rules: view.rules, rulesOfVm: view.vms.map((vm) => view.rulesOfVm(vm.index)) })

describe('ViewCache', () => {
  it('gives the views a fresh build gives, and the same VM list array while a host gains or loses no VM', () => {
    const scenario = tinyScenario({
      rules: [{ kind: 'vm-anti-affinity', name: 'apart', vms: ['vm-0001', 'vm-0002'], hard: true }]
    }, 6, 20, 0.2)
    const built = buildDatacenter(scenario, 1)
    const { state } = built
    const cache = new ViewCache(state)
    const rng = deriveStream(7, 'view-cache')
    let previous = buildView(contextOf(built, cache))
    for (let step = 0; step < 200; step++) {
      // Move one random VM to a random other host with room, as a migration's end does; every other step swap it
      // with a VM of that host, which changes both lists and neither length.
      const vm = state.vms[Math.floor(rng.float() * state.vms.length)]
      const target = state.hosts[Math.floor(rng.float() * state.hosts.length)]
      const from = vm.hostIndex
      const swapWith = step % 2 === 1 && target.index !== from ? target.vmIndices[0] : undefined
      const moved = target.index !== from && (swapWith !== undefined || target.memUsedMiB + vm.memMiB <= target.memMiB)
      if (moved) {
        if (swapWith !== undefined) {
          const other = state.vms[swapWith]
          state.detachVm(other, 0)
          state.detachVm(vm, 0)
          state.attachVm(other, state.hosts[from], 0)
        } else {
          state.detachVm(vm, 0)
        }
        state.attachVm(vm, target, 0)
      }
      const cached = buildView(contextOf(built, cache))
      const fresh = buildView(contextOf(built))
      expect(plain(cached)).toEqual(plain(fresh))
      for (const host of cached.hosts) {
        expect(Object.isFrozen(host.vmIndices)).toBe(true)
        expect([...host.vmIndices]).toEqual([...state.hosts[host.index].vmIndices].sort((a, b) => a - b))
        const changed = moved && (host.index === from || host.index === target.index)
        // Unchanged lists are shared; changed ones are new arrays (a stale share would fail the equality above).
        if (!changed) expect(host.vmIndices).toBe(previous.hosts[host.index].vmIndices)
        else expect(host.vmIndices).not.toBe(previous.hosts[host.index].vmIndices)
      }
      expect(cached.rules).toBe(previous.rules)
      previous = cached
    }
  })
})

describe('MigrationNetwork, one flow alone', () => {
  it('gets exactly what max-min filling gives it, degraded and failed links included', () => {
    const hosts = [
      { rack: 'a', nicMbitPerS: 10_000, nicFactor: 1 }, { rack: 'a', nicMbitPerS: 25_000, nicFactor: 0.37 },
      { rack: 'b', nicMbitPerS: 1_000, nicFactor: 1 }, { rack: 'b', nicMbitPerS: 10_000, nicFactor: 0 }
    ]
    const net = new MigrationNetwork(hosts, { bandwidthShare: 0.3, torUplinkMbitPerS: 900 })
    for (let source = 0; source < hosts.length; source++) {
      for (let target = 0; target < hosts.length; target++) {
        if (source === target) continue
        const path = net.path(source, target)
        const filled = maxMinFairShare({ capacityBitPerS: path.map((l) => net.capacityBitPerS(l)), paths: [path.map((_, i) => i)], limitBitPerS: [Infinity] })[0]
        expect(net.prospectiveRateBitPerS(source, target)).toBe(filled)
        expect(net.add('m', source, target, () => {})).toBe(filled)
        net.remove('m')
      }
    }
  })
})
