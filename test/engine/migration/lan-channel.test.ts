// Goal: a migration stream is one TCP connection, so one fluid flow while it has bytes to send: batches sent
// back to back join the flow (no flow and no fair-share recomputation per batch), and the flow ends when the
// sender pauses (a handshake), before the handshake's packets leave. Method: a LanChannel on a 1 Gbit/s
// single-switch LAN, batches chained from each delivery as the pre-copy core sends them.
import { describe, expect, test } from 'vitest'
import { LanChannel } from '../../../engine/migration/lan-channel'
import { Lan, singleSwitchLan } from '../../../engine/net/index'
import { newSim, ofKind, record } from '../net/support'

function setUp(): { sim: ReturnType<typeof newSim>; lan: Lan; channel: LanChannel } {
  const sim = newSim()
  const lan = new Lan(sim, singleSwitchLan(2, { accessMbitPerS: 1_000 }))
  return { sim, lan, channel: new LanChannel(lan, () => sim.nowUs, 'host-0000', 'host-0001', 'migration/m', 1e9, 100) }
}

describe('LanChannel', () => {
  test('batches sent back to back are one flow, each delivered when its last byte is through', () => {
    const { sim, lan, channel } = setUp()
    const events = record(sim)
    const deliveredAtUs: number[] = []
    const send = (left: number): void => channel.transfer(1_000_000, () => {
      deliveredAtUs.push(sim.nowUs)
      if (left > 1) send(left - 1)
    })
    send(50)
    sim.runToCompletion()
    expect(deliveredAtUs).toHaveLength(50)
    expect(deliveredAtUs[0]).toBe(8_000)
    expect(deliveredAtUs[49]).toBe(400_000)
    expect(ofKind(events, 'net.flowStarted')).toHaveLength(1)
    expect(ofKind(events, 'net.flowCompleted')).toEqual([expect.objectContaining({ bytes: 50_000_000, atUs: 400_000 })])
    expect(lan.rateRecomputations).toBeLessThanOrEqual(2)
  })

  test('a handshake after a batch ends the flow first, and the next batch starts a new one', () => {
    const { sim, lan, channel } = setUp()
    const events = record(sim)
    let flowsWhenHandshaking = -1
    channel.transfer(1_000_000, () => {
      channel.controlRoundTrip(() => channel.transfer(1_000_000, () => {}), () => {})
      flowsWhenHandshaking = lan.flows().length
    })
    sim.runToCompletion()
    expect(flowsWhenHandshaking).toBe(0)
    expect(ofKind(events, 'net.flowStarted').map((e) => e.label)).toEqual(['migration/m#1', 'migration/m#2'])
    expect(ofKind(events, 'net.flowCompleted')).toHaveLength(2)
  })

  test('a second batch while one is in flight is refused (one batch at a time)', () => {
    const { channel } = setUp()
    channel.transfer(1_000, () => {})
    expect(() => channel.transfer(1_000, () => {})).toThrow(/one batch at a time/)
    channel.cancel()
    expect(() => channel.transfer(1_000, () => {})).not.toThrow()
  })
})
