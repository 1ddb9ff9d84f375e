// Goal: the batched write paths (writePages, writeUniform's fused draw-and-count loop) and dirty logs with
// deferred marks leave every observable exactly as plain page-by-page writes with logs marked on every write.
// Method: fast-check sequences of writes (batched, uniform over small regions so pending counts wrap past 256,
// ranges, zeroing, single pages), log starts/stops/harvests and reads (versions, zero flags, log words, counts,
// copies into a destination) run on two memories: the batched one and a plain one fed the same pages, drawn
// from a twin stream by fillIntBelow. Every read must agree at once, and every page, log and destination at the end.
import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { deriveStream } from '../../../engine/kernel'
import { GuestMemory, MIB, PageStore, type DirtyLog } from '../../../engine/memory'

const MEM_BYTES = 16 * MIB
const PAGE_COUNT = MEM_BYTES / 4096
const WORDS = PAGE_COUNT / 32

type Step =
  | { kind: 'uniform'; first: number; size: number; writes: number }
  | { kind: 'pages'; pages: number[] }
  | { kind: 'page'; page: number }
  | { kind: 'range'; first: number; count: number; zero: boolean }
  | { kind: 'start'; deferMarks: boolean }
  | { kind: 'harvest'; log: number }
  | { kind: 'stop'; log: number }
  | { kind: 'read'; page: number }
  | { kind: 'copyWord'; word: number; mask: number }
  | { kind: 'copyRun'; word: number; words: number }

const pageArb = fc.integer({ min: 0, max: PAGE_COUNT - 1 })
// Regions near chunk edges and window edges, small enough that a few thousand writes wrap the 8-bit counts.
const regionArb = fc.record({
  first: fc.oneof(pageArb, fc.constantFrom(0, 1020, 1024, 2047, 3000, PAGE_COUNT - 8)),
  size: fc.oneof(fc.integer({ min: 1, max: 8 }), fc.integer({ min: 1, max: 3000 }), fc.constantFrom(1, 2, 64, 1024))
}).map(({ first, size }) => ({ first, size: Math.max(1, Math.min(size, PAGE_COUNT - first)) }))
const stepArb: fc.Arbitrary<Step> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ region: regionArb, writes: fc.oneof(fc.integer({ min: 0, max: 2500 }), fc.constantFrom(256, 512, 768)) })
    .map(({ region, writes }) => ({ kind: 'uniform' as const, first: region.first, size: region.size, writes })) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('pages' as const), pages: fc.array(pageArb, { maxLength: 60 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('page' as const), page: pageArb }) },
  { weight: 2, arbitrary: pageArb.chain((first) => fc.record({
    kind: fc.constant('range' as const), first: fc.constant(first), count: fc.integer({ min: 0, max: Math.min(300, PAGE_COUNT - first) }), zero: fc.boolean() })) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('start' as const), deferMarks: fc.boolean() }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('harvest' as const), log: fc.nat(3) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('stop' as const), log: fc.nat(3) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('read' as const), page: pageArb }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('copyWord' as const), word: fc.integer({ min: 0, max: WORDS - 1 }), mask: fc.integer({ min: 1, max: 0xffffffff }) }) },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: WORDS - 1 }).chain((word) => fc.record({
    kind: fc.constant('copyRun' as const), word: fc.constant(word), words: fc.integer({ min: 1, max: Math.min(80, WORDS - word) }) })) }
)

interface Side {
  readonly memory: GuestMemory
  readonly dest: PageStore
  readonly logs: DirtyLog[]
}

describe('batched writes and deferred dirty-log marks', () => {
  it('leave versions, zero flags, dirty logs and copies exactly as plain page-by-page writes do', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 2 ** 31 }), fc.boolean(), fc.array(stepArb, { maxLength: 40 }), (seed, logFirst, steps) => {
      const batched: Side = { memory: new GuestMemory({ memBytes: MEM_BYTES, filledBytes: MEM_BYTES / 2 }), dest: new PageStore({ memBytes: MEM_BYTES }), logs: [] }
      const plain: Side = { memory: new GuestMemory({ memBytes: MEM_BYTES, filledBytes: MEM_BYTES / 2 }), dest: new PageStore({ memBytes: MEM_BYTES }), logs: [] }
      const batchedRng = deriveStream(seed, 'writes')
      const plainRng = deriveStream(seed, 'writes')
      const drawn = new Uint32Array(2500)
      if (logFirst) {
        batched.logs.push(batched.memory.startDirtyLog({ deferMarks: true }))
        plain.logs.push(plain.memory.startDirtyLog())
      }
      for (const step of steps) {
        switch (step.kind) {
          case 'uniform':
            batched.memory.writeUniform(batchedRng, step.first, step.size, step.writes)
            plainRng.fillIntBelow(drawn, step.writes, step.size, step.first)
            for (let i = 0; i < step.writes; i++) plain.memory.writePage(drawn[i])
            break
          case 'pages':
            batched.memory.writePages(step.pages, step.pages.length)
            for (const page of step.pages) plain.memory.writePage(page)
            break
          case 'page':
            batched.memory.writePage(step.page)
            plain.memory.writePage(step.page)
            break
          case 'range':
            for (const side of [batched, plain]) {
              if (step.zero) side.memory.zeroRange(step.first, step.count)
              else side.memory.writeRange(step.first, step.count)
            }
            break
          case 'start':
            if (batched.logs.length < 4) {
              batched.logs.push(batched.memory.startDirtyLog({ deferMarks: step.deferMarks }))
              plain.logs.push(plain.memory.startDirtyLog())
            }
            break
          case 'harvest':
            if (step.log < batched.logs.length) {
              expect(batched.logs[step.log].harvest().toArray()).toEqual(plain.logs[step.log].harvest().toArray())
            }
            break
          case 'stop':
            if (step.log < batched.logs.length) {
              batched.logs[step.log].stop()
              plain.logs[step.log].stop()
            }
            break
          case 'read': {
            const word = step.page >>> 5
            expect(batched.memory.versionOf(step.page)).toBe(plain.memory.versionOf(step.page))
            expect(batched.memory.isZero(step.page)).toBe(plain.memory.isZero(step.page))
            expect(batched.memory.zeroWordAt(word ^ 1)).toBe(plain.memory.zeroWordAt(word ^ 1))
            batched.logs.forEach((log, i) => {
              expect(log.wordAt(word)).toBe(plain.logs[i].wordAt(word))
              expect(log.peek(step.page ^ 33)).toBe(plain.logs[i].peek(step.page ^ 33))
              expect(log.count).toBe(plain.logs[i].count)
            })
            break
          }
          case 'copyWord':
            expect(batched.memory.copyWordTo(batched.dest, step.word, step.mask)).toBe(plain.memory.copyWordTo(plain.dest, step.word, step.mask))
            break
          case 'copyRun':
            batched.memory.copyWordRunTo(batched.dest, step.word, step.words)
            plain.memory.copyWordRunTo(plain.dest, step.word, step.words)
            break
        }
      }
      // The logs first: their own reads must apply the deferred marks (a version read below would fold them too).
      batched.logs.forEach((log, i) => {
        expect(log.count).toBe(plain.logs[i].count)
        expect(log.live.toArray()).toEqual(plain.logs[i].live.toArray())
      })
      for (let page = 0; page < PAGE_COUNT; page++) {
        if (batched.dest.versionOf(page) !== plain.dest.versionOf(page)) expect({ page, dest: batched.dest.versionOf(page) }).toEqual({ page, dest: plain.dest.versionOf(page) })
      }
      const versions = plain.memory.pageVersions
      const batchedVersions = batched.memory.pageVersions
      for (let page = 0; page < PAGE_COUNT; page++) {
        if (batchedVersions.get(page) !== versions.get(page)) expect({ page, version: batchedVersions.get(page) }).toEqual({ page, version: versions.get(page) })
        if (batched.memory.isZero(page) !== plain.memory.isZero(page)) expect({ page, zero: batched.memory.isZero(page) }).toEqual({ page, zero: plain.memory.isZero(page) })
      }
      expect(batched.memory.zeroPageCount()).toBe(plain.memory.zeroPageCount())
      expect(batched.memory.guestPageWrites).toBe(plain.memory.guestPageWrites)
      expect(batched.dest.diffAgainst(batched.memory)).toEqual(plain.dest.diffAgainst(plain.memory))
      expect(batchedRng.u32()).toBe(plainRng.u32())
    }), { numRuns: 150 })
  })

  it('folds a deferred log\'s marks before its reads, and not the writes from before it started', () => {
    const memory = new GuestMemory({ memBytes: MEM_BYTES })
    const rng = deriveStream(3, 'writes')
    memory.writeUniform(rng, 100, 4, 50)
    const log = memory.startDirtyLog({ deferMarks: true })
    expect(log.count).toBe(0)
    memory.writePages([7, 7, 9], 3)
    expect(log.peek(7)).toBe(true)
    expect(log.wordAt(0)).toBe((1 << 7) | (1 << 9))
    memory.writeUniform(rng, 2048, 1, 300)
    expect(log.count).toBe(3)
    expect(memory.versionOf(2048)).toBe(300)
    expect(log.harvest().toArray()).toEqual([7, 9, 2048])
    // A count that wraps to 0 has applied its 256 writes at once: version, zero flag, deferred mark.
    const halfFilled = new GuestMemory({ memBytes: MEM_BYTES, filledBytes: MEM_BYTES / 2 })
    const wrapLog = halfFilled.startDirtyLog({ deferMarks: true })
    halfFilled.writeUniform(rng, 3000, 1, 512)
    expect(wrapLog.count).toBe(1)
    expect(halfFilled.isZero(3000)).toBe(false)
    expect(halfFilled.versionOf(3000)).toBe(512)
    memory.writeUniform(rng, 2048, 1, 1)
    log.stop()
    memory.writePages([5], 1)
    expect(log.bitmap.toArray()).toEqual([2048])
  })
})
