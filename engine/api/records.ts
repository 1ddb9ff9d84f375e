// What a running world hands to the history: finished migrations with their rounds, policy decisions, faults
// and audit entries, as plain DTOs in the history repository's shape (the run id is added by the recorder).
import type { Outcome, Trigger } from './names'
import type { RoundRecord } from './rounds'

export type { RoundRecord }

export interface MigrationRecord {
  /** The engine's id for the migration in its run (`mig-000006`, as snapshots and the Migrations view show it). */
  readonly migrationId?: string
  readonly vmId: string
  readonly sourceHostId: string
  readonly targetHostId: string
  readonly strategy: string
  readonly trigger: Trigger
  readonly reason: string
  readonly outcome: Outcome
  readonly abortReason?: string
  readonly startUs: number
  readonly endUs: number
  readonly downtimeUs: number
  readonly bytesSent: number
  /** Absent when the migration was not verified (the estimate model moves no pages). */
  readonly lostWrites?: number
  readonly rounds: readonly RoundRecord[]
}

export type JsonLike = string | number | boolean | null | JsonLike[] | { [key: string]: JsonLike }

export type WorldRecord =
  | { readonly kind: 'migration'; readonly migration: MigrationRecord }
  | { readonly kind: 'decision'; readonly decision: { readonly atUs: number; readonly policy: string; readonly inputs: JsonLike; readonly chosen: JsonLike; readonly rejected: readonly { readonly action: JsonLike; readonly reason: string }[] } }
  | { readonly kind: 'fault'; readonly fault: { readonly atUs: number; readonly kind: string; readonly targetId: string; readonly detail?: JsonLike } }
  | { readonly kind: 'audit'; readonly audit: { readonly actor: string; readonly action: string; readonly payload: JsonLike; readonly atUs?: number } }
