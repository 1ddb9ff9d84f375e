// Row seals, pure: the canonical encoding and hash of every recorded row, and the digest that seals a batch of
// rows into the audit chain. Invariants: a row's encoding is a JSON array of its table tag, its key and every
// stored column except row_hash itself and derived columns (total_us), in a fixed order, built from the same
// values SQLite hands back (so the writer and the verifier agree byte for byte); a row hash is the first 22
// base64url characters (132 bits) of SHA-256 of that text, stored as TEXT (a string result is several times
// cheaper to get from node:crypto than a Buffer); a seal digest is SHA-256 over its rows' hashes in id order.
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
  endUs: number, downtimeUs: number, bytesSent: number, lostWrites: number, roundsCount: number]

export function migrationHash(values: MigrationValues): string {
  return rowHash(['migrations', ...values])
}

/** One round's stored columns after migration_id, in seal order. */
export type RoundValues = [roundIndex: number, startUs: number, durationUs: number, pagesSent: number, pagesSkipped: number,
  zeroPagesSent: number, bytesSent: number, rateMbitPerS: number, pagesDirtied: number]

/** All rounds of one migration in round_index order hash together: they are written and read as one unit. */
export function roundsHash(migrationId: number, rounds: readonly RoundValues[]): string {
  return shortHash(`["migration_rounds",${migrationId},${JSON.stringify(rounds)}]`)
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
