// The write side of the history store: runs, batched flushes and retention. Invariants: one flush is one
// IMMEDIATE transaction (a migration commits with all its rounds, and the flush's audit entries extend the
// chain inside it); every row is written with its row hash, and the flush ends with one `history.sealed` audit
// entry sealing the rows it wrote (row-seal.ts); a run is sealed when created and again when finished; prune
// verifies first (it never re-seals a tampered history), writes its checkpoint before it deletes audit
// entries, and logs itself in the chain together with the seals of everything it left.
import type { Database, Statement, Transaction } from 'better-sqlite3'
import type { AuditLog } from './audit-log'
import { canonicalJson } from './audit-chain'
import { HistoryDbError } from './errors'
import {
  decisionHash, faultHash, migrationHash, packedRoundsHash, packRounds, runHash, SealDigest
} from './row-seal'
import type { MigrationValues, RoundValues, SealedTable, SealRange } from './row-seal'
import { roundsProblem } from './packed-rounds'
import { resealAfterPrune } from './reseal'
import type { Verifier } from './verify'
import type {
  AuditInput, BatchResult, DecisionInput, FaultInput, HistoryBatch, JsonValue, MigrationInput, PruneCutoff, PruneResult, RunFinish, RunInput
} from './types'

const RUNS_BEFORE = 'SELECT id FROM runs WHERE COALESCE(finished_at_ms, started_at_ms) < ?'

/** SQLite stores UTF-8: a lone surrogate becomes U+FFFD on the way in, so hash what will be read back. */
const SURROGATE = /[\uD800-\uDFFF]/
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g
function text(value: string): string {
  return SURROGATE.test(value) ? value.replace(LONE_SURROGATE, '\uFFFD') : value
}

export class HistoryWriter {
  private readonly insertRun: Statement
  private readonly runForSeal: Statement
  private readonly updateRunFinish: Statement
  private readonly insertMigration: Statement
  private readonly insertDecision: Statement
  private readonly insertFault: Statement
  private readonly maxIds: Record<SealedTable | 'runs', Statement>
  private readonly prune_: Record<'countMigrations' | 'countDecisions' | 'countFaults' | 'deleteRuns' |
    'deleteMigrationsUs' | 'deleteDecisionsUs' | 'deleteFaultsUs', Statement>
  private readonly batchTx: Transaction<(batch: HistoryBatch) => BatchResult>
  private readonly createRunTx: Transaction<(input: RunInput) => number>
  private readonly finishRunTx: Transaction<(runId: number, finish: RunFinish) => void>
  private readonly pruneTx: Transaction<(cutoff: PruneCutoff) => PruneResult>

  constructor(private readonly db: Database, private readonly audit: AuditLog, private readonly verifier: () => Verifier,
    private readonly nowMs: () => number) {
    this.insertRun = db.prepare(`INSERT INTO runs (id, scenario, scenario_json, seed, policy, app_version, engine_version, started_at_ms, row_hash)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`)
    this.runForSeal = db.prepare(`SELECT id, scenario, scenario_json AS scenarioJson, seed, policy, app_version AS appVersion,
      engine_version AS engineVersion, started_at_ms AS startedAtMs FROM runs WHERE id = ?`)
    this.updateRunFinish = db.prepare('UPDATE runs SET finished_at_ms = ?, end_us = ?, trace_hash = ?, row_hash = ? WHERE id = ?')
    this.insertMigration = db.prepare(`INSERT INTO migrations (id, run_id, vm_id, source_host_id, target_host_id, strategy,
      trigger_kind, reason, outcome, abort_reason, start_us, end_us, downtime_us, bytes_sent, lost_writes, rounds_count, engine_id, row_hash,
      rounds_hash, rounds_json) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
    this.insertDecision = db.prepare(`INSERT INTO policy_decisions (id, run_id, at_us, policy, inputs_json, chosen_json, rejected_json, row_hash)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?)`)
    this.insertFault = db.prepare('INSERT INTO faults (id, run_id, at_us, kind, target_id, detail_json, row_hash) VALUES (?, ?, ?, ?, ?, ?, ?)')
    const maxId = (table: string) => db.prepare(`SELECT COALESCE(MAX(id), 0) FROM ${table}`).pluck()
    this.maxIds = { runs: maxId('runs'), migrations: maxId('migrations'), decisions: maxId('policy_decisions'), faults: maxId('faults') }
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
    this.createRunTx = db.transaction((input: RunInput) => this.writeRun(input))
    this.finishRunTx = db.transaction((runId: number, finish: RunFinish) => this.writeFinish(runId, finish))
    this.pruneTx = db.transaction((cutoff: PruneCutoff) => this.writePrune(cutoff))
  }

  createRun(input: RunInput): number {
    return this.createRunTx.immediate(input)
  }

  finishRun(runId: number, finish: RunFinish): void {
    this.finishRunTx.immediate(runId, finish)
  }

  /** One flush: all rows, their seal and the audit entries commit together, or none do. */
  recordBatch(batch: HistoryBatch): BatchResult {
    return this.batchTx.immediate(batch)
  }

  prune(cutoff: PruneCutoff): PruneResult {
    if (cutoff.beforeWallMs === undefined && cutoff.beforeUs === undefined) {
      throw new HistoryDbError('invalid-argument', 'prune needs beforeWallMs or beforeUs')
    }
    return this.pruneTx.immediate(cutoff)
  }

  private nextId(table: SealedTable | 'runs'): number {
    return (this.maxIds[table].get() as number) + 1
  }

  private writeRun(input: RunInput): number {
    const run = {
      id: this.nextId('runs'), scenario: text(input.scenario), scenarioJson: input.scenarioJson === undefined ? null : canonicalJson(input.scenarioJson),
      seed: input.seed, policy: text(input.policy), appVersion: text(input.appVersion), engineVersion: text(input.engineVersion),
      startedAtMs: input.startedAtMs ?? this.nowMs(), finishedAtMs: null, endUs: null, traceHash: null
    }
    const hash = runHash(run)
    this.insertRun.run(run.id, run.scenario, run.scenarioJson, run.seed, run.policy, run.appVersion, run.engineVersion, run.startedAtMs, hash)
    this.audit.append([{ actor: 'cutover', action: 'run.created', runId: run.id, wallAtMs: run.startedAtMs,
      payload: { scenario: run.scenario, seed: run.seed, policy: run.policy, rowHash: hash } }])
    return run.id
  }

  private writeFinish(runId: number, finish: RunFinish): void {
    const row = this.runForSeal.get(runId) as Omit<Parameters<typeof runHash>[0], 'finishedAtMs' | 'endUs' | 'traceHash'> | undefined
    if (row === undefined) throw new HistoryDbError('invalid-argument', `run ${runId} does not exist`)
    const finished = { ...row, finishedAtMs: finish.finishedAtMs ?? this.nowMs(), endUs: finish.endUs, traceHash: text(finish.traceHash) }
    const hash = runHash(finished)
    this.updateRunFinish.run(finished.finishedAtMs, finished.endUs, finished.traceHash, hash, runId)
    this.audit.append([{ actor: 'cutover', action: 'run.finished', runId, atUs: finish.endUs, wallAtMs: finished.finishedAtMs,
      payload: { endUs: finish.endUs, traceHash: finished.traceHash, rowHash: hash } }])
  }

  private writeBatch(batch: HistoryBatch): BatchResult {
    const seals: Partial<Record<SealedTable, SealRange>> = {}
    const migrationIds = this.writeRows('migrations', batch.migrations ?? [], seals, (m, id, digest, index) => this.writeMigration(m, id, digest, index))
    const decisionIds = this.writeRows('decisions', batch.decisions ?? [], seals, (d, id, digest) => this.writeDecision(d, id, digest))
    const faultIds = this.writeRows('faults', batch.faults ?? [], seals, (f, id, digest) => this.writeFault(f, id, digest))
    const audit: AuditInput[] = [...(batch.audit ?? [])]
    // Dated like the entries it closes (prune cuts the chain by wall time), or now when the flush has none.
    if (Object.keys(seals).length > 0) audit.push({ actor: 'cutover', action: 'history.sealed', payload: seals, wallAtMs: audit.at(-1)?.wallAtMs })
    return { migrationIds, decisionIds, faultIds, auditSeqs: audit.length === 0 ? [] : this.audit.append(audit).slice(0, batch.audit?.length ?? 0) }
  }

  /** Writes rows with consecutive ids after the table's highest and records their seal range. */
  private writeRows<T>(table: SealedTable, rows: readonly T[], seals: Partial<Record<SealedTable, SealRange>>,
    write: (row: T, id: number, digest: SealDigest, index: number) => void): number[] {
    if (rows.length === 0) return []
    const first = this.nextId(table)
    const digest = new SealDigest()
    const ids: number[] = new Array<number>(rows.length)
    for (let i = 0; i < rows.length; i++) {
      ids[i] = first + i
      write(rows[i], first + i, digest, i)
    }
    seals[table] = [first, first + rows.length - 1, rows.length, digest.hex()]
    return ids
  }

  private writeMigration(m: MigrationInput, id: number, digest: SealDigest, index: number): void {
    // lostWrites absent or null: not verified, stored as NULL (never as 0).
    const values: MigrationValues = [id, m.runId, text(m.vmId), text(m.sourceHostId), text(m.targetHostId), text(m.strategy), m.trigger,
      text(m.reason), m.outcome, m.abortReason === undefined ? null : text(m.abortReason), m.startUs, m.endUs, m.downtimeUs, m.bytesSent,
      m.lostWrites ?? null, m.rounds.length]
    // Sealed by presence (row-seal.ts): a row without an engine id encodes as it did under schema 3.
    const engineId = m.engineId === undefined || m.engineId === null ? null : text(m.engineId)
    if (engineId !== null) values.push(engineId)
    const rounds: RoundValues[] = new Array<RoundValues>(m.rounds.length)
    for (let i = 0; i < m.rounds.length; i++) {
      const r = m.rounds[i]
      const round: RoundValues = [r.roundIndex, r.startUs, r.durationUs, r.pagesSent, r.pagesSkipped, r.zeroPagesSent, r.bytesSent,
        r.rateMbitPerS, r.pagesDirtied]
      if (r.stopReason !== undefined && r.stopReason !== null) round.push(text(r.stopReason))
      rounds[i] = round
    }
    const problem = roundsProblem(rounds)
    if (problem !== undefined) throw new HistoryDbError('invalid-argument', `migrations[${index}].${problem}`)
    const rowHash = migrationHash(values)
    // Packed in the row (schema 5): the stored text is the one the rounds hash covers, stringified once.
    const roundsJson = packRounds(rounds)
    const roundsHashText = packedRoundsHash(id, roundsJson)
    this.insertMigration.run(...values.slice(0, 16), engineId, rowHash, roundsHashText, roundsJson)
    digest.add(rowHash + roundsHashText)
  }

  private writeDecision(d: DecisionInput, id: number, digest: SealDigest): void {
    const values = [id, d.runId, d.atUs, text(d.policy), canonicalJson(d.inputs), canonicalJson(d.chosen), canonicalJson(d.rejected)] as const
    const hash = decisionHash([...values])
    this.insertDecision.run(...values, hash)
    digest.add(hash)
  }

  private writeFault(f: FaultInput, id: number, digest: SealDigest): void {
    const values = [id, f.runId, f.atUs, text(f.kind), text(f.targetId), canonicalJson(f.detail ?? {})] as const
    const hash = faultHash([...values])
    this.insertFault.run(...values, hash)
    digest.add(hash)
  }

  private writePrune(cutoff: PruneCutoff): PruneResult {
    // Re-sealing a tampered history would launder the tampering: prune only what verifies.
    const verified = this.verifier().run()
    if (!verified.verdict.ok) {
      throw new HistoryDbError('corrupt', `prune refused: the history does not verify (${verified.verdict.reason ?? 'unknown reason'}); run history verify`)
    }
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
    }
    const seals = resealAfterPrune(this.db, verified.seals)
    let checkpoint: { throughSeq: number; throughHash: string } | null = null
    if (cutoff.beforeWallMs !== undefined) {
      const pruned = this.audit.prunePrefix(cutoff.beforeWallMs)
      if (pruned !== null) {
        result.auditPruned = pruned.pruned
        result.checkpointSeq = pruned.throughSeq
        checkpoint = pruned
      }
    }
    this.audit.append([{ actor: cutoff.actor ?? 'cutover', action: 'history.pruned', payload: {
      beforeWallMs: cutoff.beforeWallMs ?? null, beforeUs: cutoff.beforeUs ?? null, ...result,
      checkpointHash: checkpoint?.throughHash ?? null, seals: seals as unknown as JsonValue } }])
    return result
  }
}
