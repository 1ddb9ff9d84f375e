// The audit hash chain, pure: canonical JSON, the entry hash, and the walk that names the first bad entry.
// hash(n) = SHA-256(hash(n-1) + "\n" + canonical content of n), with hash(0) = 64 zeros or a prune checkpoint's hash.
import { hash } from 'node:crypto'
import type { AuditRow } from './types'

export const GENESIS_HASH = '0'.repeat(64)

/** JSON with object keys sorted; rejects anything that is not plain JSON (undefined, NaN, Date, Map, …). */
export function canonicalJson(value: unknown): string {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return JSON.stringify(value)
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError(`audit payload: ${value} is not valid JSON`)
      return JSON.stringify(value)
    case 'object':
      if (value === null) return 'null'
      if (Array.isArray(value)) return canonicalArray(value)
      if (isPlainObject(value)) return canonicalObject(value as Record<string, unknown>)
  }
  throw new TypeError(`audit payload: a ${typeof value} is not plain JSON`)
}

function canonicalArray(items: readonly unknown[]): string {
  let out = '['
  for (let i = 0; i < items.length; i++) out += (i === 0 ? '' : ',') + canonicalJson(items[i])
  return out + ']'
}

function canonicalObject(record: Record<string, unknown>): string {
  let out = '{'
  for (const key of Object.keys(record).sort()) {
    const item = record[key]
    if (item === undefined) continue
    out += (out.length === 1 ? '' : ',') + JSON.stringify(key) + ':' + canonicalJson(item)
  }
  return out + '}'
}

function isPlainObject(value: object): boolean {
  const proto = Object.getPrototypeOf(value) as unknown
  return proto === Object.prototype || proto === null
}

export type AuditContent = Omit<AuditRow, 'prevHash' | 'hash'>

/** The hash of one entry given its predecessor's hash; payloadJson is hashed exactly as stored. */
export function auditHash(prevHash: string, content: AuditContent): string {
  const canonical = JSON.stringify([content.seq, content.runId, content.atUs, content.wallAtMs,
    content.actor, content.action, content.payloadJson])
  return hash('sha256', `${prevHash}\n${canonical}`, 'hex')
}

export interface ChainStart {
  /** The seq the first remaining entry must have. */
  seq: number
  /** The hash it must link to. */
  prevHash: string
}

export interface ChainHead { lastSeq: number; lastHash: string }

export interface ChainVerdict { ok: boolean; checked: number; firstBadSeq?: number; reason?: string }

/** Walks entries in seq order; stops at the first break. `head` (absent on schema 1) catches deleted tail entries. */
export function verifyChain(entries: Iterable<AuditRow>, start: ChainStart, head: ChainHead | undefined): ChainVerdict {
  const walker = new ChainWalker(start)
  for (const entry of entries) {
    const problem = walker.check(entry)
    if (problem !== undefined) return problem
  }
  return walker.finish(head)
}

/** The chain walk one entry at a time, so a caller can read entries in chunks and yield between them. */
export class ChainWalker {
  private expectedSeq: number
  private prevHash: string
  checked = 0

  constructor(start: ChainStart) {
    this.expectedSeq = start.seq
    this.prevHash = start.prevHash
  }

  /** Undefined when the entry extends the chain; the failed verdict otherwise. */
  check(entry: AuditRow): ChainVerdict | undefined {
    const problem = checkEntry(entry, this.expectedSeq, this.prevHash)
    if (problem !== undefined) return { ok: false, checked: this.checked, ...problem }
    this.checked++
    this.expectedSeq = entry.seq + 1
    this.prevHash = entry.hash
    return undefined
  }

  finish(head: ChainHead | undefined): ChainVerdict {
    if (head === undefined) return { ok: true, checked: this.checked }
    return checkHead(head, this.expectedSeq - 1, this.prevHash, this.checked)
  }
}

function checkEntry(entry: AuditRow, expectedSeq: number, prevHash: string): { firstBadSeq: number; reason: string } | undefined {
  if (entry.seq < expectedSeq) {
    return { firstBadSeq: entry.seq, reason: `entry seq ${entry.seq} lies below the prune checkpoint (chain resumes at ${expectedSeq})` }
  }
  if (entry.seq > expectedSeq) {
    return { firstBadSeq: expectedSeq, reason: `entry seq ${expectedSeq} is missing (the chain jumps to seq ${entry.seq})` }
  }
  if (entry.prevHash !== prevHash) {
    return { firstBadSeq: entry.seq, reason: `entry seq ${entry.seq}: prev_hash does not match the hash of the entry before it` }
  }
  if (auditHash(prevHash, entry) !== entry.hash) {
    return { firstBadSeq: entry.seq, reason: `entry seq ${entry.seq}: content does not match its hash (changed or moved)` }
  }
  return undefined
}

function checkHead(head: ChainHead, lastSeq: number, lastHash: string, checked: number): ChainVerdict {
  if (head.lastSeq > lastSeq) {
    const missing = head.lastSeq === lastSeq + 1 ? `entry seq ${head.lastSeq} is` : `entries seq ${lastSeq + 1}…${head.lastSeq} are`
    return { ok: false, checked, firstBadSeq: lastSeq + 1, reason: `${missing} missing (the chain head records ${head.lastSeq})` }
  }
  if (head.lastSeq < lastSeq) {
    return { ok: false, checked, firstBadSeq: head.lastSeq + 1,
      reason: `entry seq ${head.lastSeq + 1} lies beyond the recorded chain head (${head.lastSeq})` }
  }
  if (head.lastHash !== lastHash) {
    return { ok: false, checked, firstBadSeq: lastSeq, reason: `entry seq ${lastSeq}: hash differs from the recorded chain head` }
  }
  return { ok: true, checked }
}
