// Goal: the event queue pops timers in (atUs, priority, seq) order and never returns a cancelled one.
// Method: fast-check drives random push / cancel / pop sequences against a naive sorted-array oracle.
import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { EventQueue, type Timer } from '../../../engine/kernel/event-queue'

type Op = { kind: 'push'; atUs: number; priority: number } | { kind: 'cancel'; pick: number } | { kind: 'pop' }

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('push' as const), atUs: fc.integer({ min: 0, max: 50 }), priority: fc.integer({ min: -2, max: 2 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('cancel' as const), pick: fc.nat() }) },
  { weight: 3, arbitrary: fc.constant({ kind: 'pop' as const }) }
)

function runsFirst(a: Timer, b: Timer): number {
  return a.atUs - b.atUs || a.priority - b.priority || a.seq - b.seq
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
