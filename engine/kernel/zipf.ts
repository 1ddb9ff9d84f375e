// Zipf(s) over ranks 1…n in O(1) expected time: rejection-inversion (Hörmann & Derflinger 1996), the
// method Apache Commons RNG uses. Works for any exponent s > 0 (including s = 1) and any n ≥ 1.
import type { Rng } from './rng'

function helperLog1pOverX(x: number): number {
  return Math.abs(x) > 1e-8 ? Math.log1p(x) / x : 1 - x * (0.5 - x * (1 / 3 - 0.25 * x))
}

function helperExpm1OverX(x: number): number {
  return Math.abs(x) > 1e-8 ? Math.expm1(x) / x : 1 + x * 0.5 * (1 + (x * (1 + 0.25 * x)) / 3)
}

/** Ranks up to this many keep a table of their acceptance bounds (8 bytes each). */
const ACCEPT_TABLE_RANKS_MAX = 1 << 20

export class ZipfSampler {
  private readonly hIntegralX1: number
  private readonly hIntegralN: number
  private readonly squeeze: number
  /**
   * acceptBound[k] = hIntegral(k + 0.5) − h(k), the rejection test's bound for rank k, computed on first use by
   * the same expression (so every draw is what it was without the table); NaN until then. The test runs for
   * most draws of the hottest ranks, and the bound costs three logarithms or exponentials.
   */
  private readonly acceptBound: Float64Array | undefined

  constructor(readonly elementCount: number, readonly exponent: number) {
    if (!(elementCount >= 1) || !Number.isInteger(elementCount)) throw new RangeError(`zipf elementCount must be a positive integer, got ${elementCount}`)
    if (!(exponent > 0)) throw new RangeError(`zipf exponent must be positive, got ${exponent}`)
    this.hIntegralX1 = this.hIntegral(1.5) - 1
    this.hIntegralN = this.hIntegral(elementCount + 0.5)
    this.squeeze = 2 - this.hIntegralInverse(this.hIntegral(2.5) - this.h(2))
    this.acceptBound = elementCount <= ACCEPT_TABLE_RANKS_MAX ? new Float64Array(elementCount + 1).fill(Number.NaN) : undefined
  }

  /** A rank in 1…elementCount; rank 1 is the most frequent. */
  sample(rng: Rng): number {
    for (;;) {
      const u = this.hIntegralN + rng.float() * (this.hIntegralX1 - this.hIntegralN)
      const x = this.hIntegralInverse(u)
      let k = Math.floor(x + 0.5)
      if (k < 1) k = 1
      else if (k > this.elementCount) k = this.elementCount
      if (k - x <= this.squeeze || u >= this.bound(k)) return k
    }
  }

  private bound(k: number): number {
    const table = this.acceptBound
    if (table === undefined) return this.hIntegral(k + 0.5) - this.h(k)
    let value = table[k]
    if (Number.isNaN(value)) {
      value = this.hIntegral(k + 0.5) - this.h(k)
      table[k] = value
    }
    return value
  }

  private h(x: number): number {
    return Math.exp(-this.exponent * Math.log(x))
  }

  private hIntegral(x: number): number {
    const logX = Math.log(x)
    return helperExpm1OverX((1 - this.exponent) * logX) * logX
  }

  private hIntegralInverse(x: number): number {
    let t = x * (1 - this.exponent)
    if (t < -1) t = -1
    return Math.exp(helperLog1pOverX(t) * x)
  }
}
