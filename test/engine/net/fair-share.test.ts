// Goal: the fluid model shares bandwidth max-min fairly and never over capacity.
// Method: hand-checked cases for the solver, then fast-check properties on random trees with up to 20 flows
// (some with their own limits), checked through the Lan on every directional channel.
import fc from 'fast-check'
import { describe, expect, test } from 'vitest'
import { Lan, maxMinFairShare, type Flow } from '../../../engine/net/index'
import { lanFromShape, newSim, randomLanShape } from './support'

describe('maxMinFairShare', () => {
  test('splits a shared link equally and gives the leftover to the unconstrained flow', () => {
    // Link 0: 10 units shared by flows 0 and 1; link 1: 4 units used by flow 1 only.
    const rates = maxMinFairShare({ capacityBitPerS: [10, 4], paths: [[0], [0, 1]], limitBitPerS: [Infinity, Infinity] })
    expect([...rates]).toEqual([6, 4])
  })

  test('caps a flow at its own limit and redistributes the rest', () => {
    const rates = maxMinFairShare({ capacityBitPerS: [900], paths: [[0], [0], [0]], limitBitPerS: [100, Infinity, Infinity] })
    expect([...rates]).toEqual([100, 400, 400])
  })

  test('floors shares to whole bit/s and stays within capacity', () => {
    const rates = maxMinFairShare({ capacityBitPerS: [10], paths: [[0], [0], [0]], limitBitPerS: [Infinity, Infinity, Infinity] })
    expect([...rates]).toEqual([3, 3, 3])
  })

  test('a down link (capacity 0) stalls its flows only', () => {
    const rates = maxMinFairShare({ capacityBitPerS: [0, 8], paths: [[0, 1], [1]], limitBitPerS: [Infinity, Infinity] })
    expect([...rates]).toEqual([0, 8])
  })

  test('a flow crossing no link gets its limit', () => {
    expect([...maxMinFairShare({ capacityBitPerS: [5], paths: [[]], limitBitPerS: [77] })]).toEqual([77])
  })
})

const flowPlans = fc.array(fc.record({
  from: fc.nat(), to: fc.nat(), limitMbitPerS: fc.option(fc.constantFrom(1, 5, 50, 300, 2_000), { nil: null })
}), { minLength: 1, maxLength: 20 })

/** Checks the two max-min invariants on every channel of `lan`; returns the first violation or null. */
function fairnessViolation(lan: Lan, flows: readonly Flow[]): string | null {
  const channels = lan.topology.channels
  const perChannel = channels.map(() => [] as Flow[])
  const paths = new Map<Flow, Int32Array>()
  for (const flow of flows) {
    const path = lan.topology.path(lan.topology.nodeIndex(hostOf(flow.from)), lan.topology.nodeIndex(hostOf(flow.to)))
    paths.set(flow, path)
    for (const c of path) perChannel[c].push(flow)
  }
  const sum = (c: number): number => perChannel[c].reduce((total, flow) => total + flow.rateBitPerS, 0)
  for (let c = 0; c < channels.length; c++) {
    if (sum(c) > channels[c].link.capacityBitPerS) return `channel ${c} carries ${sum(c)} > ${channels[c].link.capacityBitPerS}`
  }
  for (const flow of flows) {
    if (flow.rateLimitBitPerS !== undefined && flow.rateBitPerS === Math.floor(flow.rateLimitBitPerS)) continue
    const path = paths.get(flow) as Int32Array
    if (path.length === 0) continue
    const bottlenecked = [...path].some((c) => {
      const saturated = channels[c].link.capacityBitPerS - sum(c) < perChannel[c].length
      return saturated && perChannel[c].every((other) => other.rateBitPerS <= flow.rateBitPerS)
    })
    if (!bottlenecked) return `flow ${flow.id} (${flow.rateBitPerS} bit/s) has no saturated link where it is the largest`
  }
  return null
}

function hostOf(endpointId: string): string {
  return endpointId.startsWith('vm-') ? `host-${endpointId.slice(3)}` : endpointId
}

describe('fluid flows on random topologies', () => {
  test('no channel is over capacity and every flow is bottlenecked where it is the largest', () => {
    fc.assert(fc.property(randomLanShape, flowPlans, (shape, plans) => {
      const sim = newSim()
      const lan = new Lan(sim, lanFromShape(shape))
      const hosts = shape.hostSwitches.length
      const flows = plans.map((plan, i) => lan.startFlow({
        from: `host-${plan.from % hosts}`, to: `host-${(plan.from + 1 + (plan.to % (hosts - 1))) % hosts}`, label: `f${i}`,
        bytes: 1e12, ...(plan.limitMbitPerS === null ? {} : { rateLimitBitPerS: plan.limitMbitPerS * 1e6 })
      }))
      expect(fairnessViolation(lan, flows)).toBeNull()
    }), { numRuns: 200 })
  })

  test('fairness holds again after flows end, limits change and a link slows down', () => {
    fc.assert(fc.property(randomLanShape, flowPlans, fc.nat(), (shape, plans, pick) => {
      const sim = newSim()
      const lan = new Lan(sim, lanFromShape(shape))
      const hosts = shape.hostSwitches.length
      const flows = plans.map((plan, i) => lan.startFlow({
        from: `host-${plan.from % hosts}`, to: `host-${(plan.from + 1 + (plan.to % (hosts - 1))) % hosts}`, label: `f${i}`,
        bytes: 1_000_000 + 100_000 * i
      }))
      sim.runUntil(1_000)
      flows[pick % flows.length].setRateLimit(3e6)
      lan.setLinkCapacity(lan.topology.links[pick % lan.topology.links.length].id, 7)
      sim.runUntil(20_000)
      const live = lan.flows()
      expect(fairnessViolation(lan, live)).toBeNull()
    }), { numRuns: 100 })
  })
})

/** The solver before the level heap: a scan of every link per step (lowest level, lowest index on ties). */
function scanReference(capacityBitPerS: readonly number[], paths: readonly number[][], limitBitPerS: readonly number[]): number[] {
  const remaining = [...capacityBitPerS]
  const counts = capacityBitPerS.map(() => 0)
  for (const path of paths) for (const link of path) counts[link]++
  const rates = paths.map(() => 0)
  const frozen = paths.map(() => false)
  let unfrozen = paths.length
  const freeze = (f: number, rate: number) => {
    rates[f] = rate
    frozen[f] = true
    unfrozen--
    for (const link of paths[f]) { remaining[link] -= rate; counts[link]-- }
  }
  paths.forEach((path, f) => { if (path.length === 0) freeze(f, limitBitPerS[f]) })
  const limited = paths.map((_, f) => f).filter((f) => !frozen[f] && Number.isFinite(limitBitPerS[f]))
    .sort((x, y) => limitBitPerS[x] - limitBitPerS[y] || x - y)
  let next = 0
  let bound = 0
  while (unfrozen > 0) {
    while (next < limited.length && frozen[limited[next]]) next++
    const lf = next < limited.length ? limited[next] : -1
    if (lf >= 0 && limitBitPerS[lf] <= bound) { freeze(lf, limitBitPerS[lf]); continue }
    let best = -1
    let bestLevel = Infinity
    counts.forEach((count, link) => { if (count > 0 && remaining[link] / count < bestLevel) { bestLevel = remaining[link] / count; best = link } })
    bound = best < 0 ? Infinity : bestLevel
    if (lf >= 0 && limitBitPerS[lf] <= bound) { freeze(lf, limitBitPerS[lf]); continue }
    const share = Math.floor(bound)
    paths.forEach((path, f) => { if (!frozen[f] && path.includes(best)) freeze(f, share) })
  }
  return rates
}

describe('maxMinFairShare through its level heap', () => {
  test('gives exactly the rates of a scan of every link, ties and limits included', () => {
    const problems = fc.integer({ min: 1, max: 12 }).chain((links) => fc.record({
      capacity: fc.array(fc.constantFrom(0, 7, 10, 100, 1000, 999_983, 5e9), { minLength: links, maxLength: links }),
      flows: fc.array(fc.record({
        path: fc.uniqueArray(fc.integer({ min: 0, max: links - 1 }), { maxLength: 4 }),
        limit: fc.option(fc.constantFrom(1, 3, 50, 1e9), { nil: null })
      }), { minLength: 1, maxLength: 40 })
    }))
    fc.assert(fc.property(problems, ({ capacity, flows }) => {
      const paths = flows.map((flow) => flow.path)
      const limits = flows.map((flow) => flow.limit ?? (flow.path.length === 0 ? 5 : Infinity))
      expect([...maxMinFairShare({ capacityBitPerS: capacity, paths, limitBitPerS: limits })]).toEqual(scanReference(capacity, paths, limits))
    }), { numRuns: 500 })
  })
})
