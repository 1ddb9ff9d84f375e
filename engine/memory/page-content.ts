// Deterministic page contents for VMs that carry real bytes: a page's bytes are a pure function of
// (page, version), cheap to produce (one fill) and distinct per write, plus a checksum over a page's words.

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

/** FNV-1a over the page's 32-bit words (as words, not bytes): equal pages give equal checksums. */
export function checksumWords(words: Uint32Array, firstWord: number, wordCount: number): number {
  let hash = 0x811c9dc5
  for (let i = firstWord; i < firstWord + wordCount; i++) hash = Math.imul(hash ^ words[i], 0x01000193)
  return hash >>> 0
}

/** Whether two word ranges of equal length hold the same words. */
export function wordsEqual(a: Uint32Array, aFirst: number, b: Uint32Array, bFirst: number, wordCount: number): boolean {
  for (let i = 0; i < wordCount; i++) if (a[aFirst + i] !== b[bFirst + i]) return false
  return true
}
