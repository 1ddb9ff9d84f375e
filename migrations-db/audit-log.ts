// The audit log on disk: appends extend the chain from audit_head inside the caller's transaction; prune cuts a
// prefix behind a checkpoint (verify.ts walks and checks it). Invariant: only prune deletes entries, and only
// after writing a checkpoint that carries the last pruned hash.
import type { Database, Statement } from 'better-sqlite3'
import { auditHash, canonicalJson, GENESIS_HASH } from './audit-chain'
import type { ChainHead, ChainStart } from './audit-chain'
import type { AuditInput } from './types'

export class AuditLog {
  private readonly head: Statement
  private readonly insert: Statement
  private readonly latestCheckpoint: Statement
  private readonly insertCheckpoint: Statement
  private readonly deleteThrough: Statement
  private readonly firstKept: Statement
  private readonly hashAt: Statement

  constructor(db: Database, private readonly nowMs: () => number) {
    this.head = db.prepare('SELECT last_seq AS lastSeq, last_hash AS lastHash FROM audit_head WHERE id = 1')
    this.insert = db.prepare(`INSERT INTO audit_log (seq, run_id, at_us, wall_at_ms, actor, action, payload_json, prev_hash, hash)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`)
    this.latestCheckpoint = db.prepare('SELECT through_seq AS seq, through_hash AS hash FROM audit_checkpoints ORDER BY through_seq DESC LIMIT 1')
    this.insertCheckpoint = db.prepare('INSERT INTO audit_checkpoints (through_seq, through_hash, pruned_entries, created_at_ms) VALUES (?, ?, ?, ?)')
    this.deleteThrough = db.prepare('DELETE FROM audit_log WHERE seq <= ?')
    this.firstKept = db.prepare('SELECT seq FROM audit_log WHERE wall_at_ms >= ? ORDER BY seq LIMIT 1')
    this.hashAt = db.prepare('SELECT hash FROM audit_log WHERE seq = ?')
  }

  /** Appends entries after the current head; call inside the caller's write transaction. Returns their seqs. */
  append(inputs: readonly AuditInput[]): number[] {
    let { lastSeq, lastHash } = this.readHead()
    const seqs: number[] = []
    for (const input of inputs) {
      const content = {
        seq: lastSeq + 1, runId: input.runId ?? null, atUs: input.atUs ?? null, wallAtMs: input.wallAtMs ?? this.nowMs(),
        actor: input.actor, action: input.action, payloadJson: canonicalJson(input.payload)
      }
      const hash = auditHash(lastHash, content)
      this.insert.run(content.seq, content.runId, content.atUs, content.wallAtMs, content.actor, content.action,
        content.payloadJson, lastHash, hash)
      lastSeq = content.seq
      lastHash = hash
      seqs.push(lastSeq)
    }
    return seqs
  }

  readHead(): ChainHead {
    return this.head.get() as ChainHead
  }

  /** Deletes the chain prefix written before `beforeWallMs` after recording its checkpoint; returns it (or null). */
  prunePrefix(beforeWallMs: number): { throughSeq: number; throughHash: string; pruned: number } | null {
    const start = this.chainStart()
    const firstKept = this.firstKept.get(beforeWallMs) as { seq: number } | undefined
    const throughSeq = (firstKept?.seq ?? this.readHead().lastSeq + 1) - 1
    if (throughSeq < start.seq) return null
    const throughHash = (this.hashAt.get(throughSeq) as { hash: string }).hash
    this.insertCheckpoint.run(throughSeq, throughHash, throughSeq - start.seq + 1, this.nowMs())
    const pruned = this.deleteThrough.run(throughSeq).changes
    return { throughSeq, throughHash, pruned }
  }

  /** Where the remaining chain starts: seq 1 from genesis, or one past the latest checkpoint. */
  chainStart(): ChainStart {
    const checkpoint = this.latestCheckpoint.get() as { seq: number; hash: string } | undefined
    return checkpoint === undefined ? { seq: 1, prevHash: GENESIS_HASH } : { seq: checkpoint.seq + 1, prevHash: checkpoint.hash }
  }
}
