// What the migrator needs from the rest of the world: the VM (its memory, its guest that can be suspended,
// resumed and throttled) and the two hosts (reservation on the destination, liveness, and the network
// re-homing + announcement at activation). The datacenter model and `cutover migrate` implement it.
import type { GuestMemory } from '../memory/guest-memory'

export interface MigratableVm {
  readonly id: string
  readonly memory: GuestMemory
  /** Stops the guest: no writes until resumed. */
  suspend(): void
  /** Runs the guest again (on whichever host now holds it). */
  resume(): void
  /** Share of the work the guest wanted that it gets, 0 … 1 (throttling, stunning, post-copy fault blocking). */
  setCpuShare(share: number): void
  /**
   * Post-copy with the path broken: the guest's vCPUs wait on a page the destination lacks (true) or got it
   * (false). A blocked guest makes no progress and answers no client; optional for hosts without clients.
   */
  setBlocked?(blocked: boolean): void
  /**
   * Share of its vCPU the guest's work needs, 0 … 1 (absent: 1). A throttle that leaves the vCPU s of its time
   * slows such a guest only below s = demand: it gets min(1, s / demand) of its work done.
   */
  cpuDemand?(): number
  /** Applies writes pending in the current workload batch, so the dirty log is exact as of now. */
  flushWrites(): void
}

export interface MigrationHosts {
  readonly source: string
  readonly destination: string
  /** Reserves the VM's memory and CPU on the destination; returns null when granted, else why not. */
  reserve(): string | null
  /** Frees the destination's reservation (abort). */
  release(): void
  /** The VM now runs on the destination: move its NIC there and announce (ARP/RARP). */
  activate(): void
  /** The source's copy is discarded and its resources freed (after completion). */
  releaseSource(): void
}
