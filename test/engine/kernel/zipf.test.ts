// Goal: the Zipf sampler draws ranks 1…n with frequencies proportional to 1/k^s.
// Method: a fixed seed, 200 000 draws, and a loose chi-square bound over the first ranks plus a tail bucket.
import { describe, expect, it } from 'vitest'
import { deriveStream, ZipfSampler } from '../../../engine/kernel'

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
