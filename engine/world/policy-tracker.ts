// What the Policies view shows, kept from the datacenter's events: the imbalance after each policy tick, the
// latest decisions, and the pending recommendations (manual automation) with their reason, benefit and cost.
import type { AutomationLevel, RecommendationView } from '../api/snapshot'
import type { DcEvent } from '../cluster/events'
import type { ClusterState } from '../cluster/state'

const DECISIONS_KEPT = 50
const GIB = 2 ** 30

type Decision = Extract<DcEvent, { kind: 'decision.made' }>

/** What a decision moves or powers, naming its hosts: "migrate vm-0003 host-01 → host-04", "power-off host-07". */
function decisionMove(event: Decision): string {
  if (event.vmId !== null) return `${event.action} ${event.vmId} ${event.sourceHostId ?? '?'} → ${event.targetHostId ?? '?'}`
  const host = event.action === 'power-on' ? event.targetHostId ?? event.sourceHostId : event.sourceHostId ?? event.targetHostId
  return host === null ? event.action : `${event.action} ${host}`
}

/**
 * The imbalance the policy tick reports (SD of CPU utilisation over powered-on hosts, 3 decimals), measured now,
 * so the Policies view has a true figure from the first snapshot rather than 0 until the first tick.
 */
export function cpuImbalance(state: Readonly<ClusterState>): number {
  let sum = 0
  let squares = 0
  let active = 0
  for (const host of state.hosts) {
    if (host.state !== 'on') continue
    const util = host.cpuDemandMips / host.cpuCapacityMips
    sum += util
    squares += util * util
    active++
  }
  if (active === 0) return 0
  const mean = sum / active
  return Math.round(Math.sqrt(Math.max(0, squares / active - mean * mean)) * 1000) / 1000
}

export class PolicyTracker {
  automation: AutomationLevel = 'full'
  parameters: Record<string, number | string | boolean> = {}
  imbalance = 0
  readonly decisions: { atUs: number; summary: string }[] = []
  readonly recommendations = new Map<string, RecommendationView>()

  observe(event: DcEvent, atUs: number): void {
    if (event.kind === 'policy.ticked') {
      this.imbalance = Math.round(event.imbalanceSd * 1000) / 1000
      return
    }
    if (event.kind !== 'decision.made') return
    this.decisions.push({ atUs, summary: `${event.decisionId} ${event.disposition}: ${decisionMove(event)} (${event.reason})${event.rejectReason === null ? '' : `; ${event.rejectReason}`}` })
    if (this.decisions.length > DECISIONS_KEPT) this.decisions.shift()
    if (event.disposition !== 'recommended' || event.vmId === null || event.targetHostId === null) return
    this.recommendations.set(event.decisionId, {
      id: event.decisionId, vmId: event.vmId, source: event.sourceHostId ?? '', destination: event.targetHostId, reason: event.reason,
      expectedBenefit: `${event.benefitMetric} ${event.benefitBefore.toFixed(3)} → ${event.benefitAfter.toFixed(3)}`,
      expectedCost: `${(event.costBytes / GIB).toFixed(2)} GiB, ${(event.costTotalUs / 1e6).toFixed(1)} s, ${(event.costDowntimeUs / 1000).toFixed(0)} ms down`
    })
  }
}
