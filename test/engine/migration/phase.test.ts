// Goal: the migration's phase is a checked union: legal protocol transitions pass, any other (skipping the
// commit, leaving a finished migration, entering post-copy with the whole image moved) throws InvariantViolation.
import { describe, expect, it } from 'vitest'
import { InvariantViolation } from '../../../engine/kernel/assert'
import { hasPagesOnSource, isCommitted, isPostcopyInterrupted, phaseForStage, stageOf, transition, type MigrationPhase } from '../../../engine/migration/phase'

const walk = (phases: MigrationPhase[]): MigrationPhase => phases.reduce((from, to) => transition(from, to))

describe('migration phase', () => {
  it('walks pre-copy and post-copy through the protocol, committed only after the commit record', () => {
    const precopy = walk([
      { kind: 'pre-migration' }, { kind: 'reservation' }, { kind: 'precopy' }, { kind: 'stop-and-copy', pagesOnSource: false },
      { kind: 'commit', pagesOnSource: false }
    ])
    expect(isCommitted(precopy)).toBe(false)
    const committed = transition(precopy, { kind: 'committed', pagesOnSource: false })
    expect(isCommitted(committed)).toBe(true)
    expect(stageOf(committed)).toBe('commit')
    const postcopy = walk([
      { kind: 'reservation' }, { kind: 'stop-and-copy', pagesOnSource: true }, { kind: 'commit', pagesOnSource: true },
      { kind: 'committed', pagesOnSource: true }, { kind: 'activation', pagesOnSource: true }, phaseForStage('postcopy', { kind: 'activation', pagesOnSource: true })
    ])
    expect(postcopy).toEqual({ kind: 'postcopy' })
    expect(hasPagesOnSource(postcopy)).toBe(true)
  })

  it.each([
    [{ kind: 'precopy' }, { kind: 'commit', pagesOnSource: false }],
    [{ kind: 'stop-and-copy', pagesOnSource: false }, { kind: 'committed', pagesOnSource: false }],
    [{ kind: 'reservation' }, { kind: 'activation', pagesOnSource: false }],
    [{ kind: 'done', outcome: 'aborted', committed: false }, { kind: 'precopy' }],
    [{ kind: 'done', outcome: 'completed', committed: true }, { kind: 'done', outcome: 'failed', committed: true }]
  ] as [MigrationPhase, MigrationPhase][])('refuses %j → %j', (from, to) => {
    expect(() => transition(from, to)).toThrow(InvariantViolation)
  })

  it('post-copy pauses on a broken path and recovers (QEMU postcopy-paused / postcopy-recover), still committed and stage postcopy', () => {
    const paused = transition({ kind: 'postcopy' }, { kind: 'postcopy-paused' })
    const recovering = transition(paused, { kind: 'postcopy-recover' })
    for (const phase of [paused, recovering]) {
      expect(stageOf(phase)).toBe('postcopy')
      expect(isCommitted(phase)).toBe(true)
      expect(hasPagesOnSource(phase)).toBe(true)
      expect(isPostcopyInterrupted(phase)).toBe(true)
    }
    expect(transition(recovering, { kind: 'postcopy-paused' }).kind).toBe('postcopy-paused')
    expect(transition(recovering, { kind: 'postcopy' }).kind).toBe('postcopy')
    expect(isPostcopyInterrupted({ kind: 'postcopy' })).toBe(false)
    expect(transition(paused, { kind: 'done', outcome: 'paused', committed: true }).kind).toBe('done')
    // Recovery is the only way out of the pause, and only post-copy can pause.
    expect(() => transition(paused, { kind: 'postcopy' })).toThrow(InvariantViolation)
    expect(() => transition({ kind: 'activation', pagesOnSource: true }, { kind: 'postcopy-paused' })).toThrow(InvariantViolation)
    expect(() => transition({ kind: 'precopy' }, { kind: 'postcopy-recover' })).toThrow(InvariantViolation)
  })

  it('any live phase may end, and post-copy needs pages on the source', () => {
    expect(transition({ kind: 'commit', pagesOnSource: false }, { kind: 'done', outcome: 'aborted', committed: false }).kind).toBe('done')
    expect(() => phaseForStage('postcopy', { kind: 'activation', pagesOnSource: false })).toThrow(InvariantViolation)
  })
})
