// Dynamic consolidation after Beloglazov & Buyya (CCPE 2012), composed from parts: an overload detector
// (thr/iqr/mad/lr/lrr), a VM selector (mmt/rs/mc/mu), PABFD placement, the under-load pass that re-homes every
// VM of the least-utilised hosts and switches them off, and switching idle hosts off.
import { detect, isOverloaded, type DetectorName, type DetectorVerdict } from './detectors'
import { pabfdHost, type PabfdChoice, type PabfdOptions } from './placement'
import { isMovable, Plan } from './plan'
import { selectVm, type SelectorName } from './selection'
import type { ClusterView, HostView, Policy, PolicyContext, PolicyOutput, Skipped, VmView } from './types'

export interface BeloglazovParams {
  readonly detector: DetectorName
  readonly selection: SelectorName
  /** Safety parameter s (THR: the threshold itself). */
  readonly safety: number
  /** Hosts below this CPU utilisation are tried in the under-load pass (1 = every host, as in CloudSim). */
  readonly underloadThreshold: number
  /** Hosts tried per tick in the under-load pass, least utilised first (CloudSim tries every one). */
  readonly underloadAttemptsMax: number
  readonly switchOffIdle: boolean
  /** Allow PABFD to boot an off host when no active host fits. */
  readonly powerOnHosts: boolean
  /** LR/LRR fit ordinary least squares (CloudSim 3.0.3's effective behaviour) instead of (robust) loess. */
  readonly plainLeastSquares?: boolean
}

interface TickState {
  readonly view: ClusterView
  readonly plan: Plan
  readonly verdicts: (DetectorVerdict | undefined)[]
  readonly overloaded: Set<number>
  readonly involved: Set<number>
  /** Hosts accepting VMs, and the hosts that are off, ascending. */
  readonly activeHosts: readonly number[]
  readonly offHosts: readonly number[]
  readonly skipped: Skipped[]
}

function migrationIntervals(view: ClusterView, host: HostView): number {
  let longestS = 0
  for (const vmIndex of host.vmIndices) {
    longestS = Math.max(longestS, (view.vms[vmIndex].memMiB * 8 * 1.048576) / Math.max(1e-9, host.migrationMbitPerS))
  }
  return Math.max(1, Math.ceil((longestS * 1e6) / view.intervalUs))
}

function hostVerdicts(view: ClusterView, params: BeloglazovParams): (DetectorVerdict | undefined)[] {
  // Only the regression detectors look ahead by the migration time; the others ignore it (skip the VM walk).
  const predicts = params.detector === 'lr' || params.detector === 'lrr'
  return view.hosts.map((host) => host.state !== 'on' ? undefined
    : detect(params.detector, view.hostUtilHistory(host.index), params.safety, predicts ? migrationIntervals(view, host) : 1, params.plainLeastSquares ?? false))
}

function selectFromHost(tick: TickState, host: HostView, params: BeloglazovParams, context: PolicyContext): VmView[] {
  const verdict = tick.verdicts[host.index] as DetectorVerdict
  const peers = host.vmIndices.map((i) => tick.view.vms[i])
  const candidates = peers.filter((vm) => isMovable(tick.view, vm))
  const chosen: VmView[] = []
  let shift = 0
  while (candidates.length > 0) {
    const vm = selectVm(params.selection, candidates, peers, tick.view, host, context.rng)
    candidates.splice(candidates.indexOf(vm), 1)
    chosen.push(vm)
    shift -= vm.cpuDemandMips / host.cpuCapacityMips
    if (!isOverloaded(verdict, shift)) break
  }
  if (chosen.length === 0) for (const vm of peers) tick.skipped.push({ vmIndex: vm.index, reason: `on overloaded ${host.id} but not movable` })
  return chosen
}

function relieveOverloads(tick: TickState, params: BeloglazovParams, context: PolicyContext): void {
  const { view, plan } = tick
  const selected: { vm: VmView; source: HostView }[] = []
  for (const host of view.hosts) {
    if (!tick.overloaded.has(host.index)) continue
    for (const vm of selectFromHost(tick, host, params, context)) selected.push({ vm, source: host })
  }
  selected.sort((a, b) => b.vm.cpuDemandMips - a.vm.cpuDemandMips || a.vm.index - b.vm.index)
  if (selected.length === 0) return
  const notOverloaded = tick.activeHosts.filter((h) => !tick.overloaded.has(h))
  const activeOptions = { verdicts: tick.verdicts, candidates: notOverloaded, excluded: new Set<number>(), allowOff: false }
  // Booting free (CloudSim-compatible): off hosts compete with the active ones in one pass, by host index.
  const pool = view.powerOnFree && params.powerOnHosts ? new OffHostPool(view, tick.offHosts) : null
  const offOptions = params.powerOnHosts ? { ...activeOptions, candidates: tick.offHosts, allowOff: true } : null
  // One reason and benefit metric per source host (its verdict is fixed for the tick), not one per VM moved.
  const reasons = new Map<number, { readonly reason: string; readonly metric: string }>()
  let indexById: Map<string, number> | null = null
  const hostIndexOf = (hostId: string): number => {
    indexById ??= new Map(view.hosts.map((host) => [host.id, host.index]))
    return indexById.get(hostId) as number
  }
  for (const { vm, source } of selected) {
    // An off host's ΔP includes its whole idle power, so it only wins when no active host fits: try those first.
    const choice = pool !== null ? pool.place(plan, vm.index, activeOptions, hostIndexOf)
      : pabfdHost(plan, vm.index, activeOptions) ?? (offOptions !== null ? pabfdHost(plan, vm.index, offOptions) : null)
    if (choice === null) { tick.skipped.push({ vmIndex: vm.index, reason: `no host can take it off overloaded ${source.id}` }); continue }
    let texts = reasons.get(source.index)
    if (texts === undefined) {
      const verdict = tick.verdicts[source.index] as DetectorVerdict
      texts = {
        reason: `${verdict.method} overload on ${source.id}: ${verdict.metric.toFixed(3)} vs threshold ${verdict.threshold.toFixed(3)}`,
        metric: `util:${source.id}`
      }
      reasons.set(source.index, texts)
    }
    plan.propose(vm.index, choice.hostIndex, {
      reason: texts.reason, priority: 2, benefit: { metric: texts.metric, before: source.cpuUtil, after: plan.util(source.index) },
      alternatives: choice.alternatives
    })
    tick.involved.add(source.index)
    tick.involved.add(choice.hostIndex)
    pool?.used(choice.hostIndex)
  }
}

/**
 * Off hosts as PABFD candidates when booting is free. Untouched off hosts of one kind (group, capacity, memory) are
 * interchangeable and PABFD breaks ties by the lowest index, so only the first untouched host of each kind (plus
 * those already given a VM this tick) can win: the candidate list stays near the active host count.
 */
/** Refusals PABFD keeps as alternatives (placement.ts ALTERNATIVES_KEPT). */
const ALTERNATIVES_KEPT = 3

class OffHostPool {
  /** One queue per kind, each ascending; a host is in at most one. Kinds keyed group → capacity → memory (no strings). */
  private readonly queues: number[][] = []
  private readonly touched: number[] = []
  /** The off candidates' options, the same object (and array) until `used` changes the pool; null: rebuild. */
  private offOptions: PabfdOptions | null = null

  constructor(private readonly view: ClusterView, offHosts: readonly number[]) {
    const kinds = new Map<string, Map<number, Map<number, number[]>>>()
    for (const h of offHosts) {
      const host = view.hosts[h]
      let byCapacity = kinds.get(host.group)
      if (byCapacity === undefined) { byCapacity = new Map(); kinds.set(host.group, byCapacity) }
      let byMemory = byCapacity.get(host.cpuCapacityMips)
      if (byMemory === undefined) { byMemory = new Map(); byCapacity.set(host.cpuCapacityMips, byMemory) }
      let queue = byMemory.get(host.memMiB)
      if (queue === undefined) { queue = []; byMemory.set(host.memMiB, queue); this.queues.push(queue) }
      queue.push(h)
    }
  }

  /** The off hosts that can win, ascending: those already given a VM this tick and the first untouched one of each kind. */
  private offCandidates(): number[] {
    const list = [...this.touched]
    for (const queue of this.queues) if (queue.length > 0) list.push(queue[0])
    return list.sort((a, b) => a - b)
  }

  /**
   * PABFD over the active candidates and the pool as one list, as one scan of it chooses: the least power
   * increase, ties by the lower index, the first refusals in index order. The active hosts go through the band
   * index and the off ones through the off-host pass (a mixed list would take the full scan for every VM); a VM
   * that rules mention takes the scan of the mixed list itself.
   */
  place(plan: Plan, vmIndex: number, active: PabfdOptions, hostIndexOf: (hostId: string) => number): PabfdChoice | null {
    const mixed = (): PabfdChoice | null =>
      pabfdHost(plan, vmIndex, { ...active, candidates: mergeAscending(active.candidates, this.offCandidates()), allowOff: true })
    if (plan.hasRules(vmIndex)) return mixed()
    this.offOptions ??= { ...active, candidates: this.offCandidates(), allowOff: true }
    const onActive = pabfdHost(plan, vmIndex, active)
    // A side without a choice says nothing of its refusals: the mixed scan then (rare: no active host fits).
    if (onActive === null) return mixed()
    if (this.offOptions.candidates.length === 0) return onActive
    const onOff = pabfdHost(plan, vmIndex, this.offOptions)
    if (onOff === null) return mixed()
    const winner = onActive.powerIncreaseW < onOff.powerIncreaseW ||
      (onActive.powerIncreaseW === onOff.powerIncreaseW && onActive.hostIndex < onOff.hostIndex) ? onActive : onOff
    if (onOff.alternatives.length === 0 || onActive.alternatives.length === 0) {
      const alternatives = onOff.alternatives.length === 0 ? onActive.alternatives : onOff.alternatives
      return alternatives === winner.alternatives ? winner : { ...winner, alternatives }
    }
    // Both refused some: the first ALTERNATIVES_KEPT of the two lists merged by host index (each is in index order).
    const merged = [...onActive.alternatives, ...onOff.alternatives].sort((a, b) => hostIndexOf(a.hostId) - hostIndexOf(b.hostId))
    return { ...winner, alternatives: merged.slice(0, ALTERNATIVES_KEPT) }
  }

  used(hostIndex: number): void {
    if (this.view.hosts[hostIndex].state !== 'off' || this.touched.includes(hostIndex)) return
    for (const queue of this.queues) {
      if (queue[0] === hostIndex) { queue.shift(); this.touched.push(hostIndex); this.offOptions = null; return }
    }
  }
}

/** Two ascending lists of distinct host indices as one. */
function mergeAscending(a: readonly number[], b: readonly number[]): number[] {
  return [...a, ...b].sort((x, y) => x - y)
}

function underloadCandidates(tick: TickState, params: BeloglazovParams): HostView[] {
  const { view } = tick
  return view.hosts.filter((host) => host.acceptsVms && host.vmIndices.length > 0 && host.migrationsActive === 0 &&
    !tick.overloaded.has(host.index) && !tick.involved.has(host.index) && host.cpuUtil < params.underloadThreshold &&
    host.vmIndices.every((i) => isMovable(view, view.vms[i])))
    .sort((a, b) => a.cpuUtil - b.cpuUtil || a.index - b.index)
}

/** The benefit of a VM moved off a host being emptied (read-only, shared by those proposals). */
const EMPTIED_HOST = Object.freeze({ metric: 'active-hosts', before: 1, after: 0 })

/**
 * Re-homes every VM of `host` or none. `maxFreeMiB` bounds the free memory of any target during the pass (the
 * plan only ever adds memory to targets), so a VM larger than it fails without a scan.
 */
function tryEmpty(tick: TickState, host: HostView, excluded: Set<number>, maxFreeMiB: number): boolean {
  const { view, plan } = tick
  const vms = host.vmIndices.map((i) => view.vms[i]).sort((a, b) => b.cpuDemandMips - a.cpuDemandMips || a.index - b.index)
  if (vms.some((vm) => vm.memMiB > maxFreeMiB)) return false
  const mark = plan.mark()
  const targets: number[] = []
  const options: PabfdOptions = { verdicts: tick.verdicts, candidates: tick.activeHosts, excluded, allowOff: false }
  // The same for every VM of the host (built once, not per VM).
  const reason = `under-load consolidation of ${host.id} (${(host.cpuUtil * 100).toFixed(1)} %)`
  for (const vm of vms) {
    const choice = pabfdHost(plan, vm.index, options)
    if (choice === null) { plan.rollback(mark); return false }
    plan.propose(vm.index, choice.hostIndex, { reason, priority: 4, benefit: EMPTIED_HOST, alternatives: choice.alternatives })
    targets.push(choice.hostIndex)
  }
  for (const target of targets) tick.involved.add(target)
  return true
}

function consolidateUnderloads(tick: TickState, params: BeloglazovParams): void {
  const { view, plan } = tick
  const excluded = new Set(tick.overloaded)
  let maxFreeMiB = 0
  for (const h of tick.activeHosts) maxFreeMiB = Math.max(maxFreeMiB, view.hosts[h].memMiB - plan.memMiB[h])
  let attempts = 0
  for (const host of underloadCandidates(tick, params)) {
    if (tick.involved.has(host.index)) continue
    if (plan.mark().proposals >= view.limits.movesPerCycleMax || attempts++ >= params.underloadAttemptsMax) break
    excluded.add(host.index)
    if (!tryEmpty(tick, host, excluded, maxFreeMiB)) continue
    tick.involved.add(host.index)
    plan.addPower({
      kind: 'power-off', hostIndex: host.index, whenEmpty: true, reason: 'under-loaded: all VMs re-homed',
      benefit: { metric: `power-w:${host.id}`, before: view.powerW(host.index, host.cpuUtil), after: 0 }
    })
  }
}

function switchOffIdle(tick: TickState): void {
  const { view, plan } = tick
  for (const host of view.hosts) {
    if (!host.acceptsVms || host.vmIndices.length > 0 || host.migrationsActive > 0 || tick.involved.has(host.index)) continue
    if (plan.memMiB[host.index] > 1e-6) continue
    plan.addPower({
      kind: 'power-off', hostIndex: host.index, whenEmpty: false, reason: 'idle host',
      benefit: { metric: `power-w:${host.id}`, before: view.powerW(host.index, 0), after: 0 }
    })
  }
}

export function createBeloglazovPolicy(name: string, params: BeloglazovParams): Policy {
  return {
    name,
    decide(view: ClusterView, context: PolicyContext): PolicyOutput {
      const verdicts = hostVerdicts(view, params)
      const overloaded = new Set<number>()
      for (const host of view.hosts) {
        const verdict = verdicts[host.index]
        if (host.state === 'on' && verdict !== undefined && isOverloaded(verdict)) overloaded.add(host.index)
      }
      const activeHosts = view.hosts.filter((host) => host.acceptsVms).map((host) => host.index)
      const offHosts = view.hosts.filter((host) => host.state === 'off').map((host) => host.index)
      const tick: TickState = { view, plan: new Plan(view), verdicts, overloaded, involved: new Set(), skipped: [], activeHosts, offHosts }
      relieveOverloads(tick, params, context)
      consolidateUnderloads(tick, params)
      if (params.switchOffIdle) switchOffIdle(tick)
      return { proposals: tick.plan.result(), skipped: tick.skipped, notes: { overloadedHosts: overloaded.size } }
    }
  }
}

export const DEFAULT_BELOGLAZOV: Omit<BeloglazovParams, 'detector' | 'selection' | 'safety'> = Object.freeze({
  underloadThreshold: 1, underloadAttemptsMax: 25, switchOffIdle: true, powerOnHosts: true
})
