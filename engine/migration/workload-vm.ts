// A MigratableVm over guest memory driven by a workload: suspension and throttling become the driver's CPU
// share (0 while suspended), and every read of the dirty state is preceded by a flush of pending writes.
import type { GuestMemory } from '../memory/guest-memory'
import type { WorkloadDriver } from '../workload/driver'
import type { MigratableVm } from './vm-handle'

export class WorkloadVm implements MigratableVm {
  private suspended = false
  private share = 1

  constructor(readonly id: string, readonly memory: GuestMemory, private readonly driver: WorkloadDriver) {}

  get isSuspended(): boolean {
    return this.suspended
  }

  suspend(): void {
    this.suspended = true
    this.driver.setCpuShare(0)
  }

  resume(): void {
    this.suspended = false
    this.driver.setCpuShare(this.share)
  }

  setCpuShare(share: number): void {
    this.share = share
    if (!this.suspended) this.driver.setCpuShare(share)
  }

  cpuDemand(): number {
    return this.driver.cpuDemand
  }

  flushWrites(): void {
    this.driver.flush()
  }
}
