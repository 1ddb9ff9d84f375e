// The pacer maps wall time to virtual time; driven here by a fake clock, never by real time.
import { describe, it, expect } from 'vitest'
import { Pacer, FAST_FRAME_US } from '../../main/engine-host/pacer'

function fakeClock() {
  let nowMs = 1_000
  return { clock: { nowMs: () => nowMs }, advance: (ms: number) => { nowMs += ms } }
}

describe('pacer', () => {
  it('advances nothing while paused', () => {
    const { clock, advance } = fakeClock()
    const pacer = new Pacer(clock)
    advance(500)
    expect(pacer.takeDueUs()).toBe(0)
  })

  it('advances virtual time by wall time × speed', () => {
    const { clock, advance } = fakeClock()
    const pacer = new Pacer(clock)
    pacer.setSpeed(100)
    pacer.play()
    advance(33)
    expect(pacer.takeDueUs()).toBe(3_300_000)
    pacer.setSpeed(1)
    advance(10)
    expect(pacer.takeDueUs()).toBe(10_000)
  })

  it('runs a fixed virtual budget per frame when as fast as possible', () => {
    const { clock, advance } = fakeClock()
    const pacer = new Pacer(clock)
    pacer.setSpeed(null)
    pacer.play()
    advance(1)
    expect(pacer.takeDueUs()).toBe(FAST_FRAME_US)
  })
})
