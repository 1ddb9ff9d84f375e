// The history recorder batches world records into one transaction per flush (by size or by an injected timer)
// and keeps a batch that failed to write for a retry, so nothing reported is lost.
import { describe, it, expect } from 'vitest'
import { HistoryRecorder } from '../../main/history/recorder'
import { openHistoryDb } from '../../migrations-db'
import type { WorldRecord } from '../../engine/api/records'

function fakeTimers() {
  const pending: (() => void)[] = []
  return { timers: { setTimeout: (action: () => void) => { pending.push(action); return pending.length }, clearTimeout: () => { pending.length = 0 } }, fire: () => pending.splice(0).forEach((action) => action()) }
}

const migration = (vmId: string): WorldRecord => ({
  kind: 'migration', migration: {
    vmId, sourceHostId: 'host-a', targetHostId: 'host-b', strategy: 'precopy', trigger: 'user', reason: 'test', outcome: 'completed',
    startUs: 0, endUs: 1000, downtimeUs: 10, bytesSent: 4096,
    rounds: [{ roundIndex: 1, startUs: 0, durationUs: 900, pagesSent: 1, pagesSkipped: 0, zeroPagesSent: 0, bytesSent: 4096, rateMbitPerS: 100, pagesDirtied: 0 }]
  }
})

describe('history recorder', () => {
  it('flushes by size and by time, a migration together with its rounds', () => {
    const db = openHistoryDb(':memory:')
    const runId = db.createRun({ scenario: 'test', seed: 1, policy: 'none', appVersion: '0', engineVersion: '0' })
    const { timers, fire } = fakeTimers()
    const recorder = new HistoryRecorder(db, runId, { maxItems: 3, timers })
    recorder.record([migration('vm-1'), migration('vm-2')])
    expect(db.countMigrations({})).toBe(0)
    recorder.record([migration('vm-3'), { kind: 'audit', audit: { actor: 'user', action: 'migrate', payload: { vmId: 'vm-3' }, atUs: 5 } }])
    expect(db.countMigrations({})).toBe(3)
    recorder.record([migration('vm-4')])
    expect(db.countMigrations({})).toBe(3)
    fire()
    expect(db.countMigrations({})).toBe(4)
    expect(db.getMigration(1)?.rounds).toHaveLength(1)
    expect(db.verifyAudit().ok).toBe(true)
    db.close()
  })

  it('keeps a batch whose write failed and writes it on the retry', () => {
    const written: unknown[] = []
    let failing = true
    const { timers, fire } = fakeTimers()
    const errors: unknown[] = []
    const recorder = new HistoryRecorder({ recordBatch: (batch) => { if (failing) throw new Error('disk full'); written.push(batch) } }, 1, { maxItems: 1, timers, onError: (error) => errors.push(error) })
    recorder.record([migration('vm-1')])
    expect(errors).toHaveLength(1)
    expect(recorder.pendingItems).toBe(1)
    failing = false
    fire()
    expect(written).toHaveLength(1)
    expect(recorder.pendingItems).toBe(0)
  })
})
