// VM selection on an overloaded host (policies.md §7.2): minimum migration time, random (seeded stream),
// maximum correlation (falls back to MMT when R² cannot be computed) and minimum utilisation. Ties by VM index.
import type { Rng } from '../kernel/rng'
import { multipleRSquared } from './stats'
import type { ClusterView, HostView, VmView } from './types'

export type SelectorName = 'mmt' | 'rs' | 'mc' | 'mu'

export const SELECTOR_NAMES: readonly SelectorName[] = ['mmt', 'rs', 'mc', 'mu']

/** Samples of VM history MC regresses on (CloudSim keeps 30). */
export const MC_HISTORY = 30

function argmin(candidates: readonly VmView[], key: (vm: VmView) => number): VmView {
  let best = candidates[0]
  let bestKey = key(best)
  for (let i = 1; i < candidates.length; i++) {
    const value = key(candidates[i])
    if (value < bestKey || (value === bestKey && candidates[i].index < best.index)) { best = candidates[i]; bestKey = value }
  }
  return best
}

/** MMT: memory / the host's migration bandwidth, i.e. the shortest expected transfer. */
export function selectMmt(candidates: readonly VmView[], host: HostView): VmView {
  return argmin(candidates, (vm) => vm.memMiB / Math.max(1e-9, host.migrationMbitPerS))
}

export function selectMu(candidates: readonly VmView[]): VmView {
  return argmin(candidates, (vm) => vm.cpuDemandMips)
}

export function selectRs(candidates: readonly VmView[], rng: Rng): VmView {
  const ordered = [...candidates].sort((a, b) => a.index - b.index)
  return ordered[rng.intBelow(ordered.length)]
}

/**
 * MC: the VM whose CPU series is best explained by the other VMs on the host (highest R²), since correlated
 * VMs peak together; `peers` are all VMs on the host whose series enter the regression.
 */
export function selectMc(candidates: readonly VmView[], peers: readonly VmView[], view: ClusterView, host: HostView): VmView {
  const series = new Map(peers.map((vm) => [vm.index, view.vmUtilHistory(vm.index, MC_HISTORY)]))
  let best: VmView | null = null
  let bestR2 = Number.NEGATIVE_INFINITY
  for (const vm of [...candidates].sort((a, b) => a.index - b.index)) {
    const own = series.get(vm.index) ?? view.vmUtilHistory(vm.index, MC_HISTORY)
    const others = peers.filter((peer) => peer.index !== vm.index).map((peer) => series.get(peer.index) as readonly number[])
    if (others.length === 0) continue
    const r2 = multipleRSquared(own, others)
    if (r2 !== null && r2 > bestR2) { best = vm; bestR2 = r2 }
  }
  return best ?? selectMmt(candidates, host)
}

export function selectVm(
  name: SelectorName, candidates: readonly VmView[], peers: readonly VmView[], view: ClusterView, host: HostView, rng: Rng
): VmView {
  switch (name) {
    case 'mmt': return selectMmt(candidates, host)
    case 'rs': return selectRs(candidates, rng)
    case 'mc': return selectMc(candidates, peers, view, host)
    case 'mu': return selectMu(candidates)
  }
}
