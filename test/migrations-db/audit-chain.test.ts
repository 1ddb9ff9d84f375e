// Goal: the audit chain is tamper-evident: changing, deleting or reordering any entry with raw SQL (triggers
// dropped first, as an attacker would) makes verifyAudit fail and name the first bad seq, before and after a
// prune checkpoint. Method: fast-check picks the entry and the kind of tampering on a temp-file database.
import Database from 'better-sqlite3'
import fc from 'fast-check'
import { afterEach, describe, expect, test } from 'vitest'
import { auditHash, canonicalJson, GENESIS_HASH, verifyChain } from '../../migrations-db/audit-chain'
import { openHistoryDb } from '../../migrations-db'
import type { AuditRow } from '../../migrations-db'
import { makeAudit, tempDb } from './support/fixtures'

const temps: ReturnType<typeof tempDb>[] = []
afterEach(() => { for (const temp of temps.splice(0)) temp.cleanup() })

/** A database with `count` audit entries (seq 1..count), optionally pruned through `pruneThrough`. */
function chainDb(count: number, pruneThrough = 0): string {
  const temp = tempDb()
  temps.push(temp)
  const db = openHistoryDb(temp.path)
  const runId = 1 // no run row: audit entries need none, and a run would add its own run.created entry
  db.appendAudit(Array.from({ length: count }, (_, i) => makeAudit(runId, i, 1000 + i)))
  if (pruneThrough > 0) db.prune({ beforeWallMs: 1000 + pruneThrough })
  db.close()
  return temp.path
}

function dropTriggers(raw: Database.Database): void {
  for (const { name } of raw.prepare("SELECT name FROM sqlite_schema WHERE type = 'trigger'").all() as { name: string }[]) {
    raw.exec(`DROP TRIGGER "${name}"`)
  }
}

type Tamper = { kind: 'change'; field: 'actor' | 'payload_json' | 'at_us' | 'wall_at_ms' | 'action'; seq: number } |
  { kind: 'delete'; seq: number } | { kind: 'swap'; seq: number; other: number } | { kind: 'swap-content'; seq: number; other: number }

function tamper(path: string, t: Tamper): void {
  const raw = new Database(path)
  dropTriggers(raw)
  if (t.kind === 'change') {
    const value = { actor: "'mallory'", payload_json: `'{"forged":true}'`, at_us: 'COALESCE(at_us, 0) + 1', wall_at_ms: 'wall_at_ms + 1', action: "'x.forged'" }[t.field]
    raw.prepare(`UPDATE audit_log SET ${t.field} = ${value} WHERE seq = ?`).run(t.seq)
  } else if (t.kind === 'delete') {
    raw.prepare('DELETE FROM audit_log WHERE seq = ?').run(t.seq)
  } else if (t.kind === 'swap') {
    raw.prepare('UPDATE audit_log SET seq = 1000000 WHERE seq = ?').run(t.seq)
    raw.prepare('UPDATE audit_log SET seq = ? WHERE seq = ?').run(t.seq, t.other)
    raw.prepare('UPDATE audit_log SET seq = ? WHERE seq = 1000000').run(t.other)
  } else {
    raw.exec(`UPDATE audit_log SET actor = (SELECT b.actor FROM audit_log b WHERE b.seq = CASE audit_log.seq WHEN ${t.seq} THEN ${t.other} ELSE ${t.seq} END),
      payload_json = (SELECT b.payload_json FROM audit_log b WHERE b.seq = CASE audit_log.seq WHEN ${t.seq} THEN ${t.other} ELSE ${t.seq} END)
      WHERE seq IN (${t.seq}, ${t.other})`)
  }
  raw.close()
}

function verify(path: string) {
  const db = openHistoryDb(path, { readonly: true })
  try {
    return db.verifyAudit()
  } finally {
    db.close()
  }
}

describe('canonicalJson', () => {
  test('sorts keys at every depth and is independent of insertion order', () => {
    fc.assert(fc.property(fc.jsonValue(), (value) => {
      const shuffled = JSON.parse(JSON.stringify(value, (_key, v: unknown) =>
        v !== null && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).reverse()) : v)) as unknown
      expect(canonicalJson(shuffled)).toBe(canonicalJson(value))
      expect(JSON.parse(canonicalJson(value))).toEqual(JSON.parse(JSON.stringify(value)))
    }))
  })

  test('rejects values that are not plain JSON', () => {
    expect(() => canonicalJson(Number.NaN)).toThrow()
    expect(() => canonicalJson(new Map())).toThrow()
    expect(() => canonicalJson(undefined)).toThrow()
  })
})

describe('verifyChain (pure)', () => {
  function chain(n: number): AuditRow[] {
    const rows: AuditRow[] = []
    let prev = GENESIS_HASH
    for (let seq = 1; seq <= n; seq++) {
      const content = { seq, runId: 1, atUs: seq, wallAtMs: seq, actor: 'a', action: 'b', payloadJson: '{}' }
      const hash = auditHash(prev, content)
      rows.push({ ...content, prevHash: prev, hash })
      prev = hash
    }
    return rows
  }

  test('accepts an intact chain and its head', () => {
    const rows = chain(5)
    expect(verifyChain(rows, { seq: 1, prevHash: GENESIS_HASH }, { lastSeq: 5, lastHash: rows[4].hash })).toEqual({ ok: true, checked: 5 })
  })

  test('a deleted newest entry is caught by the head', () => {
    const rows = chain(5)
    expect(verifyChain(rows.slice(0, 4), { seq: 1, prevHash: GENESIS_HASH }, { lastSeq: 5, lastHash: rows[4].hash }))
      .toMatchObject({ ok: false, firstBadSeq: 5 })
  })
})

describe('tampering with raw SQL', () => {
  const count = 12
  const seqArb = fc.integer({ min: 1, max: count })
  const tamperArb: fc.Arbitrary<Tamper> = fc.oneof(
    fc.record({ kind: fc.constant('change' as const), field: fc.constantFrom('actor' as const, 'payload_json' as const, 'at_us' as const, 'wall_at_ms' as const, 'action' as const), seq: seqArb }),
    fc.record({ kind: fc.constant('delete' as const), seq: seqArb }),
    fc.tuple(seqArb, seqArb).filter(([a, b]) => a !== b).map(([a, b]) => ({ kind: 'swap' as const, seq: Math.min(a, b), other: Math.max(a, b) })),
    fc.tuple(seqArb, seqArb).filter(([a, b]) => a !== b).map(([a, b]) => ({ kind: 'swap-content' as const, seq: Math.min(a, b), other: Math.max(a, b) }))
  )

  test('an untouched chain verifies', () => {
    expect(verify(chainDb(count))).toMatchObject({ ok: true, checked: count, headSeq: count, integrity: ['ok'], warnings: [] })
  })

  test('any change, deletion or reordering fails verify at the first tampered seq', () => {
    fc.assert(fc.property(tamperArb, (t) => {
      const path = chainDb(count)
      tamper(path, t)
      const verdict = verify(path)
      expect(verdict.ok).toBe(false)
      expect(verdict.firstBadSeq).toBe(t.seq)
      expect(verdict.warnings.length).toBeGreaterThan(0) // the dropped triggers are reported too
    }), { numRuns: 40 })
  })

  test('after a prune, tampering with the entries behind the checkpoint is still caught', () => {
    fc.assert(fc.property(fc.integer({ min: 6, max: count }), fc.boolean(), (seq, remove) => {
      const path = chainDb(count, 5) // entries 1..5 pruned; 13 is the prune's own entry
      expect(verify(path)).toMatchObject({ ok: true, firstSeq: 6, headSeq: count + 1 })
      tamper(path, remove ? { kind: 'delete', seq } : { kind: 'change', field: 'payload_json', seq })
      expect(verify(path)).toMatchObject({ ok: false, firstBadSeq: seq })
    }), { numRuns: 12 })
  })

  test('a forged checkpoint hash breaks the link to the first kept entry', () => {
    const path = chainDb(count, 5)
    const raw = new Database(path)
    dropTriggers(raw)
    raw.exec(`UPDATE audit_checkpoints SET through_hash = '${'f'.repeat(64)}'`)
    raw.close()
    expect(verify(path)).toMatchObject({ ok: false, firstBadSeq: 6 })
  })

  test('entries re-inserted below the checkpoint are caught', () => {
    const path = chainDb(count, 5)
    const raw = new Database(path)
    dropTriggers(raw)
    raw.exec("INSERT INTO audit_log VALUES (3, NULL, NULL, 1, 'a', 'b', '{}', 'x', 'y')")
    raw.close()
    expect(verify(path)).toMatchObject({ ok: false, firstBadSeq: 3 })
  })
})
