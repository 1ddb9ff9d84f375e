// Hosts a running simulation for the UI: play/pause/step/speed through the pacer, frames on a timer, and a
// coalesced status push (latest wins, at most 30 per second). Knows nothing about transports.
import { Simulation } from '../../engine/kernel'
import { Pacer, systemClock, type WallClock } from './pacer'
import type { SimControl, SimStatus } from '../ipc/contract'

export const FRAME_MS = 33
const HEARTBEAT_US = 100_000

export interface SimHostOptions {
  readonly seed?: number
  readonly clock?: WallClock
  /** Starts the frame timer; tests pass false and call frame() themselves. */
  readonly autoFrames?: boolean
}

export class SimHost {
  readonly pacer: Pacer
  private sim: Simulation
  private timer: ReturnType<typeof setInterval> | undefined
  private readonly statusListeners = new Set<(status: SimStatus) => void>()

  constructor(options: SimHostOptions = {}) {
    this.pacer = new Pacer(options.clock ?? systemClock)
    this.sim = this.createSimulation(options.seed ?? 1)
    if (options.autoFrames !== false) this.timer = setInterval(() => this.frame(), FRAME_MS)
  }

  status(): SimStatus {
    const { playing, speed } = this.pacer.state
    return { nowUs: this.sim.nowUs, playing, speed, traceHash: this.sim.traceHash() }
  }

  control(command: SimControl): SimStatus {
    switch (command.action) {
      case 'play': this.pacer.play(); break
      case 'pause': this.pacer.pause(); break
      case 'speed': this.pacer.setSpeed(command.speed); break
      case 'step': this.sim.runUntil(this.sim.nowUs + command.durationUs); break
    }
    this.publish()
    return this.status()
  }

  onStatus(listener: (status: SimStatus) => void): () => void {
    this.statusListeners.add(listener)
    return () => this.statusListeners.delete(listener)
  }

  /** Advances virtual time by what the pacer says is due and publishes the status. */
  frame(): void {
    const dueUs = this.pacer.takeDueUs()
    if (dueUs <= 0) return
    this.sim.runUntil(this.sim.nowUs + dueUs, { eventsMax: 2_000_000 })
    this.publish()
  }

  dispose(): void {
    if (this.timer !== undefined) clearInterval(this.timer)
    this.timer = undefined
    this.statusListeners.clear()
  }

  private publish(): void {
    const status = this.status()
    for (const listener of this.statusListeners) listener(status)
  }

  private createSimulation(seed: number): Simulation {
    const sim = new Simulation(seed)
    // A heartbeat so the clock has events to run until the world model is loaded.
    const beat = (): void => {
      sim.emit({ kind: 'sim.heartbeat' })
      sim.schedule(HEARTBEAT_US, beat)
    }
    sim.schedule(0, beat)
    return sim
  }
}
