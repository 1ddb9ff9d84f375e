// Processes: generator functions that read top to bottom ("wait 5 ms, then send, then wait for the ack").
// A process yields a delay in µs or a Signal to wait on; the kernel resumes it through ordinary timers, so
// processes obey the same (time, priority, seq) order as everything else.
import type { Timer } from './event-queue'
import type { Simulation } from './simulation'
import type { SimTimeUs } from './time'

/** A one-shot-per-wait broadcast: every process waiting when it fires resumes with the value. */
export class Signal<T = void> {
  private waiters: ((value: T) => void)[] = []

  wait(resume: (value: T) => void): void {
    this.waiters.push(resume)
  }

  get waiting(): number {
    return this.waiters.length
  }

  fire(value: T): void {
    const waiters = this.waiters
    this.waiters = []
    for (const resume of waiters) resume(value)
  }
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any Signal<T> may be awaited; its value is passed back untyped
export type Yielded = SimTimeUs | Signal<any>
export type ProcessBody = Generator<Yielded, void, unknown>

export class ProcessHandle {
  readonly finished = new Signal<void>()
  private timer: Timer | undefined
  private alive = true

  constructor(private readonly sim: Simulation, private readonly body: ProcessBody, private readonly priority: number) {}

  get isAlive(): boolean {
    return this.alive
  }

  /** Advances the generator with `value` and arranges its next wake-up. */
  resume(value: unknown): void {
    if (!this.alive) return
    this.timer = undefined
    const step = this.body.next(value)
    if (step.done) {
      this.alive = false
      this.finished.fire()
      return
    }
    const yielded = step.value
    if (typeof yielded === 'number') {
      this.timer = this.sim.schedule(yielded, () => this.resume(undefined), this.priority)
    } else {
      yielded.wait((signalled) => {
        if (this.alive) this.timer = this.sim.schedule(0, () => this.resume(signalled), this.priority)
      })
    }
  }

  /** Stops the process where it stands; its pending wake-up is cancelled and `finally` blocks run. */
  kill(): void {
    if (!this.alive) return
    this.alive = false
    this.sim.cancel(this.timer)
    this.body.return()
    this.finished.fire()
  }
}

export function spawn(sim: Simulation, body: ProcessBody, priority = 0): ProcessHandle {
  const handle = new ProcessHandle(sim, body, priority)
  sim.schedule(0, () => handle.resume(undefined), priority)
  return handle
}
