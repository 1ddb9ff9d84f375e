// Goal: the datacenter's migration network shares links max-min fairly on the rack topology (NIC → ToR → aggregation),
// tells flows when their rate changes (once per batch of changes), and never oversubscribes a link.
// Method: small hand-checked topologies, then random flows checked against link capacities.
import { describe, expect, it } from 'vitest'
import { MigrationNetwork } from '../../../engine/cluster/network'
import { deriveStream } from '../../../engine/kernel/rng'
import { maxMinFairShare } from '../../../engine/net/fair-share'

const host = (rack: string, nicMbitPerS = 10_000) => ({ rack, nicMbitPerS, nicFactor: 1 })

describe('MigrationNetwork', () => {
  it('routes within a rack NIC → NIC and across racks through both ToR links', () => {
    const net = new MigrationNetwork([host('a'), host('a'), host('b')], { bandwidthShare: 0.5, torUplinkMbitPerS: 40_000 })
    expect(net.path(0, 1)).toEqual([0, 3])
    expect(net.path(0, 2)).toEqual([0, 6, 9, 5])
    expect(net.capacityBitPerS(0)).toBe(5e9)
    expect(net.capacityBitPerS(6)).toBe(20e9)
  })

  it('splits one NIC fairly between migrations that start together, and gives it back when one ends', () => {
    const net = new MigrationNetwork([host('a'), host('a'), host('a')], { bandwidthShare: 0.5, torUplinkMbitPerS: 40_000 })
    const told: [string, number][] = []
    expect(net.add('m1', 0, 1, (r) => told.push(['m1', r]))).toBe(5e9)
    expect(net.prospectiveRateBitPerS(0, 2)).toBe(2.5e9)
    expect(net.add('m2', 0, 2, (r) => told.push(['m2', r]))).toBe(2.5e9)
    expect(told).toEqual([['m1', 2.5e9]])
    net.remove('m1')
    expect(told).toEqual([['m1', 2.5e9], ['m2', 5e9]])
  })

  it('a batch tells each flow only its final rate', () => {
    const net = new MigrationNetwork([host('a'), host('a'), host('a')], { bandwidthShare: 1, torUplinkMbitPerS: 40_000 })
    const told: number[] = []
    net.add('m1', 0, 1, () => {})
    net.add('m2', 0, 2, (r) => told.push(r))
    net.batch(() => { net.remove('m1'); net.add('m3', 0, 1, () => {}) })
    expect(told).toEqual([])
  })

  it('a rack evacuation shares the ToR uplink; a degraded NIC is re-shared when it changes', () => {
    const hosts = [host('a'), host('a'), host('b'), host('b')]
    const net = new MigrationNetwork(hosts, { bandwidthShare: 1, torUplinkMbitPerS: 10_000 })
    net.add('m1', 0, 2, () => {})
    net.add('m2', 1, 3, () => {})
    expect(net.rateOf('m1') + net.rateOf('m2')).toBeLessThanOrEqual(10e9)
    expect(net.rateOf('m1')).toBe(5e9)
    hosts[0].nicFactor = 0.2
    net.linksChanged()
    expect(net.rateOf('m1')).toBe(2e9)
    expect(net.rateOf('m2')).toBe(8e9)
  })

  it('never puts more on a link than its capacity (random flows)', () => {
    const rng = deriveStream(11, 'network-test')
    for (let trial = 0; trial < 200; trial++) {
      const hosts = Array.from({ length: 6 }, (_, i) => host(i < 3 ? 'a' : 'b', 1000 * (1 + Math.floor(rng.float() * 10))))
      const net = new MigrationNetwork(hosts, { bandwidthShare: 0.5, torUplinkMbitPerS: 1000 + Math.floor(rng.float() * 20_000) })
      const flows: [string, number, number][] = []
      for (let f = 0; f < 8; f++) {
        const s = Math.floor(rng.float() * 6)
        const t = (s + 1 + Math.floor(rng.float() * 5)) % 6
        flows.push([`m${f}`, s, t])
        net.add(`m${f}`, s, t, () => {})
      }
      const load = new Map<number, number>()
      for (const [id, s, t] of flows) for (const link of net.path(s, t)) load.set(link, (load.get(link) ?? 0) + net.rateOf(id))
      for (const [link, sum] of load) expect(sum).toBeLessThanOrEqual(net.capacityBitPerS(link))
      // Max-min: every flow crosses a saturated link (< 1 bit/s per flow left) where it has the largest rate.
      for (const [id, s, t] of flows) {
        const bottlenecked = net.path(s, t).some((link) => net.capacityBitPerS(link) - (load.get(link) ?? 0) < 8 &&
          flows.every(([other, os, ot]) => !net.path(os, ot).includes(link) || net.rateOf(other) <= net.rateOf(id)))
        expect(bottlenecked).toBe(true)
      }
    }
  })

  it('re-solving only the flows connected to a change gives exactly the rates of solving every flow', () => {
    const rng = deriveStream(12, 'network-components')
    for (let trial = 0; trial < 40; trial++) {
      const hostCount = 12
      const hosts = Array.from({ length: hostCount }, (_, i) => host(trial % 2 === 0 ? 'a' : `r${i % 3}`, 1000 * (1 + rng.intBelow(10))))
      const net = new MigrationNetwork(hosts, { bandwidthShare: 0.5, torUplinkMbitPerS: 1000 + rng.intBelow(20_000) })
      const live: [string, number, number][] = []
      for (let step = 0; step < 60; step++) {
        if (live.length > 0 && rng.chance(2, 5)) {
          const [id] = live.splice(rng.intBelow(live.length), 1)[0]
          net.remove(id)
        } else {
          const s = rng.intBelow(hostCount)
          const t = (s + 1 + rng.intBelow(hostCount - 1)) % hostCount
          const probe = [...live.map(([, fs, ft]) => net.path(fs, ft)), net.path(s, t)]
          const links = [...new Set(probe.flat())]
          const full = maxMinFairShare({ capacityBitPerS: links.map((l) => net.capacityBitPerS(l)), paths: probe.map((p) => p.map((l) => links.indexOf(l))), limitBitPerS: probe.map(() => Infinity) })
          expect(net.prospectiveRateBitPerS(s, t)).toBe(full[full.length - 1])
          live.push([`m${trial}-${step}`, s, t])
          net.add(`m${trial}-${step}`, s, t, () => {})
        }
        // Reference: one solve of every live flow, links numbered in order of first use (as the network does).
        const order = [...new Set(live.flatMap(([, s, t]) => net.path(s, t)))]
        const rates = maxMinFairShare({
          capacityBitPerS: order.map((l) => net.capacityBitPerS(l)),
          paths: live.map(([, s, t]) => net.path(s, t).map((l) => order.indexOf(l))), limitBitPerS: live.map(() => Infinity)
        })
        live.forEach(([id], i) => expect(net.rateOf(id)).toBe(rates[i]))
      }
    }
  })
})
