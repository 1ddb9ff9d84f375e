// Word-level bit helpers over Uint32Array: popcount, range set/clear that touch whole words at once, and
// lowest-set-bit search. Bit i lives in word i >>> 5 at position i & 31 (little-endian within a word).

export const ALL_ONES = 0xffffffff

/** Number of set bits in a 32-bit value (SWAR popcount). */
export function popcount32(value: number): number {
  let v = value - ((value >>> 1) & 0x55555555)
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333)
  return (Math.imul((v + (v >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24)
}

/** Index (0…31) of the lowest set bit of a non-zero 32-bit value. */
export function lowestBit(value: number): number {
  return 31 - Math.clz32(value & -value)
}

/** Mask of bits [from, to) inside one word, 0 ≤ from < to ≤ 32. */
function wordMask(from: number, to: number): number {
  const high = to === 32 ? ALL_ONES : ((1 << to) - 1) >>> 0
  return (high & ~((1 << from) - 1)) >>> 0
}

/** Sets bits [first, first + count) and returns how many of them were clear before. */
export function setBitRange(words: Uint32Array, first: number, count: number): number {
  if (count <= 0) return 0
  const end = first + count
  const firstWord = first >>> 5
  const lastWord = (end - 1) >>> 5
  if (firstWord === lastWord) return orWord(words, firstWord, wordMask(first & 31, ((end - 1) & 31) + 1))
  let added = orWord(words, firstWord, wordMask(first & 31, 32))
  for (let w = firstWord + 1; w < lastWord; w++) {
    const old = words[w]
    if (old !== ALL_ONES) {
      added += 32 - popcount32(old)
      words[w] = ALL_ONES
    }
  }
  return added + orWord(words, lastWord, wordMask(0, ((end - 1) & 31) + 1))
}

/** Clears bits [first, first + count) and returns how many of them were set before. */
export function clearBitRange(words: Uint32Array, first: number, count: number): number {
  if (count <= 0) return 0
  const end = first + count
  const firstWord = first >>> 5
  const lastWord = (end - 1) >>> 5
  if (firstWord === lastWord) return andNotWord(words, firstWord, wordMask(first & 31, ((end - 1) & 31) + 1))
  let removed = andNotWord(words, firstWord, wordMask(first & 31, 32))
  for (let w = firstWord + 1; w < lastWord; w++) {
    const old = words[w]
    if (old !== 0) {
      removed += popcount32(old)
      words[w] = 0
    }
  }
  return removed + andNotWord(words, lastWord, wordMask(0, ((end - 1) & 31) + 1))
}

function orWord(words: Uint32Array, index: number, mask: number): number {
  const old = words[index]
  words[index] = old | mask
  return popcount32(mask & ~old)
}

function andNotWord(words: Uint32Array, index: number, mask: number): number {
  const old = words[index]
  words[index] = old & ~mask
  return popcount32(old & mask)
}

/** Number of set bits over the whole array. */
export function popcountWords(words: Uint32Array): number {
  let total = 0
  for (let w = 0; w < words.length; w++) {
    const value = words[w]
    if (value !== 0) total += popcount32(value)
  }
  return total
}

/** First set bit at or after `from`, or -1. Scans word by word, skipping zero words. */
export function nextSetBitIn(words: Uint32Array, from: number, bitCount: number): number {
  if (from >= bitCount) return -1
  let w = from >>> 5
  let value = words[w] & ~((1 << (from & 31)) - 1)
  for (;;) {
    if (value !== 0) {
      const bit = (w << 5) + lowestBit(value)
      return bit < bitCount ? bit : -1
    }
    w++
    if (w >= words.length) return -1
    value = words[w]
  }
}

/** Whether bit `index` is set. */
export function testBit(words: Uint32Array, index: number): boolean {
  return (words[index >>> 5] & (1 << (index & 31))) !== 0
}
