// Row seals, pure: the canonical encoding and hash of every recorded row, and the digest that seals a batch of
// rows into the audit chain. Invariants: a row's encoding is a JSON array of its table tag, its key and every
// stored column except row_hash itself and derived columns (total_us), in a fixed order, built from the same
// values SQLite hands back (so the writer and the verifier agree byte for byte); a row hash is the first 22
// base64url characters (132 bits) of SHA-256 of that text, stored as TEXT (a string result is several times
// cheaper to get from node:crypto than a Buffer); a seal digest is SHA-256 over its rows' hashes in id order.
//
// Seal versions: columns added after rows were sealed must not change the encoding of a row that does not use
// them, or every older sealed file would stop verifying. So a new column is encoded by presence: schema 4's
// nullable lost_writes is JSON null when NULL (schema 3 stored only integers, so 0 and NULL stay distinct and
// every schema-3 row encodes as before), and a round's stop_reason is appended to its array only when it is not
// NULL (a 9-element round is one without a stop reason, a 10-element round carries it); likewise a migration's
// engine_id is appended to its array only when not NULL. The encoding stays
// one-to-one, so setting, clearing or changing either value in a sealed row changes its hash.
import { createHash, hash } from 'node:crypto'
import type { Hash } from 'node:crypto'

/** Characters kept of each row's base64url SHA-256: 132 bits, ample against a second preimage. */
export const ROW_HASH_CHARS = 22

export type SqlValue = string | number | null

function shortHash(text: string): string {
  return hash('sha256', text, 'base64url').slice(0, ROW_HASH_CHARS)
}

export function rowHash(values: readonly SqlValue[]): string {
  return shortHash(JSON.stringify(values))
}

export interface RunValues {
  id: number; scenario: string; scenarioJson: string | null; seed: number; policy: string; appVersion: string
  engineVersion: string; startedAtMs: number; finishedAtMs: number | null; endUs: number | null; traceHash: string | null
}

export function runHash(r: RunValues): string {
  return rowHash(['runs', r.id, r.scenario, r.scenarioJson, r.seed, r.policy, r.appVersion, r.engineVersion, r.startedAtMs,
    r.finishedAtMs, r.endUs, r.traceHash])
}

/** Stored columns of a migration row in seal order (total_us is generated from end and start). */
export type MigrationValues = [id: number, runId: number, vmId: string, sourceHostId: string, targetHostId: string,
  strategy: string, trigger: string, reason: string, outcome: string, abortReason: string | null, startUs: number,
  endUs: number, downtimeUs: number, bytesSent: number, lostWrites: number | null, roundsCount: number, engineId?: string]

export function migrationHash(values: MigrationValues): string {
  return rowHash(['migrations', ...values] as SqlValue[])
}

/** The migration columns a seal covers, in seal order (as selected by the verifier and the legacy sealer); engine_id is NULL or text. */
export const MIGRATION_SEAL_COLUMNS = `id, run_id, vm_id, source_host_id, target_host_id, strategy, trigger_kind, reason, outcome, abort_reason,
  start_us, end_us, downtime_us, bytes_sent, lost_writes, rounds_count, engine_id`

/** Stored columns before engine_id in MIGRATION_SEAL_COLUMNS. */
export const MIGRATION_SEAL_FIXED = 16

/** A migration as SQLite returns MIGRATION_SEAL_COLUMNS (engine_id NULL or text) in its seal encoding. */
export function migrationValues(row: readonly unknown[]): MigrationValues {
  const values = row.slice(0, MIGRATION_SEAL_FIXED) as MigrationValues
  const engineId = row[MIGRATION_SEAL_FIXED]
  if (engineId !== null && engineId !== undefined) values.push(engineId as string)
  return values
}

/** One round's stored columns after migration_id, in seal order; stop_reason last (absent when NULL, see above). */
export type RoundValues = [roundIndex: number, startUs: number, durationUs: number, pagesSent: number, pagesSkipped: number,
  zeroPagesSent: number, bytesSent: number, rateMbitPerS: number, pagesDirtied: number, stopReason?: string]

/** The round columns after migration_id in seal order; stop_reason is NULL or text. */
export const ROUND_SEAL_COLUMNS = `round_index, start_us, duration_us, pages_sent, pages_skipped, zero_pages_sent, bytes_sent,
  rate_mbit_per_s, pages_dirtied, stop_reason`

/** A round as SQLite returns ROUND_SEAL_COLUMNS (stop_reason NULL or text) in its seal encoding. */
export function roundValues(row: readonly (number | string | null)[]): RoundValues {
  const values = row.slice(0, 9) as RoundValues
  if (row[9] !== null && row[9] !== undefined) values.push(row[9] as string)
  return values
}

/**
 * A migration's rounds as stored since schema 5 (migrations.rounds_json): JSON.stringify of their seal values in
 * round order, the very text the rounds hash covers, so the verifier hashes the stored text as it is.
 */
export function packRounds(rounds: readonly RoundValues[]): string {
  return JSON.stringify(rounds)
}

/** All rounds of one migration in round_index order hash together: they are written and read as one unit. */
export function roundsHash(migrationId: number, rounds: readonly RoundValues[]): string {
  return packedRoundsHash(migrationId, packRounds(rounds))
}

/** roundsHash from the packed text (packRounds); the tag stays "migration_rounds" so seals from schema 3 and 4 still verify. */
export function packedRoundsHash(migrationId: number, roundsJson: string): string {
  return shortHash(`["migration_rounds",${migrationId},${roundsJson}]`)
}

export type DecisionValues = [id: number, runId: number, atUs: number, policy: string, inputsJson: string, chosenJson: string,
  rejectedJson: string]

export function decisionHash(values: DecisionValues): string {
  return rowHash(['policy_decisions', ...values])
}

export type FaultValues = [id: number, runId: number, atUs: number, kind: string, targetId: string, detailJson: string]

export function faultHash(values: FaultValues): string {
  return rowHash(['faults', ...values])
}

/** The sealed tables, by the names seals use. */
export const SEALED_TABLES = ['migrations', 'decisions', 'faults'] as const
export type SealedTable = (typeof SEALED_TABLES)[number]
export const SEALED_TABLE_SQL: Record<SealedTable, string> = { migrations: 'migrations', decisions: 'policy_decisions', faults: 'faults' }

/** [firstId, lastId, rowCount, digestHex]: the rows of one table a seal covers. */
export type SealRange = [first: number, last: number, count: number, digest: string]

/** Accumulates the digest of a seal's rows in id order. */
export class SealDigest {
  private readonly hasher: Hash = createHash('sha256')
  count = 0
  add(rowHashes: string): void {
    this.hasher.update(rowHashes)
    this.count++
  }
  hex(): string {
    return this.hasher.digest('hex')
  }
}
