// Incremental 64-bit trace hash (two independent 32-bit lanes) over a canonical encoding of events:
// fields in their declared order, integers as two 32-bit halves, other numbers by their IEEE-754 bits,
// strings by UTF-16 code units. Non-cryptographic: it detects divergence, it does not resist forgery.

const FNV_OFFSET = 0x811c9dc5
const FNV_PRIME = 0x01000193
const floatView = new Float64Array(1)
const floatWords = new Uint32Array(floatView.buffer)

/** One step of lane B (murmur3's block mix) over a 32-bit word. */
function mixB(lane: number, value: number): number {
  let mixed = Math.imul(value >>> 0, 0xcc9e2d51)
  mixed = (mixed << 15) | (mixed >>> 17)
  mixed = Math.imul(mixed, 0x1b873593)
  const b = lane ^ mixed
  return (Math.imul((b << 13) | (b >>> 19), 5) + 0xe6546b64) | 0
}

export class TraceHash {
  private laneA = FNV_OFFSET
  private laneB = 0x9e3779b9
  private eventCount = 0

  get events(): number {
    return this.eventCount
  }

  private word(value: number): void {
    this.laneA = Math.imul(this.laneA ^ (value >>> 0), FNV_PRIME)
    this.laneB = mixB(this.laneB, value)
  }

  number(value: number): void {
    if (Number.isSafeInteger(value)) {
      this.word(1)
      this.word(value % 0x1_0000_0000)
      this.word(Math.floor(value / 0x1_0000_0000))
      return
    }
    floatView[0] = value
    this.word(2)
    this.word(floatWords[0])
    this.word(floatWords[1])
  }

  string(value: string): void {
    this.word(3)
    this.word(value.length)
    // The lanes in locals for the character loop (every event's kind, keys and labels pass here).
    let a = this.laneA
    let b = this.laneB
    for (let i = 0; i < value.length; i++) {
      const code = value.charCodeAt(i)
      a = Math.imul(a ^ code, FNV_PRIME)
      b = mixB(b, code)
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
    this.eventCount++
    this.number(atUs)
    this.value(event)
  }

  hex(): string {
    return (this.laneA >>> 0).toString(16).padStart(8, '0') + (this.laneB >>> 0).toString(16).padStart(8, '0')
  }
}
