// `npm run bench -- history-insert`: sustained recordBatch throughput for migrations with 5 rounds (flushes of 500
// migrations, each with one audit entry, synchronous FULL as shipped), before and after in the same run. "Before"
// is the history store as it was at BEFORE_COMMIT (schema 4: rounds one row each in migration_rounds, 8 KiB pages),
// extracted from git into a temporary folder; "after" is this tree. Runs alternate, best of REPEATS each, so the
// other load on this machine hits both alike. Rows = migration records + round records (6 per migration), however
// they are stored (since schema 5 the rounds are packed into their migration's row: one SQLite row per migration);
// the figure counts them the same way, and migrations per second are printed too. Two rates are printed:
// rows per wall second (what a caller waits) and rows per CPU second of this process (user + sys, which the other
// agents on this 2-core machine disturb far less); the target is checked against both. Each line also gives commits
// per second (one WAL fsync each under FULL) and where this thread's wall time went (/proc schedstat): on a CPU,
// runnable but waiting for one, or blocked in fsync/I/O; and the same figure for flushes of 1,000 and 2,000
// migrations (group commit by flush size: every acknowledged flush is still fsynced before recordBatch returns).
import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { performance } from 'node:perf_hooks'
import * as current from '../migrations-db'
import type { HistoryBatch, MigrationInput, RoundInput } from '../migrations-db'
import { formatRate, report } from './support'

const BEFORE_COMMIT = '69f2943'
const FLUSHES = 60
const PER_FLUSH = 500
/** Larger flushes of the same 30,000 migrations: one commit (one WAL fsync under FULL) per flush, so fewer fsyncs. */
const GROUP_FLUSH_SIZES = [1000, 2000]
const MIGRATIONS = FLUSHES * PER_FLUSH
const REPEATS = 3
const ROOT = fileURLToPath(new URL('..', import.meta.url))

interface Store { openHistoryDb(path: string, options?: { durability?: 'audit' | 'replayable' }): StoreDb }
interface StoreDb { createRun(input: object): number; recordBatch(batch: HistoryBatch): unknown; close(): void; verifyAudit(): { ok: boolean } }

function lcg(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0
    return state / 4294967296
  }
}

function rounds(startUs: number): RoundInput[] {
  return Array.from({ length: 5 }, (_, i) => ({
    roundIndex: i + 1, startUs: startUs + i * 2000, durationUs: 2000, pagesSent: 262_144 >> i, pagesSkipped: 10 * i,
    zeroPagesSent: 100, bytesSent: (262_144 >> i) * 4096, rateMbitPerS: 1000, pagesDirtied: 131_072 >> i
  }))
}

/** The same batches as db.bench's insert figure: 200 hosts, 20,000 VMs, 80 % completed. */
function batches(runId: number, perFlush: number): HistoryBatch[] {
  const random = lcg(7)
  return Array.from({ length: MIGRATIONS / perFlush }, (_, f) => {
    const migrations: MigrationInput[] = Array.from({ length: perFlush }, (_, k) => {
      const i = f * perFlush + k
      const source = Math.floor(random() * 200)
      const target = (source + 1 + Math.floor(random() * 199)) % 200
      const draw = random()
      const outcome = draw < 0.8 ? 'completed' : draw < 0.95 ? 'aborted' : 'failed'
      const startUs = i * 3_000 + Math.floor(random() * 1000)
      return {
        runId, vmId: `vm-${String(Math.floor(random() * 20_000)).padStart(5, '0')}`, sourceHostId: `host-${String(source).padStart(4, '0')}`,
        targetHostId: `host-${String(target).padStart(4, '0')}`, strategy: 'precopy-clark', trigger: random() < 0.6 ? 'policy' : 'user',
        reason: 'cpu above 80%', outcome, abortReason: outcome === 'completed' ? undefined : 'link down', startUs,
        endUs: startUs + 10_000 + Math.floor(random() * 5_000_000), downtimeUs: Math.floor(random() * 300_000),
        bytesSent: Math.floor(random() * 8e9), engineId: `mig-${String(i + 1).padStart(6, '0')}`, rounds: rounds(startUs)
      }
    })
    return { migrations, audit: migrations.map((m) => ({ actor: 'policy', action: 'migration.finished', payload: { vm: m.vmId }, runId, atUs: m.endUs })) }
  })
}

/**
 * commits = flushes per wall second: under FULL each is one fsync of the WAL (checkpoints add a few more).
 * Where the wall time went, for this (main) thread, where better-sqlite3 runs: on a CPU, runnable but waiting for
 * one (the other agents' load), and the rest blocked (fsync and other I/O). null where /proc is not there.
 */
interface Rates { wall: number; cpu: number; commitsPerS: number; split: WallSplit | null }
interface WallSplit { onCpu: number; waitingForCpu: number; blocked: number }

/** [ns on a CPU, ns runnable waiting for one] of this thread (Linux /proc/thread-self/schedstat), or null. */
function schedstat(): [number, number] | null {
  try {
    const [run, wait] = readFileSync('/proc/thread-self/schedstat', 'utf8').trim().split(/\s+/).map(Number)
    return Number.isFinite(run) && Number.isFinite(wait) ? [run, wait] : null
  } catch {
    return null
  }
}

/** Rows per wall second and per CPU second of one fresh database filled with every flush. */
function measure(store: Store, dir: string, name: string, perFlush = PER_FLUSH): Rates {
  const path = join(dir, `${name}.db`)
  const db = store.openHistoryDb(path)
  const runId = db.createRun({ scenario: 'bench', seed: 1, policy: 'balance-cpu', appVersion: '0.1.0', engineVersion: '0.1.0' })
  const work = batches(runId, perFlush)
  const schedBefore = schedstat()
  const cpuBefore = process.cpuUsage()
  const started = performance.now()
  for (const batch of work) db.recordBatch(batch)
  const seconds = (performance.now() - started) / 1000
  const cpu = process.cpuUsage(cpuBefore)
  const schedAfter = schedstat()
  let split: WallSplit | null = null
  if (schedBefore !== null && schedAfter !== null) {
    const onCpu = (schedAfter[0] - schedBefore[0]) / 1e9 / seconds
    const waitingForCpu = (schedAfter[1] - schedBefore[1]) / 1e9 / seconds
    split = { onCpu, waitingForCpu, blocked: Math.max(0, 1 - onCpu - waitingForCpu) }
  }
  db.close()
  for (const suffix of ['', '-wal', '-shm']) rmSync(path + suffix, { force: true })
  const rows = MIGRATIONS * 6
  return { wall: rows / seconds, cpu: rows / ((cpu.user + cpu.system) / 1e6), commitsPerS: work.length / seconds, split }
}

function best(a: Rates, b: Rates): Rates {
  return a.wall >= b.wall ? { ...a, cpu: Math.max(a.cpu, b.cpu) } : { ...b, cpu: Math.max(a.cpu, b.cpu) }
}

const NONE: Rates = { wall: 0, cpu: 0, commitsPerS: 0, split: null }

function splitText(split: WallSplit | null): string {
  if (split === null) return 'wall split not measured'
  const pct = (x: number) => `${(100 * x).toFixed(0)} %`
  return `wall: ${pct(split.onCpu)} on CPU, ${pct(split.waitingForCpu)} waiting for a CPU, ${pct(split.blocked)} blocked (fsync, I/O)`
}

/** Rows per wall second less the time spent runnable but waiting for a CPU: what an unloaded machine would give (an estimate). */
function unloaded(r: Rates): string {
  return r.split === null ? 'not measured' : formatRate(r.wall / (1 - r.split.waitingForCpu))
}

/** The store at BEFORE_COMMIT, from git, in a folder inside the repository (so it resolves node_modules). */
async function legacyStore(): Promise<{ store: Store; cleanup: () => void } | undefined> {
  const dir = join(ROOT, `.bench-history-${BEFORE_COMMIT}`)
  try {
    rmSync(dir, { recursive: true, force: true })
    mkdirSync(dir)
    const archive = execFileSync('git', ['archive', BEFORE_COMMIT, 'migrations-db'], { cwd: ROOT, maxBuffer: 64 * 2 ** 20 })
    execFileSync('tar', ['-x', '-C', dir], { input: archive })
    if (!existsSync(join(dir, 'migrations-db', 'index.ts'))) throw new Error('no migrations-db in the archive')
    const store = (await import(pathToFileURL(join(dir, 'migrations-db', 'index.ts')).href)) as Store
    return { store, cleanup: () => rmSync(dir, { recursive: true, force: true }) }
  } catch (error) {
    rmSync(dir, { recursive: true, force: true })
    process.stdout.write(`  (before: commit ${BEFORE_COMMIT} is not available here: ${(error as Error).message.split('\n')[0]})\n`)
    return undefined
  }
}

export async function run(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'cutover-history-insert-'))
  const legacy = await legacyStore()
  try {
    let before = NONE
    let after = NONE
    const grouped = GROUP_FLUSH_SIZES.map(() => NONE)
    for (let repeat = 0; repeat < REPEATS; repeat++) {
      if (legacy !== undefined) before = best(before, measure(legacy.store, dir, `before-${repeat}`))
      after = best(after, measure(current as unknown as Store, dir, `after-${repeat}`))
      GROUP_FLUSH_SIZES.forEach((size, k) => { grouped[k] = best(grouped[k], measure(current as unknown as Store, dir, `group-${size}-${repeat}`, size)) })
    }
    const rate = (r: Rates) => `${formatRate(r.wall)} rows per wall s, ${formatRate(r.cpu)} per CPU s, ${r.commitsPerS.toFixed(0)} commits/s; ${splitText(r.split)}`
    if (legacy !== undefined) report(`insert before (${BEFORE_COMMIT}, schema 4), synchronous FULL`, rate(before))
    report('insert after (this tree), synchronous FULL', rate(after), `>= ${formatRate(TARGET_ROWS_PER_S)} rows`)
    report('  rows per wall s without the wait for a CPU (estimate for an unloaded machine)', unloaded(after))
    report('  target met (wall / CPU)', `${after.wall >= TARGET_ROWS_PER_S ? 'yes' : 'no'} / ${after.cpu >= TARGET_ROWS_PER_S ? 'yes' : 'no'}`)
    if (legacy !== undefined) report('  after / before (wall, CPU)', `${(after.wall / before.wall).toFixed(2)}×, ${(after.cpu / before.cpu).toFixed(2)}×`)
    GROUP_FLUSH_SIZES.forEach((size, k) => {
      report(`  this tree, flushes of ${size} migrations (fewer commits, each still fsynced)`, rate(grouped[k]))
      report(`    without the wait for a CPU (estimate)`, unloaded(grouped[k]))
    })
    report('  migrations per wall / CPU second (5 rounds + 1 audit entry each)', `${formatRate(after.wall / 6)} / ${formatRate(after.cpu / 6)}`)
    report('  load average (1 min) at the end', loadavg()[0].toFixed(2))
  } finally {
    legacy?.cleanup()
    rmSync(dir, { recursive: true, force: true })
  }
}

const TARGET_ROWS_PER_S = 100_000
