// Goal: switches learn only from received frames, age entries lazily, flood unknown destinations except
// the ingress port, and every frame copy is accounted for with a reason. Method: small LANs driven by
// clients and messages; a model-based property for the MAC table; a conservation property on random LANs
// with random traffic, faults and VM moves.
import fc from 'fast-check'
import { describe, expect, test } from 'vitest'
import { msToUs, sToUs } from '../../../engine/kernel/index'
import { MacTable } from '../../../engine/net/mac-table'
import { FRAME_DROP_REASONS, Lan, singleSwitchLan, twoTierLan, type CutoverMode, type NetFault } from '../../../engine/net/index'
import { lanFromShape, newSim, ofKind, randomLanShape, record } from './support'

describe('MAC learning', () => {
  test('a switch learns each sender on the port its frame came in', () => {
    const sim = newSim()
    const net = new Lan(sim, twoTierLan(2, 1, { clientsPerSwitch: 1 }))
    expect(net.switchPortPeer('agg', 'client-0000')).toBeNull()
    net.addDatagramClient({ id: 'u', from: 'client-0000', to: 'vm-0001', periodUs: msToUs(1) })
    sim.runUntil(msToUs(5))
    expect(net.switchPortPeer('tor-0000', 'client-0000')).toBe('client-0000')
    expect(net.switchPortPeer('agg', 'client-0000')).toBe('tor-0000')
    expect(net.switchPortPeer('agg', 'vm-0001')).toBe('tor-0001')
    expect(net.switchPortPeer('tor-0001', 'vm-0001')).toBe('host-0001')
  })

  test('entries expire after the aging time and the next frame floods', () => {
    const sim = newSim()
    const spec = singleSwitchLan(3, { clientsPerSwitch: 1 })
    const net = new Lan(sim, { ...spec, switches: [{ id: 'switch', agingUs: sToUs(1) }] })
    net.sendMessage({ from: 'client-0000', to: 'host-0001', bytes: 100 })
    sim.runUntil(msToUs(10))
    expect(net.switchPortPeer('switch', 'host-0001')).toBe('host-0001')
    sim.runUntil(sToUs(2))
    expect(net.switchPortPeer('switch', 'host-0001')).toBeNull()
    const flooded = net.snapshot().switches[0].flooded
    net.sendMessage({ from: 'client-0000', to: 'host-0001', bytes: 100 })
    sim.runUntil(sToUs(2) + msToUs(1))
    expect(net.snapshot().switches[0].flooded).toBe(flooded + 1)
    expect(net.frameCounters().dropsByReason['nic-filtered']).toBeGreaterThan(0)
  })

  test('flooded copies filtered by other NICs do not make a packet lost', () => {
    const sim = newSim()
    const net = new Lan(sim, singleSwitchLan(4, { clientsPerSwitch: 1 }))
    const lost: string[] = []
    let delivered = 0
    net.sendMessage({ from: 'client-0000', to: 'host-0003', bytes: 500, onDelivered: () => delivered++, onLost: (r) => lost.push(r) })
    sim.runToCompletion()
    expect(delivered).toBe(1)
    expect(lost).toEqual([])
  })

  test('the MAC table agrees with a simple model under random learning and lookups', () => {
    const op = fc.record({ learn: fc.boolean(), mac: fc.integer({ min: 1, max: 6 }), port: fc.nat(3), advanceUs: fc.nat(400) })
    fc.assert(fc.property(fc.array(op, { maxLength: 200 }), (ops) => {
      const table = new MacTable(1_000)
      const model = new Map<number, { port: number; expiresAtUs: number }>()
      let nowUs = 0
      for (const o of ops) {
        nowUs += o.advanceUs
        const live = model.get(o.mac)
        const known = live !== undefined && nowUs < live.expiresAtUs ? live.port : -1
        if (o.learn) {
          const result = table.learn(o.mac, o.port, nowUs)
          expect(result).toBe(known < 0 ? -2 : known === o.port ? -1 : known)
          model.set(o.mac, { port: o.port, expiresAtUs: nowUs + 1_000 })
        } else {
          expect(table.lookup(o.mac, nowUs)).toBe(known)
        }
      }
      const expected = [...model].filter(([, e]) => nowUs < e.expiresAtUs).map(([mac, e]) => [mac, e.port]).sort((x, y) => x[0] - y[0])
      expect(table.entries(nowUs).map((e) => [e.macIndex, e.port])).toEqual(expected)
    }), { numRuns: 300 })
  })
})

describe('drops', () => {
  test('a frame for a paused VM is dropped with reason vm-paused and the client records it', () => {
    const sim = newSim()
    const net = new Lan(sim, singleSwitchLan(2, { clientsPerSwitch: 1 }))
    const client = net.addDatagramClient({ id: 'u', from: 'client-0000', to: 'vm-0000', periodUs: msToUs(1) })
    sim.runUntil(msToUs(10))
    net.setVmRunning('vm-0000', false)
    sim.runUntil(msToUs(20))
    expect(client.stats.lostByReason['vm-paused']).toBe(10)
  })

  test('a down link drops what is sent on it and what was in flight', () => {
    const sim = newSim()
    const spec = singleSwitchLan(2, { clientsPerSwitch: 1, linkLatencyUs: 500 })
    const net = new Lan(sim, spec)
    const events = record(sim)
    const client = net.addDatagramClient({ id: 'u', from: 'client-0000', to: 'vm-0000', periodUs: msToUs(1) })
    net.scheduleFaults([{ kind: 'link-down', atUs: msToUs(10) + 700, linkId: 'host-0000~switch' }])
    sim.runUntil(msToUs(15))
    expect(client.stats.lostByReason['link-down']).toBeGreaterThanOrEqual(5)
    expect(ofKind(events, 'net.frameDropped').every((e) => e.reason === 'link-down')).toBe(true)
  })

  test('overflowing a queue drops frames with reason queue-overflow', () => {
    const sim = newSim()
    const net = new Lan(sim, singleSwitchLan(2, { clientsPerSwitch: 1, accessMbitPerS: 10, accessQueueBytes: 2_000 }))
    const client = net.addDatagramClient({ id: 'u', from: 'client-0000', to: 'vm-0000', periodUs: 50, bytes: 1_400, replyBytes: 0 })
    sim.runUntil(msToUs(20))
    expect(client.stats.lostByReason['queue-overflow']).toBeGreaterThan(100)
    expect(net.frameCounters().dropsByReason['queue-overflow']).toBe(client.stats.lostByReason['queue-overflow'])
  })

  test('random loss uses the net/loss stream and is reported as loss', () => {
    const sim = newSim(5)
    const net = new Lan(sim, singleSwitchLan(2, { clientsPerSwitch: 1 }))
    net.setLinkLoss('client-0000~switch', 0.2)
    const client = net.addDatagramClient({ id: 'u', from: 'client-0000', to: 'vm-0000', periodUs: msToUs(1) })
    sim.runUntil(sToUs(2))
    // Both directions cross the lossy link: 1 − 0.8² = 36 % of 2,000 round trips.
    const lost = client.stats.lostByReason.loss ?? 0
    expect(lost).toBeGreaterThan(620)
    expect(lost).toBeLessThan(820)
  })
})

interface Chaos {
  readonly clients: readonly [number, number, number, boolean][]
  readonly faults: readonly [number, number, number][]
  readonly moves: readonly [number, number, number, number][]
  readonly flows: readonly [number, number, number][]
}

const chaos: fc.Arbitrary<Chaos> = fc.record({
  clients: fc.array(fc.tuple(fc.nat(), fc.nat(), fc.integer({ min: 50, max: 5_000 }), fc.boolean()), { minLength: 1, maxLength: 6 }),
  faults: fc.array(fc.tuple(fc.nat(5), fc.nat(), fc.nat(400_000)), { maxLength: 6 }),
  moves: fc.array(fc.tuple(fc.nat(), fc.nat(), fc.nat(3), fc.nat(400_000)), { maxLength: 3 }),
  flows: fc.array(fc.tuple(fc.nat(), fc.nat(), fc.nat(100_000)), { maxLength: 4 })
})

const MODES: readonly CutoverMode[] = ['gratuitous', 'rarp', 'directed', 'none']

function fault(kind: number, pick: number, atUs: number, net: Lan, hostIds: readonly string[]): NetFault {
  const linkId = net.topology.links[pick % net.topology.links.length].id
  switch (kind) {
    case 0: return { kind: 'link-down', atUs, linkId }
    case 1: return { kind: 'link-up', atUs, linkId }
    case 2: return { kind: 'link-loss', atUs, linkId, lossRatio: 0.3 }
    case 3: return { kind: 'link-capacity', atUs, linkId, capacityMbitPerS: 1 }
    case 4: return { kind: 'partition', atUs, hostIds: [hostIds[pick % hostIds.length]] }
    default: return { kind: 'heal', atUs }
  }
}

describe('frame conservation', () => {
  test('sent + replicated = delivered + dropped + in flight at all times, every drop has a reason', () => {
    fc.assert(fc.property(randomLanShape, chaos, fc.boolean(), (shape, plan, perHost) => {
      const sim = newSim(7)
      const net = new Lan(sim, { ...lanFromShape(shape), vmMacPolicy: perHost ? 'per-host' : 'moves-with-vm', arp: { baseReachableUs: msToUs(300) } })
      const endpoints = net.endpointIds().filter((id) => !id.startsWith('vm-'))
      const vms = net.endpointIds('vm')
      const hostIds = net.endpointIds('host')
      const clients = plan.clients.map(([from, to, periodUs, udp], i) => {
        const options = { id: `c${i}`, from: endpoints[from % endpoints.length], to: vms[to % vms.length] }
        return udp ? net.addDatagramClient({ ...options, periodUs }) : net.addRequestClient({ ...options, thinkUs: periodUs, rtoMinUs: msToUs(20) })
      })
      net.scheduleFaults(plan.faults.map(([kind, pick, atUs]) => fault(kind, pick, atUs, net, hostIds)))
      for (const [vm, host, mode, atUs] of plan.moves) {
        sim.scheduleAt(atUs, () => net.activateVm(vms[vm % vms.length], hostIds[host % hostIds.length], { mode: MODES[mode] }))
      }
      for (const [from, to, atUs] of plan.flows) {
        sim.scheduleAt(atUs, () => net.startFlow({ from: hostIds[from % hostIds.length], to: vms[to % vms.length], bytes: 2_000_000, label: 'bulk' }))
      }
      const check = (): void => {
        const f = net.frameCounters()
        expect(f.sent + f.replicated).toBe(f.delivered + f.dropped + f.inFlight)
        expect(FRAME_DROP_REASONS.reduce((sum, reason) => sum + f.dropsByReason[reason], 0)).toBe(f.dropped)
      }
      for (let t = 50_000; t <= 500_000; t += 50_000) {
        sim.runUntil(t)
        check()
      }
      for (const client of clients) client.stop()
      net.scheduleFaults([{ kind: 'heal', atUs: sim.nowUs }])
      sim.runToCompletion({ eventsMax: 5_000_000 })
      check()
      expect(net.frameCounters().inFlight).toBe(0)
      for (const client of clients) {
        const stats = client.stats
        const reasons = Object.values(stats.lostByReason).reduce((sum, n) => sum + (n ?? 0), 0)
        expect(reasons).toBe(stats.lostCount)
        if (client.kind === 'datagram') expect(stats.replies + stats.lostCount).toBe(stats.requests)
      }
    }), { numRuns: 60 })
  })
})
