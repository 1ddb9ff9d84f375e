// The SIGKILL harness shared by crash-safety.test.ts (21 kills) and `npm run bench -- db-crash` (200+): a child
// writes flushes, prunes and explicit checkpoints into one file; the parent kills it at a random moment (half of
// the kills aimed at a checkpoint in progress), then checks that integrity_check and verify pass, that every
// migration has all its rounds, and that every migration the child reported committed is present.
import Database from 'better-sqlite3'
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { openHistoryDb } from '../../../migrations-db'
import type { AuditVerdict } from '../../../migrations-db'
import { seededRandom } from './fixtures'

const CHILD = fileURLToPath(new URL('./writer-child.ts', import.meta.url))

export interface KillResult {
  committed: [number, number][]
  readerSawLastCommit: boolean
  /** The child had announced a checkpoint and not yet finished it when it was killed. */
  duringCheckpoint: boolean
  /** The child had announced a group-commit-sized flush (500-2,000 migrations) and not yet reported it committed. */
  duringBigFlush: boolean
}

export interface CrashCheck { verdict: AuditVerdict; tornMigrations: number; missingReported: number }

/** Spawns the writer, waits for its first commit, then kills it after 0–`maxDelayMs` ms or inside a checkpoint. */
export async function runAndKill(path: string, seed: number, delayMs: number, aimAtCheckpoint: boolean): Promise<KillResult> {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, path, String(seed)], { stdio: ['ignore', 'pipe', 'pipe'] })
  const committed: [number, number][] = []
  let stderr = ''
  let buffered = ''
  let inCheckpoint = false
  let inBigFlush = false
  let onCheckpoint: (() => void) | undefined
  let firstCommit: () => void = () => {}
  const started = new Promise<void>((resolve) => { firstCommit = resolve })
  child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString() })
  child.stdout.on('data', (chunk: Buffer) => {
    buffered += chunk.toString()
    const lines = buffered.split('\n')
    buffered = lines.pop() ?? ''
    for (const line of lines) {
      const match = /^committed (\d+) (\d+) \d+$/.exec(line)
      if (match !== null) { committed.push([Number(match[1]), Number(match[2])]); inBigFlush = false; firstCommit() }
      else if (line === 'big') inBigFlush = true
      else if (line === 'checkpointing') { inCheckpoint = true; onCheckpoint?.() }
      else if (line === 'checkpointed') inCheckpoint = false
    }
  })
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  await Promise.race([started, exited.then(() => { throw new Error(`writer exited before committing: ${stderr}`) })])
  await new Promise((resolve) => setTimeout(resolve, delayMs))
  const readerSawLastCommit = readerSees(path, committed.at(-1)![1])
  if (aimAtCheckpoint) {
    // The child's checkpoint runs after it prints "checkpointing"; killing at once lands inside it most times.
    await Promise.race([new Promise<void>((resolve) => { onCheckpoint = resolve }), new Promise((resolve) => setTimeout(resolve, 2000))])
  }
  const duringCheckpoint = inCheckpoint
  const duringBigFlush = inBigFlush
  child.kill('SIGKILL')
  await exited
  return { committed, readerSawLastCommit, duringCheckpoint, duringBigFlush }
}

/** Another process's committed rows are visible to a fresh read-only connection while the writer runs. */
function readerSees(path: string, migrationId: number): boolean {
  const reader = openHistoryDb(path, { readonly: true })
  try {
    return reader.getMigration(migrationId) !== null
  } finally {
    reader.close()
  }
}

/** Reopens after a kill (SQLite replays the WAL) and checks everything the child reported. */
export function checkAfterCrash(path: string, reported: readonly [number, number][]): CrashCheck {
  const db = openHistoryDb(path)
  const verdict = db.verifyAudit()
  db.close()
  const raw = new Database(path, { readonly: true })
  // Rounds are packed in their migration's row (schema 5): a torn write would leave a count that disagrees.
  const torn = raw.prepare(`SELECT COUNT(*) AS n FROM migrations
    WHERE NOT json_valid(rounds_json) OR rounds_count <> json_array_length(rounds_json)`).get() as { n: number }
  const countBetween = raw.prepare('SELECT COUNT(*) AS n FROM migrations WHERE id BETWEEN ? AND ?')
  let missingReported = 0
  for (const [first, last] of reported) missingReported += last - first + 1 - (countBetween.get(first, last) as { n: number }).n
  raw.close()
  return { verdict, tornMigrations: torn.n, missingReported }
}

export interface CrashSeries { kills: number; duringCheckpoint: number; duringBigFlush: number; readerChecks: number; reported: number; failures: string[] }

/** `kills` kills into one file; every other kill waits for a checkpoint. Stops collecting details after 5 failures. */
export async function crashSeries(path: string, kills: number, seed: number, onKill?: (kill: number) => void): Promise<CrashSeries> {
  const random = seededRandom(seed)
  const reported: [number, number][] = []
  const series: CrashSeries = { kills: 0, duringCheckpoint: 0, duringBigFlush: 0, readerChecks: 0, reported: 0, failures: [] }
  for (let kill = 0; kill < kills; kill++) {
    const run = await runAndKill(path, seed + kill, Math.floor(random() * 40), kill % 2 === 1)
    reported.push(...run.committed)
    series.kills++
    if (run.duringCheckpoint) series.duringCheckpoint++
    if (run.duringBigFlush) series.duringBigFlush++
    if (run.readerSawLastCommit) series.readerChecks++
    const check = checkAfterCrash(path, reported)
    if (!check.verdict.ok || check.verdict.integrity[0] !== 'ok' || check.tornMigrations > 0 || check.missingReported > 0) {
      series.failures.push(`kill ${kill} (seed ${seed + kill}): verify ${check.verdict.ok ? 'ok' : check.verdict.reason}, ` +
        `integrity ${check.verdict.integrity.join('; ')}, torn ${check.tornMigrations}, missing ${check.missingReported}`)
    }
    onKill?.(kill)
  }
  series.reported = reported.length
  return series
}
