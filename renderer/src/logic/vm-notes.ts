// What a VM that went down with its host is doing, in the words its chip shows (host cards and the heat map).
import type { VmView } from '../../../main/ipc/contract'

/** "restarting on host-09 (HA)" or "down · HA restart pending" for a lost VM; undefined for any other. */
export function lostVmNote(vm: VmView): string | undefined {
  if (vm.state !== 'lost') return undefined
  return vm.restartingOnHostId === null ? 'down · HA restart pending' : `restarting on ${vm.restartingOnHostId} (HA)`
}
