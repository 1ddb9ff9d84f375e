// Goal: `cutover history` honours the CLI contract end to end: tables and --json documents, exit 2 naming the
// flag, exit 3 naming the first bad audit seq after tampering, exit 1 with one line for unusable files.
// Method: exit codes that the contract pins are checked by spawning the real binary (node bin/cutover.js);
// output details run the same main() in-process (spawning costs ~1 s each on this machine).
import Database from 'better-sqlite3'
import { execFile } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { copyFileSync, readFileSync, statSync, truncateSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest'
import { main as cutoverMain } from '../../cli/index'
import { openHistoryDb } from '../../migrations-db'
import { loadMigrationFiles } from '../../migrations-db/migration-files'
import { migrate } from '../../migrations-db/runner'
import { makeBatch, RUN, seededRandom, tempDb } from '../migrations-db/support/fixtures'

const BIN = fileURLToPath(new URL('../../bin/cutover.js', import.meta.url))
interface CliResult { code: number; stdout: string; stderr: string }

function cli(...args: string[]): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, 'history', ...args], { encoding: 'utf8', timeout: 30_000 }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : -1
      resolve({ code, stdout, stderr })
    })
  })
}

/** The same CLI in this process: stdout and stderr captured, exit code returned. */
async function run(...args: string[]): Promise<CliResult> {
  let stdout = ''
  let stderr = ''
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => { stdout += String(chunk); return true })
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => { stderr += String(chunk); return true })
  try {
    const code = await cutoverMain(['history', ...args])
    return { code, stdout, stderr }
  } finally {
    out.mockRestore()
    err.mockRestore()
  }
}

const temp = tempDb()
let n = 0
/** A fresh copy-free database with 120 migrations and 120 audit entries; returns its path. */
function populated(): string {
  const path = join(temp.dir, `h${n++}.db`)
  const db = openHistoryDb(path)
  const runId = db.createRun(RUN)
  const random = seededRandom(11)
  for (let first = 0; first < 120; first += 40) db.recordBatch(makeBatch(runId, first, 40, random, 1_700_000_000_000))
  db.close()
  return path
}

function tamper(path: string, sql: string): void {
  const raw = new Database(path)
  for (const { name } of raw.prepare("SELECT name FROM sqlite_schema WHERE type = 'trigger'").all() as { name: string }[]) raw.exec(`DROP TRIGGER "${name}"`)
  raw.exec(sql)
  raw.close()
}

let main: string
beforeAll(() => { main = populated() })
afterAll(() => temp.cleanup())

describe('reading', () => {
  test('list prints a table and --json one document whose cursor continues the listing', async () => {
    const table = await run('list', '--db', main, '--limit', '5')
    expect(table.code).toBe(0)
    expect(table.stdout.split('\n')[0]).toMatch(/^ID\s+ROW\s+RUN\s+VM\s+SOURCE\s+TARGET/)
    expect(table.stdout.split('\n')[1]).toMatch(/^mig-\d{6}\s+\d+\s+\d+\s+vm-/)
    expect(table.stdout).toMatch(/5 of 120 migrations; next page: --cursor \S+/)
    const first = await run('list', '--db', main, '--limit', '7', '--sort', 'downtime', '--order', 'asc', '--json')
    const page1 = JSON.parse(first.stdout) as { total: number; rows: { id: number; downtimeUs: number }[]; nextCursor: string }
    expect(page1.total).toBe(120)
    const second = await run('list', '--db', main, '--limit', '7', '--sort', 'downtime', '--order', 'asc', '--json', '--cursor', page1.nextCursor)
    const page2 = JSON.parse(second.stdout) as typeof page1
    expect(page2.rows[0].downtimeUs).toBeGreaterThanOrEqual(page1.rows[6].downtimeUs)
    expect(page2.rows.map((r) => r.id)).not.toContain(page1.rows[6].id)
  })

  test('filters narrow the listing', async () => {
    const result = JSON.parse((await run('list', '--db', main, '--host', 'host-03', '--outcome', 'completed', '--since', '100ms', '--json', '--limit', '1000')).stdout) as
      { total: number; rows: { sourceHostId: string; targetHostId: string; outcome: string; startUs: number }[] }
    expect(result.rows.length).toBe(result.total)
    for (const row of result.rows) {
      expect([row.sourceHostId, row.targetHostId]).toContain('host-03')
      expect(row.outcome).toBe('completed')
      expect(row.startUs).toBeGreaterThanOrEqual(100_000)
    }
  })

  test('show prints one migration with its rounds; an unknown id exits 1', async () => {
    const shown = JSON.parse((await run('show', '3', '--db', main, '--json')).stdout) as { id: number; roundsCount: number; rounds: unknown[] }
    expect(shown).toMatchObject({ id: 3, roundsCount: 3 })
    expect(shown.rounds).toHaveLength(3)
    const table = await run('show', '3', '--db', main)
    expect(table.stdout).toMatch(/ROUND\s+START\s+DURATION/)
    const missing = await run('show', '9999', '--db', main)
    expect(missing).toMatchObject({ code: 1, stdout: '' })
    expect(missing.stderr).toBe(`cutover: migration 9999 not found in ${main}\n`)
  })

  test('show takes the engine\'s id too; one recurring in several runs needs --run, which picks it', async () => {
    const byEngineId = JSON.parse((await run('show', 'mig-000003', '--db', main, '--json')).stdout) as { id: number; engineId: string }
    expect(byEngineId).toMatchObject({ id: 3, engineId: 'mig-000003' })
    const path = populated()
    const db = openHistoryDb(path)
    const second = db.createRun({ ...RUN, seed: 12 })
    db.recordBatch(makeBatch(second, 0, 5, seededRandom(12)))
    db.close()
    const ambiguous = await run('show', 'mig-000003', '--db', path)
    expect(ambiguous).toMatchObject({ code: 2, stdout: '' })
    expect(ambiguous.stderr).toMatch(/--run: mig-000003 is in runs 1, 2; pass --run to pick one/)
    const picked = JSON.parse((await run('show', 'mig-000003', '--run', '2', '--db', path, '--json')).stdout) as { id: number; runId: number }
    expect(picked).toMatchObject({ id: 123, runId: 2 })
    expect(await run('show', 'mig-999999', '--db', path)).toMatchObject({ code: 1, stderr: `cutover: migration mig-999999 not found in ${path}\n` })
    const bad = await run('show', 'no such id!', '--db', path)
    expect(bad.code).toBe(2)
    expect(bad.stderr).toMatch(/ID: expected a row id/)
  })

  test('stats and export (stdout and --out)', async () => {
    const stats = JSON.parse((await run('stats', '--db', main, '--json')).stdout) as { migrations: number; auditEntries: number }
    expect(stats).toMatchObject({ migrations: 120, auditEntries: 124 }) // + run.created and one seal per flush
    const csv = await run('export', '--db', main, '--format', 'csv', '--outcome', 'failed')
    expect(csv.stdout.trimEnd().split('\n').length - 1).toBe(JSON.parse((await run('list', '--db', main, '--outcome', 'failed', '--json')).stdout).total)
    const out = join(temp.dir, 'export.json')
    const exported = await run('export', '--db', main, '--format', 'json', '--out', out)
    expect(exported).toMatchObject({ code: 0, stdout: '' })
    expect((JSON.parse(readFileSync(out, 'utf8')) as { rows: unknown[] }).rows).toHaveLength(120)
  })
})

describe('verify', () => {
  test('an intact database verifies with exit 0', async () => {
    const result = await cli('verify', '--db', main)
    expect(result).toMatchObject({ code: 0, stderr: '' })
    expect(result.stdout).toBe('ok: 124 audit entries verified (seq 1…124), 127 rows match their seals; integrity_check ok\n')
  })

  test.each([
    ['a changed entry', 'UPDATE audit_log SET actor = \'mallory\' WHERE seq = 37', 37],
    ['a deleted entry', 'DELETE FROM audit_log WHERE seq = 58', 58],
    ['the newest entry deleted', 'DELETE FROM audit_log WHERE seq = 124', 124],
    ['two entries reordered', 'UPDATE audit_log SET seq = 100000 WHERE seq = 12; UPDATE audit_log SET seq = 12 WHERE seq = 80; UPDATE audit_log SET seq = 80 WHERE seq = 100000', 12]
  ])('%s exits 3 naming the first bad seq', async (_name, sql, seq) => {
    const path = populated()
    tamper(path, sql)
    const result = await cli('verify', '--db', path)
    expect(result.code).toBe(3)
    expect(result.stderr).toMatch(new RegExp(`^cutover: verify failed at audit seq ${seq}: entry seq ${seq}`, 'm'))
    const json = await run('verify', '--db', path, '--json')
    expect(json.code).toBe(3)
    expect(JSON.parse(json.stdout)).toMatchObject({ ok: false, firstBadSeq: seq })
  })
})

describe('unusable files exit 1 with one line', () => {
  const oneLine = (result: CliResult) => {
    expect(result.code).toBe(1)
    expect(result.stdout).toBe('')
    expect(result.stderr.trimEnd().split('\n')).toHaveLength(1)
  }

  test('a truncated database', async () => {
    const path = populated()
    truncateSync(path, Math.floor(statSync(path).size / 2))
    const result = await cli('list', '--db', path)
    oneLine(result)
    expect(result.stderr).toMatch(/is truncated/)
    expect((await cli('verify', '--db', path)).code).toBe(3) // for verify, a corrupt file is an integrity failure
  })

  test('a file of random bytes', async () => {
    const path = join(temp.dir, 'random.db')
    writeFileSync(path, randomBytes(10_000))
    const result = await run('stats', '--db', path)
    oneLine(result)
    expect(result.stderr).toMatch(/not a Cutover history database/)
  })

  test('a database from a newer Cutover', async () => {
    const path = populated()
    const raw = new Database(path)
    raw.pragma('user_version = 42')
    raw.close()
    const result = await cli('list', '--db', path)
    oneLine(result)
    expect(result.stderr).toMatch(/schema version 42 is newer than this Cutover supports/)
  })

  test('a missing file', async () => {
    oneLine(await run('list', '--db', join(temp.dir, 'nope.db')))
  })
})

describe('usage errors exit 2 naming the flag', () => {
  test.each([
    [['list'], /--db/],
    [['list', '--db', 'x.db', '--outcome', 'maybe'], /--outcome: expected one of completed, aborted, failed/],
    [['list', '--db', 'x.db', '--since', 'yesterday'], /--since: expected a virtual time/],
    [['list', '--db', 'x.db', '--limit', '0'], /--limit: must be at least 1/],
    [['list', '--db', 'x.db', '--cursor', 'abc', '--offset', '3'], /--cursor: cannot be combined with --offset/],
    [['export', '--db', 'x.db', '--format', 'xml'], /--format: expected one of csv, json/],
    [['prune', '--db', 'x.db'], /--before/],
    [['prune', '--db', 'x.db', '--before', 'last week'], /--before: expected an ISO 8601 date/]
  ])('%j', async (args, pattern) => {
    const result = args.length === 1 ? await cli(...args) : await run(...args)
    expect(result.code).toBe(2)
    expect(result.stderr).toMatch(pattern)
  })

  test('a cursor that is not one the store issued', async () => {
    const result = await run('list', '--db', main, '--cursor', 'Zm9v')
    expect(result.code).toBe(2)
    expect(result.stderr).toMatch(/--cursor: cursor is not one this store issued/)
  })
})

test('a read command on an older schema upgrades it once, then reads', async () => {
  const path = join(temp.dir, 'old.db')
  const raw = new Database(path)
  migrate(raw, loadMigrationFiles(), { targetVersion: 1 })
  raw.close()
  const result = await run('list', '--db', path, '--json')
  expect(result.code).toBe(0)
  expect(JSON.parse(result.stdout)).toEqual({ total: 0, rows: [], nextCursor: null })
  const check = new Database(path, { readonly: true })
  expect(check.pragma('user_version', { simple: true })).toBe(loadMigrationFiles().length)
  check.close()
})

test('prune --before keeps the chain verifiable', async () => {
  const path = populated()
  const pruned = await run('prune', '--db', path, '--before', new Date(1_700_000_000_000 + 50).toISOString(), '--json')
  expect(pruned.code).toBe(0)
  // seq 1 is run.created; entry i of the fixture is seq i + 2 + (its flush's index): the first at +50 ms is seq 53
  expect(JSON.parse(pruned.stdout)).toEqual({ runsDeleted: 1, migrationsDeleted: 120, decisionsDeleted: 3, faultsDeleted: 3, auditPruned: 52, checkpointSeq: 52 })
  const verified = await run('verify', '--db', path)
  expect(verified).toMatchObject({ code: 0, stdout: 'ok: 73 audit entries verified (seq 53…125), 0 rows match their seals; integrity_check ok\n' })
})

describe('verify --key with a signed anchor (keyed mode)', () => {
  const key = join(temp.dir, 'anchor.key')
  beforeAll(() => writeFileSync(key, randomBytes(32)))

  /** A history with `flushes` flushes of 40 migrations from one seed. */
  function history(path: string, flushes: number, seed: number): void {
    const db = openHistoryDb(path)
    const runId = db.createRun(RUN)
    const random = seededRandom(seed)
    for (let f = 0; f < flushes; f++) db.recordBatch(makeBatch(runId, f * 40, 40, random, 1_700_000_000_000))
    db.close()
  }

  test('an anchor written after a good verify checks out later, after more flushes', async () => {
    const path = join(temp.dir, 'anchored.db')
    history(path, 2, 3)
    const anchor = join(temp.dir, 'anchored.json')
    expect(await run('verify', '--db', path, '--key', key, '--write-anchor', anchor)).toMatchObject({ code: 0, stdout: expect.stringMatching(/anchor of seq \d+ written/) as string })
    const db = openHistoryDb(path)
    db.recordBatch(makeBatch(db.listRuns(1)[0].id, 80, 40, seededRandom(4)))
    db.close()
    expect(await run('verify', '--db', path, '--key', key, '--anchor', anchor)).toMatchObject({ code: 0, stdout: expect.stringMatching(/still holds the anchored head/) as string })
  })

  test('a full rewrite passes the keyless verify but not the anchor', async () => {
    const path = join(temp.dir, 'rewritten.db')
    history(path, 2, 3)
    const anchor = join(temp.dir, 'rewritten.json')
    await run('verify', '--db', path, '--key', key, '--write-anchor', anchor)
    const forged = join(temp.dir, 'forged.db')
    history(forged, 2, 99) // every row, seal and hash consistent, content different
    copyFileSync(forged, path)
    expect((await run('verify', '--db', path)).code).toBe(0) // the documented limit of a keyless chain
    const anchored = await run('verify', '--db', path, '--key', key, '--anchor', anchor)
    expect(anchored.code).toBe(3)
    expect(anchored.stderr).toMatch(/differs from the anchor: the history was rewritten/)
  })

  test('a rollback to an older copy passes the keyless verify but not the anchor', async () => {
    const path = join(temp.dir, 'rolled.db')
    history(path, 1, 5)
    const older = join(temp.dir, 'rolled-older.db')
    copyFileSync(path, older)
    const db = openHistoryDb(path)
    db.recordBatch(makeBatch(db.listRuns(1)[0].id, 40, 40, seededRandom(6)))
    db.close()
    const anchor = join(temp.dir, 'rolled.json')
    await run('verify', '--db', path, '--key', key, '--write-anchor', anchor)
    copyFileSync(older, path)
    expect((await run('verify', '--db', path)).code).toBe(0)
    const anchored = await run('verify', '--db', path, '--key', key, '--anchor', anchor)
    expect(anchored.code).toBe(3)
    expect(anchored.stderr).toMatch(/entries after seq \d+ were removed \(truncated or rolled back\)/)
  })

  test('an edited anchor, or one checked with another key, fails; --anchor without --key is a usage error', async () => {
    const path = join(temp.dir, 'edited.db')
    history(path, 1, 7)
    const anchor = join(temp.dir, 'edited.json')
    await run('verify', '--db', path, '--key', key, '--write-anchor', anchor)
    const other = join(temp.dir, 'other.key')
    writeFileSync(other, randomBytes(32))
    expect(await run('verify', '--db', path, '--key', other, '--anchor', anchor)).toMatchObject({ code: 3, stderr: expect.stringMatching(/MAC does not match/) as string })
    const document = JSON.parse(readFileSync(anchor, 'utf8')) as { headSeq: number }
    writeFileSync(anchor, JSON.stringify({ ...document, headSeq: document.headSeq - 1 }))
    expect(await run('verify', '--db', path, '--key', key, '--anchor', anchor)).toMatchObject({ code: 3, stderr: expect.stringMatching(/MAC does not match/) as string })
    expect(await run('verify', '--db', path, '--anchor', anchor)).toMatchObject({ code: 2, stderr: expect.stringMatching(/--key: --anchor needs a key file/) as string })
    writeFileSync(other, 'short')
    expect(await run('verify', '--db', path, '--key', other, '--write-anchor', anchor)).toMatchObject({ code: 2, stderr: expect.stringMatching(/--key: .* holds 5 bytes/) as string })
  })
})

test('verify on a 0-byte file says it is empty (exit 3) and gives it no schema', async () => {
  const path = join(temp.dir, 'empty.db')
  writeFileSync(path, '')
  const result = await run('verify', '--db', path)
  expect(result).toMatchObject({ code: 3, stderr: expect.stringMatching(/is empty: no history has been recorded in it/) as string })
  expect(statSync(path).size).toBe(0)
  expect((await run('list', '--db', path)).code).toBe(1)
  expect(statSync(path).size).toBe(0)
})
