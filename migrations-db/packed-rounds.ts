// A migration's rounds packed into its own row (schema 5, migrations.rounds_json) instead of one row each in
// migration_rounds: one B-tree insert per migration instead of six, and the stored text is exactly what the
// rounds hash covers (row-seal.ts packRounds). This module reads that text back (validated with zod), builds the
// SQL that expands it for the JSON export, and holds the upgrade step that packs a schema-4 file.
// Invariants: a packed round reads back as the same RoundRow the migration_rounds table gave; the upgrade packs
// with JSON.stringify of the values SQLite returns (SQLite's own JSON writes REALs as `1000.0` and with 17 digits,
// which would not hash like the seal), inside the runner's transaction for 0005, so a file is either schema 4
// with its table or schema 5 with every round packed.
import type { Database } from 'better-sqlite3'
import { HistoryDbError } from './errors'
import { packRounds, ROUND_SEAL_COLUMNS, roundValues } from './row-seal'
import type { RoundValues } from './row-seal'
import { packedRoundsSchema, roundRowSchema } from './types'
import type { RoundRow } from './types'

/** Whether this file keeps rounds packed in migrations (schema 5) rather than in migration_rounds (read-only older files). */
export function hasPackedRounds(db: Database): boolean {
  return db.prepare("SELECT COUNT(*) FROM pragma_table_info('migrations') WHERE name = 'rounds_json'").pluck().get() === 1
}

const ROUND_FIELDS = ['roundIndex', 'startUs', 'durationUs', 'pagesSent', 'pagesSkipped', 'zeroPagesSent', 'bytesSent', 'rateMbitPerS',
  'pagesDirtied'] as const

/**
 * What the migration_rounds table enforced, checked before packing: every count a non-negative integer, the rate
 * a finite number ≥ 0, round indexes strictly increasing (unique, and in the order the rounds hash covers).
 * Returns the first problem as `rounds[i].field …`, or undefined.
 */
export function roundsProblem(rounds: readonly RoundValues[]): string | undefined {
  for (let i = 0; i < rounds.length; i++) {
    const round = rounds[i]
    for (let f = 0; f < 9; f++) {
      const value = round[f] as number
      const ok = f === 7 ? Number.isFinite(value) && value >= 0 : Number.isSafeInteger(value) && value >= 0
      if (!ok) return `rounds[${i}].${ROUND_FIELDS[f]} must be ${f === 7 ? 'a finite number' : 'an integer'} >= 0 (got ${String(value)})`
    }
    if (i > 0 && round[0] <= rounds[i - 1][0]) {
      return `rounds[${i}].roundIndex ${round[0]} must be greater than the previous round's (${rounds[i - 1][0]})`
    }
    if (round.length > 9 && typeof round[9] !== 'string') return `rounds[${i}].stopReason must be a string or null`
  }
  return undefined
}

/** The rounds of migration `id` from its stored rounds_json, validated as the table's rows were. */
export function unpackRounds(id: number, roundsJson: string): RoundRow[] {
  let parsed: unknown
  try {
    parsed = JSON.parse(roundsJson)
  } catch {
    throw new HistoryDbError('corrupt', `migration ${id}: its stored rounds are not JSON`)
  }
  return packedRoundsSchema.parse(parsed).map((r) => roundRowSchema.parse({
    roundIndex: r[0], startUs: r[1], durationUs: r[2], pagesSent: r[3], pagesSkipped: r[4], zeroPagesSent: r[5], bytesSent: r[6],
    rateMbitPerS: r[7], pagesDirtied: r[8], stopReason: r[9] ?? null
  }))
}

/**
 * The export's nested rounds from rounds_json, as json_object of the same names and SQL types the table gave
 * (the rate is a REAL column there: CAST keeps `1000.0`, not `1000`). `value ->> 9` is NULL without a stop reason.
 */
export const PACKED_ROUNDS_EXPORT_SQL = `(SELECT json_group_array(json(json_object('roundIndex', r.value ->> 0, 'startUs', r.value ->> 1,
  'durationUs', r.value ->> 2, 'pagesSent', r.value ->> 3, 'pagesSkipped', r.value ->> 4, 'zeroPagesSent', r.value ->> 5,
  'bytesSent', r.value ->> 6, 'rateMbitPerS', CAST(r.value ->> 7 AS REAL), 'pagesDirtied', r.value ->> 8, 'stopReason', r.value ->> 9))
  ORDER BY r.key) FROM json_each(migrations.rounds_json) r)`

/**
 * Upgrade step of 0005 (runs inside its transaction, after its SQL added rounds_json): packs every migration's
 * rounds in round_index order, then drops migration_rounds. Frozen like an applied .sql file: files upgraded by it
 * were sealed with what it wrote. Migrations without rounds keep the column default '[]'.
 */
export function packRoundsTable(db: Database): void {
  // In chunks of migrations: a connection cannot update while a statement of it still iterates, and all() of
  // every round of a large file at once would hold them all in memory.
  const ids = db.prepare('SELECT id FROM migrations WHERE id > ? ORDER BY id LIMIT ?').pluck()
  const roundsIn = db.prepare(`SELECT migration_id, ${ROUND_SEAL_COLUMNS} FROM migration_rounds WHERE migration_id BETWEEN ? AND ?
    ORDER BY migration_id, round_index`).raw(true)
  const update = db.prepare('UPDATE migrations SET rounds_json = ? WHERE id = ?')
  let afterId = 0
  for (;;) {
    const chunk = ids.all(afterId, PACK_CHUNK_MIGRATIONS) as number[]
    if (chunk.length === 0) break
    const byMigration = new Map<number, RoundValues[]>()
    for (const row of roundsIn.all(chunk[0], chunk[chunk.length - 1]) as [number, ...(number | string | null)[]][]) {
      let list = byMigration.get(row[0])
      if (list === undefined) { list = []; byMigration.set(row[0], list) }
      list.push(roundValues(row.slice(1)))
    }
    for (const [id, rounds] of byMigration) update.run(packRounds(rounds), id)
    afterId = chunk[chunk.length - 1]
  }
  // Every round must have found its migration (a file written with foreign keys off can hold orphans): dropping
  // the table otherwise loses them, so the upgrade fails and its transaction leaves the file at schema 4.
  const tableRounds = db.prepare('SELECT COUNT(*) FROM migration_rounds').pluck().get() as number
  const packedRounds = db.prepare('SELECT COALESCE(SUM(json_array_length(rounds_json)), 0) FROM migrations').pluck().get() as number
  if (packedRounds !== tableRounds) {
    throw new Error(`migration_rounds holds ${tableRounds} rounds but ${packedRounds} belong to a migration: ${tableRounds - packedRounds} orphan rounds would be lost`)
  }
  // A child table: dropping it cascades into nothing, so foreign keys can stay on.
  db.exec('DROP TABLE migration_rounds')
}

const PACK_CHUNK_MIGRATIONS = 2000
