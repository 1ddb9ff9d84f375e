// Goal: the word-level bit helpers agree with a bit-by-bit reference.
// Method: fast-check over random word arrays and ranges, including word-boundary cases.
import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { clearBitRange, nextSetBitIn, popcount32, popcountWords, setBitRange, testBit } from '../../../engine/memory/bits'

const naivePopcount = (value: number) => (value >>> 0).toString(2).split('').filter((c) => c === '1').length

describe('bit helpers', () => {
  it('popcount32 counts bits of any 32-bit value', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 0xffffffff }), (value) => {
      expect(popcount32(value)).toBe(naivePopcount(value))
    }))
    expect(popcount32(0xffffffff)).toBe(32)
    expect(popcount32(0x80000000)).toBe(1)
  })

  it('setBitRange and clearBitRange change exactly the range and report the changed count', () => {
    const bitCount = 200
    const rangeArb = fc.integer({ min: 0, max: bitCount }).chain((first) => fc.tuple(fc.constant(first), fc.integer({ min: 0, max: bitCount - first })))
    fc.assert(fc.property(fc.array(fc.integer({ min: 0, max: 0xffffffff }), { minLength: 7, maxLength: 7 }), rangeArb, fc.boolean(),
      (initial, [first, count], set) => {
        const words = Uint32Array.from(initial)
        const before = Array.from({ length: bitCount }, (_, i) => testBit(words, i))
        const changed = set ? setBitRange(words, first, count) : clearBitRange(words, first, count)
        const expected = before.map((bit, i) => (i >= first && i < first + count ? set : bit))
        const expectedChanged = before.filter((bit, i) => i >= first && i < first + count && bit !== set).length
        expect(Array.from({ length: bitCount }, (_, i) => testBit(words, i))).toEqual(expected)
        expect(changed).toBe(expectedChanged)
      }), { numRuns: 300 })
  })

  it('nextSetBitIn finds the first set bit at or after a position', () => {
    fc.assert(fc.property(fc.uniqueArray(fc.integer({ min: 0, max: 159 })), fc.integer({ min: 0, max: 170 }), (bits, from) => {
      const words = new Uint32Array(5)
      for (const bit of bits) setBitRange(words, bit, 1)
      const expected = [...bits].sort((a, b) => a - b).find((bit) => bit >= from) ?? -1
      expect(nextSetBitIn(words, from, 160)).toBe(expected)
      expect(popcountWords(words)).toBe(bits.length)
    }))
  })
})
