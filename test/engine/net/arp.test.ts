// Goal: ARP caches follow the Linux neighbour state machine (REACHABLE → STALE → DELAY → PROBE → failed),
// resolution holds packets, and unsolicited ARP updates but does not create entries (arp_accept = 0).
// Method: one switch, a client and a VM, fixed (non-random) reachable time; state read from snapshots/events.
import { describe, expect, test } from 'vitest'
import { msToUs, sToUs } from '../../../engine/kernel/index'
import { Lan, singleSwitchLan, LINUX_ARP_DEFAULTS, type ArpConfig } from '../../../engine/net/index'
import { newSim, ofKind, record } from './support'

function setup(arp: Partial<ArpConfig> = {}, seed = 1) {
  const sim = newSim(seed)
  const events = record(sim)
  const net = new Lan(sim, singleSwitchLan(2, { clientsPerSwitch: 1, arp: { reachableRandomized: false, ...arp } }))
  const entry = (owner: string, target: string) =>
    net.snapshot().arpCaches.find((c) => c.owner === owner)?.entries.find((e) => e.ip === net.ipOf(target))
  return { sim, events, net, entry }
}

describe('resolution', () => {
  test('the first packet is held while a broadcast request resolves the address', () => {
    const { sim, events, net, entry } = setup()
    net.addDatagramClient({ id: 'u', from: 'client-0000', to: 'vm-0000', periodUs: msToUs(100) })
    sim.runUntil(msToUs(1))
    expect(entry('client-0000', 'vm-0000')).toMatchObject({ state: 'reachable', mac: net.macOf('vm-0000') })
    // Created STALE by the client's request, then used for the echo: DELAY.
    expect(entry('vm-0000', 'client-0000')).toMatchObject({ state: 'delay', mac: net.macOf('client-0000') })
    expect(net.client('u').stats.replies).toBe(1)
    expect(ofKind(events, 'net.arpUpdated').map((e) => `${e.owner}:${e.cause}:${e.state}`)).toEqual([
      'vm-0000:request:stale', 'client-0000:reply:reachable'
    ])
  })

  test('an unanswered resolution retries three times a second apart, then drops the held packets', () => {
    const { sim, events, net } = setup()
    net.setVmRunning('vm-0000', false)
    const client = net.addDatagramClient({ id: 'u', from: 'client-0000', to: 'vm-0000', periodUs: msToUs(500) })
    sim.runUntil(sToUs(3.2))
    expect(ofKind(events, 'net.arpFailed')).toMatchObject([{ owner: 'client-0000', atUs: sToUs(3), droppedPackets: 6 }])
    expect(client.stats.lostByReason['arp-failed']).toBe(6)
  })
})

describe('aging and probing', () => {
  test('a UDP sender’s entry goes stale after the reachable time, waits 5 s in DELAY, then a unicast probe refreshes it', () => {
    const { sim, events, net, entry } = setup()
    net.addDatagramClient({ id: 'u', from: 'client-0000', to: 'vm-0000', periodUs: msToUs(100) })
    sim.runUntil(sToUs(29))
    expect(entry('client-0000', 'vm-0000')?.state).toBe('reachable')
    // Confirmed at 24 µs, so REACHABLE ends just after the 30.0 s send; the 30.1 s send starts DELAY.
    sim.runUntil(sToUs(30.05))
    expect(entry('client-0000', 'vm-0000')?.state).toBe('stale')
    sim.runUntil(sToUs(30.15))
    expect(entry('client-0000', 'vm-0000')?.state).toBe('delay')
    expect(entry('client-0000', 'vm-0000')?.timerAtUs).toBe(sToUs(30.1) + LINUX_ARP_DEFAULTS.delayFirstProbeUs)
    sim.runUntil(sToUs(36))
    const refresh = ofKind(events, 'net.arpUpdated').filter((e) => e.owner === 'client-0000' && e.cause === 'probe-reply')
    expect(refresh).toHaveLength(1)
    expect(refresh[0].atUs - sToUs(35.1)).toBeLessThan(100)
    expect(entry('client-0000', 'vm-0000')?.state).toBe('reachable')
  })

  test('TCP-like replies confirm reachability, so a request client never probes', () => {
    const { sim, events, net } = setup()
    net.addRequestClient({ id: 'r', from: 'client-0000', to: 'vm-0000', thinkUs: msToUs(100) })
    sim.runUntil(sToUs(120))
    expect(ofKind(events, 'net.arpUpdated').filter((e) => e.owner === 'client-0000')).toHaveLength(1)
    expect(net.snapshot().frames.dropsByReason).toMatchObject({ 'stale-location': 0, 'vm-paused': 0 })
  })

  test('an entry whose probes go unanswered fails after 5 s of DELAY and three probes', () => {
    const { sim, events, net } = setup({ baseReachableUs: sToUs(10) })
    net.addDatagramClient({ id: 'u', from: 'client-0000', to: 'vm-0000', periodUs: msToUs(100) })
    sim.runUntil(sToUs(5))
    net.setVmRunning('vm-0000', false)
    sim.runUntil(sToUs(30))
    const failed = ofKind(events, 'net.arpFailed').filter((e) => e.owner === 'client-0000')
    // Reachable until 10 s + 24 µs; first use at 10.1 s → DELAY until 15.1 s → probes at 15.1, 16.1, 17.1 s → failed.
    expect(failed[0].atUs).toBe(sToUs(18.1))
    expect(failed[0].mac).toBe(net.macOf('vm-0000'))
  })

  test('reachable times are drawn per cache in [base/2, 3·base/2]; the router keeps 4 h', () => {
    const sim = newSim(3)
    const net = new Lan(sim, singleSwitchLan(6, { clientsPerSwitch: 2, remoteClients: 1 }))
    const caches = net.snapshot().arpCaches
    const lan = caches.filter((c) => c.owner !== 'router').map((c) => c.reachableUs)
    expect(lan.every((us) => us >= sToUs(15) && us <= sToUs(45))).toBe(true)
    expect(new Set(lan).size).toBeGreaterThan(5)
    expect(caches.find((c) => c.owner === 'router')?.reachableUs).toBe(sToUs(14_400))
  })
})

describe('unsolicited ARP', () => {
  test('a gratuitous ARP updates existing entries only, unless acceptUnsolicitedNew', () => {
    for (const accept of [false, true]) {
      const { sim, net, entry } = setup({ acceptUnsolicitedNew: accept })
      net.addDatagramClient({ id: 'u', from: 'client-0000', to: 'vm-0000', periodUs: msToUs(100) })
      sim.runUntil(msToUs(50))
      net.announce('vm-0000', 'gratuitous')
      sim.runUntil(msToUs(60))
      expect(entry('host-0001', 'vm-0000') !== undefined).toBe(accept)
      expect(entry('client-0000', 'vm-0000')?.mac).toBe(net.macOf('vm-0000'))
    }
  })

  test('after a per-host MAC change the gratuitous ARP moves the client to the new MAC in STALE', () => {
    const sim = newSim()
    const events = record(sim)
    const net = new Lan(sim, singleSwitchLan(2, { clientsPerSwitch: 1, vmMacPolicy: 'per-host' }))
    net.addDatagramClient({ id: 'u', from: 'client-0000', to: 'vm-0000', periodUs: msToUs(10) })
    sim.runUntil(msToUs(100))
    const oldMac = net.macOf('vm-0000')
    net.activateVm('vm-0000', 'host-0001', { mode: 'gratuitous' })
    expect(net.macOf('vm-0000')).not.toBe(oldMac)
    sim.runUntil(msToUs(101))
    const update = ofKind(events, 'net.arpUpdated').filter((e) => e.owner === 'client-0000').at(-1)
    expect(update).toMatchObject({ mac: net.macOf('vm-0000'), state: 'stale', cause: 'gratuitous' })
  })

  test('within the lock time a conflicting plain ARP reply is ignored', () => {
    const sim = newSim()
    const events = record(sim)
    const net = new Lan(sim, singleSwitchLan(2, { clientsPerSwitch: 1, vmMacPolicy: 'per-host', arp: { reachableRandomized: false } }))
    net.addDatagramClient({ id: 'u', from: 'client-0000', to: 'vm-0000', periodUs: msToUs(10) })
    sim.runUntil(100)
    // The client learnt the VM's MAC just now; a directed reply with a new MAC inside 1 s changes nothing.
    net.activateVm('vm-0000', 'host-0001', { mode: 'directed', schedule: { initialUs: sToUs(2), maxUs: sToUs(2), rounds: 2, stepUs: 0 } })
    sim.runUntil(msToUs(500))
    expect(ofKind(events, 'net.arpUpdated').filter((e) => e.owner === 'client-0000')).toHaveLength(1)
    sim.runUntil(sToUs(2) + msToUs(1))
    expect(ofKind(events, 'net.arpUpdated').filter((e) => e.owner === 'client-0000').at(-1)).toMatchObject({
      mac: net.macOf('vm-0000'), state: 'reachable', cause: 'reply'
    })
  })
})
