// Goal: named random streams are deterministic, independent of each other and well-formed.
// Method: draw sequences from streams with equal and different (seed, name) and check bounds and spread.
import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { deriveStream, Simulation } from '../../../engine/kernel'

const draw = (seed: number, name: string, n = 16) => {
  const rng = deriveStream(seed, name)
  return Array.from({ length: n }, () => rng.u32())
}

describe('RNG streams', () => {
  it('repeat exactly for the same seed and name', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 2 ** 40 }), fc.string(), (seed, name) => {
      expect(draw(seed, name)).toEqual(draw(seed, name))
    }), { numRuns: 50 })
  })

  it('differ across names and across seeds', () => {
    expect(draw(1, 'workload/vm-0001')).not.toEqual(draw(1, 'workload/vm-0002'))
    expect(draw(1, 'faults')).not.toEqual(draw(2, 'faults'))
    expect(draw(2 ** 33, 'faults')).not.toEqual(draw(2 ** 33 + 1, 'faults'))
  })

  it('do not shift each other: drawing from one stream leaves another unchanged', () => {
    const quiet = new Simulation(7)
    const busy = new Simulation(7)
    for (let i = 0; i < 1000; i++) busy.rng('noise').u32()
    const a = Array.from({ length: 8 }, () => quiet.rng('workload/vm-0001').u32())
    const b = Array.from({ length: 8 }, () => busy.rng('workload/vm-0001').u32())
    expect(b).toEqual(a)
  })

  it('intBelow stays in range and covers it roughly uniformly', () => {
    const rng = deriveStream(3, 'uniform')
    const counts = new Array<number>(10).fill(0)
    let outOfRange = 0
    for (let i = 0; i < 50_000; i++) {
      const value = rng.intBelow(10)
      if (Number.isInteger(value) && value >= 0 && value < 10) counts[value]++
      else outOfRange++
    }
    expect(outOfRange).toBe(0)
    for (const count of counts) expect(Math.abs(count - 5000)).toBeLessThan(300)
  })

  it('float is in [0, 1) and chance follows its ratio', () => {
    const rng = deriveStream(4, 'floats')
    let hits = 0
    let outOfRange = 0
    for (let i = 0; i < 20_000; i++) {
      const value = rng.float()
      if (!(value >= 0 && value < 1)) outOfRange++
      if (rng.chance(1, 4)) hits++
    }
    expect(outOfRange).toBe(0)
    expect(Math.abs(hits - 5000)).toBeLessThan(300)
  })

  it('shuffle returns a permutation and exponential has about the requested mean', () => {
    const rng = deriveStream(5, 'misc')
    const shuffled = rng.shuffle(Array.from({ length: 50 }, (_, i) => i))
    expect([...shuffled].sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i))
    let sum = 0
    for (let i = 0; i < 20_000; i++) sum += rng.exponential(3)
    expect(sum / 20_000).toBeGreaterThan(2.85)
    expect(sum / 20_000).toBeLessThan(3.15)
  })

  it('fillIntBelow draws exactly what repeated intBelow calls draw, for any limit (powers of two and near 2^32 included)', () => {
    const limits = fc.oneof(fc.integer({ min: 0, max: 40 }), fc.integer({ min: 1, max: 2 ** 32 }), fc.integer({ min: 0, max: 31 }).map((k) => 2 ** k),
      fc.constantFrom(3, 2 ** 31 + 1, 2 ** 32 - 1, 3 * 2 ** 30))
    fc.assert(fc.property(fc.integer({ min: 0, max: 2 ** 31 }), limits, fc.integer({ min: 0, max: 1000 }), (seed, limit, offset) => {
      const one = deriveStream(seed, 'fill')
      const bulk = deriveStream(seed, 'fill')
      const expected = Array.from({ length: 64 }, () => offset + one.intBelow(limit))
      const out = new Uint32Array(64)
      bulk.fillIntBelow(out, 64, limit, offset)
      expect([...out]).toEqual(expected)
      expect(bulk.u32()).toBe(one.u32())
    }), { numRuns: 300 })
  })
  it('countIntBelow adds one per draw where fillIntBelow would put it, reports each byte wrap, and leaves the stream where fillIntBelow does', () => {
    const limits = fc.oneof(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 1 << 16 }), fc.integer({ min: 0, max: 16 }).map((k) => 2 ** k))
    fc.assert(fc.property(fc.integer({ min: 0, max: 2 ** 31 }), limits, fc.integer({ min: 0, max: 64 }), fc.integer({ min: 0, max: 3000 }),
      (seed, limit, offset, count) => {
        const filling = deriveStream(seed, 'count')
        const counting = deriveStream(seed, 'count')
        const drawn = new Uint32Array(Math.max(count, 1))
        filling.fillIntBelow(drawn, count, limit, offset)
        const expected = new Map<number, number>()
        const expectedWraps: number[] = []
        for (let i = 0; i < count; i++) {
          const next = (expected.get(drawn[i]) ?? 0) + 1
          expected.set(drawn[i], next)
          if (next % 256 === 0) expectedWraps.push(drawn[i])
        }
        const counts = new Uint8Array(offset + limit + 3)
        const wraps: number[] = []
        counting.countIntBelow(counts, count, limit, offset, (index) => wraps.push(index))
        for (let i = 0; i < counts.length; i++) expect(counts[i]).toBe((expected.get(i) ?? 0) % 256)
        expect(wraps).toEqual(expectedWraps)
        expect(counting.u32()).toBe(filling.u32())
      }), { numRuns: 300 })
    // A range that does not fit the counts is refused rather than dropped by the typed array.
    expect(() => deriveStream(1, 'count').countIntBelow(new Uint8Array(8), 1, 8, 1, () => {})).toThrow(/outside/)
  })
})
