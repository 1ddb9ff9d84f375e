// Goal: the event queue pops timers in (atUs, priority, seq) order and never returns a cancelled one,
// whichever of its parts (first timer, µs wheel, heap) holds them.
// Method: fast-check drives random push / cancel / pop / peek sequences against a naive sorted-array oracle,
// with times chosen to hit every part: ties, simulation-like delays past the wheel's span and its edges,
// fractional, negative, unsafe and earlier-than-popped times; plus a few hand-picked cases.
import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { EventQueue, WHEEL_SPAN_US, type Timer } from '../../../engine/kernel/event-queue'

type Op = { kind: 'push'; atUs: number; priority: number } | { kind: 'cancel'; pick: number } | { kind: 'pop' }

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('push' as const), atUs: fc.integer({ min: 0, max: 50 }), priority: fc.integer({ min: -2, max: 2 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('cancel' as const), pick: fc.nat() }) },
  { weight: 3, arbitrary: fc.constant({ kind: 'pop' as const }) }
)

function runsFirst(a: Timer, b: Timer): number {
  return a.atUs - b.atUs || a.priority - b.priority || a.seq - b.seq
}

/** Explicit comparisons, so huge times never meet a subtraction. */
function oracleOrder(a: Timer, b: Timer): number {
  if (a.atUs !== b.atUs) return a.atUs < b.atUs ? -1 : 1
  if (a.priority !== b.priority) return a.priority < b.priority ? -1 : 1
  return a.seq - b.seq
}

/** A push at `fromClock ? last popped atUs : 0` plus `offsetUs`. */
type WideOp =
  | { kind: 'push'; fromClock: boolean; offsetUs: number; priority: number }
  | { kind: 'cancel'; pick: number }
  | { kind: 'pop' }
  | { kind: 'peek' }

const offsetArb: fc.Arbitrary<number> = fc.oneof(
  fc.integer({ min: 0, max: 3 }),
  fc.integer({ min: 0, max: 2_000 }),
  fc.integer({ min: 0, max: 3 * WHEEL_SPAN_US }),
  fc.constantFrom(WHEEL_SPAN_US - 1, WHEEL_SPAN_US, WHEEL_SPAN_US + 1, 2 * WHEEL_SPAN_US),
  fc.integer({ min: 0, max: 100 }).map((whole) => whole + 0.5),
  fc.integer({ min: -5, max: -1 })
)

const wideOpArb: fc.Arbitrary<WideOp> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant('push' as const),
      fromClock: fc.boolean(),
      offsetUs: offsetArb,
      priority: fc.oneof(fc.integer({ min: -2, max: 2 }), fc.constantFrom(-0, -0.5, 1.5))
    })
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('push' as const),
      fromClock: fc.constant(false),
      offsetUs: fc.constantFrom(2 ** 40, Number.MAX_SAFE_INTEGER - 1, Number.MAX_SAFE_INTEGER, 2 ** 60),
      priority: fc.integer({ min: -2, max: 2 })
    })
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('cancel' as const), pick: fc.nat() }) },
  { weight: 4, arbitrary: fc.constant({ kind: 'pop' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'peek' as const }) }
)

/** Runs `ops` on a queue and an oracle side by side; returns how many timers popped. */
function checkAgainstOracle(ops: readonly WideOp[]): number {
  const queue = new EventQueue()
  const live: Timer[] = []
  const issued: Timer[] = []
  let clockUs = 0
  let popped = 0
  const takeOracleFirst = (): Timer | undefined => {
    live.sort(oracleOrder)
    return live.shift()
  }
  for (const op of ops) {
    if (op.kind === 'push') {
      const timer = queue.push((op.fromClock ? clockUs : 0) + op.offsetUs, op.priority, () => undefined)
      issued.push(timer)
      live.push(timer)
    } else if (op.kind === 'cancel') {
      if (issued.length === 0) continue
      const timer = issued[op.pick % issued.length]
      const index = live.indexOf(timer)
      expect(queue.cancel(timer)).toBe(index >= 0)
      if (index >= 0) live.splice(index, 1)
      expect(timer.cancelled || timer.fired).toBe(true)
    } else if (op.kind === 'peek') {
      live.sort(oracleOrder)
      expect(queue.peek()).toBe(live[0])
    } else {
      const expected = takeOracleFirst()
      const actual = queue.pop()
      expect(actual).toBe(expected)
      if (actual !== undefined) {
        expect(actual.fired).toBe(true)
        clockUs = actual.atUs
        popped++
      }
    }
    expect(queue.size).toBe(live.length)
  }
  for (let expected = takeOracleFirst(); expected !== undefined; expected = takeOracleFirst()) {
    expect(queue.pop()).toBe(expected)
    popped++
  }
  expect(queue.pop()).toBeUndefined()
  expect(queue.peek()).toBeUndefined()
  return popped
}

describe('EventQueue', () => {
  it('pops in (atUs, priority, seq) order with cancellations, like a sorted oracle', () => {
    fc.assert(fc.property(fc.array(opArb, { maxLength: 300 }), (ops) => {
      const queue = new EventQueue()
      let oracle: Timer[] = []
      const issued: Timer[] = []
      for (const op of ops) {
        if (op.kind === 'push') {
          const timer = queue.push(op.atUs, op.priority, () => undefined)
          issued.push(timer)
          oracle.push(timer)
        } else if (op.kind === 'cancel') {
          if (issued.length === 0) continue
          const timer = issued[op.pick % issued.length]
          const wasLive = oracle.includes(timer)
          expect(queue.cancel(timer)).toBe(wasLive)
          oracle = oracle.filter((candidate) => candidate !== timer)
        } else {
          oracle.sort(runsFirst)
          const expected = oracle.shift()
          expect(queue.pop()).toBe(expected)
        }
        expect(queue.size).toBe(oracle.length)
      }
      oracle.sort(runsFirst)
      for (const expected of oracle) expect(queue.pop()).toBe(expected)
      expect(queue.pop()).toBeUndefined()
    }), { numRuns: 300 })
  })

  it('matches the oracle on times that reach the first slot, the wheel, its edges and the heap', () => {
    fc.assert(fc.property(fc.array(wideOpArb, { maxLength: 400 }), (ops) => {
      checkAgainstOracle(ops)
    }), { numRuns: 300 })
  })

  it('matches the oracle over long simulation-like runs that carry the wheel round many times', () => {
    const simLikeArb: fc.Arbitrary<WideOp> = fc.oneof(
      { weight: 5, arbitrary: fc.record({ kind: fc.constant('push' as const), fromClock: fc.constant(true), offsetUs: offsetArb.filter((offsetUs) => offsetUs >= 0 && Number.isInteger(offsetUs)), priority: fc.integer({ min: 0, max: 4 }) }) },
      { weight: 1, arbitrary: fc.record({ kind: fc.constant('cancel' as const), pick: fc.nat() }) },
      { weight: 5, arbitrary: fc.constant({ kind: 'pop' as const }) }
    )
    fc.assert(fc.property(fc.array(simLikeArb, { minLength: 500, maxLength: 3_000 }), (ops) => {
      checkAgainstOracle(ops)
    }), { numRuns: 40 })
  })

  it('fires a lower priority pushed after a higher one at the same µs first', () => {
    const queue = new EventQueue()
    const filler = queue.push(0, 0, () => undefined)
    const late = queue.push(5, 2, () => undefined)
    const middle = queue.push(5, 1, () => undefined)
    const early = queue.push(5, 0, () => undefined)
    const tie = queue.push(5, 1, () => undefined)
    expect([queue.pop(), queue.pop(), queue.pop(), queue.pop(), queue.pop()]).toEqual([filler, early, middle, tie, late])
  })

  it('orders timers on both sides of the wheel span and past it', () => {
    const queue = new EventQueue()
    const atUs = [2 * WHEEL_SPAN_US, WHEEL_SPAN_US + 1, WHEEL_SPAN_US, WHEEL_SPAN_US - 1, 1, 0, 3 * WHEEL_SPAN_US + 7, 0.5, -3]
    for (const time of atUs) queue.push(time, 0, () => undefined)
    const popped: number[] = []
    for (let timer = queue.pop(); timer !== undefined; timer = queue.pop()) popped.push(timer.atUs)
    expect(popped).toEqual([...atUs].sort((a, b) => a - b))
  })

  it('lets a push that runs before the first timer take its place, and skips a cancelled first timer', () => {
    const queue = new EventQueue()
    const later = queue.push(10, 0, () => undefined)
    const earlier = queue.push(5, 0, () => undefined)
    const earliest = queue.push(1, 0, () => undefined)
    queue.cancel(earliest)
    expect(queue.peek()).toBe(earlier)
    expect(queue.pop()).toBe(earlier)
    expect(queue.pop()).toBe(later)
    expect(queue.pop()).toBeUndefined()
  })

  it('keeps order when the clock runs far past cancelled wheel timers', () => {
    const queue = new EventQueue()
    const cancelled = queue.push(3, 0, () => undefined)
    const far = queue.push(10 * WHEEL_SPAN_US, 0, () => undefined)
    queue.cancel(cancelled)
    expect(queue.pop()).toBe(far)
    const sameSlotLater = queue.push(11 * WHEEL_SPAN_US + 3, 0, () => undefined)
    const next = queue.push(10 * WHEEL_SPAN_US + 1, 0, () => undefined)
    expect(queue.pop()).toBe(next)
    expect(queue.pop()).toBe(sameSlotLater)
    expect(queue.size).toBe(0)
  })

  it('gives equal-key timers in insertion order', () => {
    const queue = new EventQueue()
    const timers = Array.from({ length: 100 }, () => queue.push(7, 1, () => undefined))
    for (const timer of timers) expect(queue.pop()).toBe(timer)
  })

  it('marks popped timers fired so a late cancel is refused', () => {
    const queue = new EventQueue()
    const timer = queue.push(1, 0, () => undefined)
    expect(queue.pop()).toBe(timer)
    expect(timer.fired).toBe(true)
    expect(queue.cancel(timer)).toBe(false)
    expect(queue.size).toBe(0)
  })

  it('peeks past cancelled timers without removing the live one', () => {
    const queue = new EventQueue()
    const first = queue.push(1, 0, () => undefined)
    const second = queue.push(2, 0, () => undefined)
    queue.cancel(first)
    expect(queue.peek()).toBe(second)
    expect(queue.size).toBe(1)
    expect(queue.pop()).toBe(second)
  })
})
