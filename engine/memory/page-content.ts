// Deterministic page contents for VMs that carry real bytes: a page's bytes are a pure function of
// (page, version) when first filled; each later write changes a stripe (cheap, and history-dependent, like a
// real partial write); plus a checksum over a page's words.

/** A non-zero 32-bit fill word for `page` at `version` (murmur3 finaliser over both). */
export function contentWord(page: number, version: number): number {
  let h = Math.imul(page ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(version + 0x632be5ab, 0xc2b2ae35)
  h ^= h >>> 16
  h = Math.imul(h, 0x85ebca6b)
  h ^= h >>> 13
  h = Math.imul(h, 0xc2b2ae35)
  h ^= h >>> 16
  return (h >>> 0) || 1
}

/**
 * Writes the contents of `page` at `version` into `words` (the page's 32-bit words start at `firstWord`):
 * the page number, the version, then the fill word. Never all-zero.
 */
export function fillPageWords(words: Uint32Array, firstWord: number, wordCount: number, page: number, version: number): void {
  words.fill(contentWord(page, version), firstWord, firstWord + wordCount)
  words[firstWord] = page
  words[firstWord + 1] = version
}

/** Words a single guest write changes: a write touches part of a page, not all of it. */
export const WRITE_STRIPE_WORDS = 16

/**
 * Applies one write to a page that already has contents: the header (page, version) and a 16-word stripe
 * at a version-dependent offset change; the rest keeps what earlier writes left. So the bytes depend on the
 * page's whole write history, and a missed write leaves detectably stale bytes. Never all-zero.
 */
export function writePageStripe(words: Uint32Array, firstWord: number, wordCount: number, page: number, version: number): void {
  const fill = contentWord(page, version)
  words[firstWord] = page
  words[firstWord + 1] = version
  const span = wordCount - 2 - WRITE_STRIPE_WORDS
  if (span <= 0) {
    words.fill(fill, firstWord + 2, firstWord + wordCount)
    return
  }
  const offset = firstWord + 2 + (fill % span)
  words.fill(fill, offset, offset + WRITE_STRIPE_WORDS)
}

/** FNV-1a over the page's 32-bit words (as words, not bytes): equal pages give equal checksums. */
export function checksumWords(words: Uint32Array, firstWord: number, wordCount: number): number {
  let hash = 0x811c9dc5
  for (let i = firstWord; i < firstWord + wordCount; i++) hash = Math.imul(hash ^ words[i], 0x01000193)
  return hash >>> 0
}

/** Whether two word ranges of equal length hold the same words. */
export function wordsEqual(a: Uint32Array, aFirst: number, b: Uint32Array, bFirst: number, wordCount: number): boolean {
  let differing = 0
  for (let i = 0; i < wordCount; i++) differing |= a[aFirst + i] ^ b[bFirst + i]
  return differing === 0
}
