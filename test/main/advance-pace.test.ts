// The paced advance's size: unlimited until the worker's pace is known, then about ADVANCE_WALL_MS_MAX of work at
// that pace (a moving average), never below ADVANCE_US_MIN; a short advance counts as the sampling floor.
import { describe, expect, it } from 'vitest'
import { ADVANCE_US_MIN, ADVANCE_WALL_MS_MAX, AdvancePace, PROBE_US, PROBES_MAX } from '../../main/engine-host/advance-pace'

describe('advance pace', () => {
  it('is unlimited until an advance is measured; a short one counts as the floor of PACE_SAMPLE_MS_MIN', () => {
    const pace = new AdvancePace()
    expect(pace.capUs()).toBe(Infinity)
    pace.note(0, 100)
    expect(pace.capUs()).toBe(Infinity)
    pace.note(1_000_000, 1) // 1 ms counts as 5 ms: 200,000 µs per wall ms
    expect(pace.capUs()).toBe(200_000 * ADVANCE_WALL_MS_MAX)
  })

  it('recovers from a low estimate: capped advances that run fast raise it again', () => {
    const pace = new AdvancePace()
    pace.note(1, 10_000) // a starved worker: the cap falls to the minimum
    expect(pace.capUs()).toBe(ADVANCE_US_MIN)
    // A small world now: every capped advance takes about 1 ms of wall time.
    for (let i = 0; i < 40; i++) pace.note(pace.capUs(), 1)
    expect(pace.capUs()).toBeGreaterThan(1_000 * ADVANCE_US_MIN)
  })

  it('keeps an advance to about ADVANCE_WALL_MS_MAX of work at the measured pace', () => {
    const pace = new AdvancePace()
    pace.note(10_000_000, 200) // 50,000 µs of virtual time per wall ms
    expect(pace.capUs()).toBe(50_000 * ADVANCE_WALL_MS_MAX)
    // A slower sample moves the estimate part of the way (one slow advance does not stall the clock).
    pace.note(1_000_000, 100)
    const cap = pace.capUs()
    expect(cap).toBeLessThan(50_000 * ADVANCE_WALL_MS_MAX)
    expect(cap).toBeGreaterThan(10_000 * ADVANCE_WALL_MS_MAX)
  })

  it('after a command, stops probing after PROBES_MAX advances it could not time, and trusts the old pace again', () => {
    const pace = new AdvancePace()
    pace.note(100_000_000, 100)
    const before = pace.capUs()
    pace.invalidate()
    for (let i = 0; i < PROBES_MAX - 1; i++) pace.unmeasured()
    expect(pace.capUs()).toBe(PROBE_US)
    pace.unmeasured()
    expect(pace.capUs()).toBe(before)
  })

  it('after a command, probes with short advances and then trusts the new pace alone', () => {
    const pace = new AdvancePace()
    pace.note(100_000_000, 100) // a cheap world: 1,000,000 µs per wall ms
    pace.invalidate() // a page-level migration started: that pace no longer holds
    expect(pace.capUs()).toBe(PROBE_US)
    expect(pace.capUs()).toBe(PROBE_US) // until measured
    pace.note(PROBE_US, 20) // 500 µs per wall ms now
    // Replaced, not averaged with the old pace (which would allow ~700× the work).
    expect(pace.capUs()).toBe(500 * ADVANCE_WALL_MS_MAX)
  })

  it('never stops the clock', () => {
    const pace = new AdvancePace()
    pace.note(1, 10_000)
    expect(pace.capUs()).toBe(ADVANCE_US_MIN)
  })
})
