// Goal: one fault vocabulary: every consumer's kinds are a subset of FAULT_KINDS, and the KIND@WHEN[+FORs]
// grammar parses stages, times and durations, naming the bad part otherwise.
import { describe, expect, it } from 'vitest'
import {
  CLUSTER_FAULT_KINDS, FAULT_KINDS, MIGRATION_FAULT_KINDS, NET_FAULT_KINDS, describeFault, parseFaultText
} from '../../../engine/faults/vocabulary'

describe('fault vocabulary', () => {
  it('names every kind once, and each consumer uses a subset of it', () => {
    expect(new Set(FAULT_KINDS).size).toBe(FAULT_KINDS.length)
    for (const subset of [MIGRATION_FAULT_KINDS, NET_FAULT_KINDS, CLUSTER_FAULT_KINDS]) {
      for (const kind of subset) expect(FAULT_KINDS).toContain(kind)
    }
    for (const kind of FAULT_KINDS) expect(describeFault(kind)).not.toBe('')
  })

  it.each([
    ['dest-crash@commit', { kind: 'dest-crash', stage: 'commit' }],
    ['link-down@12.5s', { kind: 'link-down', afterStartUs: 12_500_000 }],
    ['link-down@2s+1.5s', { kind: 'link-down', afterStartUs: 2_000_000, durationUs: 1_500_000 }],
    ['partition@postcopy+3s', { kind: 'partition', stage: 'postcopy', durationUs: 3_000_000 }]
  ])('parses %s', (text, fault) => {
    expect(parseFaultText(text)).toEqual({ ok: true, fault })
  })

  it.each([
    ['dest-crash', /^expected KIND@WHEN, got "dest-crash"$/],
    ['melt@commit', /^unknown kind "melt"; expected one of dest-crash, /],
    ['link-down@soon', /^WHEN must be a stage \(reservation, .*\) or a time like 12.5s, got "soon"$/],
    ['link-down@2s+0s', /^FOR must be a positive time like 1.5s, got "0s"$/],
    ['link-down@2s+x', /^FOR must be a positive time/],
    ['dest-crash@2s+1s', /^only link-down and partition take a duration/]
  ])('rejects %s', (text, pattern) => {
    const parsed = parseFaultText(text)
    expect(parsed.ok).toBe(false)
    if (!parsed.ok) expect(parsed.error).toMatch(pattern)
  })
})
