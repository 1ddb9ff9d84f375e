// Turns a policy's output into decisions: every proposal is judged by the core, executed if accepted, and
// recorded as a `decision.made` event with its reason, expected benefit, predicted cost and disposition; the
// first few candidates the policy itself filtered out are recorded too, so "why did nothing move?" has an answer.
import type { SimTimeUs } from '../kernel/time'
import type { PingPongDetector } from '../policy/oscillation'
import type { MigrateProposal, MoveCost, PolicyOutput, PowerProposal } from '../policy/types'
import { judgeMigration, judgePower, type AdmissionContext } from './admission'
import type { Disposition } from './events'
import type { MigrationModel } from './migration-model'
import type { MigrationNetwork } from './network'
import type { CoreServices } from './services'
import { estimateMoveCost } from './view'

/** Policy-side skips recorded per tick; the rest are only counted. */
export const SKIPPED_RECORDED_MAX = 20
/** Alternatives a decision record names. */
const ALTERNATIVES_RECORDED = 3

export interface DecisionContext {
  readonly services: CoreServices
  readonly detector: PingPongDetector
  readonly model: MigrationModel
  readonly network: MigrationNetwork
  readonly cooldownUs: SimTimeUs
  readonly movesPerCycleMax: number
  readonly policy: string
  readonly tick: number
  nextDecisionId(): string
  powerOff(hostIndex: number, reason: string): void
  drainForPowerOff(hostIndex: number): void
}

export interface DecisionCounts {
  accepted: number
  rejected: number
  recommended: number
}

function migrationCost(context: DecisionContext, proposal: MigrateProposal): MoveCost | null {
  if (proposal.cost !== null) return proposal.cost
  const { state } = context.services
  const vm = state.vms[proposal.vmIndex]
  const target = state.hosts[proposal.targetHostIndex]
  if (vm === undefined || target === undefined || vm.hostIndex < 0 || vm.hostIndex === target.index) return null
  return estimateMoveCost(state, context.model, context.network, vm, target)
}

/** The first three alternatives as `host: reason; …` ('' for none, the common case, without building arrays). */
export function alternativesText(alternatives: MigrateProposal['alternatives']): string {
  const count = Math.min(ALTERNATIVES_RECORDED, alternatives.length)
  if (count === 0) return ''
  let text = `${alternatives[0].hostId}: ${alternatives[0].reason}`
  for (let i = 1; i < count; i++) text += `; ${alternatives[i].hostId}: ${alternatives[i].reason}`
  return text
}

function emitDecision(
  context: DecisionContext, proposal: MigrateProposal | PowerProposal, disposition: Disposition, rejectReason: string | null, cost: MoveCost | null
): string {
  const { state, sim } = context.services
  const decisionId = context.nextDecisionId()
  const isMove = proposal.kind === 'migrate'
  const vm = isMove ? state.vms[proposal.vmIndex] : undefined
  const target = state.hosts[isMove ? proposal.targetHostIndex : proposal.hostIndex]
  sim.emit({
    kind: 'decision.made', decisionId, tick: context.tick, policy: context.policy, action: proposal.kind,
    vmId: vm?.id ?? null, sourceHostId: vm !== undefined && vm.hostIndex >= 0 ? state.hosts[vm.hostIndex].id : null,
    targetHostId: target?.id ?? null, reason: proposal.reason, priority: isMove ? proposal.priority : 3,
    benefitMetric: proposal.benefit.metric, benefitBefore: proposal.benefit.before, benefitAfter: proposal.benefit.after,
    costBytes: cost?.bytes ?? 0, costTotalUs: cost?.totalUs ?? 0, costDowntimeUs: cost?.downtimeUs ?? 0,
    disposition, rejectReason,
    alternatives: isMove ? alternativesText(proposal.alternatives) : ''
  })
  return decisionId
}

function disposeMigration(context: DecisionContext, admission: AdmissionContext, proposal: MigrateProposal, counts: DecisionCounts): void {
  const { state, sim, executor } = context.services
  const cost = migrationCost(context, proposal)
  const moves = counts.accepted + counts.recommended
  const verdict = moves >= context.movesPerCycleMax
    ? { kind: 'reject' as const, reason: 'moves-per-cycle cap reached', cycle: null }
    : judgeMigration(admission, proposal)
  if (verdict.kind === 'reject') {
    counts.rejected++
    emitDecision(context, proposal, 'rejected', verdict.reason, cost)
    if (verdict.cycle !== null) {
      const vm = state.vms[proposal.vmIndex]
      vm.cooldownUntilUs = Math.max(vm.cooldownUntilUs, sim.nowUs + 2 * context.cooldownUs)
      sim.emit({ kind: 'pingpong.detected', vmId: vm.id, path: verdict.cycle.map((h) => state.hosts[h].id).join('>'), cooldownUntilUs: vm.cooldownUntilUs })
    }
    return
  }
  if (verdict.kind === 'recommend') {
    counts.recommended++
    emitDecision(context, proposal, 'recommended', null, cost)
    return
  }
  counts.accepted++
  const decisionId = emitDecision(context, proposal, 'accepted', null, cost)
  const target = state.hosts[proposal.targetHostIndex]
  executor.enqueue({ vm: state.vms[proposal.vmIndex], target, cause: 'policy', decisionId, mandatory: proposal.priority <= 1 })
  if (target.state === 'off') context.services.powerOn(target, `target of ${decisionId}`)
}

function disposePower(context: DecisionContext, admission: AdmissionContext, proposal: PowerProposal, counts: DecisionCounts): void {
  const verdict = judgePower(admission, proposal)
  if (verdict.kind === 'reject') {
    counts.rejected++
    emitDecision(context, proposal, 'rejected', verdict.reason, null)
    return
  }
  counts.accepted++
  const decisionId = emitDecision(context, proposal, 'accepted', null, null)
  const host = context.services.state.hosts[proposal.hostIndex]
  if (proposal.kind === 'power-on') context.services.powerOn(host, `${decisionId}: ${proposal.reason}`)
  else if (verdict.kind === 'now') context.powerOff(host.index, `${decisionId}: ${proposal.reason}`)
  else context.drainForPowerOff(host.index)
}

function recordSkipped(context: DecisionContext, output: PolicyOutput): void {
  const { state, sim } = context.services
  for (const skip of output.skipped.slice(0, SKIPPED_RECORDED_MAX)) {
    const vm = state.vms[skip.vmIndex]
    sim.emit({
      kind: 'decision.made', decisionId: context.nextDecisionId(), tick: context.tick, policy: context.policy, action: 'migrate',
      vmId: vm?.id ?? null, sourceHostId: vm !== undefined && vm.hostIndex >= 0 ? state.hosts[vm.hostIndex].id : null,
      targetHostId: null, reason: 'candidate considered', priority: 5, benefitMetric: '', benefitBefore: 0, benefitAfter: 0,
      costBytes: 0, costTotalUs: 0, costDowntimeUs: 0, disposition: 'rejected', rejectReason: `policy: ${skip.reason}`, alternatives: ''
    })
  }
}

export function disposeOutput(context: DecisionContext, output: PolicyOutput): DecisionCounts {
  const counts: DecisionCounts = { accepted: 0, rejected: 0, recommended: 0 }
  const { state, sim, groups } = context.services
  const admission: AdmissionContext = { state, detector: context.detector, nowUs: sim.nowUs, groups }
  for (const proposal of output.proposals) {
    if (proposal.kind === 'migrate') disposeMigration(context, admission, proposal, counts)
    else disposePower(context, admission, proposal, counts)
  }
  recordSkipped(context, output)
  context.services.executor.dispatch()
  return counts
}
