// The audit log on disk: appends extend the chain from audit_head inside the caller's transaction; verify walks
// it with constant memory from the latest prune checkpoint and adds SQLite's own integrity checks.
// Invariant: only prune deletes entries, and only after writing a checkpoint that carries the last pruned hash.
import type { Database, Statement } from 'better-sqlite3'
import { auditHash, canonicalJson, GENESIS_HASH, verifyChain } from './audit-chain'
import type { ChainHead, ChainStart } from './audit-chain'
import { auditRowSchema } from './types'
import type { AuditInput, AuditRow, AuditVerdict } from './types'

const AUDIT_COLUMNS = 'seq, run_id AS runId, at_us AS atUs, wall_at_ms AS wallAtMs, actor, action, payload_json AS payloadJson, prev_hash AS prevHash, hash'

/** Triggers that make the log append-only; verify warns when one is gone (the chain still decides ok). */
export const APPEND_ONLY_TRIGGERS = ['audit_log_no_update', 'audit_log_no_delete', 'audit_log_link_check',
  'audit_log_advance_head', 'audit_head_forward_only', 'audit_checkpoints_no_update', 'audit_checkpoints_no_delete']

export class AuditLog {
  private readonly head: Statement
  private readonly insert: Statement
  private readonly entries: Statement
  private readonly latestCheckpoint: Statement
  private readonly insertCheckpoint: Statement
  private readonly deleteThrough: Statement
  private readonly firstKept: Statement
  private readonly hashAt: Statement
  private readonly tornMigration: Statement
  private readonly triggerNames: Statement

  constructor(private readonly db: Database, private readonly nowMs: () => number) {
    this.head = db.prepare('SELECT last_seq AS lastSeq, last_hash AS lastHash FROM audit_head WHERE id = 1')
    this.insert = db.prepare(`INSERT INTO audit_log (seq, run_id, at_us, wall_at_ms, actor, action, payload_json, prev_hash, hash)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`)
    this.entries = db.prepare(`SELECT ${AUDIT_COLUMNS} FROM audit_log ORDER BY seq`)
    this.latestCheckpoint = db.prepare('SELECT through_seq AS seq, through_hash AS hash FROM audit_checkpoints ORDER BY through_seq DESC LIMIT 1')
    this.insertCheckpoint = db.prepare('INSERT INTO audit_checkpoints (through_seq, through_hash, pruned_entries, created_at_ms) VALUES (?, ?, ?, ?)')
    this.deleteThrough = db.prepare('DELETE FROM audit_log WHERE seq <= ?')
    this.firstKept = db.prepare('SELECT seq FROM audit_log WHERE wall_at_ms >= ? ORDER BY seq LIMIT 1')
    this.hashAt = db.prepare('SELECT hash FROM audit_log WHERE seq = ?')
    this.tornMigration = db.prepare(`SELECT m.id, m.rounds_count AS expected, COUNT(r.migration_id) AS stored
      FROM migrations m LEFT JOIN migration_rounds r ON r.migration_id = m.id
      GROUP BY m.id HAVING stored <> m.rounds_count LIMIT 1`)
    this.triggerNames = db.prepare("SELECT name FROM sqlite_schema WHERE type = 'trigger'")
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

  /** Walks the chain, then integrity_check, foreign_key_check and the rounds count of every migration. */
  verify(): AuditVerdict {
    const start = this.chainStart()
    const head = this.readHead()
    const chain = verifyChain(this.iterateEntries(), start, head)
    const integrity = (this.db.pragma('integrity_check') as { integrity_check: string }[]).map((row) => row.integrity_check)
    const base = { checked: chain.checked, integrity, firstSeq: start.seq, headSeq: head.lastSeq, warnings: this.missingTriggers() }
    if (!chain.ok) return { ...base, ok: false, firstBadSeq: chain.firstBadSeq, reason: chain.reason }
    if (integrity.length !== 1 || integrity[0] !== 'ok') {
      return { ...base, ok: false, reason: `integrity_check: ${integrity.slice(0, 3).join('; ')}` }
    }
    const consistency = this.consistencyProblem()
    return consistency === undefined ? { ...base, ok: true } : { ...base, ok: false, reason: consistency }
  }

  private *iterateEntries(): Generator<AuditRow> {
    for (const row of this.entries.iterate()) yield auditRowSchema.parse(row)
  }

  private consistencyProblem(): string | undefined {
    const fk = this.db.pragma('foreign_key_check') as { table: string; rowid: number; parent: string }[]
    if (fk.length > 0) return `foreign_key_check: ${fk[0].table} row ${fk[0].rowid} points to a missing ${fk[0].parent} row`
    const torn = this.tornMigration.get() as { id: number; expected: number; stored: number } | undefined
    if (torn === undefined) return undefined
    return `migration ${torn.id} records ${torn.expected} rounds but ${torn.stored} are stored`
  }

  private missingTriggers(): string[] {
    const present = new Set((this.triggerNames.all() as { name: string }[])
      .map((row) => row.name))
    return APPEND_ONLY_TRIGGERS.filter((name) => !present.has(name)).map((name) => `append-only trigger ${name} is missing`)
  }
}
