// verify: the audit chain, then every sealed row against the seals the chain holds, then SQLite's own checks.
// Runs as a generator that yields after each chunk of rows, so a caller can spread a large history over many
// event-loop turns (verifyAsync) or drive it to the end at once (run). Invariants: memory holds the seals
// (one per flush), never the rows; every failure names where it is (audit seq, or table and row id); the walk
// stops at the first failure of the chain, and of the rows, and still runs integrity_check.
import type { Database, Statement } from 'better-sqlite3'
import { ChainWalker, GENESIS_HASH } from './audit-chain'
import type { ChainHead, ChainStart } from './audit-chain'
import {
  decisionHash, faultHash, MIGRATION_SEAL_COLUMNS, migrationHash, migrationValues, packedRoundsHash, ROUND_SEAL_COLUMNS, roundsHash, roundValues, runHash, SealDigest, SEALED_TABLE_SQL,
  SEALED_TABLES
} from './row-seal'
import type { DecisionValues, FaultValues, RoundValues, RunValues, SealedTable, SealRange } from './row-seal'
import { auditRowSchema } from './types'
import type { AuditRow, AuditVerdict } from './types'

/** Triggers that make the log append-only; verify warns when one is gone (the chain still decides ok). */
export const APPEND_ONLY_TRIGGERS = ['audit_log_no_update', 'audit_log_no_delete', 'audit_log_link_check',
  'audit_log_advance_head', 'audit_head_forward_only', 'audit_checkpoints_no_update', 'audit_checkpoints_no_delete']

const AUDIT_COLUMNS = 'seq, run_id AS runId, at_us AS atUs, wall_at_ms AS wallAtMs, actor, action, payload_json AS payloadJson, prev_hash AS prevHash, hash'
const SEAL_ACTIONS = new Set(['history.sealed', 'history.pruned', 'run.created', 'run.finished'])
const DEFAULT_CHUNK_ROWS = 2000

export interface LiveSeal { range: SealRange; seq: number }
/** What the chain says the tables hold: seal ranges per table (id order) and each run's latest hash. */
export interface LiveSeals {
  ranges: Record<SealedTable, LiveSeal[]>
  runs: Map<number, { hash: string; seq: number }>
}

export interface VerifyRun { verdict: AuditVerdict; seals: LiveSeals }

export interface VerifierOptions {
  /** Rows (or audit entries) read per step; default 2000. */
  chunkRows?: number
  /**
   * The connection is shared with a writer that may commit between steps (same connection, no snapshot):
   * only what existed when verify started is checked, and entries appended since are not mistaken for tampering.
   */
  boundToStart?: boolean
}

interface Failure { reason: string; firstBadSeq?: number; firstBadRow?: { table: string; id: number } }

interface Bounds { head: ChainHead; start: ChainStart; maxIds: Record<SealedTable | 'runs', number>; sealed: boolean; checkpoint?: { seq: number; hash: string } }

export class Verifier {
  private readonly chunkRows: number
  private readonly statements = new Map<string, Statement>()
  private roundColumnsText: string | undefined
  private packedRounds: boolean | undefined
  private migrationColumnsText: string | undefined

  constructor(private readonly db: Database, private readonly options: VerifierOptions = {}) {
    this.chunkRows = Math.max(1, Math.trunc(options.chunkRows ?? DEFAULT_CHUNK_ROWS))
  }

  /** Runs every step at once. */
  run(): VerifyRun {
    const steps = this.steps()
    for (;;) {
      const next = steps.next()
      if (next.done === true) return next.value
    }
  }

  /** One yield per chunk read; the return value is the verdict. */
  *steps(): Generator<void, VerifyRun> {
    const bounds = this.bounds()
    const seals: LiveSeals = { ranges: { migrations: [], decisions: [], faults: [] }, runs: new Map() }
    const confirmations: { seq: number; hash: string | null }[] = []
    const walker = new ChainWalker(bounds.start)
    let failure: Failure | undefined
    let afterSeq = 0 // from the very first row: entries left below the checkpoint are themselves tampering
    const lastSeq = this.options.boundToStart ? bounds.head.lastSeq : Number.MAX_SAFE_INTEGER
    chain: for (;;) {
      const rows = this.sql(`SELECT ${AUDIT_COLUMNS} FROM audit_log WHERE seq > ? AND seq <= ? ORDER BY seq LIMIT ?`)
        .all(afterSeq, lastSeq, this.chunkRows) as unknown[]
      for (const raw of rows) {
        const entry = auditRowSchema.parse(raw)
        const broken = walker.check(entry)
        if (broken !== undefined) { failure = { reason: broken.reason ?? 'chain broken', firstBadSeq: broken.firstBadSeq }; break chain }
        if (SEAL_ACTIONS.has(entry.action)) {
          const problem = applySealEntry(entry, seals, confirmations)
          if (problem !== undefined) { failure = { reason: problem, firstBadSeq: entry.seq }; break chain }
        }
        afterSeq = entry.seq
      }
      if (rows.length < this.chunkRows) break
      yield
    }
    if (failure === undefined) {
      const end = walker.finish(bounds.head)
      if (!end.ok) failure = { reason: end.reason ?? 'chain head mismatch', firstBadSeq: end.firstBadSeq }
    }
    failure ??= checkpointProblem(bounds.checkpoint, confirmations)
    const warnings = this.missingTriggers()
    let sealedRows = 0
    if (!bounds.sealed) {
      warnings.push('rows are not sealed in this schema version (open the file read-write once to upgrade and seal them); only the audit chain was verified')
    } else if (failure === undefined) {
      const counter = { rows: 0 }
      failure = yield* this.checkTables(bounds, seals, counter)
      failure ??= yield* this.checkRuns(bounds, seals, counter)
      sealedRows = counter.rows
    }
    yield
    const integrity = (this.db.pragma('integrity_check') as { integrity_check: string }[]).map((row) => row.integrity_check)
    if (failure === undefined && (integrity.length !== 1 || integrity[0] !== 'ok')) failure = { reason: `integrity_check: ${integrity.slice(0, 3).join('; ')}` }
    failure ??= this.consistencyProblem()
    const base = { checked: walker.checked, sealedRows, integrity, firstSeq: bounds.start.seq, headSeq: bounds.head.lastSeq, headHash: bounds.head.lastHash, warnings }
    const verdict: AuditVerdict = failure === undefined ? { ...base, ok: true } : { ...base, ok: false, ...failure }
    return { verdict, seals }
  }

  private bounds(): Bounds {
    const head = this.sql('SELECT last_seq AS lastSeq, last_hash AS lastHash FROM audit_head WHERE id = 1').get() as ChainHead
    const checkpoint = this.sql('SELECT through_seq AS seq, through_hash AS hash FROM audit_checkpoints ORDER BY through_seq DESC LIMIT 1')
      .get() as { seq: number; hash: string } | undefined
    const start = checkpoint === undefined ? { seq: 1, prevHash: GENESIS_HASH } : { seq: checkpoint.seq + 1, prevHash: checkpoint.hash }
    const sealed = this.sql("SELECT COUNT(*) FROM pragma_table_info('migrations') WHERE name = 'row_hash'").pluck().get() === 1
    const maxId = (table: string) => this.sql(`SELECT COALESCE(MAX(id), 0) FROM ${table}`).pluck().get() as number
    const maxIds = { runs: maxId('runs'), migrations: maxId('migrations'), decisions: maxId('policy_decisions'), faults: maxId('faults') }
    return { head, start, maxIds, sealed, checkpoint }
  }

  private *checkTables(bounds: Bounds, seals: LiveSeals, counter: { rows: number }): Generator<void, Failure | undefined> {
    for (const table of SEALED_TABLES) {
      const matcher = new SealMatcher(SEALED_TABLE_SQL[table], seals.ranges[table])
      let afterId = 0
      for (;;) {
        const rows = this.readChunk(table, afterId, bounds.maxIds[table])
        for (const row of rows) {
          const problem = matcher.add(row.id, row.storedHash, row.computedHash, row.sealText)
          if (problem !== undefined) return problem
          afterId = row.id
        }
        counter.rows += rows.length
        if (rows.length < this.chunkRows) break
        yield
      }
      const problem = matcher.finish()
      if (problem !== undefined) return problem
    }
    return undefined
  }

  /** One chunk of a sealed table: each row's id, stored hash(es), recomputed hash(es) and its part of the seal digest. */
  private readChunk(table: SealedTable, afterId: number, maxId: number): ChunkRow[] {
    const limit = this.chunkRows
    if (table === 'migrations') {
      // Schema 5 keeps the rounds packed in the row, as the very text their hash covers; older files in migration_rounds.
      const packed = this.hasPackedRounds()
      const rows = this.sql(`SELECT ${this.migrationColumns()}, row_hash, rounds_hash${packed ? ', rounds_json' : ''} FROM migrations
        WHERE id > ? AND id <= ? ORDER BY id LIMIT ?`).raw(true).all(afterId, maxId, limit) as unknown[][]
      if (rows.length === 0) return []
      const rounds = packed ? undefined : this.roundsOf(rows[0][0] as number, rows[rows.length - 1][0] as number)
      return rows.map((row) => {
        const id = row[0] as number
        const stored = `${row[17] as string | null}|${row[18] as string | null}`
        const roundsHashText = rounds === undefined ? packedRoundsHash(id, row[19] as string) : roundsHash(id, rounds.get(id) ?? [])
        const computed = `${migrationHash(migrationValues(row))}|${roundsHashText}`
        return { id, storedHash: stored, computedHash: computed, sealText: `${row[17] as string}${row[18] as string}` }
      })
    }
    if (table === 'decisions') {
      const rows = this.sql(`SELECT id, run_id, at_us, policy, inputs_json, chosen_json, rejected_json, row_hash FROM policy_decisions
        WHERE id > ? AND id <= ? ORDER BY id LIMIT ?`).raw(true).all(afterId, maxId, limit) as unknown[][]
      return rows.map((row) => hashedRow(row, 7, decisionHash(row.slice(0, 7) as DecisionValues)))
    }
    const rows = this.sql(`SELECT id, run_id, at_us, kind, target_id, detail_json, row_hash FROM faults
      WHERE id > ? AND id <= ? ORDER BY id LIMIT ?`).raw(true).all(afterId, maxId, limit) as unknown[][]
    return rows.map((row) => hashedRow(row, 6, faultHash(row.slice(0, 6) as FaultValues)))
  }

  private roundsOf(firstId: number, lastId: number): Map<number, RoundValues[]> {
    const rows = this.sql(`SELECT migration_id, ${this.roundColumns()} FROM migration_rounds WHERE migration_id BETWEEN ? AND ?
      ORDER BY migration_id, round_index`).raw(true).all(firstId, lastId) as [number, ...(number | string | null)[]][]
    const byMigration = new Map<number, RoundValues[]>()
    for (const row of rows) {
      let list = byMigration.get(row[0])
      if (list === undefined) { list = []; byMigration.set(row[0], list) }
      list.push(roundValues(row.slice(1)))
    }
    return byMigration
  }

  private *checkRuns(bounds: Bounds, seals: LiveSeals, counter: { rows: number }): Generator<void, Failure | undefined> {
    const seen = new Set<number>()
    let afterId = 0
    for (;;) {
      const rows = this.sql(`SELECT id, scenario, scenario_json AS scenarioJson, seed, policy, app_version AS appVersion, engine_version AS engineVersion,
        started_at_ms AS startedAtMs, finished_at_ms AS finishedAtMs, end_us AS endUs, trace_hash AS traceHash, row_hash AS rowHash
        FROM runs WHERE id > ? AND id <= ? ORDER BY id LIMIT ?`).all(afterId, bounds.maxIds.runs, this.chunkRows) as (RunValues & { rowHash: string | null })[]
      for (const run of rows) {
        const at = { table: 'runs', id: run.id }
        if (run.rowHash !== runHash(run)) return { reason: `runs row ${run.id}: content does not match its row hash (changed)`, firstBadRow: at }
        const sealed = seals.runs.get(run.id)
        if (sealed === undefined) return { reason: `runs row ${run.id} is not sealed by the audit chain (inserted, or its seal entry was removed)`, firstBadRow: at }
        if (sealed.hash !== run.rowHash) return { reason: `runs row ${run.id} does not match its seal at audit seq ${sealed.seq} (changed and re-hashed)`, firstBadRow: at }
        seen.add(run.id)
        afterId = run.id
      }
      counter.rows += rows.length
      if (rows.length < this.chunkRows) break
      yield
    }
    for (const [id, sealed] of seals.runs) {
      if (!seen.has(id)) { // every run the walked chain sealed must still be there
        return { reason: `runs row ${id} is missing (sealed at audit seq ${sealed.seq}, deleted outside prune)`, firstBadRow: { table: 'runs', id } }
      }
    }
    return undefined
  }

  private consistencyProblem(): Failure | undefined {
    const fk = this.db.pragma('foreign_key_check') as { table: string; rowid: number; parent: string }[]
    if (fk.length > 0) {
      return { reason: `foreign_key_check: ${fk[0].table} row ${fk[0].rowid} points to a missing ${fk[0].parent} row`, firstBadRow: { table: fk[0].table, id: fk[0].rowid } }
    }
    if (this.hasPackedRounds()) {
      // -1: not a JSON array (json_array_length would raise on malformed text).
      const torn = this.sql(`SELECT id, rounds_count AS expected, stored FROM (SELECT id, rounds_count,
        CASE WHEN json_valid(rounds_json) AND json_type(rounds_json) = 'array' THEN json_array_length(rounds_json) ELSE -1 END AS stored
        FROM migrations) WHERE stored <> rounds_count LIMIT 1`).get() as { id: number; expected: number; stored: number } | undefined
      if (torn === undefined) return undefined
      const stored = torn.stored < 0 ? 'its stored rounds are not a JSON array' : `${torn.stored} are stored`
      return { reason: `migration ${torn.id} records ${torn.expected} rounds but ${stored}`, firstBadRow: { table: 'migrations', id: torn.id } }
    }
    const torn = this.sql(`SELECT m.id, m.rounds_count AS expected, COUNT(r.migration_id) AS stored
      FROM migrations m LEFT JOIN migration_rounds r ON r.migration_id = m.id
      GROUP BY m.id HAVING stored <> m.rounds_count LIMIT 1`).get() as { id: number; expected: number; stored: number } | undefined
    if (torn === undefined) return undefined
    return { reason: `migration ${torn.id} records ${torn.expected} rounds but ${torn.stored} are stored`, firstBadRow: { table: 'migration_rounds', id: torn.id } }
  }

  private missingTriggers(): string[] {
    const present = new Set((this.sql("SELECT name FROM sqlite_schema WHERE type = 'trigger'").all() as { name: string }[]).map((row) => row.name))
    return APPEND_ONLY_TRIGGERS.filter((name) => !present.has(name)).map((name) => `append-only trigger ${name} is missing`)
  }

  /** Migration columns in seal order; a schema-3 file read read-only has no engine_id (every row then has none). */
  private migrationColumns(): string {
    this.migrationColumnsText ??= this.sql("SELECT COUNT(*) FROM pragma_table_info('migrations') WHERE name = 'engine_id'").pluck().get() === 1
      ? MIGRATION_SEAL_COLUMNS : MIGRATION_SEAL_COLUMNS.replace('engine_id', 'NULL')
    return this.migrationColumnsText
  }

  /** Whether rounds are packed in migrations.rounds_json (schema 5) rather than in migration_rounds. */
  private hasPackedRounds(): boolean {
    this.packedRounds ??= this.sql("SELECT COUNT(*) FROM pragma_table_info('migrations') WHERE name = 'rounds_json'").pluck().get() === 1
    return this.packedRounds
  }

  /** Round columns in seal order; a schema-3 file read read-only has no stop_reason (every round then has none). */
  private roundColumns(): string {
    this.roundColumnsText ??= this.sql("SELECT COUNT(*) FROM pragma_table_info('migration_rounds') WHERE name = 'stop_reason'").pluck().get() === 1
      ? ROUND_SEAL_COLUMNS : ROUND_SEAL_COLUMNS.replace('stop_reason', 'NULL')
    return this.roundColumnsText
  }

  private sql(text: string): Statement {
    let statement = this.statements.get(text)
    if (statement === undefined) {
      statement = this.db.prepare(text)
      this.statements.set(text, statement)
    }
    return statement
  }
}

interface ChunkRow { id: number; storedHash: string; computedHash: string; sealText: string }

function hashedRow(row: unknown[], hashColumn: number, computed: string): ChunkRow {
  const stored = row[hashColumn] as string | null
  return { id: row[0] as number, storedHash: String(stored), computedHash: computed, sealText: String(stored) }
}

/** Walks one table's rows in id order against its seal ranges (sorted, disjoint). */
class SealMatcher {
  private index = 0
  private digest: SealDigest | undefined
  private lastSeenId = 0
  private firstGap: number | undefined

  constructor(private readonly table: string, private readonly seals: readonly LiveSeal[]) {}

  add(id: number, storedHash: string, computedHash: string, sealText: string): Failure | undefined {
    const at = { table: this.table, id }
    if (storedHash !== computedHash) {
      return { reason: `${this.table} row ${id}: content does not match its row hash (changed${this.table === 'migrations' ? ', or its rounds' : ''})`, firstBadRow: at }
    }
    while (this.index < this.seals.length && this.seals[this.index].range[1] < id) {
      const problem = this.close()
      if (problem !== undefined) return problem
    }
    const seal = this.seals[this.index]
    if (seal === undefined || seal.range[0] > id) {
      return { reason: `${this.table} row ${id} is not sealed by the audit chain (inserted, or the audit entry that sealed it was removed)`, firstBadRow: at }
    }
    if (this.digest === undefined) {
      this.digest = new SealDigest()
      this.lastSeenId = seal.range[0] - 1
    }
    if (id > this.lastSeenId + 1 && this.firstGap === undefined) this.firstGap = this.lastSeenId + 1
    this.lastSeenId = id
    this.digest.add(sealText)
    return undefined
  }

  finish(): Failure | undefined {
    while (this.index < this.seals.length) {
      const problem = this.close()
      if (problem !== undefined) return problem
    }
    return undefined
  }

  /** Ends the current seal: its row count and digest must match what the chain recorded. */
  private close(): Failure | undefined {
    const { range, seq } = this.seals[this.index]
    const [first, last, expected, digestHex] = range
    const count = this.digest?.count ?? 0
    const digest = this.digest?.hex()
    const contiguous = last - first + 1 === expected
    if (count < expected) {
      const missing = contiguous ? (this.firstGap ?? (count === 0 ? first : this.lastSeenId + 1)) : undefined
      this.reset()
      return missing === undefined
        ? { reason: `${this.table} rows ${first}…${last} sealed at audit seq ${seq}: ${expected - count} of ${expected} rows are missing (deleted outside prune)`, firstBadRow: { table: this.table, id: first } }
        : { reason: `${this.table} row ${missing} is missing (sealed at audit seq ${seq}, deleted outside prune)`, firstBadRow: { table: this.table, id: missing } }
    }
    if (count > expected) {
      this.reset()
      return { reason: `${this.table} rows ${first}…${last} sealed at audit seq ${seq}: ${count - expected} more rows than sealed (inserted)`, firstBadRow: { table: this.table, id: first } }
    }
    this.reset()
    this.index++
    if (digest !== undefined && digest !== digestHex) {
      return { reason: `${this.table} rows ${first}…${last} do not match their seal at audit seq ${seq}: a row and its hash were rewritten`, firstBadRow: { table: this.table, id: first } }
    }
    return undefined
  }

  private reset(): void {
    this.digest = undefined
    this.firstGap = undefined
  }
}

/** Folds one seal-carrying audit entry into the live seals; returns a problem if its payload is malformed. */
function applySealEntry(entry: AuditRow, seals: LiveSeals, confirmations: { seq: number; hash: string | null }[]): string | undefined {
  let payload: Record<string, unknown>
  try {
    payload = JSON.parse(entry.payloadJson) as Record<string, unknown>
  } catch {
    return `entry seq ${entry.seq} (${entry.action}): payload is not JSON`
  }
  if (entry.action === 'run.created' || entry.action === 'run.finished') {
    if (entry.runId === null || typeof payload.rowHash !== 'string') return undefined // written before seals existed
    seals.runs.set(entry.runId, { hash: payload.rowHash, seq: entry.seq })
    return undefined
  }
  if (entry.action === 'history.pruned') {
    if (typeof payload.checkpointSeq === 'number') {
      confirmations.push({ seq: payload.checkpointSeq, hash: typeof payload.checkpointHash === 'string' ? payload.checkpointHash : null })
    }
    const state = payload.seals as Record<string, unknown> | undefined
    if (state === undefined) return undefined // a prune from before seals existed
    for (const table of SEALED_TABLES) {
      const ranges = state[table]
      if (!Array.isArray(ranges) || !ranges.every(isSealRange)) return `entry seq ${entry.seq}: malformed ${table} seals`
      seals.ranges[table] = ranges.map((range) => ({ range, seq: entry.seq }))
    }
    const runs = state.runs
    if (!Array.isArray(runs) || !runs.every(isRunSeal)) return `entry seq ${entry.seq}: malformed run seals`
    seals.runs = new Map(runs.map(([id, hash]) => [id, { hash, seq: entry.seq }]))
    return undefined
  }
  for (const table of SEALED_TABLES) {
    const range = payload[table]
    if (range === undefined) continue
    if (!isSealRange(range)) return `entry seq ${entry.seq}: malformed ${table} seal`
    const list = seals.ranges[table]
    const previous = list[list.length - 1]
    if (previous !== undefined && range[0] <= previous.range[1]) {
      return `entry seq ${entry.seq}: ${SEALED_TABLE_SQL[table]} seal ${range[0]}…${range[1]} overlaps the seal at seq ${previous.seq} (row ids were reused after rows were deleted outside prune)`
    }
    list.push({ range, seq: entry.seq })
  }
  if (Array.isArray(payload.runs)) {
    if (!payload.runs.every(isRunSeal)) return `entry seq ${entry.seq}: malformed run seals`
    for (const [id, hash] of payload.runs) seals.runs.set(id, { hash, seq: entry.seq })
  }
  return undefined
}

/** The chain may start at a checkpoint only if a prune recorded it (else it was forged to hide deleted entries). */
function checkpointProblem(checkpoint: { seq: number; hash: string } | undefined, confirmations: readonly { seq: number; hash: string | null }[]): Failure | undefined {
  if (checkpoint === undefined) return undefined
  const confirmed = confirmations.some((c) => c.seq === checkpoint.seq && (c.hash === null || c.hash === checkpoint.hash))
  if (confirmed) return undefined
  return { reason: `the chain starts at a checkpoint through seq ${checkpoint.seq} that no history.pruned entry records (forged to hide deleted entries ${checkpoint.seq} and before)`, firstBadSeq: checkpoint.seq + 1 }
}

function isSealRange(value: unknown): value is SealRange {
  return Array.isArray(value) && value.length === 4 && Number.isSafeInteger(value[0]) && Number.isSafeInteger(value[1]) &&
    Number.isSafeInteger(value[2]) && typeof value[3] === 'string' && value[0] <= value[1]
}

function isRunSeal(value: unknown): value is [number, string] {
  return Array.isArray(value) && value.length === 2 && Number.isSafeInteger(value[0]) && typeof value[1] === 'string'
}
