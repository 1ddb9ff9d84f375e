// `--db PATH` for headless runs: one history run per invocation, its records written in batches (one
// transaction each, so a crash loses at most the open batch), then the run's end time and trace hash.
// The database is created when missing; a file that is not a history database is a usage error.
import { ENGINE_VERSION, type WorldRecord } from '../../engine/index'
import { HistoryDbError, openHistoryDb, type HistoryDb } from '../../migrations-db'
import type { JsonValue } from '../../migrations-db/types'
import { APP_VERSION } from '../../main/app-version'
import { HistoryRecorder, type RecorderTimers } from '../../main/history/recorder'
import { UsageError } from './errors'

/** A synchronous run never yields to timers: batches are flushed by size and at the end. */
const NO_TIMERS: RecorderTimers = { setTimeout: () => 0, clearTimeout: () => {} }

export interface RunHistoryStart {
  readonly scenario: string
  readonly scenarioJson: unknown
  readonly seed: number
  readonly policy: string
}

export class RunHistory {
  private writeError: unknown
  private readonly recorder: HistoryRecorder

  private constructor(private readonly db: HistoryDb, readonly path: string, readonly runId: number) {
    this.recorder = new HistoryRecorder(db, runId, { maxItems: 1000, timers: NO_TIMERS, onError: (error) => { this.writeError = error } })
  }

  static open(path: string, start: RunHistoryStart): RunHistory {
    let db: HistoryDb
    try {
      db = openHistoryDb(path)
    } catch (error) {
      if (error instanceof HistoryDbError) throw new UsageError(`--db ${path}: ${error.message}`)
      throw error
    }
    try {
      const runId = db.createRun({
        scenario: start.scenario, scenarioJson: start.scenarioJson as JsonValue, seed: start.seed, policy: start.policy,
        appVersion: APP_VERSION, engineVersion: ENGINE_VERSION
      })
      return new RunHistory(db, path, runId)
    } catch (error) {
      db.close()
      throw error
    }
  }

  record(records: readonly WorldRecord[]): void {
    this.recorder.record(records)
    this.throwIfFailed()
  }

  get recordedItems(): number {
    return this.recorder.flushed
  }

  /** Flushes what is left, stamps the run's end and closes the file. */
  finish(endUs: number, traceHash: string): void {
    try {
      this.recorder.flush()
      this.throwIfFailed()
      this.db.finishRun(this.runId, { endUs, traceHash })
    } finally {
      this.db.close()
    }
  }

  /** Closes without stamping the end (the run stays unfinished in the history), keeping what was written. */
  abandon(): void {
    try {
      this.recorder.flush()
    } finally {
      this.db.close()
    }
  }

  private throwIfFailed(): void {
    if (this.writeError === undefined) return
    const error = this.writeError
    this.writeError = undefined
    throw new Error(`--db ${this.path}: history write failed: ${(error as Error).message}`)
  }
}
