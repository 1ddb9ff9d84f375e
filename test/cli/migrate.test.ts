// Goal: `cutover migrate` honours the CLI contract end to end: `--json` prints the contract's fields with the
// final stop-and-copy last, the same seed gives the same traceHash, an injected fault is data (exit 0, outcome
// aborted), a bad flag exits 2 naming it, and `--db` records the migration with every round in the history.
// Method: spawn the real binary (node bin/cutover.js) on small VMs.
import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'
import { openHistoryDb } from '../../migrations-db'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))
const scratch = mkdtempSync(join(tmpdir(), 'cutover-migrate-'))
afterAll(() => rmSync(scratch, { recursive: true, force: true }))

function cutover(...args: string[]) {
  const result = spawnSync(process.execPath, ['bin/cutover.js', ...args], { cwd: ROOT, encoding: 'utf8', timeout: 120_000 })
  return { code: result.status, stdout: result.stdout, stderr: result.stderr }
}

interface MigrateJson {
  outcome: string; traceHash: string; lostWrites: number; runningOn: string | null; abortReason: string | null
  rounds: { index: number; final: boolean; pagesSent: number; phase: string }[]
  [field: string]: unknown
}

describe('cutover migrate', () => {
  it('a migration stopped by --cancel-after-s is aborted with the contract\'s abortReason `cancelled`, the engine\'s words beside it', () => {
    const run = cutover('migrate', '--workload', 'hotset', '--mem-mib', '256', '--hot-mib', '128', '--dirty-pages-per-s', '50000',
      '--link-mbit', '100', '--cancel-after-s', '5', '--json')
    expect(run.code).toBe(0)
    const json = JSON.parse(run.stdout) as MigrateJson
    expect(json.outcome).toBe('aborted')
    expect(json.abortReason).toBe('cancelled')
    expect(json.abortDetail).toBe('timed out after 5 s (the migration\'s time cap)')
  })

  it('prints the contract\'s fields, final round last, deterministically per seed', () => {
    const first = cutover('migrate', '--workload', 'hotset', '--mem-mib', '128', '--json')
    expect(first.code).toBe(0)
    expect(first.stderr).toBe('')
    const result = JSON.parse(first.stdout) as MigrateJson
    for (const field of ['strategy', 'seed', 'outcome', 'memBytes', 'pageBytes', 'totalTimeMs', 'downtimeMs', 'clientOutageMs', 'bytesSent',
      'pagesSent', 'zeroPagesSent', 'rounds', 'lostWrites', 'maxRunningCopies', 'runningOn', 'abortReason', 'traceHash']) {
      expect(result, field).toHaveProperty(field)
    }
    expect(result).toMatchObject({ strategy: 'precopy', outcome: 'completed', memBytes: 128 * 2 ** 20, lostWrites: 0, runningOn: 'host-b', clientOutageMs: null })
    expect(result.rounds.at(-1)?.final).toBe(true)
    expect(result.rounds.filter((round) => round.final)).toHaveLength(1)
    const again = JSON.parse(cutover('migrate', '--workload', 'hotset', '--mem-mib', '128', '--json').stdout) as MigrateJson
    expect(again.traceHash).toBe(result.traceHash)
  })

  it('treats an injected fault as data and a bad flag as usage', () => {
    const faulted = cutover('migrate', '--mem-mib', '64', '--fault', 'link-down@precopy', '--json')
    expect(faulted.code).toBe(0)
    const result = JSON.parse(faulted.stdout) as MigrateJson
    expect(result.outcome).toBe('aborted')
    expect(result.runningOn).toBe('host-a')
    const bad = cutover('migrate', '--mem-mib', '-4')
    expect(bad.code).toBe(2)
    expect(bad.stderr).toContain('--mem-mib')
  })

  it('post-copy pauses while the path is down and recovers (link-down@activation+5s); without the heal it ends paused', () => {
    const run = cutover('migrate', '--strategy', 'postcopy', '--mem-mib', '512', '--workload', 'web', '--fault', 'link-down@activation+5s', '--json')
    expect(run.code).toBe(0)
    const result = JSON.parse(run.stdout) as MigrateJson & { postcopyPausedMs: number }
    expect(result).toMatchObject({ outcome: 'completed', lostWrites: 0, runningOn: 'host-b', lostPages: 0 })
    expect(result.postcopyPausedMs).toBeGreaterThanOrEqual(5000)
    expect(result.postcopyPausedMs).toBeLessThanOrEqual(5120)
    expect(result.rounds.map((round) => round.phase)).toEqual(['postcopy-paused', 'postcopy-recover', 'postcopy'])
    const table = cutover('migrate', '--strategy', 'postcopy', '--mem-mib', '64', '--fault', 'partition@postcopy', '--cancel-after-s', '5')
    expect(table.code).toBe(0)
    expect(table.stdout).toMatch(/outcome paused \(post-copy still paused after 5 s/)
    expect(table.stdout).toMatch(/post-copy: \d+ faults, vCPUs blocked [\d.]+ ms, paused [\d.]+ ms/)
    expect(table.stdout).toContain('post-copy paused (path broken)')
  })

  it('records the migration with every round in the history with --db', () => {
    const dbPath = join(scratch, 'history.db')
    const run = cutover('migrate', '--workload', 'web', '--mem-mib', '256', '--strategy', 'precopy-qemu', '--json', '--db', dbPath)
    expect(run.code).toBe(0)
    const result = JSON.parse(run.stdout) as MigrateJson
    const db = openHistoryDb(dbPath, { readonly: true })
    try {
      const [recorded] = db.listRuns()
      expect(recorded).toMatchObject({ scenario: 'migrate', traceHash: result.traceHash })
      const rows = db.listMigrations({ filters: { runId: recorded.id } }).rows
      expect(rows).toHaveLength(1)
      expect(rows[0]).toMatchObject({ strategy: 'precopy-qemu', trigger: 'user', outcome: 'completed', roundsCount: result.rounds.length })
      const detail = db.getMigration(rows[0].id)
      expect(detail?.rounds.map((round) => round.pagesSent)).toEqual(result.rounds.map((round) => round.pagesSent))
      expect(db.verifyAudit().ok).toBe(true)
    } finally {
      db.close()
    }
  })
})
