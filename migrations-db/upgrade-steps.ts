// Upgrade steps that SQL cannot express, by the migration file they complete. The runner runs a file's step
// right after the file's SQL, inside the same transaction, before it records the version: the upgrade to that
// version commits whole or not at all. A step is frozen once released, like its .sql file.
import type { Database } from 'better-sqlite3'
import { packRoundsTable } from './packed-rounds'

export type UpgradeStep = (db: Database) => void

export const UPGRADE_STEPS: Readonly<Record<string, UpgradeStep>> = {
  '0005_rounds_packed_into_migrations.sql': packRoundsTable
}
