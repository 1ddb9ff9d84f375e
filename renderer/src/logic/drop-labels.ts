// Short badge labels for the engine's drop refusal codes (the sentences come from the engine with each verdict).
import type { DropRefusal } from '../../../main/ipc/contract'

export function refusalLabel(refusal: DropRefusal): string {
  switch (refusal) {
    case null: return 'allowed'
    case 'same-host': return 'current host'
    case 'already-migrating': return 'already migrating'
    case 'vm-not-running': return 'VM not running'
    case 'host-down': return 'host down'
    case 'maintenance': return 'maintenance'
    case 'no-memory': return 'no memory'
    case 'cpu': return 'CPU full'
    case 'anti-affinity': return 'anti-affinity'
    case 'placement-rule': return 'placement rule'
  }
}

/** Free memory on a host in MiB, for display (reservations of incoming migrations are in memUsedMiB). */
export function freeMemMiB(host: { readonly memMiB: number; readonly memUsedMiB: number }): number {
  return Math.max(0, host.memMiB - host.memUsedMiB)
}
