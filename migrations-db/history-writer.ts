// The write side of the history store: runs, batched flushes and retention. Invariants: one flush is one
// IMMEDIATE transaction (a migration commits with all its rounds, and the flush's audit entries extend the
// chain inside it); prune writes its checkpoint before it deletes audit entries, and logs itself in the chain.
import type { Database, Statement, Transaction } from 'better-sqlite3'
import type { AuditLog } from './audit-log'
import { canonicalJson } from './audit-chain'
import { HistoryDbError } from './errors'
import type {
  BatchResult, DecisionInput, FaultInput, HistoryBatch, MigrationInput, PruneCutoff, PruneResult, RunFinish, RunInput
} from './types'

const RUNS_BEFORE = 'SELECT id FROM runs WHERE COALESCE(finished_at_ms, started_at_ms) < ?'

export class HistoryWriter {
  private readonly insertRun: Statement
  private readonly updateRunFinish: Statement
  private readonly insertMigration: Statement
  private readonly insertRound: Statement
  private readonly insertDecision: Statement
  private readonly insertFault: Statement
  private readonly prune_: Record<'countMigrations' | 'countDecisions' | 'countFaults' | 'deleteRuns' |
    'deleteMigrationsUs' | 'deleteDecisionsUs' | 'deleteFaultsUs', Statement>
  private readonly batchTx: Transaction<(batch: HistoryBatch) => BatchResult>
  private readonly pruneTx: Transaction<(cutoff: PruneCutoff) => PruneResult>

  constructor(db: Database, private readonly audit: AuditLog, private readonly nowMs: () => number) {
    this.insertRun = db.prepare(`INSERT INTO runs (scenario, scenario_json, seed, policy, app_version, engine_version, started_at_ms)
      VALUES (?, ?, ?, ?, ?, ?, ?)`)
    this.updateRunFinish = db.prepare('UPDATE runs SET finished_at_ms = ?, end_us = ?, trace_hash = ? WHERE id = ?')
    this.insertMigration = db.prepare(`INSERT INTO migrations (run_id, vm_id, source_host_id, target_host_id, strategy,
      trigger_kind, reason, outcome, abort_reason, start_us, end_us, downtime_us, bytes_sent, lost_writes, rounds_count)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
    this.insertRound = db.prepare(`INSERT INTO migration_rounds (migration_id, round_index, start_us, duration_us, pages_sent,
      pages_skipped, zero_pages_sent, bytes_sent, rate_mbit_per_s, pages_dirtied, stop_reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
    this.insertDecision = db.prepare(`INSERT INTO policy_decisions (run_id, at_us, policy, inputs_json, chosen_json, rejected_json)
      VALUES (?, ?, ?, ?, ?, ?)`)
    this.insertFault = db.prepare('INSERT INTO faults (run_id, at_us, kind, target_id, detail_json) VALUES (?, ?, ?, ?, ?)')
    this.prune_ = {
      countMigrations: db.prepare(`SELECT COUNT(*) AS n FROM migrations WHERE run_id IN (${RUNS_BEFORE})`),
      countDecisions: db.prepare(`SELECT COUNT(*) AS n FROM policy_decisions WHERE run_id IN (${RUNS_BEFORE})`),
      countFaults: db.prepare(`SELECT COUNT(*) AS n FROM faults WHERE run_id IN (${RUNS_BEFORE})`),
      deleteRuns: db.prepare('DELETE FROM runs WHERE COALESCE(finished_at_ms, started_at_ms) < ?'),
      deleteMigrationsUs: db.prepare('DELETE FROM migrations WHERE end_us < ?'),
      deleteDecisionsUs: db.prepare('DELETE FROM policy_decisions WHERE at_us < ?'),
      deleteFaultsUs: db.prepare('DELETE FROM faults WHERE at_us < ?')
    }
    this.batchTx = db.transaction((batch: HistoryBatch) => this.writeBatch(batch))
    this.pruneTx = db.transaction((cutoff: PruneCutoff) => this.writePrune(cutoff))
  }

  createRun(input: RunInput): number {
    const scenarioJson = input.scenarioJson === undefined ? null : canonicalJson(input.scenarioJson)
    const info = this.insertRun.run(input.scenario, scenarioJson, input.seed, input.policy, input.appVersion,
      input.engineVersion, input.startedAtMs ?? this.nowMs())
    return Number(info.lastInsertRowid)
  }

  finishRun(runId: number, finish: RunFinish): void {
    const info = this.updateRunFinish.run(finish.finishedAtMs ?? this.nowMs(), finish.endUs, finish.traceHash, runId)
    if (info.changes !== 1) throw new HistoryDbError('invalid-argument', `run ${runId} does not exist`)
  }

  /** One flush: all rows and audit entries commit together, or none do. */
  recordBatch(batch: HistoryBatch): BatchResult {
    return this.batchTx.immediate(batch)
  }

  prune(cutoff: PruneCutoff): PruneResult {
    if (cutoff.beforeWallMs === undefined && cutoff.beforeUs === undefined) {
      throw new HistoryDbError('invalid-argument', 'prune needs beforeWallMs or beforeUs')
    }
    return this.pruneTx.immediate(cutoff)
  }

  private writeBatch(batch: HistoryBatch): BatchResult {
    return {
      migrationIds: (batch.migrations ?? []).map((migration) => this.writeMigration(migration)),
      decisionIds: (batch.decisions ?? []).map((decision) => this.writeDecision(decision)),
      faultIds: (batch.faults ?? []).map((fault) => this.writeFault(fault)),
      auditSeqs: batch.audit === undefined || batch.audit.length === 0 ? [] : this.audit.append(batch.audit)
    }
  }

  private writeMigration(m: MigrationInput): number {
    const info = this.insertMigration.run(m.runId, m.vmId, m.sourceHostId, m.targetHostId, m.strategy, m.trigger, m.reason,
      m.outcome, m.abortReason ?? null, m.startUs, m.endUs, m.downtimeUs, m.bytesSent, m.lostWrites ?? 0, m.rounds.length)
    const id = Number(info.lastInsertRowid)
    for (const r of m.rounds) {
      this.insertRound.run(id, r.roundIndex, r.startUs, r.durationUs, r.pagesSent, r.pagesSkipped, r.zeroPagesSent, r.bytesSent,
        r.rateMbitPerS, r.pagesDirtied, r.stopReason ?? null)
    }
    return id
  }

  private writeDecision(d: DecisionInput): number {
    const info = this.insertDecision.run(d.runId, d.atUs, d.policy, canonicalJson(d.inputs), canonicalJson(d.chosen),
      canonicalJson(d.rejected))
    return Number(info.lastInsertRowid)
  }

  private writeFault(f: FaultInput): number {
    const info = this.insertFault.run(f.runId, f.atUs, f.kind, f.targetId, canonicalJson(f.detail ?? {}))
    return Number(info.lastInsertRowid)
  }

  private writePrune(cutoff: PruneCutoff): PruneResult {
    const result: PruneResult = { runsDeleted: 0, migrationsDeleted: 0, decisionsDeleted: 0, faultsDeleted: 0, auditPruned: 0, checkpointSeq: null }
    if (cutoff.beforeUs !== undefined) {
      result.migrationsDeleted += this.prune_.deleteMigrationsUs.run(cutoff.beforeUs).changes
      result.decisionsDeleted += this.prune_.deleteDecisionsUs.run(cutoff.beforeUs).changes
      result.faultsDeleted += this.prune_.deleteFaultsUs.run(cutoff.beforeUs).changes
    }
    if (cutoff.beforeWallMs !== undefined) {
      const count = (statement: Statement) => (statement.get(cutoff.beforeWallMs) as { n: number }).n
      result.migrationsDeleted += count(this.prune_.countMigrations)
      result.decisionsDeleted += count(this.prune_.countDecisions)
      result.faultsDeleted += count(this.prune_.countFaults)
      result.runsDeleted = this.prune_.deleteRuns.run(cutoff.beforeWallMs).changes
      const checkpoint = this.audit.prunePrefix(cutoff.beforeWallMs)
      if (checkpoint !== null) Object.assign(result, { auditPruned: checkpoint.pruned, checkpointSeq: checkpoint.throughSeq })
    }
    this.audit.append([{ actor: cutoff.actor ?? 'cutover', action: 'history.pruned', payload: {
      beforeWallMs: cutoff.beforeWallMs ?? null, beforeUs: cutoff.beforeUs ?? null, ...result } }])
    return result
  }
}
