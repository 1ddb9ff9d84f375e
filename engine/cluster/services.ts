// What the core's operations (maintenance, HA, power) share: the clock and event bus, the state, the migration
// executor, the hard-affinity groups and host power control. Passed explicitly; there are no singletons.
import type { Simulation } from '../kernel/simulation'
import type { DcEvent } from './events'
import type { MigrationExecutor } from './executor'
import type { ClusterState, HostState } from './state'

export interface CoreServices {
  readonly sim: Simulation<DcEvent>
  readonly state: ClusterState
  readonly executor: MigrationExecutor
  /** Hard-affinity group of each grouped VM (members ascending); ungrouped VMs are absent. */
  readonly groups: ReadonlyMap<number, readonly number[]>
  /** Starts booting an off host; it accepts VMs (and queued migrations start) once on. */
  powerOn(host: HostState, reason: string): void
}

/** Prefers an off host that is fastest to boot, then the lowest index; -1 when none is off. */
export function bootCandidate(state: ClusterState, fits: (host: HostState) => boolean): number {
  let best = -1
  for (const host of state.hosts) {
    if (host.state !== 'off' || !fits(host)) continue
    if (best < 0 || host.bootUs < state.hosts[best].bootUs) best = host.index
  }
  return best
}
