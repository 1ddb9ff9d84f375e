// Goal: fluid flows integrate bytes exactly in integer µs, react to starts/ends, limits, faults and VM moves,
// and tell their owner when they stall. Method: single-switch LANs with hand-computed completion times.
import fc from 'fast-check'
import { describe, expect, test } from 'vitest'
import { sToUs } from '../../../engine/kernel/index'
import { Lan, singleSwitchLan, type Flow } from '../../../engine/net/index'
import { lanFromShape, newSim, ofKind, randomLanShape, record } from './support'

/** host-0000 … host-000N on one switch, 1 Gbit/s access links. */
function lan(hosts = 3): { sim: ReturnType<typeof newSim>; lan: Lan } {
  const sim = newSim()
  return { sim, lan: new Lan(sim, singleSwitchLan(hosts, { accessMbitPerS: 1_000 })) }
}

describe('flow completion', () => {
  test('a lone flow finishes exactly when its bytes are through', () => {
    const { sim, lan: net } = lan()
    const done: number[] = []
    const flow = net.startFlow({ from: 'host-0000', to: 'host-0001', bytes: 125_000_000, label: 'copy', onComplete: () => done.push(sim.nowUs) })
    expect(flow.rateBitPerS).toBe(1e9)
    sim.runUntil(sToUs(0.5))
    expect(flow.bytesSent).toBe(62_500_000)
    sim.runToCompletion()
    expect(done).toEqual([1_000_000])
    expect(flow.status).toBe('completed')
    expect(flow.bytesSent).toBe(125_000_000)
    expect(flow.bytesRemaining).toBe(0)
  })

  test('completion rounds up to the next whole µs', () => {
    const { sim, lan: net } = lan()
    const events = record(sim)
    net.startFlow({ from: 'host-0000', to: 'host-0001', bytes: 1_000_003, rateLimitBitPerS: 999e6, label: 'odd' })
    sim.runToCompletion()
    expect(ofKind(events, 'net.flowCompleted')[0].atUs).toBe(Math.ceil((1_000_003 * 8e6) / 999e6))
  })

  test('a second flow on the same downlink halves the first one’s rate until it ends', () => {
    const { sim, lan: net } = lan()
    const done = new Map<string, number>()
    const onComplete = (flow: Flow): void => { done.set(flow.label, sim.nowUs) }
    net.startFlow({ from: 'host-0000', to: 'host-0001', bytes: 125_000_000, label: 'A', onComplete })
    sim.runUntil(sToUs(0.5))
    const b = net.startFlow({ from: 'host-0002', to: 'host-0001', bytes: 31_250_000, label: 'B', onComplete })
    expect(b.rateBitPerS).toBe(5e8)
    sim.runToCompletion()
    expect(done.get('B')).toBe(1_000_000)
    expect(done.get('A')).toBe(1_250_000)
  })

  test('many rate changes never lose or invent a byte', () => {
    const { sim, lan: net } = lan()
    const main = net.startFlow({ from: 'host-0000', to: 'host-0001', bytes: 10_000_007, label: 'main' })
    for (let i = 0; i < 200; i++) {
      sim.runUntil(sim.nowUs + 137)
      net.startFlow({ from: 'host-0002', to: 'host-0001', bytes: 1_001 + i, label: `burst-${i}` })
    }
    sim.runToCompletion()
    expect(main.status).toBe('completed')
    expect(main.bytesSent).toBe(10_000_007)
  })
})

describe('flow steering', () => {
  test('a rate limit caps the flow and can be lifted', () => {
    const { sim, lan: net } = lan()
    const flow = net.startFlow({ from: 'host-0000', to: 'host-0001', bytes: 100_000_000, rateLimitBitPerS: 100e6, label: 'mig' })
    expect(flow.rateBitPerS).toBe(100e6)
    sim.runUntil(sToUs(1))
    expect(flow.bytesSent).toBe(12_500_000)
    flow.setRateLimit(undefined)
    expect(flow.rateBitPerS).toBe(1e9)
    sim.runToCompletion()
    expect(sim.nowUs).toBe(sToUs(1) + Math.ceil((87_500_000 * 8e6) / 1e9))
  })

  test('addBytes extends a flow and cancel stops it where it stands', () => {
    const { sim, lan: net } = lan()
    const events = record(sim)
    const flow = net.startFlow({ from: 'host-0000', to: 'host-0001', bytes: 1_000_000, label: 'x' })
    sim.runUntil(4_000)
    flow.addBytes(1_000_000)
    expect(flow.bytesRemaining).toBe(1_500_000)
    sim.runUntil(6_000)
    flow.cancel()
    expect(flow.status).toBe('cancelled')
    expect(flow.bytesSent).toBe(750_000)
    expect(net.flows()).toEqual([])
    expect(ofKind(events, 'net.flowCancelled')[0]).toMatchObject({ bytesSent: 750_000, atUs: 6_000 })
  })

  test('bytes added when a flow drains keep it open at its rate, with no recomputation', () => {
    const { sim, lan: net } = lan()
    const events = record(sim)
    const drainedAtUs: number[] = []
    const flow = net.startFlow({
      from: 'host-0000', to: 'host-0001', bytes: 1_000_000, label: 'stream',
      onDrained: (f) => { drainedAtUs.push(sim.nowUs); if (drainedAtUs.length < 3) f.addBytes(1_000_001) }
    })
    expect(flow.rateBitPerS).toBe(1e9)
    const recomputations = net.rateRecomputations
    sim.runToCompletion()
    // 8 ms per MB at 1 Gbit/s; each drain starts the next batch from that µs.
    expect(drainedAtUs).toEqual([8_000, 16_001, 24_002])
    expect(net.rateRecomputations).toBe(recomputations + 1)
    expect(flow).toMatchObject({ status: 'completed', bytesSent: 3_000_002, bytesRemaining: 0 })
    expect(ofKind(events, 'net.flowStarted')).toHaveLength(1)
    expect(ofKind(events, 'net.flowCompleted')).toEqual([expect.objectContaining({ bytes: 3_000_002, atUs: 24_002, durationUs: 24_002 })])
  })

  test('a drained flow ended from onDrained is gone before anything its owner does next', () => {
    const { sim, lan: net } = lan()
    const seen: number[] = []
    const flow = net.startFlow({
      from: 'host-0000', to: 'host-0001', bytes: 1_000_000, label: 'stream',
      onDrained: (f) => { f.end(); seen.push(net.flows().length) },
      onComplete: () => seen.push(-1)
    })
    sim.runToCompletion()
    expect(seen).toEqual([-1, 0])
    expect(flow.status).toBe('completed')
    expect(() => net.startFlow({ from: 'host-0000', to: 'host-0001', bytes: 10, label: 'y' }).end()).toThrow(/drained/)
  })

  test('a flow that continues after a recomputation left it out (it was due) is counted again', () => {
    const { sim, lan: net } = lan()
    const stream = net.startFlow({
      from: 'host-0000', to: 'host-0001', bytes: 1_000_000, label: 'stream',
      onDrained: (f) => { if (f.bytesTotal === 1_000_000) f.addBytes(1_000_000) }
    })
    // A competitor that starts at the µs the stream drains, before the drain is handled.
    sim.scheduleAt(8_000, () => net.startFlow({ from: 'host-0002', to: 'host-0001', bytes: 1_000_000, label: 'other' }), -1_000)
    sim.runUntil(8_001)
    expect(stream.rateBitPerS).toBe(5e8)
    expect(net.flows().map((f) => f.rateBitPerS)).toEqual([5e8, 5e8])
  })

  test('an unbounded flow runs until cancelled', () => {
    const { sim, lan: net } = lan()
    const flow = net.startFlow({ from: 'host-0000', to: 'host-0001', label: 'background' })
    sim.runUntil(sToUs(10))
    expect(flow.bytesSent).toBe(1_250_000_000)
    expect(flow.bytesRemaining).toBe(Infinity)
    expect(net.snapshot().flows[0]).toMatchObject({ bytesTotal: null, bytesRemaining: null, bytesSent: 1_250_000_000 })
  })
})

describe('faults and moves', () => {
  test('a link going down stalls the flows crossing it, tells their owner, and they resume when it is back', () => {
    const { sim, lan: net } = lan()
    const told: string[] = []
    const flow = net.startFlow({
      from: 'host-0000', to: 'host-0001', bytes: 125_000_000, label: 'mig',
      onStalled: (_f, cause, linkId) => told.push(`stalled ${cause} ${linkId} @${sim.nowUs}`),
      onResumed: () => told.push(`resumed @${sim.nowUs}`)
    })
    const other = net.startFlow({ from: 'host-0002', to: 'host-0000', bytes: 125_000_000, label: 'other' })
    net.scheduleFaults([
      { kind: 'link-down', atUs: sToUs(0.25), linkId: 'host-0001~switch' },
      { kind: 'link-up', atUs: sToUs(0.75), linkId: 'host-0001~switch' }
    ])
    sim.runUntil(sToUs(0.5))
    expect(flow.status).toBe('stalled')
    expect(flow.rateBitPerS).toBe(0)
    expect(flow.bytesSent).toBe(31_250_000)
    expect(other.rateBitPerS).toBe(1e9)
    sim.runToCompletion()
    expect(told).toEqual(['stalled link-down host-0001~switch @250000', 'resumed @750000'])
    expect(flow.status).toBe('completed')
    expect(sim.nowUs).toBe(1_500_000)
  })

  test('a partition stalls flows between its sides only', () => {
    const { sim, lan: net } = lan(4)
    const events = record(sim)
    const across = net.startFlow({ from: 'host-0000', to: 'host-0002', label: 'across' })
    const inside = net.startFlow({ from: 'host-0000', to: 'host-0001', label: 'inside' })
    net.partition(['host-0000', 'host-0001'])
    expect(across.status).toBe('stalled')
    expect(inside.status).toBe('running')
    expect(ofKind(events, 'net.flowStalled')).toMatchObject([{ flowId: across.id, cause: 'partition' }])
    net.healPartitions()
    expect(across.status).toBe('running')
    sim.runUntil(10)
  })

  test('a VM’s flows follow it when it moves', () => {
    const { sim, lan: net } = lan()
    const toVm = net.startFlow({ from: 'host-0001', to: 'vm-0000', label: 'to-vm' })
    const peer = net.startFlow({ from: 'host-0002', to: 'host-0000', label: 'peer' })
    expect(toVm.rateBitPerS).toBe(5e8)
    net.moveVm('vm-0000', 'host-0001')
    expect(toVm.rateBitPerS).toBe(40e9)
    expect(peer.rateBitPerS).toBe(1e9)
    sim.runUntil(10)
  })
})

describe('owner notifications', () => {
  test('onRateChanged fires after each recomputation that changed the flow’s rate', () => {
    const { sim, lan: net } = lan()
    const seen: number[] = []
    net.startFlow({ from: 'host-0000', to: 'host-0001', label: 'mig', onRateChanged: (flow) => seen.push(flow.rateBitPerS) })
    sim.runUntil(10)
    const other = net.startFlow({ from: 'host-0002', to: 'host-0001', label: 'other' })
    sim.runUntil(20)
    net.setLinkCapacity('host-0001~switch', 100)
    sim.runUntil(30)
    other.cancel()
    net.setLinkUp('host-0000~switch', false)
    sim.runUntil(40)
    expect(seen).toEqual([1e9, 5e8, 5e7, 0])
  })

  test('pathUp reflects down links and partitions between two endpoints', () => {
    const { lan: net } = lan(4)
    expect(net.pathUp('host-0000', 'vm-0001')).toBe(true)
    net.setLinkUp('host-0001~switch', false)
    expect(net.pathUp('host-0000', 'vm-0001')).toBe(false)
    expect(net.pathUp('host-0000', 'host-0002')).toBe(true)
    net.partition(['host-0002'])
    expect(net.pathUp('host-0000', 'host-0002')).toBe(false)
    expect(net.pathUp('host-0002', 'vm-0002')).toBe(true)
  })
})

describe('flows on random topologies', () => {
  test('every flow ends with exactly its bytes, no sooner than its narrowest link allows', () => {
    fc.assert(fc.property(randomLanShape, fc.array(fc.tuple(fc.nat(), fc.nat(), fc.integer({ min: 1, max: 5_000_000 }), fc.nat(5_000)), { minLength: 1, maxLength: 20 }), (shape, plans) => {
      const sim = newSim()
      const net = new Lan(sim, lanFromShape(shape))
      const hosts = shape.hostSwitches.length
      const finished: { flow: Flow; atUs: number; startUs: number; narrowestBitPerS: number }[] = []
      for (const [from, to, bytes, startUs] of plans) {
        const a = from % hosts
        const b = (a + 1 + (to % (hosts - 1))) % hosts
        const path = net.topology.path(net.topology.nodeIndex(`host-${a}`), net.topology.nodeIndex(`host-${b}`))
        const narrowestBitPerS = Math.min(...[...path].map((c) => net.topology.channels[c].link.capacityBitPerS))
        sim.scheduleAt(startUs, () => {
          net.startFlow({ from: `host-${a}`, to: `host-${b}`, bytes, label: 'p', onComplete: (flow) => finished.push({ flow, atUs: sim.nowUs, startUs, narrowestBitPerS }) })
        })
      }
      sim.runToCompletion()
      expect(finished).toHaveLength(plans.length)
      for (const f of finished) {
        expect(f.flow.bytesSent).toBe(f.flow.bytesTotal)
        expect(f.atUs - f.startUs).toBeGreaterThanOrEqual(Math.floor((f.flow.bytesTotal * 8e6) / f.narrowestBitPerS))
      }
    }), { numRuns: 100 })
  })
})
