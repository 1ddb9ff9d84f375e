// The history recorder: engine records → the history repository in batches. A batch is flushed when it
// reaches `maxItems` or `maxDelayMs` after its first item, in one transaction, so a crash loses at most
// the open batch and never corrupts earlier history. The timer is injected, so tests drive it.
import type { AuditInput, DecisionInput, FaultInput, HistoryBatch, MigrationInput } from '../../migrations-db/types'
import type { WorldRecord } from '../../engine/index'
/** What the engine host hands over (the world's records); the run id is added here. */
export type HistoryRecord = WorldRecord

export interface BatchSink {
  recordBatch(batch: HistoryBatch): unknown
}

export interface RecorderTimers {
  setTimeout(action: () => void, delayMs: number): unknown
  clearTimeout(handle: unknown): void
}

export interface RecorderOptions {
  readonly maxItems?: number
  readonly maxDelayMs?: number
  readonly timers?: RecorderTimers
  readonly onError?: (error: unknown) => void
}

const realTimers: RecorderTimers = {
  setTimeout: (action, delayMs) => setTimeout(action, delayMs),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>)
}

export class HistoryRecorder {
  private pending: HistoryRecord[] = []
  private timer: unknown
  private flushedItems = 0
  private readonly maxItems: number
  private readonly maxDelayMs: number
  private readonly timers: RecorderTimers

  constructor(private readonly sink: BatchSink, private runId: number, private readonly options: RecorderOptions = {}) {
    this.maxItems = options.maxItems ?? 500
    this.maxDelayMs = options.maxDelayMs ?? 250
    this.timers = options.timers ?? realTimers
  }

  get pendingItems(): number {
    return this.pending.length
  }

  get flushed(): number {
    return this.flushedItems
  }

  /** Later records belong to another run (a new scenario was loaded); flushes the open batch first. */
  switchRun(runId: number): void {
    this.flush()
    this.runId = runId
  }

  record(records: readonly HistoryRecord[]): void {
    if (records.length === 0) return
    this.pending.push(...records)
    if (this.pending.length >= this.maxItems) this.flush()
    else if (this.timer === undefined) this.timer = this.timers.setTimeout(() => this.flush(), this.maxDelayMs)
  }

  /** Writes the open batch in one transaction. A failed write is reported and the batch kept for retry. */
  flush(): void {
    if (this.timer !== undefined) this.timers.clearTimeout(this.timer)
    this.timer = undefined
    if (this.pending.length === 0) return
    const batch = toBatch(this.pending, this.runId)
    try {
      this.sink.recordBatch(batch)
      this.flushedItems += this.pending.length
      this.pending = []
    } catch (error) {
      this.options.onError?.(error)
      this.timer = this.timers.setTimeout(() => this.flush(), this.maxDelayMs * 4)
    }
  }
}

export function toBatch(records: readonly HistoryRecord[], runId: number): HistoryBatch {
  const migrations: MigrationInput[] = []
  const decisions: DecisionInput[] = []
  const faults: FaultInput[] = []
  const audit: AuditInput[] = []
  for (const record of records) {
    switch (record.kind) {
      case 'migration': {
        const { migrationId, ...migration } = record.migration
        migrations.push({ ...migration, ...(migrationId === undefined ? {} : { engineId: migrationId }), rounds: [...migration.rounds], runId })
        break
      }
      case 'decision': decisions.push({ ...record.decision, rejected: [...record.decision.rejected], runId } as DecisionInput); break
      case 'fault': faults.push({ ...record.fault, runId } as FaultInput); break
      case 'audit': audit.push({ ...record.audit, runId } as AuditInput); break
    }
  }
  return { migrations, decisions, faults, audit }
}
