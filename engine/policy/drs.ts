// DRS-style load balancing (classic model, policies.md §2). Imbalance = standard deviation of normalised host
// load over CPU and memory (the network optionally), weighted; a pass is imbalanced when the recommendation priority 6 − ⌈(SD / 0.1)·√n⌉ (clamped 2…5) is within the
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
  /** Candidate sources (most loaded) and targets (least loaded) examined per step, per resource. */
  readonly breadth: number
  /** Weight of memory in the imbalance (vSphere balances CPU and memory entitlements; 0 = CPU only). */
  readonly memWeight: number
  /** Weight of the network (0 = not balanced, the default). */
  readonly netWeight: number
}

export const DEFAULT_DRS: DrsParams = Object.freeze({
  threshold: 3, automation: 'full', minGoodness: 0.005, costBenefit: true, horizonIntervals: 1, maxMovesPerPass: 10, breadth: 6,
  memWeight: 1, netWeight: 0
})

/** Priority of balancing recommendations at imbalance `sd` over `hosts` hosts (DRS formula, clamped 2…5). */
export function drsPriority(sd: number, hosts: number): number {
  const raw = 6 - Math.ceil((sd / 0.1) * Math.sqrt(hosts))
  return Math.min(5, Math.max(2, raw))
}

/** The resources DRS balances: CPU and memory entitlements as vSphere uses them, the network optionally. */
export const DRS_RESOURCES = ['cpu', 'mem', 'net'] as const
export type DrsResource = (typeof DRS_RESOURCES)[number]

/**
 * Normalised loads per resource (index 0 cpu, 1 mem, 2 net) of the hosts accepting VMs, with running sums so a
 * move's effect on the imbalance is O(resources). The imbalance is √(Σ_r w_r · SD_r²): the SD of host load
 * vectors under the weights, so a cluster balanced in CPU but not in memory still reads as imbalanced.
 */
interface Loads {
  readonly hosts: HostView[]
  /** load[3 · host index + r]: resource r of the host (hosts not accepting VMs stay 0 and are never read). */
  readonly load: Float64Array
  readonly sum: number[]
  readonly squares: number[]
  readonly weights: readonly number[]
}

function weightsOf(params: DrsParams): number[] {
  return [1, params.memWeight, params.netWeight]
}

/**
 * Memory and network demand per host where the plan puts each VM (a planned move counts at its target only:
 * the plan's own memory column also holds the source's copy until the move ends, which is right for fitting
 * but would make the source look full forever to the balance).
 */
function plannedDemand(view: ClusterView, plan: Plan): { memMiB: Float64Array; netMbitPerS: Float64Array } {
  const memMiB = new Float64Array(view.hosts.length)
  const netMbitPerS = new Float64Array(view.hosts.length)
  for (const vm of view.vms) {
    const host = plan.hostOf(vm.index)
    if (host < 0 || vm.status === 'down') continue
    memMiB[host] += vm.memMiB
    netMbitPerS[host] += vm.netMbitPerS
  }
  return { memMiB, netMbitPerS }
}

function measure(view: ClusterView, plan: Plan, params: DrsParams): Loads {
  const weights = weightsOf(params)
  const hosts = view.hosts.filter((host) => host.acceptsVms)
  const planned = plannedDemand(view, plan)
  const load = new Float64Array(3 * view.hosts.length)
  const sum = [0, 0, 0]
  const squares = [0, 0, 0]
  for (const host of hosts) {
    const memUtil = Number.isFinite(host.memMiB) && host.memMiB > 0 ? planned.memMiB[host.index] / host.memMiB : 0
    const netUtil = host.netMbitPerS <= 0 ? 0 : planned.netMbitPerS[host.index] / host.netMbitPerS
    const at = 3 * host.index
    load[at] = plan.util(host.index)
    load[at + 1] = memUtil
    load[at + 2] = netUtil
    for (let r = 0; r < 3; r++) { sum[r] += load[at + r]; squares[r] += load[at + r] * load[at + r] }
  }
  return { hosts, load, sum, squares, weights }
}

function sdOf(sum: number, squares: number, n: number): number {
  return n === 0 ? 0 : Math.sqrt(Math.max(0, squares / n - (sum / n) ** 2))
}

/** Per-resource SDs and the weighted imbalance. */
function imbalanceOf(loads: Loads, sum: readonly number[] = loads.sum, squares: readonly number[] = loads.squares): { total: number; byResource: number[] } {
  const n = loads.hosts.length
  const byResource = [0, 1, 2].map((r) => sdOf(sum[r], squares[r], n))
  const total = Math.sqrt(byResource.reduce((acc, sd, r) => acc + loads.weights[r] * sd * sd, 0))
  return { total, byResource }
}

interface Candidate {
  readonly vm: VmView
  readonly source: HostView
  readonly target: HostView
  readonly sdAfter: number
}

/** The VM's share of a host per resource. */
function shareOf(vm: VmView, host: HostView): number[] {
  const mem = Number.isFinite(host.memMiB) && host.memMiB > 0 ? vm.memMiB / host.memMiB : 0
  return [vm.cpuDemandMips / host.cpuCapacityMips, mem, host.netMbitPerS > 0 ? vm.netMbitPerS / host.netMbitPerS : 0]
}

function loadsAfter(loads: Loads, vm: VmView, source: HostView, target: HostView): { from: number[]; to: number[]; fromAfter: number[]; toAfter: number[] } {
  const from = [0, 1, 2].map((r) => loads.load[3 * source.index + r])
  const to = [0, 1, 2].map((r) => loads.load[3 * target.index + r])
  const out = shareOf(vm, source)
  const into = shareOf(vm, target)
  return { from, to, fromAfter: from.map((v, r) => v - out[r]), toAfter: to.map((v, r) => v + into[r]) }
}

/**
 * The imbalance after moving `vm` from `source` to `target`: the same arithmetic as `loadsAfter` + `imbalanceOf`
 * on the running sums, in scalars (the innermost loop of a pass; it allocated six arrays per candidate).
 */
function sdAfterMove(loads: Loads, vm: VmView, source: HostView, target: HostView): number {
  const load = loads.load
  const fromAt = 3 * source.index
  const toAt = 3 * target.index
  const n = loads.hosts.length
  let total = 0
  for (let r = 0; r < 3; r++) {
    const from = load[fromAt + r]
    const to = load[toAt + r]
    const fromAfter = from - shareAt(vm, source, r)
    const toAfter = to + shareAt(vm, target, r)
    const sum = loads.sum[r] - from - to + fromAfter + toAfter
    const squares = loads.squares[r] - from ** 2 - to ** 2 + fromAfter ** 2 + toAfter ** 2
    const sd = sdOf(sum, squares, n)
    total = total + loads.weights[r] * sd * sd
  }
  return Math.sqrt(total)
}

/** `shareOf(vm, host)[r]` without the array. */
function shareAt(vm: VmView, host: HostView, r: number): number {
  if (r === 0) return vm.cpuDemandMips / host.cpuCapacityMips
  if (r === 1) return Number.isFinite(host.memMiB) && host.memMiB > 0 ? vm.memMiB / host.memMiB : 0
  return host.netMbitPerS > 0 ? vm.netMbitPerS / host.netMbitPerS : 0
}

/** Weighted load of a host, for ordering sources (most loaded) and targets (least loaded). */
function weightedLoad(loads: Loads, hostIndex: number): number {
  let acc = 0
  for (let r = 0; r < 3; r++) acc = acc + loads.weights[r] * loads.load[3 * hostIndex + r]
  return acc
}

/** The `breadth` hosts most and least loaded in each weighted resource (a memory hotspot may be CPU-idle). */
function extremes(loads: Loads, breadth: number): { sources: HostView[]; targets: HostView[] } {
  const sources = new Set<HostView>()
  const targets = new Set<HostView>()
  const keys: ((h: HostView) => number)[] = [(h) => weightedLoad(loads, h.index)]
  for (let r = 0; r < 3; r++) if (loads.weights[r] > 0) keys.push((h) => loads.load[3 * h.index + r])
  const hosts = loads.hosts
  const positions = hosts.map((_, p) => p)
  const value = new Float64Array(hosts.length)
  for (const key of keys) {
    // Each host's key once, not once per comparison; hosts are in index order, so positions break ties alike.
    for (let p = 0; p < hosts.length; p++) value[p] = key(hosts[p])
    const byLoad = positions.sort((a, b) => value[b] - value[a] || a - b).map((p) => hosts[p])
    for (const host of byLoad.slice(0, breadth)) sources.add(host)
    for (const host of byLoad.slice(-breadth).reverse()) targets.add(host)
  }
  const byIndex = (a: HostView, b: HostView) => a.index - b.index
  return { sources: [...sources].sort(byIndex), targets: [...targets].sort(byIndex) }
}

/**
 * Every (VM, target) move bestMove weighs for one plan state, in its scan order: sources, their VMs, targets.
 * A refused move changes neither the plan nor the loads, so the pass keeps this list (and the loads and
 * extremes behind it) until it proposes a move, and picks the next best by replaying the scan without the
 * VMs tried since (the same comparisons in the same order, so the same choice).
 */
interface MoveList {
  readonly vmIndex: number[]
  readonly sourceIndex: number[]
  readonly targetIndex: number[]
  readonly sdAfter: number[]
}

function candidateMoves(view: ClusterView, plan: Plan, loads: Loads, params: DrsParams, tried: ReadonlySet<number>): MoveList {
  const { sources, targets } = extremes(loads, params.breadth)
  const list: MoveList = { vmIndex: [], sourceIndex: [], targetIndex: [], sdAfter: [] }
  for (const source of sources) {
    for (const vmIndex of source.vmIndices) {
      const vm = view.vms[vmIndex]
      if (tried.has(vmIndex) || plan.hostOf(vmIndex) !== source.index || !isMovable(view, vm)) continue
      for (const target of targets) {
        if (target.index === source.index || plan.fitProblem(vmIndex, target.index, 1) !== null) continue
        list.vmIndex.push(vmIndex)
        list.sourceIndex.push(source.index)
        list.targetIndex.push(target.index)
        list.sdAfter.push(sdAfterMove(loads, vm, source, target) + 0.001 * plan.softPenalty(vmIndex, target.index))
      }
    }
  }
  return list
}

/** The move with the least imbalance after it (the first within 1e-12 of it in scan order), untried VMs only. */
function bestMove(view: ClusterView, list: MoveList, tried: ReadonlySet<number>): Candidate | null {
  let best = -1
  for (let i = 0; i < list.vmIndex.length; i++) {
    if (tried.has(list.vmIndex[i])) continue
    if (best < 0 || list.sdAfter[i] < list.sdAfter[best] - 1e-12) best = i
  }
  if (best < 0) return null
  return { vm: view.vms[list.vmIndex[best]], source: view.hosts[list.sourceIndex[best]], target: view.hosts[list.targetIndex[best]], sdAfter: list.sdAfter[best] }
}

/**
 * Load moved toward the mean by the move, per resource: the reduction of Σ|L − L̄| over its two hosts, as a
 * fraction of a host (the caller converts CPU to MIPS; memory and network count at the same CPU rate).
 */
function balancingShares(loads: Loads, candidate: Candidate): number[] {
  const { from, to, fromAfter, toAfter } = loadsAfter(loads, candidate.vm, candidate.source, candidate.target)
  const n = loads.hosts.length
  return [0, 1, 2].map((r) => {
    const mean = loads.sum[r] / n
    return Math.abs(from[r] - mean) + Math.abs(to[r] - mean) - Math.abs(fromAfter[r] - mean) - Math.abs(toAfter[r] - mean)
  })
}

/** CPU a migration costs, MIPS·s: 10 % of the VM during the move, the VM's work lost in downtime, and the
 *  senders' and receivers' CPU for the traffic (one 2,500-MIPS core per Gbit/s on each side). */
export function migrationCostMipsS(vm: VmView, cost: MoveCost): number {
  const trafficGbit = (cost.bytes * 8) / 1e9
  return vm.cpuDemandMips * (0.1 * cost.totalUs + cost.downtimeUs) / 1e6 + 2 * 2500 * trafficGbit
}

/**
 * The gate: the move must converge, fit the VM's downtime budget and (costBenefit) its benefit must exceed its
 * CPU cost as the migration model estimates it. The benefit is the load moved toward the mean over the horizon,
 * in MIPS at the hosts' mean capacity per unit of host share, weighted per resource; CPU's part is discounted by
 * the risk that the VM's demand changes (its coefficient of variation), memory's and the network's are not.
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
  const shares = balancingShares(loads, candidate)
  const capacityMips = (candidate.source.cpuCapacityMips + candidate.target.cpuCapacityMips) / 2
  const weighted = shares[0] * (1 - risk) + loads.weights[1] * shares[1] + loads.weights[2] * shares[2]
  const benefit = weighted * capacityMips * (params.horizonIntervals * view.intervalUs / 1e6)
  const moveCost = migrationCostMipsS(vm, cost)
  return benefit >= moveCost ? null : `cost ${moveCost.toFixed(0)} MIPS·s exceeds benefit ${benefit.toFixed(0)} MIPS·s`
}

/** The resource the move balances most (`CPU`, `memory`, `network`), for the decision's reason. */
function dominant(loads: Loads, candidate: Candidate): string {
  const shares = balancingShares(loads, candidate).map((v, r) => v * loads.weights[r])
  const r = shares.indexOf(Math.max(...shares))
  return ['CPU', 'memory', 'network'][r]
}

export function createDrsPolicy(params: DrsParams): Policy {
  return {
    name: 'drs',
    decide(view: ClusterView): PolicyOutput {
      const plan = new Plan(view)
      const skipped: Skipped[] = []
      const tried = new Set<number>()
      const initial = measure(view, plan, params)
      const start = imbalanceOf(initial)
      let moves = 0
      // Loads and candidate moves of the current plan; a proposal changes the plan and drops them.
      let state: { loads: Loads; imbalance: { total: number; byResource: number[] }; moves: MoveList | null } | null = null
      while (moves < params.maxMovesPerPass && tried.size < view.vms.length) {
        if (state === null) {
          const measured = measure(view, plan, params)
          state = { loads: measured, imbalance: imbalanceOf(measured), moves: null }
        }
        const { loads, imbalance } = state
        const sd = imbalance.total
        const priority = drsPriority(sd, loads.hosts.length)
        if (params.threshold <= 1 || priority > params.threshold || sd === 0) break
        state.moves ??= candidateMoves(view, plan, loads, params, tried)
        const candidate = bestMove(view, state.moves, tried)
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
          reason: `balance ${dominant(loads, candidate)}: imbalance ${sd.toFixed(4)} (cpu ${imbalance.byResource[0].toFixed(4)}, mem ${imbalance.byResource[1].toFixed(4)}${loads.weights[2] > 0 ? `, net ${imbalance.byResource[2].toFixed(4)}` : ''}; priority ${priority})`, priority,
          benefit: { metric: 'imbalance-sd', before: sd, after: candidate.sdAfter }, cost,
          recommendOnly: params.automation !== 'full'
        })
        state = null
        moves++
      }
      return {
        proposals: plan.result(), skipped,
        notes: { imbalanceSd: Number(start.total.toFixed(6)), cpuSd: Number(start.byResource[0].toFixed(6)), memSd: Number(start.byResource[1].toFixed(6)), threshold: params.threshold }
      }
    }
  }
}
