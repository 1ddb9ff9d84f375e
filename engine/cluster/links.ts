// How a VM and its hosts look to a migration model: memory, dirty rate and WWS in bytes, and each host link's
// capacity for migrations (NIC × bandwidth share × any degradation) with the migrations already sharing it.
import type { MigratingVm, MigrationEndpoint } from './migration-model'
import type { HostState, VmState } from './state'

const BYTES_PER_MIB = 1024 * 1024
/** Dirtying never drops below this share of the peak rate while a VM runs (kernel housekeeping). */
const IDLE_DIRTY_SHARE = 0.05

export function migratingVmOf(vm: VmState): MigratingVm {
  const util = vm.cpuCapacityMips > 0 ? vm.cpuDemandMips / vm.cpuCapacityMips : 0
  return {
    vmId: vm.id,
    memBytes: vm.memMiB * BYTES_PER_MIB,
    dirtyBytesPerS: vm.dirtyMiBPerS * BYTES_PER_MIB * Math.max(IDLE_DIRTY_SHARE, util),
    wwsBytes: vm.wwsMiB * BYTES_PER_MIB
  }
}

export function migrationLinkMbitPerS(host: HostState, bandwidthShare: number): number {
  return host.nicMbitPerS * host.nicFactor * bandwidthShare
}

export function endpointOf(host: HostState, bandwidthShare: number): MigrationEndpoint {
  return { hostId: host.id, linkMbitPerS: migrationLinkMbitPerS(host, bandwidthShare), activeMigrations: host.migrationsActive }
}
