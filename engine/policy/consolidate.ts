// DPM-style consolidation (policies.md §4 and Watcher's consolidation strategies): keep utilisation in a band
// around a target (63 % ± 18 %: 45–81 %) with asymmetric windows: relieve a host and power hosts on after 5 min
// above the band, or ahead of demand when the cluster's demand trend says so; after 40 min with the cluster's
// utilisation below the band, empty the least-loaded hosts (while the rest stay at or under the target) and
// power them off.
import { isMovable, Plan } from './plan'
import type { ClusterView, HostView, Policy, PolicyOutput, Skipped } from './types'

export interface ConsolidateParams {
  readonly targetUtil: number
  readonly tolerance: number
  readonly onWindowS: number
  readonly offWindowS: number
  /** Hosts emptied per tick at most (DPM powers off one at a time; large clusters need more). */
  readonly maxDrainsPerCycle: number
  /** Power hosts on when the demand trend, extrapolated one interval, would exceed the band. */
  readonly predictAhead: boolean
  readonly minHostsOn: number
}

export const DEFAULT_CONSOLIDATE: ConsolidateParams = Object.freeze({
  targetUtil: 0.63, tolerance: 0.18, onWindowS: 300, offWindowS: 2400, maxDrainsPerCycle: 8, predictAhead: true, minHostsOn: 1
})

const TREND_SAMPLES = 6

function windowSamples(view: ClusterView, seconds: number): number {
  return Math.max(1, Math.ceil((seconds * 1e6) / view.intervalUs))
}

/** Every one of the last `count` samples satisfies `test` (and there are at least `count`). */
function sustained(history: readonly number[], count: number, test: (u: number) => boolean): boolean {
  return history.length >= count && history.slice(-count).every(test)
}

/** Linear extrapolation of the series one step ahead (least squares over its points). */
export function extrapolateOneStep(series: readonly number[]): number {
  const n = series.length
  if (n < 2) return n === 0 ? 0 : series[0]
  const meanX = (n - 1) / 2
  const meanY = series.reduce((s, v) => s + v, 0) / n
  let sxy = 0, sxx = 0
  for (let i = 0; i < n; i++) { sxy += (i - meanX) * (series[i] - meanY); sxx += (i - meanX) ** 2 }
  return meanY + (sxy / sxx) * (n - meanX)
}

/** Emptying attempts per tick that may fail before the pack pass gives up (keeps large clusters' ticks bounded). */
const PACK_FAILURES_MAX = 25

/** The fullest host accepting VMs that still fits the VM at or under `limit` (soft-rule breaches count as full). */
function fullestFit(plan: Plan, vmIndex: number, exclude: ReadonlySet<number>, limit: number): number {
  let best = -1
  let bestUtil = -1
  for (const host of plan.view.hosts) {
    if (!host.acceptsVms || exclude.has(host.index) || plan.fitProblem(vmIndex, host.index, limit) !== null) continue
    const util = plan.util(host.index) - plan.softPenalty(vmIndex, host.index)
    if (util > bestUtil) { best = host.index; bestUtil = util }
  }
  return best
}

function offHost(view: ClusterView, plan: Plan): HostView | undefined {
  return view.hosts.find((host) => host.state === 'off' && plan.memMiB[host.index] <= 1e-6)
}

export class ConsolidatePolicy implements Policy {
  readonly name = 'consolidate'
  private readonly demandTrend: number[] = []
  /** Cluster utilisation (demand / capacity of the hosts accepting VMs) per tick, newest last. */
  private readonly clusterUtil: number[] = []

  constructor(private readonly params: ConsolidateParams) {}

  decide(view: ClusterView): PolicyOutput {
    const plan = new Plan(view)
    const skipped: Skipped[] = []
    const high = this.params.targetUtil + this.params.tolerance
    this.recordClusterUtil(view)
    const relieved = this.relieve(view, plan, high, skipped)
    const poweredAhead = this.powerAhead(view, plan, high)
    const drained = relieved || poweredAhead ? 0 : this.pack(view, plan)
    return { proposals: plan.result(), skipped, notes: { relieved: relieved ? 1 : 0, poweredAhead: poweredAhead ? 1 : 0, drained } }
  }

  private recordClusterUtil(view: ClusterView): void {
    const active = view.hosts.filter((h) => h.acceptsVms)
    const capacity = active.reduce((s, h) => s + h.cpuCapacityMips, 0)
    this.clusterUtil.push(capacity === 0 ? 0 : active.reduce((s, h) => s + h.cpuDemandMips, 0) / capacity)
    if (this.clusterUtil.length > 64) this.clusterUtil.shift()
  }

  private relieve(view: ClusterView, plan: Plan, high: number, skipped: Skipped[]): boolean {
    const count = windowSamples(view, this.params.onWindowS)
    const hot = view.hosts.filter((h) => h.acceptsVms && sustained(view.hostUtilHistory(h.index), count, (u) => u > high))
    const exclude = new Set(hot.map((h) => h.index))
    let moved = false
    for (const host of hot) {
      const vms = host.vmIndices.map((i) => view.vms[i]).filter((vm) => isMovable(view, vm)).sort((a, b) => a.cpuDemandMips - b.cpuDemandMips || a.index - b.index)
      for (const vm of vms) {
        if (plan.util(host.index) <= this.params.targetUtil) break
        let target = fullestFit(plan, vm.index, exclude, this.params.targetUtil)
        const spare = target < 0 ? offHost(view, plan) : undefined
        if (spare !== undefined && plan.fitProblem(vm.index, spare.index, this.params.targetUtil, true) === null) target = spare.index
        if (target < 0) { skipped.push({ vmIndex: vm.index, reason: `${host.id} above ${high.toFixed(2)} but no host has room` }); continue }
        plan.propose(vm.index, target, {
          reason: `${host.id} above ${(high * 100).toFixed(0)} % for ${count} samples`, priority: 2,
          benefit: { metric: `util:${host.id}`, before: host.cpuUtil, after: plan.util(host.index) - vm.cpuDemandMips / host.cpuCapacityMips }
        })
        moved = true
      }
    }
    return moved
  }

  private powerAhead(view: ClusterView, plan: Plan, high: number): boolean {
    const active = view.hosts.filter((h) => h.state === 'on' || h.state === 'booting')
    const demand = active.reduce((s, h) => s + h.cpuDemandMips, 0)
    const capacity = active.reduce((s, h) => s + h.cpuCapacityMips, 0)
    this.demandTrend.push(demand)
    if (this.demandTrend.length > TREND_SAMPLES) this.demandTrend.shift()
    if (!this.params.predictAhead || this.demandTrend.length < 3) return false
    const predicted = extrapolateOneStep(this.demandTrend)
    if (predicted <= high * capacity) return false
    const spare = offHost(view, plan)
    if (spare === undefined) return false
    plan.addPower({
      kind: 'power-on', hostIndex: spare.index, whenEmpty: false, reason: `demand trend predicts ${(predicted / capacity * 100).toFixed(0)} % of active capacity`,
      benefit: { metric: 'cluster-util', before: predicted / capacity, after: predicted / (capacity + spare.cpuCapacityMips) }
    })
    return true
  }

  private pack(view: ClusterView, plan: Plan): number {
    const low = this.params.targetUtil - this.params.tolerance
    const count = windowSamples(view, this.params.offWindowS)
    const active = view.hosts.filter((h) => h.acceptsVms)
    if (active.length <= this.params.minHostsOn || !sustained(this.clusterUtil, count, (u) => u < low)) return 0
    const demand = active.reduce((s, h) => s + h.cpuDemandMips, 0)
    let capacity = active.reduce((s, h) => s + h.cpuCapacityMips, 0)
    let drained = 0
    let failures = 0
    const exclude = new Set<number>()
    const byLoad = [...active].sort((a, b) => a.cpuUtil - b.cpuUtil || a.index - b.index)
    for (const host of byLoad) {
      if (drained >= this.params.maxDrainsPerCycle || failures >= PACK_FAILURES_MAX || active.length - drained <= this.params.minHostsOn) break
      if (demand / (capacity - host.cpuCapacityMips) > this.params.targetUtil) break
      exclude.add(host.index)
      const mark = plan.mark()
      const vms = host.vmIndices.map((i) => view.vms[i]).sort((a, b) => b.cpuDemandMips - a.cpuDemandMips || a.index - b.index)
      const ok = vms.every((vm) => {
        if (!isMovable(view, vm)) return false
        const target = fullestFit(plan, vm.index, exclude, this.params.targetUtil)
        if (target < 0) return false
        plan.propose(vm.index, target, { reason: `pack: all hosts below ${(low * 100).toFixed(0)} % for ${count} samples`, priority: 4, benefit: { metric: 'active-hosts', before: active.length, after: active.length - 1 } })
        return true
      })
      if (!ok) { plan.rollback(mark); exclude.delete(host.index); failures++; continue }
      plan.addPower({ kind: 'power-off', hostIndex: host.index, whenEmpty: true, reason: 'packed onto other hosts', benefit: { metric: `power-w:${host.id}`, before: view.powerW(host.index, host.cpuUtil), after: 0 } })
      capacity -= host.cpuCapacityMips
      drained++
    }
    return drained
  }
}

export function createConsolidatePolicy(params: ConsolidateParams): Policy {
  return new ConsolidatePolicy(params)
}
