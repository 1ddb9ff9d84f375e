// PABFD, power-aware best fit decreasing (policies.md §7.3): each VM goes to the host whose power rises least,
// among hosts with room that would not become overloaded; off hosts are a last resort (their whole idle power
// counts). Soft-rule breaches weigh more than any power difference. Ties by host index.
import { isOverloaded, type DetectorVerdict } from './detectors'
import type { Plan } from './plan'
import type { Alternative, VmView } from './types'

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

export function pabfdHost(plan: Plan, vmIndex: number, options: PabfdOptions): PabfdChoice | null {
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
