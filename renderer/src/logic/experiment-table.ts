// Helpers of the Experiments view. The comparison itself (means, 95 % CIs, box summaries and their text) comes
// computed from the experiment pipeline in main, the same numbers `cutover sweep` prints; nothing is recomputed.
import type { ExperimentResult } from '../../../main/ipc/contract'

/** Policies in the order of the result's comparison columns. */
export function policiesOf(result: Pick<ExperimentResult, 'comparison'> | null): string[] {
  return result?.comparison[0]?.byPolicy.map((cell) => cell.policy) ?? []
}

/** Seeds from..to inclusive, capped at `max` (the contract allows 50). */
export function seedRange(from: number, to: number, max = 50): number[] {
  if (!Number.isInteger(from) || !Number.isInteger(to) || to < from) return []
  return Array.from({ length: Math.min(max, to - from + 1) }, (_, i) => from + i)
}
