// History store benchmarks: sustained flush rate (migrations with 5 rounds each, synchronous FULL as shipped),
// p95 latency of the History view's page query over 1,000,000 migrations (with its EXPLAIN QUERY PLAN), and
// export throughput with peak RSS growth. All data lives in a temp folder that is removed at the end.
import { createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { finished } from 'node:stream/promises'
import { openHistoryDb, writeExport } from '../migrations-db'
import type { Durability, ExportFormat, HistoryDb, ListQuery, MigrationInput, MigrationOutcome, RoundInput } from '../migrations-db'
import { formatRate, report } from './support'

const BIG_MIGRATIONS = 1_000_000
const HOSTS = 200
const VMS = 20_000
const PAGE_QUERIES = 400

/** A small deterministic generator so every run builds the same database. */
function lcg(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0
    return state / 4294967296
  }
}

function rounds(count: number, startUs: number): RoundInput[] {
  return Array.from({ length: count }, (_, i) => ({
    roundIndex: i + 1, startUs: startUs + i * 2000, durationUs: 2000, pagesSent: 262_144 >> i, pagesSkipped: 10 * i,
    zeroPagesSent: 100, bytesSent: (262_144 >> i) * 4096, rateMbitPerS: 1000, pagesDirtied: 131_072 >> i
  }))
}

function migration(runId: number, i: number, random: () => number, roundsCount: number): MigrationInput {
  const source = Math.floor(random() * HOSTS)
  const target = (source + 1 + Math.floor(random() * (HOSTS - 1))) % HOSTS
  const draw = random()
  const outcome: MigrationOutcome = draw < 0.8 ? 'completed' : draw < 0.95 ? 'aborted' : 'failed'
  const startUs = i * 3_000 + Math.floor(random() * 1000)
  return {
    runId, vmId: `vm-${String(Math.floor(random() * VMS)).padStart(5, '0')}`,
    sourceHostId: `host-${String(source).padStart(4, '0')}`, targetHostId: `host-${String(target).padStart(4, '0')}`,
    strategy: 'precopy-clark', trigger: random() < 0.6 ? 'policy' : 'user', reason: 'cpu above 80%', outcome,
    abortReason: outcome === 'completed' ? undefined : 'link down', startUs, endUs: startUs + 10_000 + Math.floor(random() * 5_000_000),
    downtimeUs: Math.floor(random() * 300_000), bytesSent: Math.floor(random() * 8e9), engineId: `mig-${String(i + 1).padStart(6, '0')}`,
    rounds: rounds(roundsCount, startUs)
  }
}

function open(path: string, durability: Durability, cacheSizeMiB?: number): { db: HistoryDb; runId: number } {
  const db = openHistoryDb(path, { durability, cacheSizeMiB })
  const runId = db.createRun({ scenario: 'bench', seed: 1, policy: 'balance-cpu', appVersion: '0.1.0', engineVersion: '0.1.0' })
  return { db, runId }
}

/** Flushes of 500 migrations × 5 rounds (+ one audit entry per migration), as the recorder would send them. */
function insertBench(dir: string, durability: Durability): void {
  const { db, runId } = open(join(dir, `insert-${durability}.db`), durability)
  const random = lcg(7)
  const flushes = 60
  const perFlush = 500
  const batches = Array.from({ length: flushes }, (_, f) => Array.from({ length: perFlush }, (_, k) => migration(runId, f * perFlush + k, random, 5)))
  const started = performance.now()
  for (const batch of batches) {
    db.recordBatch({ migrations: batch, audit: batch.map((m) => ({ actor: 'policy', action: 'migration.finished', payload: { vm: m.vmId }, runId, atUs: m.endUs })) })
  }
  const seconds = (performance.now() - started) / 1000
  db.close()
  const rows = flushes * perFlush * 6
  report(`insert, synchronous ${durability === 'audit' ? 'FULL' : 'NORMAL'} (migrations + rounds)`, `${formatRate(rows / seconds)} rows`, durability === 'audit' ? '>= 50 k/s' : undefined)
  report('  of which migrations (5 rounds + 1 audit entry each)', formatRate(flushes * perFlush / seconds))
}

/** 1 M migrations in a few big flushes (no rounds: the page query never reads them). */
function buildBig(path: string): HistoryDb {
  const { db, runId } = open(path, 'replayable', 1024)
  const random = lcg(11)
  const started = performance.now()
  const perFlush = 50_000
  for (let first = 0; first < BIG_MIGRATIONS; first += perFlush) {
    db.recordBatch({ migrations: Array.from({ length: perFlush }, (_, k) => migration(runId, first + k, random, 0)) })
  }
  report('build 1 M migrations (bulk flushes of 50 k)', `${((performance.now() - started) / 1000).toFixed(1)} s, ${(statSync(path).size / 2 ** 20).toFixed(0)} MiB`)
  return db
}

/** The History view's queries: first pages and keyset next pages under each filter and sort it offers. */
function pageQueries(db: HistoryDb, random: () => number): ListQuery[] {
  const host = () => `host-${String(Math.floor(random() * HOSTS)).padStart(4, '0')}`
  const vm = () => `vm-${String(Math.floor(random() * VMS)).padStart(5, '0')}`
  const shapes: (() => ListQuery)[] = [
    () => ({}),
    () => ({ filters: { hostId: host() } }),
    () => ({ filters: { vmId: vm() } }),
    () => ({ filters: { outcome: 'failed' }, sort: { key: 'downtime', direction: 'desc' } }),
    () => ({ filters: { outcome: 'completed' }, sort: { key: 'total', direction: 'asc' } }),
    () => { const sinceUs = Math.floor(random() * 2.9e9); return { filters: { sinceUs, untilUs: sinceUs + 60_000_000 } } },
    () => ({ sort: { key: 'downtime', direction: 'desc' } })
  ]
  return Array.from({ length: PAGE_QUERIES }, (_, i) => {
    const query = { ...shapes[i % shapes.length](), limit: 50 }
    if (i % 2 === 1) {
      const deep = db.listMigrations({ ...query, limit: 1 + Math.floor(random() * 200) })
      if (deep.nextCursor !== null) return { ...query, cursor: deep.nextCursor }
    }
    return query
  })
}

function percentile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]
}

function pageBench(db: HistoryDb): void {
  const queries = pageQueries(db, lcg(3))
  for (const query of queries.slice(0, 20)) db.listMigrations(query) // warm the page cache
  const timesMs = queries.map((query) => {
    const started = performance.now()
    db.listMigrations(query)
    return performance.now() - started
  }).sort((a, b) => a - b)
  report('History page query, p50 (50 rows, filtered + sorted + keyset)', `${percentile(timesMs, 0.5).toFixed(2)} ms`)
  report('History page query, p95', `${percentile(timesMs, 0.95).toFixed(2)} ms`, '< 50 ms')
  report('History page query, max', `${timesMs[timesMs.length - 1].toFixed(2)} ms`)
  const counts = [{}, { outcome: 'completed' as const }, { hostId: 'host-0007' }].map((filters) => {
    const started = performance.now()
    db.countMigrations(filters)
    return performance.now() - started
  })
  report('count (all / completed / one host), ms', counts.map((ms) => ms.toFixed(1)).join(' / '))
  const plans: [string, ListQuery][] = [
    ['newest first, next page', { cursor: db.listMigrations({ limit: 50 }).nextCursor ?? undefined }],
    ['one host', { filters: { hostId: 'host-0001' } }],
    ['failed by downtime', { filters: { outcome: 'failed' }, sort: { key: 'downtime', direction: 'desc' } }],
    ['time range', { filters: { sinceUs: 1e9, untilUs: 1.06e9 } }]
  ]
  for (const [label, query] of plans) process.stdout.write(`  EXPLAIN QUERY PLAN (${label}): ${db.explainListQuery(query).join(' | ')}\n`)
}

async function exportBench(db: HistoryDb, dir: string, format: ExportFormat): Promise<void> {
  global.gc?.()
  const rssBefore = process.memoryUsage().rss
  let rssPeak = rssBefore
  const out = join(dir, `export.${format}`)
  const sink = createWriteStream(out)
  const sampled = function* (chunks: Iterable<string>) {
    for (const chunk of chunks) {
      rssPeak = Math.max(rssPeak, process.memoryUsage().rss)
      yield chunk
    }
  }
  const started = performance.now()
  await writeExport(sampled(db.exportChunks({ format })), sink)
  sink.end()
  await finished(sink)
  const seconds = (performance.now() - started) / 1000
  const bytes = statSync(out).size
  report(`export ${format} of 1 M migrations`, `${formatRate(BIG_MIGRATIONS / seconds)} rows, ${(bytes / 2 ** 20 / seconds).toFixed(0)} MiB/s`)
  report(`  peak RSS growth during ${format} export`, `${((rssPeak - rssBefore) / 2 ** 20).toFixed(1)} MiB (file ${(bytes / 2 ** 20).toFixed(0)} MiB)`)
  rmSync(out)
}

export async function run(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'cutover-db-bench-'))
  try {
    insertBench(dir, 'audit')
    insertBench(dir, 'replayable')
    const db = buildBig(join(dir, 'big.db'))
    try {
      pageBench(db)
      await exportBench(db, dir, 'csv')
      await exportBench(db, dir, 'json')
    } finally {
      db.close()
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}
