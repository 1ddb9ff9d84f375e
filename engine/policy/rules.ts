// Affinity-rule semantics, shared by the core's validator and the policies' planning scratchpad so both
// judge a placement the same way. Hard rules ("must") are never broken by a proposal the core accepts;
// soft rules ("should") only add a penalty.
import type { RuleView } from './types'

/** Where VMs are (or will be once their move ends), as seen by whoever is checking. */
export interface Placement {
  /** The VM is on the host or has a move to it in flight. */
  occupies(vmIndex: number, hostIndex: number): boolean
  /** The host the VM ends up on (its move's target if moving), -1 if down. */
  futureHost(vmIndex: number): number
}

type RuleLike = Pick<RuleView, 'id' | 'kind' | 'hard' | 'mode' | 'vmIndices' | 'hostIndices'>

/** Why putting `vmIndex` on `hostIndex` breaks `rule`, or null when it does not. */
export function ruleBreach(rule: RuleLike, vmIndex: number, hostIndex: number, placement: Placement): string | null {
  switch (rule.kind) {
    case 'vm-host': {
      const listed = rule.hostIndices.includes(hostIndex)
      const positive = rule.mode === 'must' || rule.mode === 'should'
      if (positive && !listed) return `${rule.id}: ${rule.mode} run on its host group`
      if (!positive && listed) return `${rule.id}: ${rule.mode} run on this host`
      return null
    }
    case 'vm-anti-affinity':
      for (const other of rule.vmIndices) {
        if (other !== vmIndex && placement.occupies(other, hostIndex)) return `${rule.id}: anti-affinity with VM #${other}`
      }
      return null
    case 'vm-affinity':
      for (const other of rule.vmIndices) {
        if (other === vmIndex) continue
        const host = placement.futureHost(other)
        if (host >= 0 && host !== hostIndex) return `${rule.id}: affinity with VM #${other}`
      }
      return null
  }
}

/** The first hard rule broken with why, or null. `ruleIndices` are the rules mentioning the VM. */
export function hardBreachOf(
  rules: readonly RuleLike[], ruleIndices: readonly number[], vmIndex: number, hostIndex: number, placement: Placement
): { readonly ruleId: string; readonly kind: RuleLike['kind']; readonly reason: string } | null {
  for (const r of ruleIndices) {
    const rule = rules[r]
    if (!rule.hard) continue
    const breach = ruleBreach(rule, vmIndex, hostIndex, placement)
    if (breach !== null) return { ruleId: rule.id, kind: rule.kind, reason: breach }
  }
  return null
}

/** Why the first hard rule is broken, or null. */
export function hardBreach(
  rules: readonly RuleLike[], ruleIndices: readonly number[], vmIndex: number, hostIndex: number, placement: Placement
): string | null {
  return hardBreachOf(rules, ruleIndices, vmIndex, hostIndex, placement)?.reason ?? null
}

/** Number of soft rules broken by the placement. */
export function softBreaches(
  rules: readonly RuleLike[], ruleIndices: readonly number[], vmIndex: number, hostIndex: number, placement: Placement
): number {
  let count = 0
  for (const r of ruleIndices) {
    const rule = rules[r]
    if (!rule.hard && ruleBreach(rule, vmIndex, hostIndex, placement) !== null) count++
  }
  return count
}
