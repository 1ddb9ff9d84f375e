// DRS-style load balancing (classic model, policies.md §2). Imbalance = standard deviation of normalised host
// load; a pass is imbalanced when the recommendation priority 6 − ⌈(SD / 0.1)·√n⌉ (clamped 2…5) is within the
// migration threshold (1…5; 1 = mandatory moves only). Greedy: the move with the largest SD reduction, if it
// passes MinGoodness and a cost/benefit gate priced with the migration model's estimate. Automation: manual and
// partial only recommend balancing moves; full executes them.
import { isMovable, Plan } from './plan'
import type { ClusterView, HostView, MoveCost, Policy, PolicyOutput, Skipped, VmView } from './types'

export type DrsAutomation = 'manual' | 'partial' | 'full'

export interface DrsParams {
  readonly threshold: number
  readonly automation: DrsAutomation
  /** Smallest SD reduction worth a move, scaled by √n like the priority formula (goodness·√n ≥ minGoodness). */
  readonly minGoodness: number
  readonly costBenefit: boolean
  /** How long a move's benefit is assumed to last, in policy intervals. */
  readonly horizonIntervals: number
  readonly maxMovesPerPass: number
  /** Candidate sources (most loaded) and targets (least loaded) examined per step. */
  readonly breadth: number
}

export const DEFAULT_DRS: DrsParams = Object.freeze({
  threshold: 3, automation: 'full', minGoodness: 0.005, costBenefit: true, horizonIntervals: 1, maxMovesPerPass: 10, breadth: 6
})

/** Priority of balancing recommendations at imbalance `sd` over `hosts` hosts (DRS formula, clamped 2…5). */
export function drsPriority(sd: number, hosts: number): number {
  const raw = 6 - Math.ceil((sd / 0.1) * Math.sqrt(hosts))
  return Math.min(5, Math.max(2, raw))
}

interface Loads {
  readonly hosts: HostView[]
  readonly load: Map<number, number>
  sum: number
  squares: number
}

function measure(view: ClusterView, plan: Plan): Loads {
  const hosts = view.hosts.filter((host) => host.acceptsVms)
  const load = new Map<number, number>()
  let sum = 0, squares = 0
  for (const host of hosts) {
    const value = plan.util(host.index)
    load.set(host.index, value)
    sum += value
    squares += value * value
  }
  return { hosts, load, sum, squares }
}

function sdOf(sum: number, squares: number, n: number): number {
  return n === 0 ? 0 : Math.sqrt(Math.max(0, squares / n - (sum / n) ** 2))
}

interface Candidate {
  readonly vm: VmView
  readonly source: HostView
  readonly target: HostView
  readonly sdAfter: number
}

function sdAfterMove(loads: Loads, vm: VmView, source: HostView, target: HostView): number {
  const from = loads.load.get(source.index) as number
  const to = loads.load.get(target.index) as number
  const fromAfter = from - vm.cpuDemandMips / source.cpuCapacityMips
  const toAfter = to + vm.cpuDemandMips / target.cpuCapacityMips
  const sum = loads.sum - from - to + fromAfter + toAfter
  const squares = loads.squares - from * from - to * to + fromAfter * fromAfter + toAfter * toAfter
  return sdOf(sum, squares, loads.hosts.length)
}

function bestMove(view: ClusterView, plan: Plan, loads: Loads, params: DrsParams, tried: Set<number>): Candidate | null {
  const byLoad = [...loads.hosts].sort((a, b) => (loads.load.get(b.index) as number) - (loads.load.get(a.index) as number) || a.index - b.index)
  const sources = byLoad.slice(0, params.breadth)
  const targets = byLoad.slice(-params.breadth).reverse()
  let best: Candidate | null = null
  for (const source of sources) {
    for (const vmIndex of source.vmIndices) {
      const vm = view.vms[vmIndex]
      if (tried.has(vmIndex) || plan.hostOf(vmIndex) !== source.index || !isMovable(view, vm)) continue
      for (const target of targets) {
        if (target.index === source.index || plan.fitProblem(vmIndex, target.index, 1) !== null) continue
        const sdAfter = sdAfterMove(loads, vm, source, target) + 0.001 * plan.softPenalty(vmIndex, target.index)
        if (best === null || sdAfter < best.sdAfter - 1e-12) best = { vm, source, target, sdAfter }
      }
    }
  }
  return best
}

/** Load moved toward the mean by the move (reduction of Σ|L − L̄| over its two hosts), in MIPS. */
function balancingMips(view: ClusterView, loads: Loads, candidate: Candidate): number {
  const { vm, source, target } = candidate
  const mean = loads.sum / loads.hosts.length
  const from = loads.load.get(source.index) as number
  const to = loads.load.get(target.index) as number
  const fromAfter = from - vm.cpuDemandMips / source.cpuCapacityMips
  const toAfter = to + vm.cpuDemandMips / target.cpuCapacityMips
  const reduction = Math.abs(from - mean) + Math.abs(to - mean) - Math.abs(fromAfter - mean) - Math.abs(toAfter - mean)
  return reduction * ((source.cpuCapacityMips + target.cpuCapacityMips) / 2)
}

/** CPU a migration costs, MIPS·s: 10 % of the VM during the move, the VM's work lost in downtime, and the
 *  senders' and receivers' CPU for the traffic (one 2,500-MIPS core per Gbit/s on each side). */
export function migrationCostMipsS(vm: VmView, cost: MoveCost): number {
  const trafficGbit = (cost.bytes * 8) / 1e9
  return vm.cpuDemandMips * (0.1 * cost.totalUs + cost.downtimeUs) / 1e6 + 2 * 2500 * trafficGbit
}

/**
 * The gate: the move must converge, fit the VM's downtime budget and (costBenefit) its benefit, the load moved
 * toward the mean over the horizon discounted by the risk that the VM's demand changes (its coefficient of
 * variation), must exceed its CPU cost.
 */
function gate(view: ClusterView, loads: Loads, candidate: Candidate, cost: MoveCost, params: DrsParams): string | null {
  const vm = candidate.vm
  if (!cost.converges) return 'pre-copy would not converge'
  if (cost.downtimeUs > vm.downtimeBudgetUs) return `predicted downtime ${(cost.downtimeUs / 1000).toFixed(0)} ms over budget`
  if (!params.costBenefit) return null
  const history = view.vmUtilHistory(vm.index, 12)
  const meanUtil = history.reduce((s, v) => s + v, 0) / Math.max(1, history.length)
  const spread = Math.sqrt(history.reduce((s, v) => s + (v - meanUtil) ** 2, 0) / Math.max(1, history.length))
  const risk = meanUtil > 0 ? Math.min(0.9, spread / meanUtil) : 0.9
  const benefit = balancingMips(view, loads, candidate) * (params.horizonIntervals * view.intervalUs / 1e6) * (1 - risk)
  const moveCost = migrationCostMipsS(vm, cost)
  return benefit >= moveCost ? null : `cost ${moveCost.toFixed(0)} MIPS·s exceeds benefit ${benefit.toFixed(0)} MIPS·s`
}

export function createDrsPolicy(params: DrsParams): Policy {
  return {
    name: 'drs',
    decide(view: ClusterView): PolicyOutput {
      const plan = new Plan(view)
      const skipped: Skipped[] = []
      const tried = new Set<number>()
      const initial = measure(view, plan)
      const startSd = sdOf(initial.sum, initial.squares, initial.hosts.length)
      let moves = 0
      while (moves < params.maxMovesPerPass && tried.size < view.vms.length) {
        const loads = measure(view, plan)
        const sd = sdOf(loads.sum, loads.squares, loads.hosts.length)
        const priority = drsPriority(sd, loads.hosts.length)
        if (params.threshold <= 1 || priority > params.threshold || sd === 0) break
        const candidate = bestMove(view, plan, loads, params, tried)
        if (candidate === null) break
        tried.add(candidate.vm.index)
        const goodness = sd - candidate.sdAfter
        if (goodness * Math.sqrt(loads.hosts.length) < params.minGoodness) {
          skipped.push({ vmIndex: candidate.vm.index, reason: goodness <= 0 ? 'no move improves the balance' : `goodness ${goodness.toExponential(2)} below MinGoodness` })
          break
        }
        const cost = view.estimateMove(candidate.vm.index, candidate.target.index)
        const refusal = gate(view, loads, candidate, cost, params)
        if (refusal !== null) { skipped.push({ vmIndex: candidate.vm.index, reason: refusal }); continue }
        plan.propose(candidate.vm.index, candidate.target.index, {
          reason: `balance CPU: imbalance ${sd.toFixed(4)} (priority ${priority})`, priority,
          benefit: { metric: 'imbalance-sd', before: sd, after: candidate.sdAfter }, cost,
          recommendOnly: params.automation !== 'full'
        })
        moves++
      }
      return { proposals: plan.result(), skipped, notes: { imbalanceSd: Number(startSd.toFixed(6)), threshold: params.threshold } }
    }
  }
}
