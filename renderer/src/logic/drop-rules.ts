// Whether a VM may be dropped on a host, decided from the snapshot alone, with a human-readable reason.
// Mirrors the engine's admission checks the UI can see (state, power, maintenance, memory, anti-affinity);
// the engine remains the authority and may still refuse (cooldown, ping-pong), which arrives as an error.
import type { DropRefusal, HostView, VmView, WorldSnapshot } from '../../../main/ipc/contract'

/** Free memory on a host in MiB (reservations of incoming migrations are already in memUsedMiB). */
export function freeMemMiB(host: HostView): number {
  return Math.max(0, host.memMiB - host.memUsedMiB)
}

function sharesAntiAffinity(vm: VmView, host: HostView, vmsById: ReadonlyMap<string, VmView>): boolean {
  if (vm.antiAffinityGroup === null) return false
  return host.vmIds.some((id) => id !== vm.id && vmsById.get(id)?.antiAffinityGroup === vm.antiAffinityGroup)
}

/** The first reason the drop is refused, in the order a user would fix them; null when allowed. */
export function dropRefusal(vm: VmView, host: HostView, snapshot: Pick<WorldSnapshot, 'vms'>, vmsById?: ReadonlyMap<string, VmView>): DropRefusal {
  if (vm.hostId === host.id) return 'same-host'
  if (vm.migrationId !== null || vm.state === 'migrating') return 'already-migrating'
  if (host.power !== 'on') return 'host-down'
  if (host.maintenance) return 'maintenance'
  if (freeMemMiB(host) < vm.memMiB) return 'no-memory'
  const index = vmsById ?? new Map(snapshot.vms.map((v) => [v.id, v]))
  if (sharesAntiAffinity(vm, host, index)) return 'anti-affinity'
  return null
}

/** One sentence explaining a refusal, naming the VM and host; empty for an allowed drop. */
export function refusalText(refusal: DropRefusal, vm: VmView, host: HostView): string {
  switch (refusal) {
    case null: return ''
    case 'same-host': return `${vm.name} already runs on ${host.id}.`
    case 'already-migrating': return `${vm.name} is already migrating; wait for it to finish or abort it.`
    case 'host-down': return `${host.id} is ${host.power === 'failed' ? 'failed' : host.power === 'booting' ? 'still booting' : 'powered off'}.`
    case 'maintenance': return `${host.id} is in maintenance and accepts no VMs.`
    case 'no-memory': return `${host.id} has ${Math.floor(freeMemMiB(host))} MiB free; ${vm.name} needs ${vm.memMiB} MiB.`
    case 'anti-affinity': return `${host.id} already runs a VM of anti-affinity group "${vm.antiAffinityGroup}".`
    case 'vm-not-running': return `${vm.name} is ${vm.state}.`
    case 'placement-rule': return `a placement rule keeps ${vm.name} off ${host.id}.`
  }
}

/** Short label for badges: "no memory", "anti-affinity", … */
export function refusalLabel(refusal: DropRefusal): string {
  switch (refusal) {
    case null: return 'allowed'
    case 'same-host': return 'current host'
    case 'already-migrating': return 'already migrating'
    case 'host-down': return 'host down'
    case 'maintenance': return 'maintenance'
    case 'no-memory': return 'no memory'
    case 'anti-affinity': return 'anti-affinity'
    case 'vm-not-running': return 'VM not running'
    case 'placement-rule': return 'placement rule'
  }
}
