// `cutover history list|show|export|stats|verify|prune --db PATH`: the auditor's view of the SQLite history.
// Exit codes: 2 for a bad flag (named), 3 when verify finds a broken audit chain or a corrupt file, 1 for any
// other failure (missing, non-SQLite, truncated or newer-version database: one line on stderr).
import type { Command } from 'commander'
import { createWriteStream, readFileSync, realpathSync, writeFileSync } from 'node:fs'
import { finished } from 'node:stream/promises'
import {
  anchorProblem, createAnchor, EXPORT_FORMATS, EXPORT_TABLES, HistoryDbError, LIMIT_MAX, MIGRATION_OUTCOMES, openHistoryDb, readAnchor,
  SORT_KEYS, writeExport
} from '../../migrations-db'
import type {
  ExportFormat, ExportTable, HistoryDb, MigrationFilters, MigrationOutcome, MigrationRow, MigrationSortKey, SortDirection
} from '../../migrations-db'
import { IntegrityError, UsageError } from '../support/errors'
import { checkWritableFile, parseChoiceFlag, parseNumberFlag, printJson } from '../support/flags'

interface DbOptions { db: string; json?: boolean }
interface FilterOptions {
  vm?: string; host?: string; outcome?: MigrationOutcome; run?: number; since?: number; until?: number
}
interface ListOptions extends DbOptions, FilterOptions {
  limit: number; offset?: number; cursor?: string; sort: MigrationSortKey; order: SortDirection
}
interface ExportOptions extends DbOptions, FilterOptions { format: ExportFormat; table: ExportTable; out?: string }
interface PruneOptions extends DbOptions { before?: number; beforeUs?: number }
interface VerifyOptions extends DbOptions { key?: string; anchor?: string; writeAnchor?: string }

export function registerHistoryCommand(program: Command): void {
  const history = program.command('history')
    .description('query, export, verify and prune the migration history and its audit log (SQLite)')
  addList(history)
  addShow(history)
  addExport(history)
  addStats(history)
  addVerify(history)
  addPrune(history)
}

function dbCommand(parent: Command, name: string, description: string): Command {
  return parent.command(name).description(description)
    .requiredOption('--db <path>', 'history database file')
}

function withFilters(command: Command): Command {
  return command
    .option('--vm <id>', 'only migrations of this VM')
    .option('--host <id>', 'only migrations from or to this host')
    .option('--outcome <outcome>', `only this outcome (${MIGRATION_OUTCOMES.join(', ')})`, parseChoiceFlag('--outcome', MIGRATION_OUTCOMES))
    .option('--run <id>', 'only migrations of this run', parseNumberFlag('--run', { min: 1, max: Number.MAX_SAFE_INTEGER, integer: true }))
    .option('--since <time>', 'start time at or after this virtual time (µs, or with us/ms/s/m/h)', parseVirtualTime('--since'))
    .option('--until <time>', 'start time before this virtual time (µs, or with us/ms/s/m/h)', parseVirtualTime('--until'))
}

function addList(history: Command): void {
  withFilters(dbCommand(history, 'list', 'list migrations, newest first (filter, sort, page)'))
    .option('--sort <key>', `sort by ${SORT_KEYS.join(', ')}`, parseChoiceFlag('--sort', SORT_KEYS), 'start')
    .option('--order <dir>', 'asc or desc', parseChoiceFlag('--order', ['asc', 'desc'] as const), 'desc')
    .option('--limit <n>', `rows per page (1-${LIMIT_MAX})`, parseNumberFlag('--limit', { min: 1, max: LIMIT_MAX, integer: true }), 50)
    .option('--offset <n>', 'rows to skip', parseNumberFlag('--offset', { min: 0, max: Number.MAX_SAFE_INTEGER, integer: true }))
    .option('--cursor <cursor>', 'continue after a previous page (its nextCursor)')
    .option('--json', 'one JSON document on stdout')
    .action((options: ListOptions) => {
      if (options.cursor !== undefined && options.offset !== undefined) throw new UsageError('--cursor: cannot be combined with --offset')
      withDb(options.db, 'read', (db) => {
        const filters = toFilters(options)
        const page = asUsage('--cursor', () => db.listMigrations({
          filters, sort: { key: options.sort, direction: options.order }, limit: options.limit, offset: options.offset, cursor: options.cursor
        }))
        const total = db.countMigrations(filters)
        if (options.json) printJson({ total, rows: page.rows, nextCursor: page.nextCursor })
        else printMigrationTable(page.rows, total, page.nextCursor)
      })
    })
}

function addShow(history: Command): void {
  dbCommand(history, 'show', 'one migration with its rounds')
    .argument('<id>', 'the ROW column of history list, or the engine\'s id (mig-000006; with --run when several runs have it)', parseShowId)
    .option('--run <id>', 'the run of an engine id', parseNumberFlag('--run', { min: 1, max: Number.MAX_SAFE_INTEGER, integer: true }))
    .option('--json', 'one JSON document on stdout')
    .action((id: number | string, options: DbOptions & { run?: number }) => {
      withDb(options.db, 'read', (db) => {
        const rowId = typeof id === 'number' ? id : rowIdOf(db, id, options.run, options.db)
        const migration = db.getMigration(rowId)
        if (migration === null) throw new Error(`migration ${id} not found in ${options.db}`)
        if (options.json) { printJson(migration); return }
        const { rounds, ...fields } = migration
        for (const [key, value] of Object.entries(fields)) process.stdout.write(`${key.padEnd(14)} ${formatField(key, value)}\n`)
        printTable(['ROUND', 'START', 'DURATION', 'PAGES', 'SKIPPED', 'ZERO', 'BYTES', 'RATE Mbit/s', 'DIRTIED', 'STOP REASON'], rounds.map((r) => [
          String(r.roundIndex), formatUs(r.startUs), formatUs(r.durationUs), String(r.pagesSent), String(r.pagesSkipped),
          String(r.zeroPagesSent), String(r.bytesSent), (Math.round(r.rateMbitPerS * 10) / 10).toString(), String(r.pagesDirtied),
          r.stopReason ?? '-']))
      })
    })
}

function addExport(history: Command): void {
  withFilters(dbCommand(history, 'export', 'stream migrations, decisions or the audit log as CSV or JSON'))
    .requiredOption('--format <format>', 'csv or json', parseChoiceFlag('--format', EXPORT_FORMATS))
    .option('--table <table>', `what to export (${EXPORT_TABLES.join(', ')})`, parseChoiceFlag('--table', EXPORT_TABLES), 'migrations')
    .option('--out <file>', 'write to this file instead of stdout')
    .action(async (options: ExportOptions) => {
      if (options.out !== undefined) checkWritableFile('--out', options.out)
      await withDbAsync(options.db, async (db) => {
        const chunks = db.exportChunks({ format: options.format, table: options.table, filters: toFilters(options) })
        if (options.out === undefined) { await writeToStdout(chunks); return }
        const file = createWriteStream(options.out)
        const chars = await writeExport(chunks, file)
        file.end()
        await finished(file)
        process.stderr.write(`exported ${options.table} as ${options.format} to ${options.out} (${chars} characters)\n`)
      })
    })
}

function addStats(history: Command): void {
  withFilters(dbCommand(history, 'stats', 'counts, outcomes, downtime and total-time distributions'))
    .option('--json', 'one JSON document on stdout')
    .action((options: DbOptions & FilterOptions) => {
      withDb(options.db, 'read', (db) => {
        const stats = db.stats(toFilters(options))
        if (options.json) { printJson(stats); return }
        const lines: [string, string][] = [
          ['runs', String(stats.runs)], ['migrations', String(stats.migrations)],
          ['by outcome', Object.entries(stats.byOutcome).map(([k, v]) => `${k} ${v}`).join(', ')],
          ['by trigger', Object.entries(stats.byTrigger).map(([k, v]) => `${k} ${v}`).join(', ')],
          ['downtime', formatDistribution(stats.downtime)], ['total time', formatDistribution(stats.total)],
          ['bytes sent', String(stats.bytesSent)], ['rounds', String(stats.rounds)],
          ['decisions', String(stats.decisions)], ['faults', String(stats.faults)], ['audit entries', String(stats.auditEntries)]
        ]
        for (const [label, value] of lines) process.stdout.write(`${label.padEnd(14)} ${value}\n`)
      })
    })
}

function addVerify(history: Command): void {
  dbCommand(history, 'verify', 'walk the audit hash chain, check every row against its seal and run PRAGMA integrity_check (exit 3 on failure)')
    .option('--key <file>', 'HMAC key file kept outside the database (at least 16 random bytes), for --anchor and --write-anchor')
    .option('--anchor <file>', 'also check that the history still contains the head recorded in this signed anchor (catches rewrites and rollbacks)')
    .option('--write-anchor <file>', 'after a successful verify, write a signed anchor of the current head to this file')
    .option('--json', 'one JSON document on stdout')
    .action((options: VerifyOptions) => {
      const key = anchorKey(options)
      withDb(options.db, 'read', (db) => {
        const verdict = db.verifyAudit()
        const anchorCheck = options.anchor === undefined || key === undefined ? undefined : checkAnchorFile(options.anchor, key, db)
        if (options.json) printJson(anchorCheck === undefined ? verdict : { ...verdict, anchor: anchorCheck })
        for (const warning of verdict.warnings) process.stderr.write(`warning: ${warning}\n`)
        if (!verdict.ok) {
          const where = verdict.firstBadSeq !== undefined ? ` at audit seq ${verdict.firstBadSeq}`
            : verdict.firstBadRow !== undefined ? ` at ${verdict.firstBadRow.table} row ${verdict.firstBadRow.id}` : ''
          throw new IntegrityError(`verify failed${where}: ${verdict.reason ?? 'unknown reason'}`)
        }
        if (anchorCheck !== undefined && !anchorCheck.ok) throw new IntegrityError(`verify failed against the anchor ${options.anchor}: ${anchorCheck.reason}`)
        if (options.writeAnchor !== undefined && key !== undefined) {
          const anchor = createAnchor({ headSeq: verdict.headSeq, headHash: verdict.headHash, sealedRows: verdict.sealedRows }, key, Date.now())
          writeFileSync(options.writeAnchor, `${JSON.stringify(anchor, null, 2)}\n`)
        }
        if (!options.json) {
          process.stdout.write(`ok: ${verdict.checked} audit entries verified (seq ${verdict.firstSeq}…${verdict.headSeq}), ` +
            `${verdict.sealedRows} rows match their seals; integrity_check ok\n`)
          if (anchorCheck !== undefined) process.stdout.write(`ok: the history still holds the anchored head (seq ${anchorCheck.headSeq})\n`)
          if (options.writeAnchor !== undefined) process.stdout.write(`anchor of seq ${verdict.headSeq} written to ${options.writeAnchor}\n`)
        }
      }, { corruptIsIntegrity: true })
    })
}

/** The key file for the keyed mode: required by --anchor and --write-anchor, never the database itself. */
function anchorKey(options: VerifyOptions): Buffer | undefined {
  const wanted = options.anchor ?? options.writeAnchor
  if (options.key === undefined) {
    if (wanted !== undefined) throw new UsageError(`--key: ${options.anchor !== undefined ? '--anchor' : '--write-anchor'} needs a key file (--key FILE)`)
    return undefined
  }
  let key: Buffer
  try {
    key = readFileSync(options.key)
    if (realpathSync(options.key) === realpathSync(options.db)) throw new UsageError('--key: the key must not be the database itself')
  } catch (error) {
    if (error instanceof UsageError) throw error
    throw new UsageError(`--key: cannot read ${options.key} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`)
  }
  if (key.length < 16) throw new UsageError(`--key: ${options.key} holds ${key.length} bytes; use at least 16 random bytes (e.g. head -c 32 /dev/urandom > key)`)
  return key
}

function checkAnchorFile(path: string, key: Buffer, db: HistoryDb): { ok: boolean; headSeq: number; reason?: string } {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (error) {
    throw new UsageError(`--anchor: cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`)
  }
  let anchor
  try {
    anchor = readAnchor(text, key)
  } catch (error) {
    if (error instanceof HistoryDbError && error.kind === 'corrupt') return { ok: false, headSeq: -1, reason: error.message }
    throw new UsageError(`--anchor: ${path}: ${(error as Error).message}`)
  }
  const problem = anchorProblem(anchor, db.anchorChain())
  return problem === undefined ? { ok: true, headSeq: anchor.headSeq } : { ok: false, headSeq: anchor.headSeq, reason: problem }
}

function addPrune(history: Command): void {
  dbCommand(history, 'prune', 'delete history older than a cutoff; the audit chain stays verifiable via a checkpoint')
    .option('--before <date>', 'wall-clock cutoff (ISO 8601, e.g. 2025-01-31T00:00:00Z): runs and audit entries before it', parseWallTime('--before'))
    .option('--before-us <time>', 'virtual-time cutoff: migrations, decisions and faults that ended before it, in every run', parseVirtualTime('--before-us'))
    .option('--json', 'one JSON document on stdout')
    .action((options: PruneOptions) => {
      if (options.before === undefined && options.beforeUs === undefined) throw new UsageError('--before: give --before DATE or --before-us TIME')
      withDb(options.db, 'write', (db) => {
        const result = db.prune({ beforeWallMs: options.before, beforeUs: options.beforeUs, actor: 'cli' })
        if (options.json) { printJson(result); return }
        process.stdout.write(`pruned ${result.runsDeleted} runs, ${result.migrationsDeleted} migrations, ${result.decisionsDeleted} decisions, ` +
          `${result.faultsDeleted} faults, ${result.auditPruned} audit entries` +
          `${result.checkpointSeq === null ? '' : ` (checkpoint at seq ${result.checkpointSeq})`}\n`)
      })
    })
}

/** A reader that stops early (`| head`) closes the pipe: that ends the export quietly, like other Unix tools. */
async function writeToStdout(chunks: Generator<string>): Promise<void> {
  try {
    await writeExport(chunks, process.stdout)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPIPE') throw error
    chunks.return(undefined)
  }
}

/** Opens, runs, closes. Read commands open read-only (never writing the file), and upgrade read-write only a schema-1 file. */
function withDb(path: string, mode: 'read' | 'write', body: (db: HistoryDb) => void, options: { corruptIsIntegrity?: boolean } = {}): void {
  let db: HistoryDb | undefined
  try {
    db = openForCli(path, mode)
    body(db)
  } catch (error) {
    // An emptied file is as much an integrity failure as a corrupt one: nothing is left to verify.
    if (options.corruptIsIntegrity && error instanceof HistoryDbError && (error.kind === 'corrupt' || error.kind === 'empty')) {
      throw new IntegrityError(`verify failed: ${error.message}`)
    }
    throw error
  } finally {
    db?.close()
  }
}

async function withDbAsync(path: string, body: (db: HistoryDb) => Promise<void>): Promise<void> {
  const db = openForCli(path, 'read')
  try {
    await body(db)
  } finally {
    db.close()
  }
}

function openForCli(path: string, mode: 'read' | 'write'): HistoryDb {
  if (mode === 'write') return openHistoryDb(path, { mustExist: true })
  try {
    return openHistoryDb(path, { readonly: true })
  } catch (error) {
    if (error instanceof HistoryDbError && error.kind === 'read-only') return openHistoryDb(path, { mustExist: true })
    throw error
  }
}

/** A store-side invalid argument (e.g. a foreign cursor) is a usage error of `flag`. */
function asUsage<T>(flag: string, body: () => T): T {
  try {
    return body()
  } catch (error) {
    if (error instanceof HistoryDbError && error.kind === 'invalid-argument') throw new UsageError(`${flag}: ${error.message}`)
    throw error
  }
}

function toFilters(options: FilterOptions): MigrationFilters {
  return { vmId: options.vm, hostId: options.host, outcome: options.outcome, runId: options.run, sinceUs: options.since, untilUs: options.until }
}

const UNIT_US: Record<string, number> = { us: 1, 'µs': 1, ms: 1e3, s: 1e6, m: 60e6, h: 3600e6 }

/** Virtual time: integer µs, or a number with a unit (250ms, 1.5s, 2m, 1h). */
export function parseVirtualTime(flag: string): (raw: string) => number {
  return (raw: string) => {
    const match = /^(\d+(?:\.\d+)?)(us|µs|ms|s|m|h)?$/.exec(raw.trim())
    if (match === null) throw new UsageError(`${flag}: expected a virtual time like 250000, 250ms or 1.5s, got "${raw}"`)
    const valueUs = Math.round(Number(match[1]) * UNIT_US[match[2] ?? 'us'])
    if (!Number.isSafeInteger(valueUs)) throw new UsageError(`${flag}: ${raw} is out of range`)
    return valueUs
  }
}

/** Wall time: an ISO 8601 date or date-time; returns ms since the epoch. */
export function parseWallTime(flag: string): (raw: string) => number {
  return (raw: string) => {
    const valueMs = /^\d{4}-\d{2}-\d{2}/.test(raw) ? Date.parse(raw) : Number.NaN
    if (Number.isNaN(valueMs)) throw new UsageError(`${flag}: expected an ISO 8601 date such as 2025-01-31T00:00:00Z, got "${raw}"`)
    return valueMs
  }
}

function printMigrationTable(rows: readonly MigrationRow[], total: number, nextCursor: string | null): void {
  // ID is the engine's id (unique with RUN, as the Migrations view shows it); ROW is what `history show` takes.
  printTable(['ID', 'ROW', 'RUN', 'VM', 'SOURCE', 'TARGET', 'STRATEGY', 'TRIGGER', 'OUTCOME', 'START', 'TOTAL', 'DOWNTIME', 'BYTES', 'LOST WRITES'],
    rows.map((m) => [displayId(m), String(m.id), String(m.runId), m.vmId, m.sourceHostId, m.targetHostId, m.strategy, m.trigger, m.outcome,
      formatUs(m.startUs), formatUs(m.totalUs), formatUs(m.downtimeUs), String(m.bytesSent), formatLostWrites(m.lostWrites)]))
  process.stdout.write(`${rows.length} of ${total} migrations${nextCursor === null ? '' : `; next page: --cursor ${nextCursor}`}\n`)
}

function printTable(header: readonly string[], rows: readonly string[][]): void {
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column].length)))
  for (const row of [header, ...rows]) {
    process.stdout.write(row.map((cell, column) => cell.padEnd(widths[column])).join('  ').trimEnd() + '\n')
  }
}

/** `history show`'s id: a positive row id, or an engine id (letters, digits, `-`, `_`, `.`; 1..64 characters). */
function parseShowId(raw: string): number | string {
  if (/^\d+$/.test(raw)) return parseNumberFlag('ID', { min: 1, max: Number.MAX_SAFE_INTEGER, integer: true })(raw)
  if (!/^[A-Za-z][\w.-]{0,63}$/.test(raw)) throw new UsageError(`ID: expected a row id (a positive integer) or an engine id such as mig-000006, got "${raw}"`)
  return raw
}

/** The row of an engine id; the same engine id recurs in every run, so several matches need --run. */
function rowIdOf(db: HistoryDb, engineId: string, runId: number | undefined, path: string): number {
  const found = db.findMigrationsByEngineId(engineId, runId)
  if (found.length === 0) throw new Error(`migration ${engineId}${runId === undefined ? '' : ` of run ${runId}`} not found in ${path}`)
  if (found.length > 1) {
    throw new UsageError(`--run: ${engineId} is in runs ${found.map((m) => m.runId).join(', ')}; pass --run to pick one`)
  }
  return found[0].id
}

/** The engine's migration id; a row recorded before schema 4 has none and shows its row id as `#<id>`. */
function displayId(m: MigrationRow): string {
  return m.engineId ?? `#${m.id}`
}

/** What was not verified says so; it is never shown as 0. */
function formatLostWrites(lostWrites: number | null): string {
  return lostWrites === null ? 'not verified' : String(lostWrites)
}

function formatField(key: string, value: unknown): string {
  if (key === 'lostWrites') return formatLostWrites(value as number | null)
  if (key === 'engineId' && value === null) return 'not recorded (before schema 4)'
  if (typeof value === 'number' && key.endsWith('Us')) return formatUs(value)
  return value === null ? '-' : String(value)
}

function formatDistribution(distribution: { meanUs: number; p50Us: number; p95Us: number; maxUs: number } | null): string {
  if (distribution === null) return '-'
  return `mean ${formatUs(distribution.meanUs)}, p50 ${formatUs(distribution.p50Us)}, p95 ${formatUs(distribution.p95Us)}, max ${formatUs(distribution.maxUs)}`
}

/** Virtual µs for people: 850 µs, 12.500 ms, 3.250000 s. */
export function formatUs(us: number): string {
  if (us < 1000) return `${us} µs`
  if (us < 1e6) return `${(us / 1e3).toFixed(3)} ms`
  return `${(us / 1e6).toFixed(6)} s`
}
