// The slice of the kernel's Simulation that periodic memory and workload activities need, so they accept
// any Simulation<E> (whatever its event type) and tests can hand them a bare Simulation.
import type { Timer } from '../kernel/event-queue'
import type { SimTimeUs } from '../kernel/time'

export interface Scheduler {
  readonly nowUs: SimTimeUs
  schedule(delayUs: SimTimeUs, action: () => void, priority?: number): Timer
  cancel(timer: Timer | undefined): boolean
}
