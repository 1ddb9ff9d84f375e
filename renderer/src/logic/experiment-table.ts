// Helpers of the Experiments view. The comparison itself (means, 95 % CIs, box summaries and their text) comes
// computed from the experiment pipeline in main, the same numbers `cutover sweep` prints; nothing is recomputed.
import type { MetricComparison, PolicyCell } from '../../../main/ipc/contract'

/** Policies in the order of the result's comparison columns. */
export function policiesOf(result: { readonly comparison: readonly { readonly byPolicy: readonly { readonly policy: string }[] }[] } | null): string[] {
  return result?.comparison[0]?.byPolicy.map((cell) => cell.policy) ?? []
}

/** Seeds from..to inclusive, capped at `max` (the contract allows 50). */
export function seedRange(from: number, to: number, max = 50): number[] {
  if (!Number.isInteger(from) || !Number.isInteger(to) || to < from) return []
  return Array.from({ length: Math.min(max, to - from + 1) }, (_, i) => from + i)
}

/** How a metric's values are shown: its unit label and the factor its raw values are divided by. */
export interface DisplayUnit { readonly label: string; readonly divisor: number }

const GIB = 2 ** 30

/** GiB for bytes, s for milliseconds of a second or more, the engine's unit otherwise ('' for plain ratios). */
export function displayUnit(row: Pick<MetricComparison, 'info' | 'byPolicy'>): DisplayUnit {
  const { unit } = row.info
  if (unit === 'bytes') return { label: 'GiB', divisor: GIB }
  if (unit === 'ms') {
    const largest = Math.max(0, ...row.byPolicy.map((cell) => (cell.summary.n > 0 ? Math.abs(cell.summary.mean) : 0)))
    return largest >= 1000 ? { label: 's', divisor: 1000 } : { label: 'ms', divisor: 1 }
  }
  // Counts are named by their label ("Hosts 20", "Migrations 41"); ratios have no unit.
  if (unit === 'ratio' || unit === 'count' || unit === 'hosts' || unit === 'VMs') return { label: '', divisor: 1 }
  return { label: unit, divisor: 1 }
}

/** The digits `cutover sweep` prints (main/experiments/summary formatMeanCi), for values in display units. */
function digits(x: number): string {
  return Math.abs(x) >= 1000 || x === 0 ? x.toFixed(0) : x.toPrecision(4)
}

function withUnit(text: string, unit: DisplayUnit): string {
  return unit.label === '' ? text : `${text} ${unit.label}`
}

/** A cell: mean ± 95 % CI in display units ("396.3 ± 239.1 GiB"), the mean alone for one run, or "not measured". */
export function formatMetricCell(cell: PolicyCell, unit: DisplayUnit): string {
  const { n, mean, ci95 } = cell.summary
  if (n === 0 || !Number.isFinite(mean)) return 'not measured'
  if (unit.divisor === 1) return withUnit(cell.text, unit)
  const text = Number.isFinite(ci95) ? `${digits(mean / unit.divisor)} ± ${digits(ci95 / unit.divisor)}` : digits(mean / unit.divisor)
  return withUnit(text, unit)
}

/** One run's value in display units. */
export function formatMetricValue(value: number | null, unit: DisplayUnit): string {
  if (value === null || !Number.isFinite(value)) return 'not measured'
  const shown = value / unit.divisor
  return withUnit(Number.isInteger(shown) ? String(shown) : digits(shown), unit)
}

/** The policy with the best mean when the metric has a better direction and the means differ; else null. */
export function bestPolicy(row: MetricComparison): string | null {
  if (row.constant || row.info.better === 'neutral') return null
  const candidates = row.byPolicy.filter((p) => p.summary.n > 0 && Number.isFinite(p.summary.mean))
  if (candidates.length < 2) return null
  const sign = row.info.better === 'lower' ? 1 : -1
  const best = candidates.reduce((a, b) => (sign * b.summary.mean < sign * a.summary.mean ? b : a))
  return candidates.some((p) => p.summary.mean !== best.summary.mean) ? best.policy : null
}

/** The metrics worth comparing (some run differs), and the constant ones shown once with their value. */
export function splitConstants(comparison: readonly MetricComparison[]): { varying: MetricComparison[]; constant: { row: MetricComparison; text: string }[] } {
  const varying = comparison.filter((row) => !row.constant)
  const constant = comparison.filter((row) => row.constant).map((row) => {
    const value = row.byPolicy.find((cell) => cell.values.length > 0)?.values[0] ?? null
    return { row, text: formatMetricValue(value, displayUnit(row)) }
  })
  return { varying, constant }
}

/** A comparison with every summary figure divided into display units (for the box plots' axes). */
export function scaledComparison(row: MetricComparison, unit: DisplayUnit): MetricComparison {
  if (unit.divisor === 1) return row
  const d = unit.divisor
  return {
    ...row,
    byPolicy: row.byPolicy.map((cell) => ({
      ...cell, values: cell.values.map((v) => v / d),
      summary: {
        ...cell.summary, mean: cell.summary.mean / d, ci95: cell.summary.ci95 / d, min: cell.summary.min / d, max: cell.summary.max / d, median: cell.summary.median / d, q1: cell.summary.q1 / d,
        q3: cell.summary.q3 / d, whiskerLow: cell.summary.whiskerLow / d, whiskerHigh: cell.summary.whiskerHigh / d, outliers: cell.summary.outliers.map((v) => v / d)
      }
    }))
  }
}
