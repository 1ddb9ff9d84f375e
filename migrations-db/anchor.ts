// The keyed mode: a signed anchor of the audit chain's head, kept outside the database. A keyless chain cannot
// tell a full rewrite (every row, seal and hash recomputed) or a rollback (the newest flushes removed with their
// rows and the head moved back) from the real history; an anchor written earlier can. An anchor records the
// head (seq, hash) at a moment verify passed and carries an HMAC-SHA256 under a key file that the database never
// holds, so whoever rewrites the file cannot forge or move it. Later, the entry at that seq must still have that
// hash: the chain links every later entry (and, through the seals, every row) to it.
import { createHmac, timingSafeEqual } from 'node:crypto'
import { z } from 'zod'
import { canonicalJson } from './audit-chain'
import { HistoryDbError } from './errors'

/** Shorter keys are refused: the HMAC is only as strong as the key. */
export const ANCHOR_KEY_MIN_BYTES = 16
const FORMAT = 'cutover-history-anchor' as const

const anchorSchema = z.object({
  format: z.literal(FORMAT), version: z.literal(1), headSeq: z.number().int().nonnegative(), headHash: z.string().regex(/^[0-9a-f]{64}$/),
  sealedRows: z.number().int().nonnegative(), createdAtMs: z.number().int(), mac: z.string().regex(/^[0-9a-f]{64}$/)
}).strict()
export type HistoryAnchor = z.infer<typeof anchorSchema>

export interface AnchorHead { headSeq: number; headHash: string; sealedRows: number }

export function checkAnchorKey(key: Buffer): void {
  if (key.length < ANCHOR_KEY_MIN_BYTES) {
    throw new HistoryDbError('invalid-argument', `the key file holds ${key.length} bytes; use at least ${ANCHOR_KEY_MIN_BYTES} random bytes (e.g. head -c 32 /dev/urandom)`)
  }
}

function mac(key: Buffer, fields: Omit<HistoryAnchor, 'mac'>): string {
  return createHmac('sha256', key).update(canonicalJson(fields)).digest('hex')
}

export function createAnchor(head: AnchorHead, key: Buffer, createdAtMs: number): HistoryAnchor {
  checkAnchorKey(key)
  const fields = { format: FORMAT, version: 1 as const, headSeq: head.headSeq, headHash: head.headHash, sealedRows: head.sealedRows, createdAtMs }
  return { ...fields, mac: mac(key, fields) }
}

/** Parses and authenticates an anchor file's text; the message says what is wrong with it. */
export function readAnchor(text: string, key: Buffer): HistoryAnchor {
  checkAnchorKey(key)
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch {
    throw new HistoryDbError('invalid-argument', 'the anchor file is not JSON')
  }
  const result = anchorSchema.safeParse(parsed)
  if (!result.success) {
    const issue = result.error.issues[0]
    throw new HistoryDbError('invalid-argument', `the anchor file is not a Cutover history anchor (${issue.path.join('.') || 'document'}: ${issue.message})`)
  }
  const { mac: stored, ...fields } = result.data
  const expected = Buffer.from(mac(key, fields), 'hex')
  if (!timingSafeEqual(expected, Buffer.from(stored, 'hex'))) {
    throw new HistoryDbError('corrupt', 'the anchor\'s MAC does not match: it was edited, or signed with another key')
  }
  return result.data
}

export interface AnchorChain {
  /** Where the remaining chain starts (1, or one past the latest prune checkpoint). */
  firstSeq: number
  headSeq: number
  /** The stored hash of entry `seq`, or null when there is none. */
  hashAt(seq: number): string | null
  /** The latest checkpoint (through seq and hash), which vouches for a pruned anchor entry. */
  checkpoint: { seq: number; hash: string } | null
}

/** Undefined when the chain still contains the anchored head; otherwise why not. */
export function anchorProblem(anchor: HistoryAnchor, chain: AnchorChain): string | undefined {
  if (anchor.headSeq === 0) return undefined
  if (anchor.headSeq > chain.headSeq) {
    return `the history ends at seq ${chain.headSeq} but the anchor records seq ${anchor.headSeq}: entries after seq ${chain.headSeq} were removed (truncated or rolled back)`
  }
  if (chain.checkpoint !== null && anchor.headSeq === chain.checkpoint.seq) {
    return chain.checkpoint.hash === anchor.headHash ? undefined
      : `the prune checkpoint at seq ${anchor.headSeq} differs from the anchor: the history before it was rewritten`
  }
  if (anchor.headSeq < chain.firstSeq) {
    return `the anchored entry seq ${anchor.headSeq} was pruned (the chain now starts at seq ${chain.firstSeq}), so this anchor can no longer be checked; write a new anchor after each prune`
  }
  const hash = chain.hashAt(anchor.headSeq)
  if (hash !== anchor.headHash) {
    return `entry seq ${anchor.headSeq} differs from the anchor: the history was rewritten (every hash recomputed)`
  }
  return undefined
}
