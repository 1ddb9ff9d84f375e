// Messages between the engine host (main thread) and the engine worker. Plain structured-clone data.
import type { DropVerdict, EngineCommand, WorldRecord, WorldSnapshot } from '../../engine/index'
export type ToWorker =
  | { readonly type: 'load'; readonly scenario: unknown; readonly seed: number }
  | { readonly type: 'advance'; readonly toUs: number; readonly wantSnapshot: boolean }
  | { readonly type: 'command'; readonly id: number; readonly command: EngineCommand }
  | { readonly type: 'snapshot'; readonly id: number }
  | { readonly type: 'drop-verdicts'; readonly id: number; readonly vmId: string }

export type FromWorker =
  | { readonly type: 'loaded'; readonly snapshot: WorldSnapshot }
  /** The snapshot travels as JSON text: a string crosses threads cheaply and goes to the UI without re-encoding. */
  | { readonly type: 'advanced'; readonly nowUs: number; readonly traceHash: string; readonly snapshotJson: string | null; readonly entities: number; readonly records: readonly WorldRecord[]; readonly errors: readonly string[] }
  | { readonly type: 'command-result'; readonly id: number; readonly ok: boolean; readonly detail: string; readonly snapshot: WorldSnapshot; readonly records: readonly WorldRecord[] }
  | { readonly type: 'snapshot'; readonly id: number; readonly snapshot: WorldSnapshot }
  | { readonly type: 'drop-verdicts'; readonly id: number; readonly verdicts: readonly DropVerdict[] }
  | { readonly type: 'failed'; readonly id?: number; readonly message: string }
