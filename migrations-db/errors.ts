// The one error type the history store throws at its callers: a kind to branch on and a one-line message
// fit for a CLI's stderr or an app dialog. Raw SQLite errors are translated here, never leaked.
import { z } from 'zod'

export type HistoryDbErrorKind =
  | 'not-found'        // the file does not exist and the caller asked for an existing one
  | 'not-a-database'   // the file is not SQLite at all
  | 'empty'            // the file exists but holds 0 bytes (a read-only open cannot give it a schema)
  | 'corrupt'          // SQLite reports a malformed or truncated database
  | 'newer-version'    // the database was written by a newer Cutover
  | 'migration-changed' // an applied migration file was edited or renamed
  | 'migration-missing' // an applied migration file is gone
  | 'migration-failed' // a pending migration failed and was rolled back
  | 'read-only'        // a read-only connection was asked to write or upgrade
  | 'busy'             // another connection held the lock longer than the busy timeout
  | 'invalid-argument' // a caller passed a bad cursor, id or batch
  | 'internal'         // anything else SQLite raised

export class HistoryDbError extends Error {
  override readonly name = 'HistoryDbError'
  constructor(readonly kind: HistoryDbErrorKind, message: string, options?: { cause?: unknown }) {
    super(oneLine(message), options)
  }
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, '; ').trim()
}

const SQLITE_CODE_KINDS: Record<string, HistoryDbErrorKind> = {
  SQLITE_NOTADB: 'not-a-database',
  SQLITE_CORRUPT: 'corrupt',
  SQLITE_CORRUPT_INDEX: 'corrupt',
  SQLITE_CORRUPT_SEQUENCE: 'corrupt',
  SQLITE_CORRUPT_VTAB: 'corrupt',
  SQLITE_IOERR_SHORT_READ: 'corrupt',
  SQLITE_READONLY: 'read-only',
  SQLITE_BUSY: 'busy',
  SQLITE_BUSY_SNAPSHOT: 'busy',
  SQLITE_CANTOPEN: 'not-found'
}

/** Wraps any error raised while touching `path` into a HistoryDbError with a readable message. */
export function toHistoryDbError(error: unknown, path: string): HistoryDbError {
  if (error instanceof HistoryDbError) return error
  if (error instanceof z.ZodError) {
    const issue = error.issues[0]
    return new HistoryDbError('corrupt', `history database ${path}: a stored row does not match the schema (${issue.path.join('.')}: ${issue.message})`, { cause: error })
  }
  const code = typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : ''
  const detail = error instanceof Error ? error.message : String(error)
  const kind = SQLITE_CODE_KINDS[code] ?? (code.startsWith('SQLITE_CORRUPT') ? 'corrupt' : code.startsWith('SQLITE_CONSTRAINT') ? 'invalid-argument' : 'internal')
  const described = describeKind(kind, path)
  return new HistoryDbError(kind, described === undefined ? `history database ${path}: ${detail}` : `${described} (SQLite: ${detail})`, { cause: error })
}

function describeKind(kind: HistoryDbErrorKind, path: string): string | undefined {
  switch (kind) {
    case 'not-a-database': return `${path} is not a Cutover history database (not a SQLite file)`
    case 'corrupt': return `history database ${path} is corrupt or truncated`
    case 'read-only': return `history database ${path} is read-only here`
    case 'busy': return `history database ${path} is locked by another writer`
    case 'not-found': return `cannot open history database ${path}`
    default: return undefined
  }
}
