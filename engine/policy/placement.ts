// PABFD, power-aware best fit decreasing (policies.md §7.3): each VM goes to the host whose power rises least,
// among hosts with room that would not become overloaded; off hosts are a last resort (their whole idle power
// counts). Soft-rule breaches weigh more than any power difference. Ties by host index.
// The common case (no rules on the VM, no off hosts) walks the plan's power-band index instead of every host:
// same choice, same alternatives, a fraction of the hosts evaluated (power-bands.ts says why it is exact).
import { isOverloaded, type DetectorVerdict } from './detectors'
import type { Plan } from './plan'
import { MEM_BUCKETS, PowerBands, TABLE_POINTS, tablePowerW } from './power-bands'
import type { Alternative, ClusterView, VmView } from './types'

export interface PabfdOptions {
  /** Detector verdict per host index (from this tick's history); undefined for hosts without one. */
  readonly verdicts: readonly (DetectorVerdict | undefined)[]
  /** Hosts to consider, ascending index (e.g. the active ones, plus the off ones when booting is allowed). */
  readonly candidates: readonly number[]
  /** Hosts that may not receive VMs in this pass. */
  readonly excluded: ReadonlySet<number>
  /** Consider hosts that are off (booting them). */
  readonly allowOff: boolean
}

export interface PabfdChoice {
  readonly hostIndex: number
  readonly powerIncreaseW: number
  readonly alternatives: readonly Alternative[]
}

const SOFT_RULE_PENALTY_W = 1e6
const ALTERNATIVES_KEPT = 3

/**
 * Why the VM cannot go to the host, or null. Memory and CPU are tested inline — the same tests as
 * Plan.fitProblem, which this hot loop (every host for every VM) only calls when rules mention the VM.
 */
function placementProblem(plan: Plan, vm: VmView, hostIndex: number, ruled: boolean, options: PabfdOptions): string | null {
  const host = plan.view.hosts[hostIndex]
  if (plan.memMiB[hostIndex] + vm.memMiB > host.memMiB + 1e-6) return 'insufficient memory'
  if ((plan.cpuMips[hostIndex] + vm.cpuDemandMips) / host.cpuCapacityMips > 1 + 1e-9) return 'CPU above limit'
  if (ruled) {
    const problem = plan.fitProblem(vm.index, hostIndex, 1, options.allowOff)
    if (problem !== null) return problem
  }
  if (host.state === 'off') return null
  const util = plan.util(hostIndex)
  const verdict = options.verdicts[hostIndex]
  if (util > 0 && verdict !== undefined && isOverloaded(verdict, util - host.cpuUtil + vm.cpuDemandMips / host.cpuCapacityMips)) return 'would become overloaded'
  return null
}

/** Power increase (W) of putting the VM on the host in the plan; an off host counts from 0 W (from idle when booting is free). */
function powerIncreaseW(plan: Plan, vm: VmView, hostIndex: number): number {
  const host = plan.view.hosts[hostIndex]
  const share = vm.cpuDemandMips / host.cpuCapacityMips
  if (host.state === 'off' && !plan.view.powerOnFree) return plan.view.powerW(hostIndex, share)
  return plan.view.powerW(hostIndex, plan.util(hostIndex) + share) - plan.powerW(hostIndex)
}

/** The host for the VM by PABFD, or null when none fits; `alternatives` are the first refusals in candidate order. */
export function pabfdHost(plan: Plan, vmIndex: number, options: PabfdOptions): PabfdChoice | null {
  if (plan.hasRules(vmIndex)) return pabfdHostByScan(plan, vmIndex, options)
  if (options.allowOff) return pabfdHostOnOffHosts(plan, vmIndex, options)
  const bands = plan.powerBands()
  return bands === null ? pabfdHostByScan(plan, vmIndex, options) : pabfdHostByBands(plan, bands, vmIndex, options)
}

/**
 * The scan's choice among candidates that are all off (booting one as a last resort), for an unruled VM. An off
 * host the plan has not loaded yet adds the same power as every other such host with the same capacity and power
 * table, so only the first fitting host of each such class can win (the scan keeps the first of equal scores).
 * Whether an unloaded host fits depends only on its shape (class and memory), so the hosts are grouped by shape
 * once per candidate list: a call tests each shape once, takes the first refusals from the refusing shapes' lists
 * and the first eligible host of each fitting shape, and weighs every host the plan has loaded on its own (with
 * free power-on its increase counts from its planned load). The same choice and alternatives as the scan, in
 * time proportional to the shapes and the hosts the plan has touched, not to the off hosts. Any candidate that
 * is not off, or a repeated one, hands the call to the scan.
 */
function pabfdHostOnOffHosts(plan: Plan, vmIndex: number, options: PabfdOptions): PabfdChoice | null {
  const off = offCandidatesOf(plan.view, options.candidates)
  if (off === null) return pabfdHostByScan(plan, vmIndex, options)
  const hosts = plan.view.hosts
  const vm = plan.view.vms[vmIndex]
  const currentHost = plan.hostOf(vmIndex)
  const excluded = options.excluded.size > 0 ? options.excluded : null
  const planMemMiB = plan.memMiB
  const planCpuMips = plan.cpuMips
  const { position, shapeHosts } = off
  const skip = (h: number): boolean => h === currentHost || (excluded !== null && excluded.has(h))
  const loaded = off.loadedIn(plan)
  // Refusals (position, host, reason) and the hosts to weigh; a class's first unloaded fitting host by position.
  const refusals: { position: number; hostIndex: number; reason: string }[] = []
  const weigh: number[] = []
  const classFirst = off.classFirst
  classFirst.fill(-1)
  const offerToClass = (h: number): void => {
    const powerClass = off.classOf[h]
    const first = classFirst[powerClass]
    if (first < 0 || position[h] < position[first]) classFirst[powerClass] = h
  }
  for (const h of loaded) {
    if (skip(h)) continue
    const host = hosts[h]
    // placementProblem for an off host and an unruled VM: memory, then CPU.
    const problem = planMemMiB[h] + vm.memMiB > host.memMiB + 1e-6 ? 'insufficient memory'
      : (planCpuMips[h] + vm.cpuDemandMips) / host.cpuCapacityMips > 1 + 1e-9 ? 'CPU above limit' : null
    if (problem !== null) {
      if (refusals.length < ALTERNATIVES_KEPT) refusals.push({ position: position[h], hostIndex: h, reason: problem })
    } else if (planMemMiB[h] === 0 && planCpuMips[h] === 0) {
      offerToClass(h)
    } else {
      weigh.push(h)
    }
  }
  for (let shape = 0; shape < shapeHosts.length; shape++) {
    const members = shapeHosts[shape]
    // An unloaded host of this shape: the same tests at load 0.
    const problem = 0 + vm.memMiB > off.shapeMemMiB[shape] + 1e-6 ? 'insufficient memory'
      : (0 + vm.cpuDemandMips) / off.shapeCapacityMips[shape] > 1 + 1e-9 ? 'CPU above limit' : null
    let taken = 0
    for (let i = 0; i < members.length; i++) {
      const h = members[i]
      if (off.weighed[h] === 1 || skip(h)) continue
      if (problem === null) { offerToClass(h); break }
      refusals.push({ position: position[h], hostIndex: h, reason: problem })
      if (++taken === ALTERNATIVES_KEPT) break
    }
  }
  for (const h of classFirst) if (h >= 0) weigh.push(h)
  weigh.sort((a, b) => position[a] - position[b])
  let best = -1
  let bestIncrease = Number.POSITIVE_INFINITY
  for (const h of weigh) {
    const increase = powerIncreaseW(plan, vm, h)
    if (increase < bestIncrease) { best = h; bestIncrease = increase }
  }
  refusals.sort((a, b) => a.position - b.position)
  const alternatives: Alternative[] = []
  for (let i = 0; i < refusals.length && i < ALTERNATIVES_KEPT; i++) alternatives.push({ hostId: hosts[refusals[i].hostIndex].id, reason: refusals[i].reason })
  return best < 0 ? null : { hostIndex: best, powerIncreaseW: bestIncrease, alternatives }
}

/** A list of off candidates grouped by shape (power class and memory), for one view. */
class OffCandidates {
  /** Candidates weighed one by one in the current plan (1) or not (0), and those hosts in candidate order. */
  readonly weighed: Int32Array
  private readonly loaded: number[]
  private plan: Plan | null = null
  /** How much of the plan's (append-only) touched list has been read into `loaded`. */
  private touchedRead = 0
  /** Scratch: the first unloaded fitting host per class in one call. */
  readonly classFirst: Int32Array

  constructor(
    readonly view: ClusterView,
    /** 1 + each host's place among the candidates, 0 for hosts that are not candidates. */
    readonly position: Int32Array,
    readonly classOf: Int32Array,
    classes: number,
    /** Per shape: memory, capacity, and its candidates in candidate order. */
    readonly shapeMemMiB: Float64Array,
    readonly shapeCapacityMips: Float64Array,
    readonly shapeHosts: readonly Int32Array[],
    /** Candidates whose load in a fresh plan is not zero. */
    private readonly loadedAtStart: readonly number[]
  ) {
    this.weighed = new Int32Array(view.hosts.length)
    this.loaded = []
    this.classFirst = new Int32Array(classes)
  }

  /**
   * The candidates to weigh one by one in this plan, in candidate order: loaded at the start of the plan or
   * touched by a move since (a superset of the candidates whose planned load is not exactly zero). The plan's
   * touched list only grows, so each call reads only what was added since the last.
   */
  loadedIn(plan: Plan): readonly number[] {
    if (this.plan !== plan) {
      for (const h of this.loaded) this.weighed[h] = 0
      this.loaded.length = 0
      this.plan = plan
      this.touchedRead = 0
      for (const h of this.loadedAtStart) this.add(h)
    }
    const touched = plan.touched
    for (; this.touchedRead < touched.length; this.touchedRead++) {
      const h = touched[this.touchedRead]
      if (this.position[h] !== 0 && this.weighed[h] === 0) this.add(h)
    }
    return this.loaded
  }

  private add(h: number): void {
    this.weighed[h] = 1
    const loaded = this.loaded
    let i = loaded.length
    loaded.push(h)
    while (i > 0 && this.position[loaded[i - 1]] > this.position[h]) { loaded[i] = loaded[i - 1]; i-- }
    loaded[i] = h
  }
}

const offCandidateCache = new WeakMap<readonly number[], OffCandidates | null>()

function offCandidatesOf(view: ClusterView, candidates: readonly number[]): OffCandidates | null {
  const cached = offCandidateCache.get(candidates)
  if (cached !== undefined && (cached === null || cached.view === view)) return cached
  const result = buildOffCandidates(view, candidates)
  offCandidateCache.set(candidates, result)
  return result
}

function buildOffCandidates(view: ClusterView, candidates: readonly number[]): OffCandidates | null {
  const classes = powerClassesOf(view)
  if (classes === null) return null
  const position = new Int32Array(view.hosts.length)
  const shapeIds = new Map<string, number>()
  const shapeLists: number[][] = []
  const shapeMemMiB: number[] = []
  const shapeCapacityMips: number[] = []
  const loadedAtStart: number[] = []
  for (let i = 0; i < candidates.length; i++) {
    const h = candidates[i]
    const host = view.hosts[h]
    if (host.state !== 'off' || position[h] !== 0) return null
    position[h] = i + 1
    if (host.memUsedMiB !== 0 || host.cpuDemandMips + host.cpuReservedMips !== 0) loadedAtStart.push(h)
    const key = `${classes.of[h]}|${host.memMiB}`
    let shape = shapeIds.get(key)
    if (shape === undefined) {
      shape = shapeLists.length
      shapeIds.set(key, shape)
      shapeLists.push([])
      shapeMemMiB.push(host.memMiB)
      shapeCapacityMips.push(host.cpuCapacityMips)
    }
    shapeLists[shape].push(h)
  }
  return new OffCandidates(view, position, classes.of, classes.classes, Float64Array.from(shapeMemMiB), Float64Array.from(shapeCapacityMips),
    shapeLists.map((list) => Int32Array.from(list)), loadedAtStart)
}

/** Power class (same capacity, same table) of every host of a view; classes numbered from 0. */
interface PowerClasses {
  readonly of: Int32Array
  readonly classes: number
}

const powerClassCache = new WeakMap<ClusterView, PowerClasses | null>()
/** A table's values as text, once per table object (hosts of one kind share theirs, and views of every tick reuse them). */
const tableKeys = new WeakMap<readonly number[], string>()

function tableKey(table: readonly number[]): string {
  let key = tableKeys.get(table)
  if (key === undefined) { key = table.join(','); tableKeys.set(table, key) }
  return key
}

/**
 * The previous classification and what it was computed from (each host's table object and capacity). Views are
 * rebuilt every tick but share the hosts' table objects, so a view whose hosts have the same tables (by identity)
 * and capacities as the last one's reuses its classes instead of keying every table again.
 */
let lastClasses: { readonly tables: readonly (readonly number[])[]; readonly capacityMips: Float64Array; readonly result: PowerClasses } | null = null

function sameInputs(view: ClusterView, tableOf: (hostIndex: number) => readonly number[]): PowerClasses | null {
  const last = lastClasses
  if (last === null || last.tables.length !== view.hosts.length) return null
  for (const host of view.hosts) {
    if (last.tables[host.index] !== tableOf(host.index) || last.capacityMips[host.index] !== host.cpuCapacityMips) return null
  }
  return last.result
}

/**
 * The view's hosts by power class, computed once per view (tables and capacities are fixed within it), or null
 * when the view has no tables or one is not of TABLE_POINTS values (then the off-host pass scans).
 */
function powerClassesOf(view: ClusterView): PowerClasses | null {
  const cached = powerClassCache.get(view)
  if (cached !== undefined) return cached
  const tableOf = view.powerTableW
  let result: PowerClasses | null = null
  if (tableOf !== undefined) {
    result = sameInputs(view, tableOf)
    if (result === null) {
      const of = new Int32Array(view.hosts.length)
      const ids = new Map<string, number>()
      const tables: (readonly number[])[] = new Array(view.hosts.length)
      const capacityMips = new Float64Array(view.hosts.length)
      let valid = true
      for (const host of view.hosts) {
        const table = tableOf(host.index)
        if (table.length !== TABLE_POINTS) { valid = false; break }
        tables[host.index] = table
        capacityMips[host.index] = host.cpuCapacityMips
        // Number → string is exact (round-trips), so equal keys are equal capacities and tables.
        const key = `${host.cpuCapacityMips}|${tableKey(table)}`
        let id = ids.get(key)
        if (id === undefined) { id = ids.size; ids.set(key, id) }
        of[host.index] = id
      }
      if (valid) {
        result = { of, classes: ids.size }
        lastClasses = { tables, capacityMips, result }
      }
    }
  }
  powerClassCache.set(view, result)
  return result
}

/** Every candidate in turn (the reference; also the path for ruled VMs and for booting off hosts). */
export function pabfdHostByScan(plan: Plan, vmIndex: number, options: PabfdOptions): PabfdChoice | null {
  const hosts = plan.view.hosts
  const vm = plan.view.vms[vmIndex]
  const ruled = plan.hasRules(vmIndex)
  const currentHost = plan.hostOf(vmIndex)
  let best = -1
  let bestScore = Number.POSITIVE_INFINITY
  let bestIncrease = 0
  const alternatives: Alternative[] = []
  for (const h of options.candidates) {
    if (h === currentHost || options.excluded.has(h)) continue
    const host = hosts[h]
    if (!host.acceptsVms && !(options.allowOff && host.state === 'off')) continue
    const problem = placementProblem(plan, vm, h, ruled, options)
    if (problem !== null) {
      if (alternatives.length < ALTERNATIVES_KEPT) alternatives.push({ hostId: host.id, reason: problem })
      continue
    }
    const increase = powerIncreaseW(plan, vm, h)
    const score = ruled ? increase + SOFT_RULE_PENALTY_W * plan.softPenalty(vmIndex, h) : increase
    if (score < bestScore) { best = h; bestScore = score; bestIncrease = increase }
  }
  return best < 0 ? null : { hostIndex: best, powerIncreaseW: bestIncrease, alternatives }
}

/**
 * The same choice as the scan for an unruled VM on active hosts: the first refusals in candidate order (a scan
 * that stops at the third), then the least (increase, host index) over the index's groups in order of their lower
 * bounds, stopping at the first group whose bound exceeds the best increase found. The loop inlines
 * placementProblem's memory, CPU and overload tests on flat arrays (same operations, same results).
 */
/** Shared by choices without refusals (frozen: alternatives are read, never extended). */
const NO_ALTERNATIVES: readonly Alternative[] = Object.freeze([])
const REFUSALS = [null, 'insufficient memory', 'CPU above limit', 'would become overloaded'] as const

function pabfdHostByBands(plan: Plan, bands: PowerBands, vmIndex: number, options: PabfdOptions): PabfdChoice | null {
  const hosts = plan.view.hosts
  const vm = plan.view.vms[vmIndex]
  const currentHost = plan.hostOf(vmIndex)
  const excluded = options.excluded.size > 0 ? options.excluded : null
  const verdicts = bands.verdictsOf(options.verdicts)
  const { capacityMips, memCapMiB, cpuUtil, classOf, tables } = bands
  const planMemMiB = plan.memMiB
  const planCpuMips = plan.cpuMips
  const demandMips = vm.cpuDemandMips
  const memMiB = vm.memMiB
  let best = -1
  let bestIncrease = Number.POSITIVE_INFINITY
  // Candidates in order until the third refusal: the alternatives, and every host passed on the way is
  // considered here, so the band walk skips it (when few hosts refuse, this is already the whole scan).
  // The tests (placementProblem for an active host and an unruled VM) and the increase (= view.powerW(h, util +
  // share) − plan.powerW(h), from the same table with the same arithmetic) are written out, as in the walk
  // below: closures here were allocated on every call.
  let alternatives: Alternative[] | null = null
  const candidates = options.candidates
  let scanned = 0
  for (; scanned < candidates.length && (alternatives === null || alternatives.length < ALTERNATIVES_KEPT); scanned++) {
    const h = candidates[scanned]
    if (h === currentHost || (excluded !== null && excluded.has(h)) || !hosts[h].acceptsVms) continue
    let code = 0
    const capacity = capacityMips[h]
    const util = planCpuMips[h] / capacity
    if (planMemMiB[h] + memMiB > memCapMiB[h] + 1e-6) code = 1
    else if ((planCpuMips[h] + demandMips) / capacity > 1 + 1e-9) code = 2
    else if (util > 0 && verdicts.has[h] === 1) {
      const metric = verdicts.metric[h] + verdicts.shiftFactor[h] * (util - cpuUtil[h] + demandMips / capacity)
      const threshold = verdicts.threshold[h]
      if (verdicts.inclusive[h] === 1 ? metric >= threshold - 1e-12 : metric > threshold + 1e-12) code = 3
    }
    if (code !== 0) {
      alternatives ??= []
      alternatives.push({ hostId: hosts[h].id, reason: REFUSALS[code] as string })
    } else {
      const offset = classOf[h] * TABLE_POINTS
      const increase = tablePowerW(tables, offset, util + demandMips / capacity) - tablePowerW(tables, offset, util)
      if (increase < bestIncrease || (increase === bestIncrease && h < best)) { best = h; bestIncrease = increase }
    }
  }
  if (scanned < candidates.length) {
    const position = bands.positionsOf(candidates)
    const groups = bands.groupsFor(demandMips)
    // Hosts in lower memory buckets have too little free memory for the VM (they would all be refused).
    const lowestBucket = PowerBands.lowestBucketFor(memMiB)
    const { has: verdictHas, metric: verdictMetric, shiftFactor: verdictShift, threshold: verdictThreshold, inclusive: verdictInclusive } = verdicts
    for (let g = 0; g < groups; g++) {
      const group = bands.groupId(g)
      if (bands.boundW(group) > bestIncrease) break
      for (let bucket = MEM_BUCKETS - 1; bucket >= lowestBucket; bucket--) {
        for (let h = bands.firstMember(group, bucket); h >= 0; h = bands.nextMember(h)) {
          // position[h] is 1 + the host's place among the candidates, 0 when it is not one.
          if (position[h] <= scanned || h === currentHost || (excluded !== null && excluded.has(h))) continue
          // refusal(h) !== 0 and consider(h), written out: the hottest loop of a large run, where V8 kept the calls.
          if (planMemMiB[h] + memMiB > memCapMiB[h] + 1e-6) continue
          const capacity = capacityMips[h]
          if ((planCpuMips[h] + demandMips) / capacity > 1 + 1e-9) continue
          const util = planCpuMips[h] / capacity
          if (util > 0 && verdictHas[h] === 1) {
            const metric = verdictMetric[h] + verdictShift[h] * (util - cpuUtil[h] + demandMips / capacity)
            const threshold = verdictThreshold[h]
            if (verdictInclusive[h] === 1 ? metric >= threshold - 1e-12 : metric > threshold + 1e-12) continue
          }
          const offset = classOf[h] * TABLE_POINTS
          const increase = tablePowerW(tables, offset, util + demandMips / capacity) - tablePowerW(tables, offset, util)
          if (increase < bestIncrease || (increase === bestIncrease && h < best)) { best = h; bestIncrease = increase }
        }
      }
    }
  }
  return best < 0 ? null : { hostIndex: best, powerIncreaseW: bestIncrease, alternatives: alternatives ?? NO_ALTERNATIVES }
}
