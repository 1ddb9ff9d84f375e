// Goal: SIGKILL at any point of a writer never costs a committed flush or leaves half of one: after each kill
// the file passes integrity_check, the audit chain verifies, every migration has all its rounds, and every
// migration the child reported committed is present. Method: a child process writes flushes (and prunes) in a
// loop; the parent kills it at a random moment at least 20 times, reusing one database file.
import Database from 'better-sqlite3'
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { afterAll, expect, test } from 'vitest'
import { openHistoryDb } from '../../migrations-db'
import { seededRandom, tempDb } from './support/fixtures'

const CHILD = fileURLToPath(new URL('./support/writer-child.ts', import.meta.url))
const KILLS = 21
const temp = tempDb()
afterAll(() => temp.cleanup())

interface ChildRun { committed: [number, number][]; readerSawLastCommit: boolean }

/** Spawns the writer, waits for its first commit, lets it run 0–40 ms more, then SIGKILLs it. */
async function runAndKill(seed: number, delayMs: number): Promise<ChildRun> {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, temp.path, String(seed)], { stdio: ['ignore', 'pipe', 'pipe'] })
  const committed: [number, number][] = []
  let stderr = ''
  let buffered = ''
  let firstCommit: () => void = () => {}
  const started = new Promise<void>((resolve) => { firstCommit = resolve })
  child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString() })
  child.stdout.on('data', (chunk: Buffer) => {
    buffered += chunk.toString()
    const lines = buffered.split('\n')
    buffered = lines.pop() ?? ''
    for (const line of lines) {
      const match = /^committed (\d+) (\d+) \d+$/.exec(line)
      if (match !== null) { committed.push([Number(match[1]), Number(match[2])]); firstCommit() }
    }
  })
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  await Promise.race([started, exited.then(() => { throw new Error(`writer exited before committing: ${stderr}`) })])
  await new Promise((resolve) => setTimeout(resolve, delayMs))
  const readerSawLastCommit = readerSees(committed.at(-1)![1])
  child.kill('SIGKILL')
  await exited
  return { committed, readerSawLastCommit }
}

/** Another process's committed rows are visible to a fresh read-only connection while the writer runs. */
function readerSees(migrationId: number): boolean {
  const reader = openHistoryDb(temp.path, { readonly: true })
  try {
    return reader.getMigration(migrationId) !== null
  } finally {
    reader.close()
  }
}

function checkAfterCrash(reported: readonly [number, number][]): void {
  const db = openHistoryDb(temp.path)
  const verdict = db.verifyAudit()
  db.close()
  expect(verdict).toMatchObject({ ok: true, integrity: ['ok'], warnings: [] })
  const raw = new Database(temp.path, { readonly: true })
  const torn = raw.prepare(`SELECT COUNT(*) AS n FROM migrations m
    WHERE m.rounds_count <> (SELECT COUNT(*) FROM migration_rounds r WHERE r.migration_id = m.id)`).get() as { n: number }
  expect(torn.n).toBe(0)
  const countBetween = raw.prepare('SELECT COUNT(*) AS n FROM migrations WHERE id BETWEEN ? AND ?')
  for (const [first, last] of reported) expect((countBetween.get(first, last) as { n: number }).n).toBe(last - first + 1)
  raw.close()
}

test(`a writer killed with SIGKILL ${KILLS} times loses nothing it reported committed`, async () => {
  const seed = Date.now() % 100_000
  const random = seededRandom(seed)
  const reported: [number, number][] = []
  let readerChecks = 0
  for (let kill = 0; kill < KILLS; kill++) {
    const run = await runAndKill(seed + kill, Math.floor(random() * 40))
    reported.push(...run.committed)
    if (run.readerSawLastCommit) readerChecks++
    checkAfterCrash(reported)
  }
  expect(readerChecks, `seed ${seed}`).toBe(KILLS)
  expect(reported.length).toBeGreaterThan(KILLS)
}, 120_000)
