// The Clark/Xen stop rules of the analytic pre-copy model, in one place: the estimate (estimatePrecopy) and the
// fluid run (estimate-run.ts) test them after every round, and the fluid run's round log names the one that fired.
// Each returns the first rule that fires, in the order the rules are tested, or null to go on.

export interface XenStopLimits {
  readonly maxRounds: number
  readonly stopBelowBytes: number
  readonly maxSentFactor: number
}

export type XenStopRule = 'below-threshold' | 'round-cap' | 'sent-cap' | 'no-progress' | 'dirty-above-rate' | 'rounds-grow'

/**
 * §9's textbook form, after round `rounds` sent `toSend` (the round's whole set): `next` would be dirty for the next
 * round, `sentBytes` have left in all (this round included).
 */
export function textbookStopRule(limits: XenStopLimits, memBytes: number, rounds: number, sentBytes: number, toSend: number, next: number): XenStopRule | null {
  if (next < limits.stopBelowBytes) return 'below-threshold'
  if (rounds >= limits.maxRounds) return 'round-cap'
  if (sentBytes + next > limits.maxSentFactor * memBytes) return 'sent-cap'
  if (next >= toSend) return 'no-progress'
  return null
}

/**
 * The refined form at a fixed rate (Xen's R_min = R_max): the guest dirtied more than the round sent, a cap trips,
 * or the rounds grow (`roundSent` against the round before, `previousRoundSent`).
 */
export function skipStopRule(
  limits: XenStopLimits, memBytes: number, rounds: number, sentBytes: number, roundSent: number, previousRoundSent: number, next: number
): XenStopRule | null {
  if (next < limits.stopBelowBytes) return 'below-threshold'
  if (next > roundSent) return 'dirty-above-rate'
  if (rounds >= limits.maxRounds) return 'round-cap'
  if (sentBytes > limits.maxSentFactor * memBytes) return 'sent-cap'
  if (roundSent > previousRoundSent) return 'rounds-grow'
  return null
}

/** The rule in words, with its limit. */
export function xenStopReason(rule: XenStopRule, limits: XenStopLimits): string {
  switch (rule) {
    case 'below-threshold': return `less than ${Math.round(limits.stopBelowBytes / 1024)} KiB left`
    case 'round-cap': return `round cap ${limits.maxRounds} reached`
    case 'sent-cap': return `more than ${limits.maxSentFactor}× memory sent`
    case 'no-progress': return 'no progress: the next round would be no smaller'
    case 'dirty-above-rate': return 'the guest dirtied more than the round sent'
    case 'rounds-grow': return 'the rounds grow'
  }
}
