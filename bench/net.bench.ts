// Network benchmarks: max-min fair-share recomputation for 1,000 flows over 200 links, and small-packet
// event throughput through a 3-switch (two ToR + aggregation) LAN. Targets: ≤ 2 ms, ≥ 2 M events/s.
import { performance } from 'node:perf_hooks'
import { Simulation, deriveStream, msToUs, Lan, maxMinFairShare, twoTierLan, type NetEvent } from '../engine/index'
import { bestOfMs, formatRate, report } from './support'

const FLOWS = 1_000
const PACKET_RUN_US = msToUs(50)

export function run(): void {
  fairShare()
  smallPackets()
}

/** 8 racks × 24 hosts: 192 access links + 8 uplinks = 200 links (400 directional channels). */
function fairShare(): void {
  const sim = new Simulation<NetEvent>(1)
  const lan = new Lan(sim, twoTierLan(8, 24, { clientsPerSwitch: 0 }))
  const hosts = lan.endpointIds('host')
  const rng = deriveStream(1, 'bench/net')
  for (let i = 0; i < FLOWS; i++) {
    const from = rng.intBelow(hosts.length)
    const to = (from + 1 + rng.intBelow(hosts.length - 1)) % hosts.length
    const limited = rng.chance(1, 4)
    lan.startFlow({ from: hosts[from], to: hosts[to], label: `f${i}`, ...(limited ? { rateLimitBitPerS: 50e6 + rng.intBelow(500e6) } : {}) })
  }
  lan.recomputeRates()
  const links = lan.topology.links.length
  const fullMs = bestOfMs(30, () => lan.recomputeRates())
  report(`fair-share recompute, ${FLOWS} flows / ${links} links (Lan)`, `${fullMs.toFixed(3)} ms`, '≤ 2 ms')
  const problem = {
    capacityBitPerS: lan.topology.channels.map((channel) => channel.link.capacityBitPerS),
    paths: lan.flows().map((flow) => lan.topology.path(lan.topology.nodeIndex(flow.from), lan.topology.nodeIndex(flow.to))),
    limitBitPerS: lan.flows().map((flow) => flow.rateLimitBitPerS ?? Number.POSITIVE_INFINITY)
  }
  const solverMs = bestOfMs(30, () => maxMinFairShare(problem))
  report(`max-min solver alone, ${FLOWS} flows / ${links * 2} channels`, `${solverMs.toFixed(3)} ms`)
}

/**
 * 8 UDP clients (4 per rack) each send a 100-byte datagram every 4 µs to a VM in the other rack, which echoes
 * it: every datagram crosses client → ToR → aggregation → ToR → host and back. A small-packet event is one
 * frame arriving at a node (learned, forwarded or delivered there); arrivals due in the same µs share one
 * kernel timer, so kernel timers are reported separately.
 */
function smallPackets(): void {
  let best = { hopsPerS: 0, timersPerS: 0, hops: 0 }
  for (let repeat = 0; repeat < 7; repeat++) {
    const sim = new Simulation<NetEvent>(1)
    const lan = new Lan(sim, twoTierLan(2, 4, { clientsPerSwitch: 4 }))
    for (let i = 0; i < 8; i++) {
      lan.addDatagramClient({ id: `u${i}`, from: `client-000${i}`, to: `vm-000${7 - i}`, periodUs: 4 })
    }
    sim.runUntil(msToUs(1))
    const firedBefore = sim.firedTimers
    const hopsBefore = lan.frameCounters().hops
    const start = performance.now()
    sim.runUntil(msToUs(1) + PACKET_RUN_US)
    const seconds = (performance.now() - start) / 1_000
    const hops = lan.frameCounters().hops - hopsBefore
    if (hops / seconds > best.hopsPerS) best = { hopsPerS: hops / seconds, timersPerS: (sim.firedTimers - firedBefore) / seconds, hops }
  }
  report(`small-packet events (frame hops), 3 switches, ${(best.hops / 1e6).toFixed(1)} M`, formatRate(best.hopsPerS), '≥ 2 M/s')
  report('  kernel timers fired meanwhile', formatRate(best.timersPerS))
}
