// Messages between the engine host (main thread) and the engine worker. Plain structured-clone data. Every
// request carries an id and every answer (including a failure) echoes it, so each reply settles exactly the
// request it answers, whatever else is in flight.
import type { DropVerdict, EngineCommand, MigrationEstimateAnswer, MigrationEstimateRequest, WorldRecord, WorldSnapshot } from '../../engine/index'

export type ToWorkerBody =
  | { readonly type: 'load'; readonly scenario: unknown; readonly seed: number }
  | { readonly type: 'advance'; readonly toUs: number; readonly wantSnapshot: boolean }
  /** `wantSnapshot` false: the host takes the state from the advance it sends next (playing) or needs none (a replay). */
  | { readonly type: 'command'; readonly command: EngineCommand; readonly wantSnapshot: boolean }
  | { readonly type: 'snapshot' }
  | { readonly type: 'drop-verdicts'; readonly vmId: string }
  | { readonly type: 'migration-estimate'; readonly request: MigrationEstimateRequest }

export type ToWorker = ToWorkerBody & { readonly id: number }

/** Why the world halted (an engine error), or null while it runs. */
export type HaltReason = string | null

export type FromWorker =
  /** The new world replaced the old one; a load that fails leaves the old world in place. */
  | { readonly type: 'loaded'; readonly id: number; readonly snapshot: WorldSnapshot }
  /** The snapshot travels as JSON text: a string crosses threads cheaply and goes to the UI without re-encoding. */
  /** `workMs`: wall ms the worker spent advancing the world (not building the snapshot); absent from old/fake workers. */
  | { readonly type: 'advanced'; readonly id: number; readonly nowUs: number; readonly workMs?: number; readonly traceHash: string; readonly snapshotJson: string | null; readonly entities: number; readonly records: readonly WorldRecord[]; readonly errors: readonly string[]; readonly halted: HaltReason }
  /** The state after the command as JSON text like a paced snapshot, when asked for (else null and 0 entities). */
  | { readonly type: 'command-result'; readonly id: number; readonly ok: boolean; readonly detail: string; readonly nowUs: number; readonly traceHash: string; readonly snapshotJson: string | null; readonly entities: number; readonly records: readonly WorldRecord[]; readonly halted: HaltReason }
  | { readonly type: 'snapshot'; readonly id: number; readonly snapshot: WorldSnapshot }
  | { readonly type: 'drop-verdicts'; readonly id: number; readonly verdicts: readonly DropVerdict[] }
  /** The estimate, or why there is none (`refusal`). */
  | { readonly type: 'migration-estimate'; readonly id: number; readonly estimate: MigrationEstimateAnswer | null; readonly refusal: string | null }
  | { readonly type: 'failed'; readonly id: number; readonly message: string }
