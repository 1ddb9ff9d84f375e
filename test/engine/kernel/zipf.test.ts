// Goal: the Zipf sampler draws ranks 1…n with frequencies proportional to 1/k^s.
// Method: a fixed seed, 200 000 draws, and a loose chi-square bound over the first ranks plus a tail bucket.
import { describe, expect, it } from 'vitest'
import { deriveStream, ZipfSampler, type Rng } from '../../../engine/kernel'

function chiSquare(n: number, s: number, draws: number): number {
  const sampler = new ZipfSampler(n, s)
  const rng = deriveStream(11, `zipf/${n}/${s}`)
  const counts = new Array<number>(n + 1).fill(0)
  let outOfRange = 0
  for (let i = 0; i < draws; i++) {
    const k = sampler.sample(rng)
    if (Number.isInteger(k) && k >= 1 && k <= n) counts[k]++
    else outOfRange++
  }
  expect(outOfRange).toBe(0)
  let norm = 0
  for (let k = 1; k <= n; k++) norm += 1 / k ** s
  const buckets = 20
  let statistic = 0
  let tailObserved = 0
  let tailExpected = 0
  for (let k = 1; k <= n; k++) {
    const expected = (draws / k ** s) / norm
    if (k < buckets) statistic += (counts[k] - expected) ** 2 / expected
    else { tailObserved += counts[k]; tailExpected += expected }
  }
  return statistic + (tailObserved - tailExpected) ** 2 / tailExpected
}

describe('ZipfSampler', () => {
  // 20 buckets → 19 degrees of freedom; the 99.9 % quantile is ≈ 43.8.
  for (const [n, s] of [[1000, 1.0], [1000, 0.8], [50, 1.5], [100_000, 1.2]] as const) {
    it(`matches 1/k^${s} over ${n} ranks (chi-square below the 99.9 % bound)`, () => {
      expect(chiSquare(n, s, 200_000)).toBeLessThan(43.8)
    })
  }

  it('handles a single rank and rejects bad parameters', () => {
    const rng = deriveStream(1, 'one')
    expect(new ZipfSampler(1, 1).sample(rng)).toBe(1)
    expect(() => new ZipfSampler(0, 1)).toThrow(RangeError)
    expect(() => new ZipfSampler(10, 0)).toThrow(RangeError)
  })
})

/** The sampler as it was before its bucket table: every attempt computes the inversion (the reference). */
function referenceSampler(n: number, s: number): (rng: Rng) => number {
  const log1pOverX = (x: number): number => (Math.abs(x) > 1e-8 ? Math.log1p(x) / x : 1 - x * (0.5 - x * (1 / 3 - 0.25 * x)))
  const expm1OverX = (x: number): number => (Math.abs(x) > 1e-8 ? Math.expm1(x) / x : 1 + x * 0.5 * (1 + (x * (1 + 0.25 * x)) / 3))
  const h = (x: number): number => Math.exp(-s * Math.log(x))
  const hIntegral = (x: number): number => {
    const logX = Math.log(x)
    return expm1OverX((1 - s) * logX) * logX
  }
  const hIntegralInverse = (x: number): number => {
    let t = x * (1 - s)
    if (t < -1) t = -1
    return Math.exp(log1pOverX(t) * x)
  }
  const x1 = hIntegral(1.5) - 1
  const hN = hIntegral(n + 0.5)
  const squeeze = 2 - hIntegralInverse(hIntegral(2.5) - h(2))
  return (rng) => {
    for (;;) {
      const u = hN + rng.float() * (x1 - hN)
      const x = hIntegralInverse(u)
      let k = Math.floor(x + 0.5)
      if (k < 1) k = 1
      else if (k > n) k = n
      if (k - x <= squeeze || u >= hIntegral(k + 0.5) - h(k)) return k
    }
  }
}

describe('ZipfSampler bucket table', () => {
  // The table must give the very ranks (and consume the very draws) the inversion gives, or every workload
  // trace would change. 400 000 draws each: well past the table's build, over exponents and sizes the
  // workloads use (web heap 32 768 ranks at 1.2) and edge cases (one or two ranks, s = 1, flat and steep).
  for (const [n, s] of [[32_768, 1.2], [65_536, 0.99], [1, 1.2], [2, 1.2], [7, 0.5], [1000, 1.0], [50, 3.5], [2_000_000, 1.1], [300, 0.2]] as const) {
    it(`draws exactly the reference's ranks and stream for n = ${n}, s = ${s}`, () => {
      const sampler = new ZipfSampler(n, s)
      const reference = referenceSampler(n, s)
      const rngA = deriveStream(5, `zipf-table/${n}/${s}`)
      const rngB = deriveStream(5, `zipf-table/${n}/${s}`)
      let mismatches = 0
      for (let i = 0; i < 400_000; i++) if (sampler.sample(rngA) !== reference(rngB)) mismatches++
      expect(mismatches).toBe(0)
      expect(rngA.u32()).toBe(rngB.u32())
    })
  }
})
