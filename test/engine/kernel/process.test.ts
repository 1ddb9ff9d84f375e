// Goal: generator processes read top to bottom and obey virtual time, signals and kill.
// Method: small processes whose steps are logged with the virtual time.
import { describe, expect, it } from 'vitest'
import { Signal, Simulation, spawn, type ProcessBody, type Yielded } from '../../../engine/kernel'

// Yielded is Signal<unknown>, and Signal<T> is invariant in T (its waiter list), so typed signals are widened here.
const waitFor = <T>(signal: Signal<T>): Yielded => signal as unknown as Signal<unknown>

describe('processes', () => {
  it('resume after each yielded delay at the right virtual time', () => {
    const sim = new Simulation(1)
    const log: string[] = []
    const handle = spawn(sim, (function* (): ProcessBody {
      log.push(`start@${sim.nowUs}`)
      yield 5
      log.push(`after5@${sim.nowUs}`)
      yield 10
      log.push(`after15@${sim.nowUs}`)
    })())
    sim.runToCompletion()
    expect(log).toEqual(['start@0', 'after5@5', 'after15@15'])
    expect(handle.isAlive).toBe(false)
  })

  it('wait on a signal and receive the fired value', () => {
    const sim = new Simulation(1)
    const ack = new Signal<string>()
    const log: string[] = []
    spawn(sim, (function* (): ProcessBody {
      const value = yield waitFor(ack)
      log.push(`${String(value)}@${sim.nowUs}`)
    })())
    sim.scheduleAt(7, () => ack.fire('ack'))
    sim.runToCompletion()
    expect(log).toEqual(['ack@7'])
    expect(ack.waiting).toBe(0)
  })

  it('interleave by (time, priority, seq) with ordinary timers', () => {
    const sim = new Simulation(1)
    const log: string[] = []
    spawn(sim, (function* (): ProcessBody {
      yield 10
      log.push('process')
    })())
    sim.scheduleAt(10, () => log.push('timer-before'), -1)
    sim.scheduleAt(10, () => log.push('timer-after'), 1)
    sim.runToCompletion()
    expect(log).toEqual(['timer-before', 'process', 'timer-after'])
  })

  it('stop at kill: no further steps, finally blocks run, finished fires', () => {
    const sim = new Simulation(1)
    const log: string[] = []
    const handle = spawn(sim, (function* (): ProcessBody {
      try {
        yield 5
        log.push('never')
      } finally {
        log.push(`finally@${sim.nowUs}`)
      }
    })())
    let finished = false
    handle.finished.wait(() => { finished = true })
    sim.scheduleAt(2, () => handle.kill())
    sim.runToCompletion()
    expect(log).toEqual(['finally@2'])
    expect(finished).toBe(true)
    expect(sim.pendingTimers).toBe(0)
  })

  it('let one process wait for another to finish', () => {
    const sim = new Simulation(1)
    const log: string[] = []
    const worker = spawn(sim, (function* (): ProcessBody { yield 20 })())
    spawn(sim, (function* (): ProcessBody {
      yield waitFor(worker.finished)
      log.push(`joined@${sim.nowUs}`)
    })())
    sim.runToCompletion()
    expect(log).toEqual(['joined@20'])
  })
})
