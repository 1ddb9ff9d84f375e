// What the Policies view shows, kept from the datacenter's events: the imbalance after each policy tick, the
// latest decisions, and the pending recommendations (manual automation) with their reason, benefit and cost.
import type { AutomationLevel, RecommendationView } from '../api/snapshot'
import type { DcEvent } from '../cluster/events'

const DECISIONS_KEPT = 50

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
    const move = event.vmId === null ? event.action : `${event.action} ${event.vmId} ${event.sourceHostId ?? ''} → ${event.targetHostId ?? ''}`
    this.decisions.push({ atUs, summary: `${event.disposition}: ${move} (${event.reason})${event.rejectReason === null ? '' : `; ${event.rejectReason}`}` })
    if (this.decisions.length > DECISIONS_KEPT) this.decisions.shift()
    if (event.disposition !== 'recommended' || event.vmId === null || event.targetHostId === null) return
    this.recommendations.set(event.decisionId, {
      id: event.decisionId, vmId: event.vmId, source: event.sourceHostId ?? '', destination: event.targetHostId, reason: event.reason,
      expectedBenefit: `${event.benefitMetric} ${event.benefitBefore.toFixed(3)} → ${event.benefitAfter.toFixed(3)}`,
      expectedCost: `${(event.costBytes / 1e6).toFixed(0)} MB, ${(event.costTotalUs / 1e6).toFixed(1)} s, ${(event.costDowntimeUs / 1000).toFixed(0)} ms down`
    })
  }
}
