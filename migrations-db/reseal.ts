// Seals after a prune: the seal ranges the chain held, narrowed to the rows the prune left (ranges it emptied
// are dropped, untouched ones copied), and every remaining run's hash. Called inside prune's transaction, after
// prune verified the history, so the stored row hashes it reads are the ones the seals vouched for.
import type { Database } from 'better-sqlite3'
import { SealDigest, SEALED_TABLE_SQL, SEALED_TABLES } from './row-seal'
import type { SealedTable, SealRange } from './row-seal'
import type { LiveSeals } from './verify'

export interface SealState {
  migrations: SealRange[]
  decisions: SealRange[]
  faults: SealRange[]
  runs: [number, string][]
}

export function resealAfterPrune(db: Database, live: LiveSeals): SealState {
  const state: SealState = { migrations: [], decisions: [], faults: [], runs: [] }
  for (const table of SEALED_TABLES) {
    const sqlTable = SEALED_TABLE_SQL[table]
    const count = db.prepare(`SELECT COUNT(*) FROM ${sqlTable} WHERE id BETWEEN ? AND ?`).pluck()
    const hashes = db.prepare(`SELECT id, ${sealColumns(table)} FROM ${sqlTable} WHERE id BETWEEN ? AND ? ORDER BY id`).raw(true)
    for (const { range } of live.ranges[table]) {
      const [first, last, expected] = range
      const remaining = count.get(first, last) as number
      if (remaining === expected) { state[table].push(range); continue }
      if (remaining === 0) continue
      const digest = new SealDigest()
      let low = Number.POSITIVE_INFINITY
      let high = 0
      for (const row of hashes.iterate(first, last) as Iterable<[number, string]>) {
        digest.add(row[1])
        low = Math.min(low, row[0])
        high = Math.max(high, row[0])
      }
      state[table].push([low, high, digest.count, digest.hex()])
    }
  }
  state.runs = db.prepare('SELECT id, row_hash FROM runs ORDER BY id').raw(true).all() as [number, string][]
  return state
}

/** The text a row contributes to its seal digest (see SealDigest): row hash, plus the rounds hash for migrations. */
export function sealColumns(table: SealedTable): string {
  return table === 'migrations' ? 'row_hash || rounds_hash' : 'row_hash'
}
