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

/**
 * The bucket table (see `buildBuckets`): the uniform draw's range [0, 1) cut into this many equal buckets. 2^15
 * Int16 codes are 64 KiB, small enough to stay in the L2 cache beside the guest's page state.
 */
const BUCKET_SHIFT = 15
const BUCKETS = 1 << BUCKET_SHIFT
const BUCKET_WIDTH_F = 1 / BUCKETS
/** A code: the draw is rejected (drawn again) wherever it falls in the bucket. Codes > 0 are the rank accepted. */
const CODE_REJECT = 0
/** A code: the bucket holds a rank boundary or an acceptance boundary, so the draw is computed exactly. */
const CODE_EXACT = -1
/** Exact draws before the table is built: short runs never pay for it (its cost is a few thousand draws). */
const EXACT_DRAWS_BEFORE_TABLE = 4096
/**
 * Safety margin around every boundary, in units of u (the inversion's argument, of order 1). Math.exp, log1p and
 * expm1 are within an ulp or two, so the computed inverse is within about 1e-14 relative of the true one; a
 * bucket counts as inside one rank's cell only when it clears the cell's true edges by this much, which is
 * about a million times those errors.
 */
const MARGIN_U = 1e-8

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
  /**
   * Per bucket of the uniform draw f (bucket ⌊f · 2^15⌋): the rank every f in it gives and accepts (> 0), a
   * rejection for every f in it (0), or CODE_EXACT. Built after EXACT_DRAWS_BEFORE_TABLE draws; undefined before.
   */
  private buckets: Int16Array | undefined
  private exactDraws = 0

  constructor(readonly elementCount: number, readonly exponent: number) {
    if (!(elementCount >= 1) || !Number.isInteger(elementCount)) throw new RangeError(`zipf elementCount must be a positive integer, got ${elementCount}`)
    if (!(exponent > 0)) throw new RangeError(`zipf exponent must be positive, got ${exponent}`)
    this.hIntegralX1 = this.hIntegral(1.5) - 1
    this.hIntegralN = this.hIntegral(elementCount + 0.5)
    this.squeeze = 2 - this.hIntegralInverse(this.hIntegral(2.5) - this.h(2))
    this.acceptBound = elementCount <= ACCEPT_TABLE_RANKS_MAX ? new Float64Array(elementCount + 1).fill(Number.NaN) : undefined
  }

  /**
   * A rank in 1…elementCount; rank 1 is the most frequent. Each attempt draws one uniform f; the bucket table
   * answers most attempts without the inversion's logarithm and exponential, and gives exactly the rank (and the
   * acceptance) the computation gives, so the ranks and the stream's position are the same either way.
   */
  sample(rng: Rng): number {
    const buckets = this.buckets
    if (buckets === undefined) {
      if (++this.exactDraws >= EXACT_DRAWS_BEFORE_TABLE) this.buckets = this.buildBuckets()
      for (;;) {
        const k = this.attempt(rng.float())
        if (k > 0) return k
      }
    }
    for (;;) {
      const f = rng.float()
      // f · 2^15 is exact (a power of two) and below 2^15: the bucket without rounding.
      const code = buckets[(f * BUCKETS) | 0]
      if (code > 0) return code
      if (code === CODE_EXACT) {
        const k = this.attempt(f)
        if (k > 0) return k
      }
    }
  }

  /** One rejection-inversion attempt with uniform f: the rank, or 0 when rejected. */
  private attempt(f: number): number {
    const u = this.hIntegralN + f * (this.hIntegralX1 - this.hIntegralN)
    const x = this.hIntegralInverse(u)
    let k = Math.floor(x + 0.5)
    if (k < 1) k = 1
    else if (k > this.elementCount) k = this.elementCount
    return k - x <= this.squeeze || u >= this.bound(k) ? k : 0
  }

  /**
   * The bucket table. u = N + f·(X1 − N) falls as f rises (exactly so in floating point: a product with a fixed
   * negative factor and a sum with a fixed term are monotone), so bucket b's u lies in [U(b + 1), U(b)] with
   * U(b) = N + (b / 2^15)·(X1 − N). Rank k's cell is x ∈ [k − 0.5, k + 0.5), i.e. u between hIntegral(k ∓ 0.5)
   * (hIntegral is increasing; its inverse is computed within far less than MARGIN_U). A bucket that clears both
   * edges of one cell by MARGIN_U gives rank k for every f in it. Within the cell the draw is accepted iff
   * x ≥ k − squeeze (u ≥ hIntegral(k − squeeze), again with the margin) or u ≥ bound(k) (compared exactly: U is the
   * very expression `attempt` computes). Buckets that straddle any of these edges, and all buckets past the ranks
   * whose cells are wider than a bucket, stay CODE_EXACT.
   */
  private buildBuckets(): Int16Array {
    const codes = new Int16Array(BUCKETS).fill(CODE_EXACT)
    const n = this.elementCount
    const top = this.hIntegralN
    const span = this.hIntegralX1 - this.hIntegralN
    const bucketWidthU = -span / BUCKETS
    const rankMax = Math.min(n, 0x7fff)
    let k = 1
    let cellLow = Number.NEGATIVE_INFINITY
    let cellHigh = k === n ? Number.POSITIVE_INFINITY : this.hIntegral(k + 0.5)
    // bound(k) is hIntegral(k + 0.5) − h(k): the same expression on the same value as `bound`.
    let bound = k === n ? this.bound(k) : cellHigh - this.h(k)
    // Needed only for buckets below the bound (one or two per cell, none for most large ranks): computed then.
    let squeezeEdge = Number.NaN
    // Buckets from the lowest u (b = BUCKETS − 1) upwards, ranks from 1 upwards alongside. b · 2^−15 is b / 2^15
    // exactly, so U is the very value `attempt` computes at the bucket's edge.
    let uHigh = top + (BUCKETS * BUCKET_WIDTH_F) * span
    for (let b = BUCKETS - 1; b >= 0; b--) {
      const uLow = uHigh
      uHigh = top + (b * BUCKET_WIDTH_F) * span
      while (uLow >= cellHigh - MARGIN_U) {
        if (k >= rankMax || cellHigh - cellLow < bucketWidthU) return codes
        k++
        cellLow = cellHigh
        cellHigh = k === n ? Number.POSITIVE_INFINITY : this.hIntegral(k + 0.5)
        bound = k === n ? this.bound(k) : cellHigh - this.h(k)
        squeezeEdge = Number.NaN
      }
      if (!(uLow > cellLow + MARGIN_U && uHigh < cellHigh - MARGIN_U)) continue
      if (uLow >= bound) {
        codes[b] = k
        continue
      }
      if (Number.isNaN(squeezeEdge)) squeezeEdge = this.hIntegral(k - this.squeeze)
      if (uLow > squeezeEdge + MARGIN_U) codes[b] = k
      else if (uHigh < bound && uHigh < squeezeEdge - MARGIN_U) codes[b] = CODE_REJECT
    }
    return codes
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
