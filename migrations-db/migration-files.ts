// Loads the forward-only SQL migration files that sit beside this module. Invariants: versions come from
// file names (NNNN_snake_name.sql) only, are unique, start at 1 and have no gaps; checksum = SHA-256 of the text.
import { createHash } from 'node:crypto'
import { readdirSync, readFileSync } from 'node:fs'

export interface MigrationFile {
  version: number
  name: string
  fileName: string
  sql: string
  /** Hex SHA-256 of the file text exactly as read (UTF-8). */
  checksum: string
}

const FILE_NAME = /^(\d{4})_([a-z0-9]+(?:_[a-z0-9]+)*)\.sql$/
// BEGIN…; / COMMIT; / ROLLBACK; / SAVEPOINT; / RELEASE; as statements (a trigger's BEGIN … END; is allowed).
const TRANSACTION_CONTROL =
  /^\s*(BEGIN(\s+(DEFERRED|IMMEDIATE|EXCLUSIVE))?(\s+TRANSACTION)?|COMMIT(\s+TRANSACTION)?|ROLLBACK[^;]*|SAVEPOINT\s+\w+|RELEASE[^;]*)\s*;/im

export const MIGRATIONS_DIR = new URL('./', import.meta.url)

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex')
}

/** Parses `0001_init.sql` into its version and name; undefined for anything that is not a migration file. */
export function parseMigrationFileName(fileName: string): { version: number; name: string } | undefined {
  const match = FILE_NAME.exec(fileName)
  if (match === null) return undefined
  return { version: Number(match[1]), name: match[2] }
}

/** Reads every migration file in `dir` (default: this folder), sorted and checked for a gap-free sequence. */
export function loadMigrationFiles(dir: URL = MIGRATIONS_DIR): MigrationFile[] {
  const files = readdirSync(dir)
    .filter((fileName) => fileName.endsWith('.sql'))
    .map((fileName) => readMigrationFile(dir, fileName))
    .sort((a, b) => a.version - b.version)
  files.forEach((file, index) => {
    if (file.version !== index + 1) {
      throw new Error(`migration files must be numbered 0001, 0002, … without gaps or duplicates; found ${file.fileName} at position ${index + 1}`)
    }
  })
  return files
}

function readMigrationFile(dir: URL, fileName: string): MigrationFile {
  const parsed = parseMigrationFileName(fileName)
  if (parsed === undefined) throw new Error(`migration file ${fileName}: name must look like 0001_snake_name.sql`)
  const sql = readFileSync(new URL(fileName, dir), 'utf8')
  if (TRANSACTION_CONTROL.test(stripComments(sql))) {
    throw new Error(`migration file ${fileName}: must not control transactions (the runner wraps each file in one)`)
  }
  return { ...parsed, fileName, sql, checksum: sha256Hex(sql) }
}

function stripComments(sql: string): string {
  return sql.replace(/--[^\n]*/g, '')
}
