// Goal: the word-level bit helpers and the chunked PageVersions agree with element-by-element references.
// Method: fast-check over random word arrays and ranges, including word- and chunk-boundary cases.
import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import {
  clearBitRange, firstDifference, firstNonZero, nextSetBitIn, PageVersions, popcount32, popcountWords, setBitRange, testBit, VERSION_CHUNK_SHIFT
} from '../../../engine/memory/bits'

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

  it('firstDifference finds the first differing element in a range, as an element-by-element scan does', () => {
    const valueArb = fc.oneof(fc.constant(0), fc.constant(0xffffffff), fc.constant(0x80000000), fc.integer({ min: 0, max: 0xffffffff }))
    fc.assert(fc.property(fc.array(valueArb, { minLength: 0, maxLength: 90 }), fc.array(fc.tuple(fc.nat(89), valueArb), { maxLength: 4 }),
      fc.nat(90), fc.nat(90), (values, changes, x, y) => {
        const a = Uint32Array.from(values)
        const b = a.slice()
        for (const [index, value] of changes) if (index < b.length) b[index] = value
        const from = Math.min(x, y, a.length)
        const to = Math.min(Math.max(x, y), a.length)
        let expected = -1
        for (let i = from; i < to && expected < 0; i++) if (a[i] !== b[i]) expected = i
        expect(firstDifference(a, b, from, to)).toBe(expected)
      }), { numRuns: 500 })
  })
})

/** PageVersions for `pageCount` pages holding `writes` (page → version), and the same as a flat array. */
function versionsWith(pageCount: number, writes: readonly (readonly [number, number])[]): { versions: PageVersions; flat: Uint32Array } {
  const versions = new PageVersions(pageCount)
  const flat = new Uint32Array(pageCount)
  for (const [page, version] of writes) {
    versions.set(page % pageCount, version) // a chunk written back to 0 stays allocated: present chunks may hold zeros
    flat[page % pageCount] = version
  }
  return { versions, flat }
}

function flatOf(versions: PageVersions): number[] {
  return Array.from({ length: versions.pageCount }, (_, page) => versions.get(page))
}

describe('PageVersions', () => {
  const PAGES = (4 << VERSION_CHUNK_SHIFT) + 100 // four chunks and a partial fifth
  const writesArb = fc.array(fc.tuple(fc.nat(PAGES - 1), fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 0xffffffff }))), { maxLength: 30 })
  const rangeArb = fc.tuple(fc.nat(PAGES), fc.nat(PAGES)).map(([x, y]) => [Math.min(x, y), Math.max(x, y)] as const)

  it('reads, writes and increments like a flat array, allocating only the chunks written', () => {
    fc.assert(fc.property(writesArb, fc.array(fc.nat(PAGES - 1), { maxLength: 20 }), (writes, increments) => {
      const { versions, flat } = versionsWith(PAGES, writes)
      for (const page of increments) {
        versions.increment(page)
        flat[page]++
      }
      expect(flatOf(versions)).toEqual(Array.from(flat))
      const touched = new Set([...writes.map(([page]) => page), ...increments].map((page) => page >>> VERSION_CHUNK_SHIFT))
      versions.chunks.forEach((chunk, c) => expect(chunk !== undefined).toBe(touched.has(c)))
      expect(versions.chunks[4]?.length ?? 100).toBe(100)
      expect(flatOf(versions.clone())).toEqual(Array.from(flat))
    }), { numRuns: 200 })
  })

  it('copyFrom leaves the target equal to an element-wise copy of the range', () => {
    fc.assert(fc.property(writesArb, writesArb, rangeArb, (sourceWrites, targetWrites, [from, to]) => {
      const source = versionsWith(PAGES, sourceWrites)
      const target = versionsWith(PAGES, targetWrites)
      const expected = target.flat.slice()
      expected.set(source.flat.subarray(from, to), from)
      target.versions.copyFrom(source.versions, from, to)
      expect(flatOf(target.versions)).toEqual(Array.from(expected))
    }), { numRuns: 300 })
  })

  it('firstDifference agrees with an element-by-element scan, present or absent chunks alike', () => {
    fc.assert(fc.property(writesArb, writesArb, rangeArb, (aWrites, bWrites, [from, to]) => {
      const a = versionsWith(PAGES, aWrites)
      const b = versionsWith(PAGES, [...aWrites, ...bWrites])
      let expected = -1
      for (let page = from; page < to && expected < 0; page++) if (a.flat[page] !== b.flat[page]) expected = page
      expect(a.versions.firstDifference(b.versions, from, to)).toBe(expected)
      expect(b.versions.firstDifference(a.versions, from, to)).toBe(expected)
    }), { numRuns: 300 })
  })

  it('firstNonZero finds the first non-zero element in a range', () => {
    fc.assert(fc.property(fc.array(fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 0xffffffff })), { maxLength: 40 }), fc.nat(40), fc.nat(40), (values, x, y) => {
      const a = Uint32Array.from(values)
      const from = Math.min(x, y, a.length)
      const to = Math.min(Math.max(x, y), a.length)
      let expected = -1
      for (let i = from; i < to && expected < 0; i++) if (a[i] !== 0) expected = i
      expect(firstNonZero(a, from, to)).toBe(expected)
    }))
  })
})
