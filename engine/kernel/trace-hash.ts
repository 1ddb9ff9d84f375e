// Incremental 64-bit trace hash (two independent 32-bit lanes) over a canonical encoding of events:
// fields in their declared order, integers as two 32-bit halves, other numbers by their IEEE-754 bits,
// strings by UTF-16 code units. Non-cryptographic: it detects divergence, it does not resist forgery.
//
// Every emitted event passes here, so the word sequence is folded with the lanes in locals: lane A is FNV-1a
// over 32-bit words, lane B murmur3's block mix, whose per-word multiply-rotate-multiply ("premix") is looked
// up for ASCII code units and the tag words. The hash values are the same as the plain word-by-word fold
// (test/engine/kernel/trace-hash.test.ts keeps that fold as its reference).

const FNV_OFFSET = 0x811c9dc5
const FNV_PRIME = 0x01000193
const LANE_B_SEED = 0x9e3779b9
const TWO_32 = 0x1_0000_0000
const floatView = new Float64Array(1)
const floatWords = new Uint32Array(floatView.buffer)

/** The word-only half of murmur3's block mix (what lane B XORs in). */
function premix(value: number): number {
  let mixed = Math.imul(value, 0xcc9e2d51)
  mixed = (mixed << 15) | (mixed >>> 17)
  return Math.imul(mixed, 0x1b873593)
}

/** The lane half of murmur3's block mix, given the premixed word. */
function stepB(lane: number, premixed: number): number {
  const b = lane ^ premixed
  return (Math.imul((b << 13) | (b >>> 19), 5) + 0xe6546b64) | 0
}

const PREMIXED_ASCII = new Int32Array(128)
for (let code = 0; code < 128; code++) PREMIXED_ASCII[code] = premix(code)
// Tags: 1 safe integer, 2 other number, 3 string, 4 false, 5 true, 6 undefined, 7 null, 8 array, 9 object.
const PREMIXED_MINUS_ONE = premix(-1)

export class TraceHash {
  private laneA = FNV_OFFSET
  private laneB = LANE_B_SEED
  private eventCount = 0

  get events(): number {
    return this.eventCount
  }

  private word(value: number): void {
    this.laneA = Math.imul(this.laneA ^ (value >>> 0), FNV_PRIME)
    this.laneB = stepB(this.laneB, premix(value))
  }

  number(value: number): void {
    let a = this.laneA
    let b = this.laneB
    if ((value | 0) === value) {
      // An int32 (−0 included): tag 1, the low half is the value's bits, the high half 0 or −1 (sign).
      a = Math.imul(a ^ 1, FNV_PRIME)
      b = stepB(b, PREMIXED_ASCII[1])
      a = Math.imul(a ^ (value >>> 0), FNV_PRIME)
      b = stepB(b, premix(value))
      if (value < 0) {
        a = Math.imul(a ^ 0xffffffff, FNV_PRIME)
        b = stepB(b, PREMIXED_MINUS_ONE)
      } else {
        a = Math.imul(a, FNV_PRIME)
        b = stepB(b, 0)
      }
    } else if (Number.isSafeInteger(value)) {
      const low = value % TWO_32
      const high = Math.floor(value / TWO_32)
      a = Math.imul(a ^ 1, FNV_PRIME)
      b = stepB(b, PREMIXED_ASCII[1])
      a = Math.imul(a ^ (low >>> 0), FNV_PRIME)
      b = stepB(b, premix(low))
      a = Math.imul(a ^ (high >>> 0), FNV_PRIME)
      b = stepB(b, premix(high))
    } else {
      floatView[0] = value
      const low = floatWords[0]
      const high = floatWords[1]
      a = Math.imul(a ^ 2, FNV_PRIME)
      b = stepB(b, PREMIXED_ASCII[2])
      a = Math.imul(a ^ low, FNV_PRIME)
      b = stepB(b, premix(low))
      a = Math.imul(a ^ high, FNV_PRIME)
      b = stepB(b, premix(high))
    }
    this.laneA = a
    this.laneB = b
  }

  string(value: string): void {
    const length = value.length
    let a = Math.imul(this.laneA ^ 3, FNV_PRIME)
    let b = stepB(this.laneB, PREMIXED_ASCII[3])
    a = Math.imul(a ^ length, FNV_PRIME)
    b = stepB(b, premix(length))
    for (let i = 0; i < length; i++) {
      const code = value.charCodeAt(i)
      a = Math.imul(a ^ code, FNV_PRIME)
      b = stepB(b, code < 128 ? PREMIXED_ASCII[code] : premix(code))
    }
    this.laneA = a
    this.laneB = b
  }

  /** Folds any JSON-like value; object fields in their own (insertion) order, which our event literals fix. */
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
      for (let i = 0; i < value.length; i++) this.value(value[i])
      return
    }
    this.record(value as Record<string, unknown>)
  }

  private record(record: Record<string, unknown>): void {
    this.word(9)
    const keys = Object.keys(record)
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i]
      this.string(key)
      const field = record[key]
      // The common field types first, without the generic dispatch.
      if (typeof field === 'string') this.string(field)
      else if (typeof field === 'number') this.number(field)
      else this.value(field)
    }
  }

  event(atUs: number, event: unknown): void {
    this.eventCount++
    this.number(atUs)
    this.value(event)
  }

  hex(): string {
    return (this.laneA >>> 0).toString(16).padStart(8, '0') + (this.laneB >>> 0).toString(16).padStart(8, '0')
  }
}
