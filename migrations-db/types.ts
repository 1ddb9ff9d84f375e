// The history store's DTOs: what callers write (…Input) and what they read back (…Row, validated with zod).
// Virtual times are integer µs of one run's clock (…Us); wall times are ms since the Unix epoch (…AtMs).
import { z } from 'zod'

export const MIGRATION_TRIGGERS = ['user', 'policy', 'evacuation', 'ha'] as const
// `paused`: a post-copy whose path never came back before the run ended (schema 4 and later).
export const MIGRATION_OUTCOMES = ['completed', 'aborted', 'failed', 'paused'] as const
export type MigrationTrigger = (typeof MIGRATION_TRIGGERS)[number]
export type MigrationOutcome = (typeof MIGRATION_OUTCOMES)[number]

/** A JSON-safe value: plain objects, arrays, strings, finite numbers, booleans and null. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue }

export interface RunInput {
  scenario: string
  /** The whole scenario document; absent when only the name is recorded. */
  scenarioJson?: JsonValue
  seed: number
  policy: string
  appVersion: string
  engineVersion: string
  /** Default: the store's clock. */
  startedAtMs?: number
}

export interface RunFinish {
  endUs: number
  traceHash: string
  /** Default: the store's clock. */
  finishedAtMs?: number
}

export interface RoundInput {
  roundIndex: number
  startUs: number
  durationUs: number
  pagesSent: number
  /** Pages the round skipped (dirtied again before they were sent). */
  pagesSkipped: number
  zeroPagesSent: number
  bytesSent: number
  /** Rate limit in force for the round. */
  rateMbitPerS: number
  /** Pages written by the guest during this round (the next round's work). */
  pagesDirtied: number
  /** On the last pre-copy round: why iteration stopped (the stop rule that fired); absent or null on the others. */
  stopReason?: string | null
}

export interface MigrationInput {
  runId: number
  vmId: string
  sourceHostId: string
  targetHostId: string
  strategy: string
  trigger: MigrationTrigger
  reason: string
  outcome: MigrationOutcome
  /** Present only when outcome is aborted or failed. */
  abortReason?: string
  startUs: number
  endUs: number
  downtimeUs: number
  bytesSent: number
  /** Guest writes lost (post-copy failure); absent or null: not verified (stored as NULL, shown as "not verified"). */
  lostWrites?: number | null
  /** The engine's migration id within the run (`mig-000006`); absent or null: not known (stored as NULL). */
  engineId?: string | null
  /** Committed together with the migration; rounds_count = rounds.length. */
  rounds: readonly RoundInput[]
}

export interface RejectedAlternative { action: JsonValue; reason: string }

export interface DecisionInput {
  runId: number
  atUs: number
  policy: string
  /** A summary of what the policy saw (not the whole cluster view). */
  inputs: JsonValue
  chosen: JsonValue
  rejected: readonly RejectedAlternative[]
}

export interface FaultInput {
  runId: number
  atUs: number
  kind: string
  /** The host, link or VM the fault hit. */
  targetId: string
  detail?: JsonValue
}

export interface AuditInput {
  actor: string
  action: string
  payload: JsonValue
  /** Absent for entries outside a run (e.g. prune). */
  runId?: number
  /** Virtual time of the run; absent outside a run. */
  atUs?: number
  /** Default: the store's clock. */
  wallAtMs?: number
}

/** One flush of the recorder; everything in it commits in one transaction or not at all. */
export interface HistoryBatch {
  migrations?: readonly MigrationInput[]
  decisions?: readonly DecisionInput[]
  faults?: readonly FaultInput[]
  audit?: readonly AuditInput[]
}

export interface BatchResult {
  migrationIds: number[]
  decisionIds: number[]
  faultIds: number[]
  /** Sequence numbers of the appended audit entries, in order. */
  auditSeqs: number[]
}

const int = z.number().int()
const nonNegativeInt = int.nonnegative()

export const runRowSchema = z.object({
  id: int, scenario: z.string(), seed: int, policy: z.string(), appVersion: z.string(), engineVersion: z.string(),
  startedAtMs: int, finishedAtMs: int.nullable(), endUs: nonNegativeInt.nullable(), traceHash: z.string().nullable()
})
export type RunRow = z.infer<typeof runRowSchema>

export const migrationRowSchema = z.object({
  id: int, runId: int, vmId: z.string(), sourceHostId: z.string(), targetHostId: z.string(), strategy: z.string(),
  trigger: z.enum(MIGRATION_TRIGGERS), reason: z.string(), outcome: z.enum(MIGRATION_OUTCOMES),
  abortReason: z.string().nullable(), startUs: nonNegativeInt, endUs: nonNegativeInt, totalUs: nonNegativeInt,
  downtimeUs: nonNegativeInt, bytesSent: nonNegativeInt,
  /** Null: not verified (the model did not check the destination's memory). */
  lostWrites: nonNegativeInt.nullable(), roundsCount: nonNegativeInt,
  /** The engine's migration id within the run; null on rows recorded before schema 4 (show the row id instead). */
  engineId: z.string().nullable()
})
export type MigrationRow = z.infer<typeof migrationRowSchema>

export const roundRowSchema = z.object({
  roundIndex: nonNegativeInt, startUs: nonNegativeInt, durationUs: nonNegativeInt, pagesSent: nonNegativeInt,
  pagesSkipped: nonNegativeInt, zeroPagesSent: nonNegativeInt, bytesSent: nonNegativeInt, rateMbitPerS: z.number().nonnegative(),
  pagesDirtied: nonNegativeInt, stopReason: z.string().nullable()
})
export type RoundRow = z.infer<typeof roundRowSchema>

/**
 * One round as packed in migrations.rounds_json (schema 5): its seal values in ROUND_SEAL_COLUMNS order, the
 * stop reason as a 10th element only when there is one (row-seal.ts).
 */
export const packedRoundSchema = z.tuple([nonNegativeInt, nonNegativeInt, nonNegativeInt, nonNegativeInt, nonNegativeInt, nonNegativeInt,
  nonNegativeInt, z.number().nonnegative(), nonNegativeInt], z.string()).refine((round) => round.length <= 10, 'a round has at most one stop reason')
export const packedRoundsSchema = z.array(packedRoundSchema)

export interface MigrationDetail extends MigrationRow { rounds: RoundRow[] }

export const auditRowSchema = z.object({
  seq: int.positive(), runId: int.nullable(), atUs: nonNegativeInt.nullable(), wallAtMs: int, actor: z.string(),
  action: z.string(), payloadJson: z.string(), prevHash: z.string(), hash: z.string()
})
export type AuditRow = z.infer<typeof auditRowSchema>

export interface MigrationFilters {
  runId?: number
  vmId?: string
  /** Matches the source or the target host. */
  hostId?: string
  outcome?: MigrationOutcome
  /** Start time at or after this virtual time. */
  sinceUs?: number
  /** Start time strictly before this virtual time. */
  untilUs?: number
}

export const SORT_KEYS = ['start', 'downtime', 'total'] as const
export type MigrationSortKey = (typeof SORT_KEYS)[number]
export type SortDirection = 'asc' | 'desc'
export interface MigrationSort { key: MigrationSortKey; direction: SortDirection }

export interface ListQuery {
  filters?: MigrationFilters
  /** Default: start time, newest first. */
  sort?: MigrationSort
  /** From a previous page's nextCursor; must come from the same sort. */
  cursor?: string
  /** Rows per page, 1…1000; default 50. */
  limit?: number
  /** Rows to skip (only without a cursor); prefer the cursor on big tables. */
  offset?: number
}

export interface MigrationPage {
  rows: MigrationRow[]
  /** Absent (null) on the last page. */
  nextCursor: string | null
}

export interface Distribution { meanUs: number; p50Us: number; p95Us: number; maxUs: number }

export interface HistoryStats {
  runs: number
  migrations: number
  byOutcome: Record<MigrationOutcome, number>
  byTrigger: Record<MigrationTrigger, number>
  /** Null when no migration matches. */
  downtime: Distribution | null
  total: Distribution | null
  bytesSent: number
  rounds: number
  decisions: number
  faults: number
  auditEntries: number
}

export interface AuditVerdict {
  ok: boolean
  /** Audit entries whose link and hash were checked. */
  checked: number
  /** The first entry (by seq) where the chain breaks; absent when the chain holds. */
  firstBadSeq?: number
  /** The first row (table and id) that fails its row hash or seal, or is missing or unsealed; absent when none. */
  firstBadRow?: { table: string; id: number }
  /** Why the check failed (chain, seals, integrity_check, foreign keys or rounds); absent when ok. */
  reason?: string
  /** Rows of runs, migrations (with their rounds), policy_decisions and faults checked against their seals. */
  sealedRows: number
  /** PRAGMA integrity_check output: ['ok'] on a sound file. */
  integrity: string[]
  /** Where the remaining chain starts: 1, or one past the latest prune checkpoint. */
  firstSeq: number
  headSeq: number
  /** The chain head's hash (what an anchor records). */
  headHash: string
  /** Non-fatal findings, e.g. an append-only trigger that was dropped. */
  warnings: string[]
}

export interface PruneCutoff {
  /** Prune runs that finished (or started, if unfinished) before this wall time, and older audit entries. */
  beforeWallMs?: number
  /** Prune migrations, decisions and faults that ended before this virtual time in every run. */
  beforeUs?: number
  /** Recorded in the audit entry that logs the prune; default 'cutover'. */
  actor?: string
}

export interface PruneResult {
  runsDeleted: number
  migrationsDeleted: number
  decisionsDeleted: number
  faultsDeleted: number
  auditPruned: number
  /** The checkpoint written (the last pruned seq); null when no audit entry was pruned. */
  checkpointSeq: number | null
}
