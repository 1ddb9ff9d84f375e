// Goal: the simulation's clock, run loop and event bus keep their documented semantics.
// Method: hand-built schedules with recorded firing order; a fast-check schedule compared with a sorted oracle.
import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { InvariantViolation, Simulation } from '../../../engine/kernel'

describe('Simulation run loop', () => {
  it('fires random schedules with cancellations in (time, priority, seq) order', () => {
    const entry = fc.record({ atUs: fc.integer({ min: 0, max: 1000 }), priority: fc.integer({ min: -3, max: 3 }), cancel: fc.boolean() })
    fc.assert(fc.property(fc.array(entry, { maxLength: 200 }), (entries) => {
      const sim = new Simulation(1)
      const fired: number[] = []
      const timers = entries.map((e, index) => sim.scheduleAt(e.atUs, () => fired.push(index), e.priority))
      entries.forEach((e, index) => { if (e.cancel) sim.cancel(timers[index]) })
      sim.runToCompletion()
      const expected = entries.map((e, index) => ({ ...e, index })).filter((e) => !e.cancel)
        .sort((a, b) => a.atUs - b.atUs || a.priority - b.priority || a.index - b.index).map((e) => e.index)
      expect(fired).toEqual(expected)
    }), { numRuns: 200 })
  })

  it('runUntil fires timers due at or before the target and leaves the clock at the target', () => {
    const sim = new Simulation(1)
    const seen: number[] = []
    for (const atUs of [5, 10, 15]) sim.scheduleAt(atUs, () => seen.push(sim.nowUs))
    const result = sim.runUntil(10)
    expect(seen).toEqual([5, 10])
    expect(result).toEqual({ eventsProcessed: 2, nowUs: 10, reachedTarget: true })
    expect(sim.nowUs).toBe(10)
    expect(sim.pendingTimers).toBe(1)
    sim.runUntil(12)
    expect(sim.nowUs).toBe(12)
    expect(seen).toEqual([5, 10])
  })

  it('runUntil also fires timers that actions schedule within the horizon', () => {
    const sim = new Simulation(1)
    const seen: number[] = []
    sim.scheduleAt(1, () => {
      seen.push(sim.nowUs)
      sim.schedule(0, () => seen.push(sim.nowUs))
      sim.schedule(4, () => seen.push(sim.nowUs))
    })
    sim.runUntil(5)
    expect(seen).toEqual([1, 1, 5])
  })

  it('runUntil stops at eventsMax without reaching the target', () => {
    const sim = new Simulation(1)
    for (let i = 1; i <= 5; i++) sim.scheduleAt(i, () => undefined)
    const result = sim.runUntil(100, { eventsMax: 3 })
    expect(result).toEqual({ eventsProcessed: 3, nowUs: 3, reachedTarget: false })
  })

  it('step fires exactly the requested number of timers whatever their time', () => {
    const sim = new Simulation(1)
    const seen: number[] = []
    for (const atUs of [100, 200, 300]) sim.scheduleAt(atUs, () => seen.push(atUs))
    expect(sim.step(2)).toBe(2)
    expect(seen).toEqual([100, 200])
    expect(sim.nowUs).toBe(200)
    expect(sim.step(5)).toBe(1)
    expect(sim.step()).toBe(0)
    expect(sim.firedTimers).toBe(3)
  })

  it('rejects timers in the past and non-integer times', () => {
    const sim = new Simulation(1)
    sim.runUntil(10)
    expect(() => sim.scheduleAt(9, () => undefined)).toThrow(InvariantViolation)
    expect(() => sim.schedule(0.5, () => undefined)).toThrow(InvariantViolation)
    expect(() => sim.runUntil(5)).toThrow(InvariantViolation)
  })

  it('stamps emitted events and delivers them to subscribers in order until unsubscribed', () => {
    const sim = new Simulation<{ kind: 'ping'; n: number }>(1)
    const seen: string[] = []
    const unsubscribe = sim.subscribe((event) => seen.push(`${event.n}@${event.atUs}#${event.seq}`))
    sim.scheduleAt(3, () => sim.emit({ kind: 'ping', n: 1 }))
    sim.scheduleAt(3, () => sim.emit({ kind: 'ping', n: 2 }))
    sim.runUntil(3)
    unsubscribe()
    sim.emit({ kind: 'ping', n: 3 })
    expect(seen).toEqual(['1@3#0', '2@3#1'])
    expect(sim.emittedEvents).toBe(3)
  })

  it('returns the same stream object for the same name', () => {
    const sim = new Simulation(1)
    expect(sim.rng('a')).toBe(sim.rng('a'))
    expect(sim.rng('a')).not.toBe(sim.rng('b'))
  })
})
