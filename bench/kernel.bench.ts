// Kernel throughput: timers scheduled and fired per second through Simulation (schedule + pop + action),
// with a steady population of pending timers (the shape of a busy datacenter run) and as a bulk drain.
import { Simulation } from '../engine/index'
import { bestOfMs, formatRate, report } from './support'

const EVENTS = 1_000_000

/** `population` self-rescheduling chains with pseudo-random delays of 1 … delayMaskUs + 1 µs; returns timers fired. */
function steadyState(population: number, events: number, delayMaskUs = 1023): number {
  const sim = new Simulation(1)
  let fired = 0
  let state = 0x9e3779b9
  const nextDelay = () => {
    state = Math.imul(state ^ (state >>> 15), 0x2c1b3c6d) >>> 0
    return 1 + (state & delayMaskUs)
  }
  const chain = () => {
    fired++
    if (fired + population <= events) sim.schedule(nextDelay(), chain)
  }
  for (let i = 0; i < population; i++) sim.schedule(nextDelay(), chain)
  sim.runToCompletion()
  return fired
}

/** Schedules `events` timers up front (many equal times, exercising the seq tie-break), then drains. */
function bulk(events: number): number {
  const sim = new Simulation(1)
  let fired = 0
  const action = () => { fired++ }
  for (let i = 0; i < events; i++) sim.schedule((i * 7919) % 100_000, action, i & 3)
  sim.runToCompletion()
  return fired
}

/** Schedules and cancels half of the timers before draining (lazy cancellation). */
function withCancellation(events: number): number {
  const sim = new Simulation(1)
  let fired = 0
  const action = () => { fired++ }
  for (let i = 0; i < events; i++) {
    const timer = sim.schedule((i * 7919) % 100_000, action)
    if ((i & 1) === 1) sim.cancel(timer)
  }
  sim.runToCompletion()
  return fired
}

export function run(): void {
  // The 5 M events/s target is for the shapes a run has (a few to a thousand pending timers); 100,000 pending and
  // the bulk drains are stress figures, printed without it.
  for (const population of [1, 1_000, 100_000]) {
    const ms = bestOfMs(3, () => steadyState(population, EVENTS))
    report(`schedule+fire, ${population} pending`, formatRate((EVENTS / ms) * 1000), population <= 1_000 ? '≥ 5 M/s' : undefined)
  }
  // Delays up to ~1 s: most land past the queue's µs wheel (16 ms), so this measures its heap path.
  const longMs = bestOfMs(3, () => steadyState(1_000, EVENTS, (1 << 20) - 1))
  report(`schedule+fire, 1000 pending, delays to 1 s`, formatRate((EVENTS / longMs) * 1000))
  const bulkMs = bestOfMs(3, () => bulk(EVENTS))
  report(`bulk schedule ${EVENTS / 1e6} M then drain`, formatRate((EVENTS / bulkMs) * 1000))
  const cancelMs = bestOfMs(3, () => withCancellation(EVENTS))
  report(`bulk with half cancelled (per scheduled timer)`, formatRate((EVENTS / cancelMs) * 1000))
}
