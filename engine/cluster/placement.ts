// The core's own placement decisions (initial placement, HA restart, maintenance evacuation) and the fit test
// shared with proposal validation: memory is never overcommitted and hard rules are never broken; CPU may
// only be overcommitted when a caller asks for it (an HA restart prefers a busy host to a VM left down).
import type { DropRefusalCode } from '../api/names'
import { hardBreach, hardBreachOf, type Placement } from '../policy/rules'
import type { ClusterState, HostState, VmState } from './state'

export function statePlacement(state: ClusterState): Placement {
  return {
    occupies: (vmIndex, hostIndex) => {
      const vm = state.vms[vmIndex]
      return (vm.hostIndex === hostIndex && vm.status !== 'down') || vm.targetHostIndex === hostIndex
    },
    futureHost: (vmIndex) => {
      const vm = state.vms[vmIndex]
      if (vm.targetHostIndex >= 0) return vm.targetHostIndex
      return vm.status === 'down' ? -1 : vm.hostIndex
    }
  }
}

export interface FitOptions {
  /** Highest CPU utilisation (demand + reservations + the VM) / capacity allowed after placement. */
  readonly cpuLimit: number
  /** Accept hosts that are off (a boot is then needed). */
  readonly allowOff: boolean
  /** Judge a booting host as if it were off (a proposal that asks to power on a host already booting). */
  readonly bootingAsOff?: boolean
}

/** Why a VM does not fit a host: a code (for badges and tests) and the reason in words. */
export interface FitRefusal {
  readonly code: DropRefusalCode
  readonly reason: string
  /** The hard rule broken, for rule refusals. */
  readonly ruleId?: string
}

/** Why `vm` cannot go to `host` now, or null when it fits: the one fit rule of the core, policies and users. */
export function fitRefusal(state: ClusterState, vm: VmState, host: HostState, options: FitOptions, placement?: Placement): FitRefusal | null {
  const hostState = options.bootingAsOff === true && host.state === 'booting' ? 'off' : host.state
  if (hostState === 'off' ? !options.allowOff : hostState !== 'on') return { code: 'host-down', reason: `host is ${hostState}` }
  if (host.drain !== 'none') return { code: 'maintenance', reason: `host is draining for ${host.drain}` }
  if (host.memUsedMiB + state.memChargeMiB(vm) > host.memMiB + 1e-6) return { code: 'no-memory', reason: 'insufficient memory' }
  const cpuAfter = (host.cpuDemandMips + host.cpuReservedMips + vm.cpuDemandMips) / host.cpuCapacityMips
  if (cpuAfter > options.cpuLimit + 1e-9) return { code: 'cpu', reason: `CPU would reach ${(cpuAfter * 100).toFixed(1)} %` }
  const ruleIndices = state.rulesByVm[vm.index]
  // No rules on the VM (the common case): no placement view to build.
  if (ruleIndices.length === 0) return null
  const breach = hardBreachOf(state.rules, ruleIndices, vm.index, host.index, placement ?? statePlacement(state))
  if (breach === null) return null
  return { code: breach.kind === 'vm-anti-affinity' ? 'anti-affinity' : 'placement-rule', reason: breach.reason, ruleId: breach.ruleId }
}

/** fitRefusal's reason alone. */
export function fitProblem(state: ClusterState, vm: VmState, host: HostState, options: FitOptions, placement?: Placement): string | null {
  return fitRefusal(state, vm, host, options, placement)?.reason ?? null
}

export type PickMode = 'spread' | 'pack' | 'balance'

function score(host: HostState, vm: VmState, mode: PickMode): number {
  if (mode === 'pack') return host.index
  if (mode === 'spread') return (host.memUsedMiB + vm.memMiB) / host.memMiB
  return (host.cpuDemandMips + host.cpuReservedMips + vm.cpuDemandMips) / host.cpuCapacityMips
}

/**
 * The best host for `vm` by `mode` (spread: least memory used; pack: first fit; balance: least CPU after),
 * ties by host index; `excludeIndex` is skipped (the source). Returns -1 when nothing fits.
 */
export function pickHost(state: ClusterState, vm: VmState, mode: PickMode, options: FitOptions, excludeIndex = -1): number {
  const placement = state.rulesByVm[vm.index].length === 0 ? undefined : statePlacement(state)
  let best = -1
  let bestScore = Number.POSITIVE_INFINITY
  for (const host of state.hosts) {
    if (host.index === excludeIndex) continue
    const hostScore = score(host, vm, mode) + (host.state === 'off' ? 1e6 : 0)
    if (hostScore >= bestScore) continue
    if (fitProblem(state, vm, host, options, placement) !== null) continue
    best = host.index
    bestScore = hostScore
    if (mode === 'pack' && host.state === 'on') break
  }
  return best
}

/**
 * A host that can take all of `vms` (a hard-affinity group moving together): memory and CPU for the sum, and
 * every member's hard rules judged as if the whole group were already there. Ties by host index; -1 if none.
 */
export function pickHostForGroup(state: ClusterState, vms: readonly VmState[], options: FitOptions, excludeIndex: number): number {
  const members = new Set(vms.map((vm) => vm.index))
  const base = statePlacement(state)
  let memMiB = 0
  let cpuMips = 0
  for (const vm of vms) { memMiB += vm.memMiB; cpuMips += vm.cpuDemandMips }
  let best = -1
  let bestUtil = Number.POSITIVE_INFINITY
  for (const host of state.hosts) {
    if (host.index === excludeIndex || host.drain !== 'none') continue
    if (host.state === 'off' ? !options.allowOff : host.state !== 'on') continue
    if (state.accounting.memoryEnforced && host.memUsedMiB + memMiB > host.memMiB + 1e-6) continue
    const util = (host.cpuDemandMips + host.cpuReservedMips + cpuMips) / host.cpuCapacityMips + (host.state === 'off' ? 1e6 : 0)
    if (util - (host.state === 'off' ? 1e6 : 0) > options.cpuLimit + 1e-9 || util >= bestUtil) continue
    const placement = {
      occupies: (vmIndex: number, hostIndex: number) => members.has(vmIndex) ? hostIndex === host.index : base.occupies(vmIndex, hostIndex),
      futureHost: (vmIndex: number) => members.has(vmIndex) ? host.index : base.futureHost(vmIndex)
    }
    if (vms.some((vm) => hardBreach(state.rules, state.rulesByVm[vm.index], vm.index, host.index, placement) !== null)) continue
    best = host.index
    bestUtil = util
  }
  return best
}

/** Per VM, the members of its hard-affinity group (itself included) when the group has two or more VMs. */
export function hardAffinityGroups(state: ClusterState): Map<number, readonly number[]> {
  const parent = state.vms.map((vm) => vm.index)
  const find = (i: number): number => {
    while (parent[i] !== i) { parent[i] = parent[parent[i]]; i = parent[i] }
    return i
  }
  for (const rule of state.rules) {
    if (rule.kind !== 'vm-affinity' || !rule.hard) continue
    for (let i = 1; i < rule.vmIndices.length; i++) {
      const a = find(rule.vmIndices[0])
      const b = find(rule.vmIndices[i])
      if (a !== b) parent[Math.max(a, b)] = Math.min(a, b)
    }
  }
  const byRoot = new Map<number, number[]>()
  for (const rule of state.rules) {
    if (rule.kind !== 'vm-affinity' || !rule.hard) continue
    for (const vm of rule.vmIndices) {
      const root = find(vm)
      const members = byRoot.get(root) ?? []
      if (!members.includes(vm)) members.push(vm)
      byRoot.set(root, members)
    }
  }
  const groups = new Map<number, readonly number[]>()
  for (const members of byRoot.values()) {
    const sorted = Object.freeze([...members].sort((a, b) => a - b))
    for (const vm of sorted) groups.set(vm, sorted)
  }
  return groups
}
