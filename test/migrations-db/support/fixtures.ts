// Test builders for the history store: temp database paths and realistic, seeded migrations, decisions,
// faults and audit entries. Deterministic for a seed; no wall clock unless a test passes one in.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { AuditInput, HistoryBatch, MigrationInput, MigrationOutcome, RoundInput, RunInput } from '../../../migrations-db'

/** A fresh temp folder and a db path inside it; call cleanup() in afterEach. */
export function tempDb(name = 'history.db'): { dir: string; path: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'cutover-history-'))
  return { dir, path: join(dir, name), cleanup: () => rmSync(dir, { recursive: true, force: true }) }
}

/** mulberry32: a tiny seeded generator, enough for fixtures. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

export const RUN: RunInput = { scenario: 'rack-of-8', seed: 7, policy: 'balance-cpu', appVersion: '0.1.0', engineVersion: '0.1.0', startedAtMs: 1_700_000_000_000 }

const OUTCOMES: MigrationOutcome[] = ['completed', 'completed', 'completed', 'aborted', 'failed']
const TRIGGERS = ['user', 'policy', 'evacuation', 'ha'] as const

/** The last round says why pre-copy stopped; the others carry no stop reason (null, as they read back). */
export function makeRounds(count: number, startUs: number): RoundInput[] {
  return Array.from({ length: count }, (_, index) => ({
    roundIndex: index + 1, startUs: startUs + index * 1000, durationUs: 900 - index * 100, pagesSent: 4096 >> index,
    pagesSkipped: index * 3, zeroPagesSent: index, bytesSent: (4096 >> index) * 4096, rateMbitPerS: 1000, pagesDirtied: 2048 >> index,
    stopReason: index === count - 1 ? 'dirty set fits the downtime limit' : null
  }))
}

/** The i-th migration of a run (engine id mig-<i+1>): hosts host-00..host-07, VMs vm-0000..vm-0039, five rounds unless given. */
export function makeMigration(runId: number, i: number, random: () => number, roundsCount = 5): MigrationInput {
  const source = Math.floor(random() * 8)
  const target = (source + 1 + Math.floor(random() * 7)) % 8
  const outcome = OUTCOMES[Math.floor(random() * OUTCOMES.length)]
  const startUs = i * 10_000 + Math.floor(random() * 5000)
  const totalUs = 1000 + Math.floor(random() * 50_000)
  return {
    runId, vmId: `vm-${String(Math.floor(random() * 40)).padStart(4, '0')}`,
    sourceHostId: `host-${String(source).padStart(2, '0')}`, targetHostId: `host-${String(target).padStart(2, '0')}`,
    strategy: random() < 0.7 ? 'precopy-clark' : 'postcopy', trigger: TRIGGERS[Math.floor(random() * TRIGGERS.length)],
    reason: random() < 0.5 ? 'cpu above 80%' : 'operator request, "urgent", rack 2',
    outcome, abortReason: outcome === 'completed' ? undefined : 'link down during round 3',
    startUs, endUs: startUs + totalUs, downtimeUs: Math.floor(random() * 3000), bytesSent: Math.floor(random() * 1e9),
    lostWrites: outcome === 'failed' ? 3 : 0, engineId: `mig-${String(i + 1).padStart(6, '0')}`, rounds: makeRounds(roundsCount, startUs)
  }
}

export function makeAudit(runId: number, i: number, wallAtMs: number): AuditInput {
  return { runId, atUs: i * 10_000, wallAtMs, actor: i % 3 === 0 ? 'user' : 'policy:balance-cpu', action: 'migration.finished',
    payload: { migration: i, note: 'ünïcode ✓', nested: { b: [1, 2, 3], a: null } } }
}

/** A batch of `count` migrations starting at index `first`, with one decision, one fault and one audit entry each. */
export function makeBatch(runId: number, first: number, count: number, random: () => number, wallAtMs = 1_700_000_000_000): HistoryBatch {
  const indexes = Array.from({ length: count }, (_, k) => first + k)
  return {
    migrations: indexes.map((i) => makeMigration(runId, i, random, 1 + (i % 6))),
    decisions: indexes.slice(0, 1).map((i) => ({ runId, atUs: i * 10_000, policy: 'balance-cpu', inputs: { hottestHost: 'host-03', cpuPct: 91 },
      chosen: [{ move: `vm-${i}`, to: 'host-05' }], rejected: [{ action: { move: `vm-${i}`, to: 'host-06' }, reason: 'host-06 above 70% memory' }] })),
    faults: indexes.slice(0, 1).map((i) => ({ runId, atUs: i * 10_000 + 5, kind: 'link-down', targetId: 'link-03', detail: { durationUs: 500 } })),
    audit: indexes.map((i) => makeAudit(runId, i, wallAtMs + i))
  }
}
