// Word-level bit helpers over Uint32Array: popcount, range set/clear that touch whole words at once, and
// lowest-set-bit search. Bit i lives in word i >>> 5 at position i & 31 (little-endian within a word).
// Also PageVersions, the per-page version arrays of source and destination images, allocated by 1024-page
// chunk on first write so copies and comparisons skip (and never allocate) the all-zero rest.

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

// Both range functions are one loop over the words with a mask per word, so a one-word range runs every
// operation a wide one does. V8 optimises them (inlined into their callers) on the many one-word calls; with a
// separate wide path, whose operations had never run then, each later wide range cost a deoptimisation that
// did not discard the code: hundreds per post-copy run, a fifth of its CPU time.

/** Sets bits [first, first + count) and returns how many of them were clear before. */
export function setBitRange(words: Uint32Array, first: number, count: number): number {
  if (count <= 0) return 0
  const firstWord = first >>> 5
  const lastWord = (first + count - 1) >>> 5
  const headMask = wordMask(first & 31, 32)
  const tailMask = wordMask(0, ((first + count - 1) & 31) + 1)
  let added = 0
  for (let w = firstWord; w <= lastWord; w++) {
    const mask = (w === firstWord ? headMask : ALL_ONES) & (w === lastWord ? tailMask : ALL_ONES)
    const old = words[w]
    words[w] = old | mask
    added += popcount32(mask & ~old)
  }
  return added
}

/** Clears bits [first, first + count) and returns how many of them were set before. */
export function clearBitRange(words: Uint32Array, first: number, count: number): number {
  if (count <= 0) return 0
  const firstWord = first >>> 5
  const lastWord = (first + count - 1) >>> 5
  const headMask = wordMask(first & 31, 32)
  const tailMask = wordMask(0, ((first + count - 1) & 31) + 1)
  let removed = 0
  for (let w = firstWord; w <= lastWord; w++) {
    const mask = (w === firstWord ? headMask : ALL_ONES) & (w === lastWord ? tailMask : ALL_ONES)
    const old = words[w]
    words[w] = old & ~mask
    removed += popcount32(old & mask)
  }
  return removed
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

/**
 * First index in [from, to) where `a` and `b` differ, or -1. Compares eight elements per step and ORs their XORs
 * (about twice as fast as an element-wise loop on V8): the image checks run it over whole version chunks.
 */
export function firstDifference(a: Uint32Array, b: Uint32Array, from: number, to: number): number {
  let i = from
  for (; i + 8 <= to; i += 8) {
    const differing = (a[i] ^ b[i]) | (a[i + 1] ^ b[i + 1]) | (a[i + 2] ^ b[i + 2]) | (a[i + 3] ^ b[i + 3]) |
      (a[i + 4] ^ b[i + 4]) | (a[i + 5] ^ b[i + 5]) | (a[i + 6] ^ b[i + 6]) | (a[i + 7] ^ b[i + 7])
    if (differing !== 0) break
  }
  for (; i < to; i++) if (a[i] !== b[i]) return i
  return -1
}

/** log2 of the pages per version chunk: 1024 32-bit versions fill one 4 KiB OS page. */
export const VERSION_CHUNK_SHIFT = 10
export const VERSION_CHUNK_MASK = (1 << VERSION_CHUNK_SHIFT) - 1
const CHUNK_MASK = VERSION_CHUNK_MASK

/**
 * Per-page 32-bit versions stored by 1024-page chunk, each chunk allocated when first written; a chunk never
 * written is absent and holds only zeros. A large VM's workload writes a few percent of its pages, so the
 * destination image and the post-copy snapshot allocate a few chunks instead of a flat array each (8 MiB per
 * 8 GiB, zeroed by the allocator on every run), and copies and checks skip chunks absent on both sides.
 * Guest memory keeps its versions here too, so a VM's set-up costs the chunks its workload writes.
 */
export class PageVersions {
  /** Chunk c holds the versions of pages c·1024 … c·1024 + 1023 (fewer in the last chunk). */
  readonly chunks: (Uint32Array | undefined)[]

  constructor(readonly pageCount: number) {
    this.chunks = new Array<Uint32Array | undefined>((pageCount + CHUNK_MASK) >>> VERSION_CHUNK_SHIFT).fill(undefined)
  }

  get(page: number): number {
    const chunk = this.chunks[page >>> VERSION_CHUNK_SHIFT]
    return chunk === undefined ? 0 : chunk[page & CHUNK_MASK]
  }

  set(page: number, version: number): void {
    const chunk = this.chunks[page >>> VERSION_CHUNK_SHIFT] ?? this.allocate(page >>> VERSION_CHUNK_SHIFT)
    chunk[page & CHUNK_MASK] = version
  }

  increment(page: number): void {
    const chunk = this.chunks[page >>> VERSION_CHUNK_SHIFT] ?? this.allocate(page >>> VERSION_CHUNK_SHIFT)
    chunk[page & CHUNK_MASK]++
  }

  /** The chunk holding `page`, allocated (zero) if absent. */
  chunkFor(page: number): Uint32Array {
    return this.chunks[page >>> VERSION_CHUNK_SHIFT] ?? this.allocate(page >>> VERSION_CHUNK_SHIFT)
  }


  /** Adds one to the versions of pages [from, to), chunk by chunk. */
  incrementRange(from: number, to: number): void {
    for (let start = from; start < to;) {
      const c = start >>> VERSION_CHUNK_SHIFT
      const end = Math.min(to, (c + 1) << VERSION_CHUNK_SHIFT)
      const chunk = this.chunks[c] ?? this.allocate(c)
      const base = c << VERSION_CHUNK_SHIFT
      for (let i = start - base; i < end - base; i++) chunk[i]++
      start = end
    }
  }

  /** Bytes held by the allocated chunks. */
  get allocatedBytes(): number {
    let bytes = 0
    for (const chunk of this.chunks) if (chunk !== undefined) bytes += chunk.byteLength
    return bytes
  }

  /** A copy: the allocated chunks are copied, absent ones stay absent. */
  clone(): PageVersions {
    const copy = new PageVersions(this.pageCount)
    for (let c = 0; c < this.chunks.length; c++) copy.chunks[c] = this.chunks[c]?.slice()
    return copy
  }

  /** Copies the versions of pages [from, to) from `source` (same size); chunks absent on both sides stay absent. */
  copyFrom(source: PageVersions, from: number, to: number): void {
    for (let start = from; start < to;) {
      const c = start >>> VERSION_CHUNK_SHIFT
      const end = Math.min(to, (c + 1) << VERSION_CHUNK_SHIFT)
      const theirs = source.chunks[c]
      const mine = this.chunks[c] ?? (theirs === undefined ? undefined : this.allocate(c))
      if (mine !== undefined) {
        const first = start & CHUNK_MASK
        if (theirs === undefined) mine.fill(0, first, first + end - start)
        else if (end - start === theirs.length) mine.set(theirs)
        else mine.set(theirs.subarray(first, first + end - start), first)
      }
      start = end
    }
  }

  /** First page in [from, to) whose versions here and in `other` (same size) differ, or -1. */
  firstDifference(other: PageVersions, from: number, to: number): number {
    for (let start = from; start < to;) {
      const c = start >>> VERSION_CHUNK_SHIFT
      const end = Math.min(to, (c + 1) << VERSION_CHUNK_SHIFT)
      const mine = this.chunks[c]
      const theirs = other.chunks[c]
      const base = c << VERSION_CHUNK_SHIFT
      let found = -1
      if (mine !== undefined && theirs !== undefined) found = firstDifference(mine, theirs, start - base, end - base)
      else if (mine !== undefined) found = firstNonZero(mine, start - base, end - base)
      else if (theirs !== undefined) found = firstNonZero(theirs, start - base, end - base)
      if (found >= 0) return base + found
      start = end
    }
    return -1
  }

  private allocate(c: number): Uint32Array {
    const first = c << VERSION_CHUNK_SHIFT
    const end = Math.min(first + (1 << VERSION_CHUNK_SHIFT), this.pageCount)
    const chunk = new Uint32Array(end - first)
    this.chunks[c] = chunk
    return chunk
  }
}

/** First index in [from, to) holding a non-zero value, or -1 (eight at a time, like firstDifference). */
export function firstNonZero(a: Uint32Array, from: number, to: number): number {
  let i = from
  for (; i + 8 <= to; i += 8) {
    if ((a[i] | a[i + 1] | a[i + 2] | a[i + 3] | a[i + 4] | a[i + 5] | a[i + 6] | a[i + 7]) !== 0) break
  }
  for (; i < to; i++) if (a[i] !== 0) return i
  return -1
}
