// Goal: the snapshot shows the UI per-direction link load, flows, switch tables, ARP caches and VMs as
// plain data; the LAN shares a simulation whose event union is wider than its own.
// Method: a single switch with one saturating flow and one client.
import { describe, expect, test } from 'vitest'
import { Simulation, msToUs } from '../../../engine/kernel/index'
import { Lan, singleSwitchLan, type NetEvent } from '../../../engine/net/index'

type WorldEvent = NetEvent | { readonly kind: 'migration.started'; readonly vmId: string }

describe('snapshot', () => {
  test('shows per-direction utilisation, flows, switch tables, ARP caches and VMs', () => {
    const sim = new Simulation<WorldEvent>(1)
    const net = new Lan(sim, singleSwitchLan(2, { clientsPerSwitch: 1 }))
    sim.emit({ kind: 'migration.started', vmId: 'vm-0000' })
    net.startFlow({ from: 'host-0000', to: 'host-0001', bytes: 10_000_000, rateLimitBitPerS: 400e6, label: 'capped' })
    net.startFlow({ from: 'host-0000', to: 'host-0001', bytes: 10_000_000, label: 'free' })
    net.addDatagramClient({ id: 'u', from: 'client-0000', to: 'vm-0001', periodUs: msToUs(1) })
    sim.runUntil(msToUs(10))
    const view = net.snapshot()
    const uplink = view.links.find((link) => link.id === 'host-0000~switch')
    // The uncapped flow's bottleneck is host-0000's uplink: half its 256 KiB queue stands there.
    expect(uplink?.aToB).toMatchObject({ fluidBitPerS: 1e9, flows: 2, utilisation: 1, saturated: true, standingQueueBytes: 131_072 })
    expect(uplink?.bToA).toMatchObject({ fluidBitPerS: 0, flows: 0, utilisation: 0, saturated: false, standingQueueBytes: 0 })
    // Downstream the flows arrive paced: the link is full but no queue stands.
    const downlink = view.links.find((link) => link.id === 'host-0001~switch')
    expect(downlink?.bToA).toMatchObject({ fluidBitPerS: 1e9, saturated: true, standingQueueBytes: 0 })
    expect(view.flows.map((f) => [f.label, f.rateBitPerS, f.bytesSent])).toEqual([['capped', 400e6, 500_000], ['free', 600e6, 750_000]])
    const table = view.switches[0]
    expect(table.entries.map((e) => [e.owner, e.peer])).toEqual([['vm-0001', 'host-0001'], ['client-0000', 'client-0000']])
    expect(table.entries.every((e) => e.expiresAtUs > sim.nowUs)).toBe(true)
    expect(view.arpCaches.find((c) => c.owner === 'client-0000')?.entries).toMatchObject([{ ip: net.ipOf('vm-0001'), mac: net.macOf('vm-0001'), state: 'reachable' }])
    expect(view.vms).toEqual([
      { id: 'vm-0000', hostId: 'host-0000', ip: net.ipOf('vm-0000'), mac: net.macOf('vm-0000'), running: true },
      { id: 'vm-0001', hostId: 'host-0001', ip: net.ipOf('vm-0001'), mac: net.macOf('vm-0001'), running: true }
    ])
    // The datagrams share switch → host-0001 with the flows (at a fair share) but wait behind no bulk queue.
    expect(view.clients[0]).toMatchObject({ id: 'u', kind: 'datagram', from: 'client-0000', to: 'vm-0001', requests: 11, replies: 10, lost: 0 })
    expect(view.clients[0].latencyP50Us).toBeLessThan(100)
  })

  test('taking snapshots does not change what happens (same trace hash)', () => {
    const hashes = [false, true].map((observe) => {
      const sim = new Simulation<NetEvent>(3)
      const net = new Lan(sim, singleSwitchLan(3, { clientsPerSwitch: 1 }))
      net.addRequestClient({ id: 'r', from: 'client-0000', to: 'vm-0002' })
      net.startFlow({ from: 'host-0000', to: 'host-0002', bytes: 5_000_000, label: 'f' })
      for (let t = 1; t <= 200; t++) {
        sim.runUntil(msToUs(t))
        if (observe) JSON.stringify(net.snapshot())
      }
      return sim.traceHash()
    })
    expect(hashes[1]).toBe(hashes[0])
  })
})
