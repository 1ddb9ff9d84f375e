// Turns experiment runs (policy × seed → metrics) into per-metric, per-policy samples and summaries for the
// comparison table and the box plots. Policy and metric order is first appearance, so it follows the request.
import type { ExperimentRow } from '../../../main/ipc/contract'
import { boxSummary, type BoxSummary } from './stats'

export interface MetricComparison {
  readonly metric: string
  readonly byPolicy: readonly { readonly policy: string; readonly values: readonly number[]; readonly summary: BoxSummary }[]
}

export function policiesOf(runs: readonly ExperimentRow[]): string[] {
  return [...new Set(runs.map((r) => r.policy))]
}

export function metricsOf(runs: readonly ExperimentRow[]): string[] {
  return [...new Set(runs.flatMap((r) => Object.keys(r.metrics)))]
}

export function compareMetrics(runs: readonly ExperimentRow[]): MetricComparison[] {
  const policies = policiesOf(runs)
  return metricsOf(runs).map((metric) => ({
    metric,
    byPolicy: policies.map((policy) => {
      const values = runs.filter((r) => r.policy === policy && Number.isFinite(r.metrics[metric])).map((r) => r.metrics[metric])
      return { policy, values, summary: boxSummary(values) }
    })
  }))
}

/** "12.3 ± 0.8" with a precision suited to the magnitude. */
export function formatMeanCi(summary: BoxSummary): string {
  if (summary.n === 0) return '–'
  const magnitude = Math.max(Math.abs(summary.mean), Math.abs(summary.ci95))
  const digits = magnitude === 0 || magnitude >= 100 ? 0 : magnitude >= 10 ? 1 : magnitude >= 1 ? 2 : 3
  return `${summary.mean.toFixed(digits)} ± ${summary.ci95.toFixed(digits)}`
}

/** Seeds from..to inclusive, capped at `max` (the contract allows 50). */
export function seedRange(from: number, to: number, max = 50): number[] {
  if (!Number.isInteger(from) || !Number.isInteger(to) || to < from) return []
  return Array.from({ length: Math.min(max, to - from + 1) }, (_, i) => from + i)
}
