// Seeded random streams. Every consumer takes its own stream derived from (run seed, stream name), so
// adding a consumer never shifts another's numbers. The generator is pure-rand's xoroshiro128+; the
// distributions here are built on its 32-bit output with integer rejection where bounds matter.
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus'
import { uniformInt } from 'pure-rand/distribution/uniformInt'
import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64'
import type { JumpableRandomGenerator } from 'pure-rand/types/JumpableRandomGenerator'
import { InvariantViolation } from './assert'

/** FNV-1a over the name, mixed with the seed through a murmur3 finaliser: a 32-bit stream seed. */
export function streamSeed(runSeed: number, streamName: string): number {
  let hash = 0x811c9dc5 ^ (runSeed >>> 0)
  for (let i = 0; i < streamName.length; i++) hash = Math.imul(hash ^ streamName.charCodeAt(i), 0x01000193)
  hash ^= Math.floor(runSeed / 0x1_0000_0000)
  hash ^= hash >>> 16
  hash = Math.imul(hash, 0x85ebca6b)
  hash ^= hash >>> 13
  hash = Math.imul(hash, 0xc2b2ae35)
  hash ^= hash >>> 16
  return hash | 0
}

export class Rng {
  private readonly generator: JumpableRandomGenerator
  private spareNormal: number | null = null

  constructor(seed: number, readonly name: string) {
    this.generator = xoroshiro128plus(seed)
  }

  /** 0 … 2^32 − 1 */
  u32(): number {
    return this.generator.next() >>> 0
  }

  /** Unbiased integer in [0, limitExclusive). */
  intBelow(limitExclusive: number): number {
    if (limitExclusive <= 1) return 0
    return uniformInt(this.generator, 0, limitExclusive - 1)
  }

  /**
   * Fills out[0 … count − 1] with `offset` + intBelow(limitExclusive), drawing exactly what `count` intBelow calls
   * would (pure-rand's uniformInt for ranges up to 2^32: rejection above the largest multiple of the range), at
   * loop speed: the workloads' uniform writes draw millions per run.
   */
  fillIntBelow(out: Uint32Array, count: number, limitExclusive: number, offset: number): void {
    if (limitExclusive <= 1) {
      out.fill(offset, 0, count)
      return
    }
    if (limitExclusive > 0x1_0000_0000) {
      for (let i = 0; i < count; i++) out[i] = offset + this.intBelow(limitExclusive)
      return
    }
    const generator = this.generator
    if (limitExclusive <= 0x4000_0000 && (limitExclusive & (limitExclusive - 1)) === 0) {
      // A power of two divides 2^32: nothing is rejected, and (draw + 2^31) mod limit keeps the low bits.
      const mask = limitExclusive - 1
      const state = xoroshiroState(generator)
      if (state === undefined) {
        for (let i = 0; i < count; i++) out[i] = offset + (generator.next() & mask)
        return
      }
      // pure-rand's XoroShiro128Plus.next() on locals (its four state words stay in registers), written back after.
      let { s00, s01, s10, s11 } = state
      for (let i = 0; i < count; i++) {
        out[i] = offset + (((s00 + s10) | 0) & mask)
        const a0 = s10 ^ s00
        const a1 = s11 ^ s01
        const old00 = s00
        s00 = (s00 << 24) ^ (s01 >>> 8) ^ a0 ^ (a0 << 16)
        s01 = (s01 << 24) ^ (old00 >>> 8) ^ a1 ^ ((a1 << 16) | (a0 >>> 16))
        s10 = (a1 << 5) ^ (a0 >>> 27)
        s11 = (a0 << 5) ^ (a1 >>> 27)
      }
      state.s00 = s00
      state.s01 = s01
      state.s10 = s10
      state.s11 = s11
      return
    }
    const maxAllowed = limitExclusive > 2 ? Math.floor(0x1_0000_0000 / limitExclusive) * limitExclusive : 0x1_0000_0000
    for (let i = 0; i < count; i++) {
      let draw = generator.next() + 0x8000_0000
      while (draw >= maxAllowed) draw = generator.next() + 0x8000_0000
      // draw mod limit by an exact division (both below 2^32, so the quotient's floor is exact): cheaper than %.
      out[i] = offset + (draw - Math.floor(draw / limitExclusive) * limitExclusive)
    }
  }

  /**
   * For each of `count` draws d = intBelow(limitExclusive), adds one to counts[offset + d] (a byte histogram), drawing
   * exactly what fillIntBelow would. The draw and the increment share one loop, so the increment's memory access
   * overlaps the next draw's arithmetic: a uniform page writer bumps its pages' write counts at about the cost of
   * the draws alone. A byte that wraps (its increment reaches 256 and stores 0) is passed to `wrapped` at once.
   * The caller keeps offset + d inside counts (a typed array drops an out-of-range store).
   */
  countIntBelow(counts: Uint8Array, count: number, limitExclusive: number, offset: number, wrapped: (index: number) => void): void {
    // Checked without assert(): its message would be built on every call (thousands per run).
    if (!(limitExclusive >= 1 && limitExclusive <= 0x1_0000_0000 && offset >= 0 && offset + limitExclusive <= counts.length)) {
      throw new InvariantViolation(`countIntBelow range ${offset}+${limitExclusive} outside 0…${counts.length}`)
    }
    if (limitExclusive === 1) {
      for (let i = 0; i < count; i++) if (++counts[offset] === 256) wrapped(offset)
      return
    }
    const generator = this.generator
    const powerOfTwo = limitExclusive <= 0x4000_0000 && (limitExclusive & (limitExclusive - 1)) === 0
    const state = powerOfTwo ? xoroshiroState(generator) : undefined
    if (state !== undefined) {
      // fillIntBelow's power-of-two loop (pure-rand's next() on locals) with the increment in place of the store.
      const mask = limitExclusive - 1
      let { s00, s01, s10, s11 } = state
      for (let i = 0; i < count; i++) {
        const index = offset + (((s00 + s10) | 0) & mask)
        const a0 = s10 ^ s00
        const a1 = s11 ^ s01
        const old00 = s00
        s00 = (s00 << 24) ^ (s01 >>> 8) ^ a0 ^ (a0 << 16)
        s01 = (s01 << 24) ^ (old00 >>> 8) ^ a1 ^ ((a1 << 16) | (a0 >>> 16))
        s10 = (a1 << 5) ^ (a0 >>> 27)
        s11 = (a0 << 5) ^ (a1 >>> 27)
        if (++counts[index] === 256) wrapped(index)
      }
      state.s00 = s00
      state.s01 = s01
      state.s10 = s10
      state.s11 = s11
      return
    }
    if (powerOfTwo) {
      const mask = limitExclusive - 1
      for (let i = 0; i < count; i++) {
        const index = offset + (generator.next() & mask)
        if (++counts[index] === 256) wrapped(index)
      }
      return
    }
    const maxAllowed = limitExclusive > 2 ? Math.floor(0x1_0000_0000 / limitExclusive) * limitExclusive : 0x1_0000_0000
    for (let i = 0; i < count; i++) {
      let draw = generator.next() + 0x8000_0000
      while (draw >= maxAllowed) draw = generator.next() + 0x8000_0000
      const index = offset + (draw - Math.floor(draw / limitExclusive) * limitExclusive)
      if (++counts[index] === 256) wrapped(index)
    }
  }

  /** Unbiased integer in [fromInclusive, toInclusive]. */
  intBetween(fromInclusive: number, toInclusive: number): number {
    return uniformInt(this.generator, fromInclusive, toInclusive)
  }

  /** Uniform in [0, 1) with 53 bits. */
  float(): number {
    return uniformFloat64(this.generator)
  }

  chance(numerator: number, denominator: number): boolean {
    return this.intBelow(denominator) < numerator
  }

  exponential(mean: number): number {
    return -mean * Math.log(1 - this.float())
  }

  /** Box–Muller with the spare value cached, so each pair of draws costs one log and one sqrt. */
  normal(mean = 0, standardDeviation = 1): number {
    if (this.spareNormal !== null) {
      const spare = this.spareNormal
      this.spareNormal = null
      return mean + standardDeviation * spare
    }
    let u = 0
    while (u === 0) u = this.float()
    const v = this.float()
    const radius = Math.sqrt(-2 * Math.log(u))
    this.spareNormal = radius * Math.sin(2 * Math.PI * v)
    return mean + standardDeviation * radius * Math.cos(2 * Math.PI * v)
  }

  lognormal(mu: number, sigma: number): number {
    return Math.exp(this.normal(mu, sigma))
  }

  /** In-place Fisher–Yates shuffle. */
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.intBelow(i + 1)
      const held = items[i]
      items[i] = items[j]
      items[j] = held
    }
    return items
  }
}

/** pure-rand's xoroshiro128+ state words (public fields of its generator object), when they are there. */
interface XoroshiroState { s00: number; s01: number; s10: number; s11: number }

function xoroshiroState(generator: JumpableRandomGenerator): XoroshiroState | undefined {
  const state = generator as unknown as Partial<XoroshiroState>
  return typeof state.s00 === 'number' && typeof state.s01 === 'number' && typeof state.s10 === 'number' && typeof state.s11 === 'number'
    ? state as XoroshiroState : undefined
}

export function deriveStream(runSeed: number, streamName: string): Rng {
  return new Rng(streamSeed(runSeed, streamName), streamName)
}
