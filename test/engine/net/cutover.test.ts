// Goal: what clients observe when a VM is re-homed, per cutover mode (migration.md §13, §16.5, §16.11).
// Method: two racks (tor-0000: host-0000, host-0001, client-0000; tor-0001: host-0002, host-0003, client-0001),
// vm-0000 on host-0000, a UDP client on each rack sending every 1 ms (one tick). The VM is suspended for
// 100 ms, then activated on a host in the same rack or the other one; outages are read from client stats.
import { describe, expect, test } from 'vitest'
import { msToUs, sToUs } from '../../../engine/kernel/index'
import { Lan, LINUX_ARP_DEFAULTS, QEMU_ANNOUNCE_DEFAULTS, twoTierLan, type CutoverMode, type VmMacPolicy } from '../../../engine/net/index'
import { newSim, ofKind, record } from './support'

const TICK_US = msToUs(1)
const DOWNTIME_US = msToUs(100)
const FIRST_ANNOUNCE_GAP_US = QEMU_ANNOUNCE_DEFAULTS.initialUs

function migrate(options: { mode: CutoverMode; policy: VmMacPolicy; target: string; suspendAtUs: number; runUs: number; remote?: boolean }) {
  const sim = newSim(11)
  const events = record(sim)
  const net = new Lan(sim, twoTierLan(2, 2, { clientsPerSwitch: 1, vmMacPolicy: options.policy, remoteClients: options.remote === true ? 1 : 0 }))
  const clientEndpoints = options.remote === true ? ['client-0000', 'client-0001', 'remote-0000'] : ['client-0000', 'client-0001']
  const clients = clientEndpoints.map((from, i) => net.addDatagramClient({ id: `u${i}`, from, to: 'vm-0000', periodUs: TICK_US }))
  sim.runUntil(options.suspendAtUs)
  const before = net.snapshot()
  const oldMac = net.macOf('vm-0000')
  net.setVmRunning('vm-0000', false)
  sim.runUntil(options.suspendAtUs + DOWNTIME_US)
  const activatedAtUs = sim.nowUs
  const rounds = net.activateVm('vm-0000', options.target, { mode: options.mode })
  sim.runUntil(activatedAtUs + options.runUs)
  const baselineRttUs = Math.max(...before.clients.map((c) => c.latencyMaxUs))
  return { sim, events, net, clients, before, oldMac, activatedAtUs, rounds, baselineRttUs }
}

describe('gratuitous', () => {
  for (const policy of ['moves-with-vm', 'per-host'] as const) {
    for (const target of ['host-0001', 'host-0002']) {
      test(`every client reaches the new host within one announce round plus a round trip (${policy}, to ${target})`, () => {
        const run = migrate({ mode: 'gratuitous', policy, target, suspendAtUs: sToUs(1), runUs: sToUs(1), remote: true })
        expect(run.rounds).toEqual([0, 50, 200, 450, 800].map((ms) => run.activatedAtUs + msToUs(ms)))
        for (const client of run.net.snapshot().clients) {
          // The outage ends with the first reply from the new host.
          expect(client.outageToUs).toBeGreaterThan(run.activatedAtUs)
          expect(client.outageToUs - run.activatedAtUs).toBeLessThanOrEqual(FIRST_ANNOUNCE_GAP_US + run.baselineRttUs)
          expect(client.outageToUs - run.activatedAtUs).toBeLessThanOrEqual(TICK_US + 2 * run.baselineRttUs)
          expect(client.outageUs).toBeGreaterThanOrEqual(DOWNTIME_US)
        }
        // Once a switch has processed the announce it never forwards the VM's frames toward the old host.
        for (const sw of run.net.snapshot().switches) expect(sw.lastStaleForwardAtUs).toBeLessThan(run.activatedAtUs + 100)
        expect(run.net.switchPortPeer('tor-0000', 'vm-0000')).toBe(target === 'host-0001' ? 'host-0001' : 'agg')
        expect(run.net.arpMac('router', 'vm-0000')).toBe(run.net.macOf('vm-0000'))
      })
    }
  }
})

describe('none', () => {
  test('clients keep hitting the old port until their cache entry times out; the outage equals that timeout within a tick', () => {
    const suspendAtUs = sToUs(10)
    const run = migrate({ mode: 'none', policy: 'per-host', target: 'host-0002', suspendAtUs, runUs: sToUs(60) })
    const config = LINUX_ARP_DEFAULTS
    for (const [i, client] of run.net.snapshot().clients.entries()) {
      const cache = run.before.arpCaches.find((c) => c.owner === `client-000${i}`)
      const entry = cache?.entries.find((e) => e.ip === run.net.ipOf('vm-0000'))
      // Precondition: at suspension the client's entry is REACHABLE, pointing at the old MAC.
      expect(entry).toMatchObject({ state: 'reachable', mac: run.oldMac })
      // It stays in use until it turns STALE, is used (≤ 1 tick), waits in DELAY, and its unicast probes fail.
      const timeoutAtUs = (entry?.reachableUntilUs as number) + config.delayFirstProbeUs + config.unicastProbes * config.retransUs
      const failed = ofKind(run.events, 'net.arpFailed').find((e) => e.owner === `client-000${i}`)
      expect((failed?.atUs as number) - timeoutAtUs).toBeGreaterThanOrEqual(0)
      expect((failed?.atUs as number) - timeoutAtUs).toBeLessThanOrEqual(TICK_US)
      const expectedOutageUs = timeoutAtUs - client.outageFromUs
      expect(client.outageFromUs).toBeLessThanOrEqual(suspendAtUs)
      expect(Math.abs(client.outageUs - expectedOutageUs)).toBeLessThanOrEqual(TICK_US + 2 * run.baselineRttUs)
      // Meanwhile every datagram went to the old host and died there.
      const sentToOldHost = Math.floor((timeoutAtUs - run.activatedAtUs) / TICK_US)
      expect(client.lostByReason['stale-location']).toBeGreaterThanOrEqual(sentToOldHost - 2)
      expect(client.outageOngoing).toBe(false)
    }
    expect(run.net.snapshot().switches.find((s) => s.id === 'tor-0000')?.orphanForwards).toBeGreaterThan(1_000)
  })
})

describe('directed', () => {
  for (const target of ['host-0001', 'host-0002']) {
    test(`the switch tables move on the VM’s first frame, on every switch it crosses (to ${target})`, () => {
      const run = migrate({ mode: 'directed', policy: 'moves-with-vm', target, suspendAtUs: sToUs(1), runUs: sToUs(1) })
      const vmMac = run.net.macOf('vm-0000')
      expect(vmMac).toBe(run.oldMac)
      const moves = ofKind(run.events, 'net.macMoved').filter((e) => e.mac === vmMac && e.atUs >= run.activatedAtUs)
      const announce = ofKind(run.events, 'net.announceSent').find((e) => e.round === 0)
      expect(announce).toMatchObject({ atUs: run.activatedAtUs, frames: 2 })
      // The new host's ToR relearns when the first directed reply arrives: 64 B at 1 Gbit/s (1 µs) + 5 µs.
      const edge = target === 'host-0001' ? 'tor-0000' : 'tor-0001'
      expect(moves[0]).toMatchObject({ switchId: edge, atUs: run.activatedAtUs + 6 })
      const expectedSwitches = target === 'host-0001' ? ['tor-0000'] : ['tor-0001', 'agg', 'tor-0000']
      expect(moves.map((m) => m.switchId)).toEqual(expectedSwitches)
      moves.forEach((move, hop) => expect(move.atUs).toBe(run.activatedAtUs + 6 * (hop + 1)))
      for (const client of run.net.snapshot().clients) {
        expect(client.outageToUs - run.activatedAtUs).toBeLessThanOrEqual(TICK_US + 2 * run.baselineRttUs)
      }
    })
  }

  test('with a per-host MAC the directed replies also re-point the peers’ caches (after the lock time)', () => {
    const run = migrate({ mode: 'directed', policy: 'per-host', target: 'host-0002', suspendAtUs: sToUs(3), runUs: sToUs(1) })
    expect(run.net.arpMac('client-0000', 'vm-0000')).toBe(run.net.macOf('vm-0000'))
    expect(run.net.arpMac('client-0001', 'vm-0000')).toBe(run.net.macOf('vm-0000'))
    for (const client of run.net.snapshot().clients) expect(client.outageToUs - run.activatedAtUs).toBeLessThanOrEqual(TICK_US + 2 * run.baselineRttUs)
  })
})

describe('rarp', () => {
  test('a RARP announce fixes the switches when the MAC moves with the VM', () => {
    const run = migrate({ mode: 'rarp', policy: 'moves-with-vm', target: 'host-0002', suspendAtUs: sToUs(1), runUs: sToUs(1) })
    for (const client of run.net.snapshot().clients) expect(client.outageToUs - run.activatedAtUs).toBeLessThanOrEqual(TICK_US + 2 * run.baselineRttUs)
    expect(ofKind(run.events, 'net.arpUpdated').filter((e) => e.atUs >= run.activatedAtUs && e.cause === 'gratuitous')).toEqual([])
  })

  test('but leaves caches on the old MAC when the MAC is per host', () => {
    const run = migrate({ mode: 'rarp', policy: 'per-host', target: 'host-0002', suspendAtUs: sToUs(1), runUs: sToUs(1) })
    expect(run.net.arpMac('client-0000', 'vm-0000')).toBe(run.oldMac)
    expect(run.net.snapshot().clients.every((c) => c.outageOngoing)).toBe(true)
  })
})
