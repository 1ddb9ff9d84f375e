// Sandpiper hotspot mitigation (Wood et al., NSDI 2007; policies.md §8), black-box flavour. A host is a hotspot
// when its CPU exceeds the threshold in k of the last n observations and an AR(1) forecast of the next one does
// too, or when memory or network is above threshold now. Hotspots in decreasing volume; their VMs in decreasing
// volume-to-size ratio; each goes to the lowest-volume host that stays cool, or is swapped with a lower-VSR VM.
import { isMovable, Plan } from './plan'
import type { ClusterView, HostView, Policy, PolicyOutput, Skipped, VmView } from './types'

export interface SandpiperParams {
  readonly cpuThreshold: number
  readonly memThreshold: number
  readonly netThreshold: number
  readonly k: number
  readonly n: number
  readonly maxMovesPerPass: number
  readonly swaps: boolean
}

export const DEFAULT_SANDPIPER: SandpiperParams = Object.freeze({
  cpuThreshold: 0.75, memThreshold: 0.95, netThreshold: 0.75, k: 3, n: 5, maxMovesPerPass: 10, swaps: true
})

const SATURATION = 0.99

/** Vol = 1/(1−cpu) · 1/(1−net) · 1/(1−mem), each fraction capped just below 1. */
export function volume(cpu: number, net: number, mem: number): number {
  const f = (u: number) => 1 / (1 - Math.min(SATURATION, Math.max(0, u)))
  return f(cpu) * f(net) * f(mem)
}

/** One-step AR(1) forecast from the samples' mean and lag-1 autocorrelation. */
export function ar1Forecast(samples: readonly number[]): number {
  const n = samples.length
  if (n === 0) return 0
  const mean = samples.reduce((s, v) => s + v, 0) / n
  let numerator = 0, denominator = 0
  for (let t = 0; t < n; t++) {
    denominator += (samples[t] - mean) ** 2
    if (t > 0) numerator += (samples[t] - mean) * (samples[t - 1] - mean)
  }
  const phi = denominator < 1e-12 ? 1 : Math.max(-1, Math.min(1, numerator / denominator))
  return mean + phi * (samples[n - 1] - mean)
}

export function isHotspot(view: ClusterView, host: HostView, params: SandpiperParams): string | null {
  const recent = view.hostUtilHistory(host.index).slice(-params.n)
  const breaches = recent.filter((u) => u > params.cpuThreshold).length
  if (breaches >= params.k && ar1Forecast(recent) > params.cpuThreshold) return `cpu above ${params.cpuThreshold} in ${breaches} of ${recent.length}`
  if (host.memUsedMiB / host.memMiB > params.memThreshold) return `memory above ${params.memThreshold}`
  if (host.netDemandMbitPerS / host.netMbitPerS > params.netThreshold) return `network above ${params.netThreshold}`
  return null
}

function hostVolume(plan: Plan, host: HostView): number {
  return volume(plan.util(host.index), host.netDemandMbitPerS / host.netMbitPerS, plan.memMiB[host.index] / host.memMiB)
}

function vsr(vm: VmView, host: HostView): number {
  return volume(vm.cpuDemandMips / host.cpuCapacityMips, vm.netMbitPerS / host.netMbitPerS, vm.memMiB / host.memMiB) / vm.memMiB
}

function staysCool(plan: Plan, host: HostView, params: SandpiperParams): boolean {
  return plan.util(host.index) <= params.cpuThreshold && plan.memMiB[host.index] / host.memMiB <= params.memThreshold
}

function coolestTarget(plan: Plan, vm: VmView, hot: ReadonlySet<number>, params: SandpiperParams): number {
  let best = -1
  let bestVolume = Number.POSITIVE_INFINITY
  for (const host of plan.view.hosts) {
    if (hot.has(host.index) || plan.fitProblem(vm.index, host.index, params.cpuThreshold) !== null) continue
    const mark = plan.mark()
    plan.move(vm.index, host.index)
    const cool = staysCool(plan, host, params)
    const after = hostVolume(plan, host) + plan.softPenalty(vm.index, host.index) * 1e6
    plan.rollback(mark)
    if (cool && after < bestVolume) { best = host.index; bestVolume = after }
  }
  return best
}

/** A swap partner: a lower-VSR VM on a cool host that can change places with `vm`, the partner moving first. */
function swapPartner(plan: Plan, vm: VmView, source: HostView, hot: ReadonlySet<number>, params: SandpiperParams): VmView | null {
  const view = plan.view
  const sourceUtil = plan.util(source.index)
  const ranked = view.hosts.filter((h) => h.acceptsVms && !hot.has(h.index))
    .sort((a, b) => hostVolume(plan, a) - hostVolume(plan, b) || a.index - b.index)
  for (const host of ranked.slice(0, 5)) {
    for (const otherIndex of host.vmIndices) {
      const other = view.vms[otherIndex]
      if (!isMovable(view, other) || plan.hostOf(otherIndex) !== host.index || vsr(other, host) >= vsr(vm, source)) continue
      const mark = plan.mark()
      let ok = plan.fitProblem(otherIndex, source.index, 1) === null
      if (ok) { plan.move(otherIndex, source.index); ok = plan.fitProblem(vm.index, host.index, params.cpuThreshold) === null }
      if (ok) { plan.move(vm.index, host.index); ok = staysCool(plan, host, params) && plan.util(source.index) < sourceUtil }
      plan.rollback(mark)
      if (ok) return other
    }
  }
  return null
}

function volumeAfter(plan: Plan, host: HostView, moves: readonly [number, number][]): number {
  const mark = plan.mark()
  for (const [vmIndex, target] of moves) plan.move(vmIndex, target)
  const after = hostVolume(plan, host)
  plan.rollback(mark)
  return after
}

function mitigate(plan: Plan, host: HostView, why: string, hot: ReadonlySet<number>, params: SandpiperParams, skipped: Skipped[]): number {
  const view = plan.view
  let moves = 0
  const vms = host.vmIndices.map((i) => view.vms[i]).filter((vm) => isMovable(view, vm))
    .sort((a, b) => vsr(b, host) - vsr(a, host) || a.index - b.index)
  for (const vm of vms) {
    if (staysCool(plan, host, params) || moves >= params.maxMovesPerPass) break
    const before = hostVolume(plan, host)
    const target = coolestTarget(plan, vm, hot, params)
    const benefit = (after: number) => ({ metric: `volume:${host.id}`, before, after })
    if (target >= 0) {
      const after = volumeAfter(plan, host, [[vm.index, target]])
      plan.propose(vm.index, target, { reason: `hotspot ${host.id} (${why}); highest VSR first`, priority: 2, benefit: benefit(after) })
      moves++
      continue
    }
    const partner = params.swaps ? swapPartner(plan, vm, host, hot, params) : null
    if (partner === null) { skipped.push({ vmIndex: vm.index, reason: `hotspot ${host.id}: no cool host and no swap` }); continue }
    const partnerHost = plan.hostOf(partner.index)
    const after = volumeAfter(plan, host, [[partner.index, host.index], [vm.index, partnerHost]])
    plan.propose(partner.index, host.index, { reason: `swap out of ${view.hosts[partnerHost].id} for ${vm.id}`, priority: 2, benefit: benefit(after) })
    plan.propose(vm.index, partnerHost, { reason: `hotspot ${host.id} (${why}); swapped with ${partner.id}`, priority: 2, benefit: benefit(after) })
    moves += 2
  }
  return moves
}

export function createSandpiperPolicy(params: SandpiperParams): Policy {
  return {
    name: 'sandpiper',
    decide(view: ClusterView): PolicyOutput {
      const plan = new Plan(view)
      const skipped: Skipped[] = []
      const hotspots: { host: HostView; why: string; vol: number }[] = []
      for (const host of view.hosts) {
        if (!host.acceptsVms) continue
        const why = isHotspot(view, host, params)
        if (why !== null) hotspots.push({ host, why, vol: hostVolume(plan, host) })
      }
      hotspots.sort((a, b) => b.vol - a.vol || a.host.index - b.host.index)
      const hot = new Set(hotspots.map((h) => h.host.index))
      let moves = 0
      for (const { host, why } of hotspots) {
        if (moves >= params.maxMovesPerPass) break
        moves += mitigate(plan, host, why, hot, params, skipped)
      }
      return { proposals: plan.result(), skipped, notes: { hotspots: hotspots.length } }
    }
  }
}
