// Goal: the trace hash's fast fold gives bit for bit the values of the plain word-by-word fold it replaced
// (every golden trace hash depends on it), for any JSON-like event, and still tells events apart.
// Method: a reference copy of the plain fold lives here; random events (fast-check), including the edge
// numbers (±0, int32 and safe-integer bounds, unsafe integers, NaN, ±Infinity), non-ASCII strings, long
// strings, nested arrays and objects and integer-like keys, are folded by both, one after another.
import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { TraceHash } from '../../../engine/kernel'

/** The fold as it was before the fast path (engine/kernel/trace-hash.ts at c6db1cc), kept as the reference. */
class ReferenceTraceHash {
  private static readonly floatView = new Float64Array(1)
  private static readonly floatWords = new Uint32Array(ReferenceTraceHash.floatView.buffer)
  private laneA = 0x811c9dc5
  private laneB = 0x9e3779b9

  private static mixB(lane: number, value: number): number {
    let mixed = Math.imul(value >>> 0, 0xcc9e2d51)
    mixed = (mixed << 15) | (mixed >>> 17)
    mixed = Math.imul(mixed, 0x1b873593)
    const b = lane ^ mixed
    return (Math.imul((b << 13) | (b >>> 19), 5) + 0xe6546b64) | 0
  }

  private word(value: number): void {
    this.laneA = Math.imul(this.laneA ^ (value >>> 0), 0x01000193)
    this.laneB = ReferenceTraceHash.mixB(this.laneB, value)
  }

  number(value: number): void {
    if (Number.isSafeInteger(value)) {
      this.word(1)
      this.word(value % 0x1_0000_0000)
      this.word(Math.floor(value / 0x1_0000_0000))
      return
    }
    ReferenceTraceHash.floatView[0] = value
    this.word(2)
    this.word(ReferenceTraceHash.floatWords[0])
    this.word(ReferenceTraceHash.floatWords[1])
  }

  string(value: string): void {
    this.word(3)
    this.word(value.length)
    for (let i = 0; i < value.length; i++) this.word(value.charCodeAt(i))
  }

  value(value: unknown): void {
    switch (typeof value) {
      case 'number': this.number(value); return
      case 'string': this.string(value); return
      case 'boolean': this.word(value ? 5 : 4); return
      case 'undefined': this.word(6); return
      case 'object': break
      default: throw new TypeError(`trace hash cannot encode a ${typeof value}`)
    }
    if (value === null) { this.word(7); return }
    if (Array.isArray(value)) {
      this.word(8)
      this.word(value.length)
      for (const item of value) this.value(item)
      return
    }
    this.word(9)
    const record = value as Record<string, unknown>
    for (const key of Object.keys(record)) {
      this.string(key)
      this.value(record[key])
    }
  }

  event(atUs: number, event: unknown): void {
    this.number(atUs)
    this.value(event)
  }

  hex(): string {
    return (this.laneA >>> 0).toString(16).padStart(8, '0') + (this.laneB >>> 0).toString(16).padStart(8, '0')
  }
}

const EDGE_NUMBERS = [
  0, -0, 1, -1, 127, 128, -128, 2 ** 31 - 1, -(2 ** 31), 2 ** 31, -(2 ** 31) - 1, 2 ** 32 - 1, 2 ** 32, -(2 ** 32),
  2 ** 32 + 1, Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER, 2 ** 53, -(2 ** 53), 2 ** 60, 1e21, 0.5, -0.5,
  0.1, 1 / 3, Number.EPSILON, Number.MIN_VALUE, Number.MAX_VALUE, NaN, Infinity, -Infinity
]

const number = fc.oneof(
  fc.constantFrom(...EDGE_NUMBERS),
  fc.integer(),
  fc.integer({ min: 0, max: 1_000_000 }),
  fc.maxSafeInteger(),
  fc.double()
)
// Keys: identifiers like the events', integer-like ones (which objects order first) and any text.
const key = fc.oneof(fc.constantFrom('kind', 'atUs', 'vmId', '0', '1', '10', '2'), fc.string({ maxLength: 12 }), fc.string({ unit: 'binary', maxLength: 6 }))
const text = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 10 }),
  fc.string({ minLength: 120, maxLength: 300 })
)
const { json } = fc.letrec((tie) => ({
  json: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    number, text, fc.boolean(), fc.constant(undefined), fc.constant(null),
    fc.array(tie('json'), { maxLength: 5 }),
    fc.dictionary(key, tie('json'), { maxKeys: 6 })
  )
}))
const event = fc.record({ kind: fc.string({ maxLength: 20 }) }).chain((head) =>
  fc.dictionary(key, json, { maxKeys: 12 }).map((fields) => ({ ...head, ...fields })))
const stamped = fc.tuple(fc.oneof(fc.nat(), fc.maxSafeInteger(), fc.constantFrom(0, 2 ** 31, 2 ** 32 + 7)), event)

function fold(hash: { event(atUs: number, event: unknown): void; hex(): string }, events: readonly [number, unknown][]): string {
  for (const [atUs, item] of events) hash.event(atUs, item)
  return hash.hex()
}

describe('trace hash', () => {
  it('gives the reference fold\'s value for random event sequences', () => {
    fc.assert(fc.property(fc.array(stamped, { maxLength: 20 }), (events) => {
      expect(fold(new TraceHash(), events)).toBe(fold(new ReferenceTraceHash(), events))
    }), { numRuns: 400 })
  })

  it('gives the reference fold\'s value for every edge number, alone and inside events', () => {
    for (const value of EDGE_NUMBERS) {
      const fast = new TraceHash()
      const reference = new ReferenceTraceHash()
      fast.number(value)
      reference.number(value)
      expect(fast.hex(), String(value)).toBe(reference.hex())
      expect(fold(new TraceHash(), [[value > 0 && Number.isSafeInteger(value) ? value : 5, { kind: 'x', value, list: [value, -value] }]]))
        .toBe(fold(new ReferenceTraceHash(), [[value > 0 && Number.isSafeInteger(value) ? value : 5, { kind: 'x', value, list: [value, -value] }]]))
    }
  })

  it('matches a hash value recorded with the plain fold (a fixed event sequence)', () => {
    const events: [number, unknown][] = [
      [0, { kind: 'dc.started', scenario: 'planetlab-20110322', hosts: 800, vms: 1516 }],
      [300_000_000, { kind: 'migration.ended', migrationId: 'mig-000011', outcome: 'completed', totalUs: 9_808_000, bytes: 642_777_088, lostWrites: null, abortReason: null }],
      [300_000_001, { kind: 'policy.ticked', meanUtil: 0.061030037014513476, notes: 'overloadedHosts=0 — ü', nested: [true, false, undefined, -3] }]
    ]
    const recorded = fold(new ReferenceTraceHash(), events)
    expect(fold(new TraceHash(), events)).toBe(recorded)
    expect(recorded).toBe('97742f968bc4359d')
  })

  it('tells apart events that differ in one field, in key order or in a number\'s type', () => {
    const hexOf = (item: unknown): string => fold(new TraceHash(), [[1, item]])
    expect(hexOf({ kind: 'a', n: 1 })).not.toBe(hexOf({ kind: 'a', n: 2 }))
    expect(hexOf({ kind: 'a', n: 1, m: 2 })).not.toBe(hexOf({ kind: 'a', m: 2, n: 1 }))
    expect(hexOf({ kind: 'a', n: 1 })).not.toBe(hexOf({ kind: 'a', n: 1.5 }))
    expect(hexOf({ kind: 'a', n: 2 ** 32 })).not.toBe(hexOf({ kind: 'a', n: 0 }))
    expect(hexOf({ kind: 'a', n: -1 })).not.toBe(hexOf({ kind: 'a', n: 2 ** 32 - 1 }))
  })
})
