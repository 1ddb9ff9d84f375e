// What an experiment reports, computed once for `cutover sweep` and the app's Experiments view: runs in
// canonical order, mean ± 95 % CI per policy and field (engine/metrics/stats), box-plot summaries, the one
// text form of a mean and its interval, and the CSV/JSON documents (CSV through csv-stringify). No Node APIs.
import { toCsv as writeCsv } from '../support/csv'
import { boxSummary, meanCi95, metricInfo, NUMERIC_SUMMARY_FIELDS, RUN_SUMMARY_FIELDS, type BoxSummary, type MeanCi, type MetricInfo, type RunSummary } from '../../engine/index'

export type NumericField = (typeof NUMERIC_SUMMARY_FIELDS)[number]
export type PolicySummary = Record<string, Record<string, MeanCi>>

/** `cutover sweep --json` and `--out FILE.json`. */
export interface SweepDocument {
  readonly runs: readonly RunSummary[]
  readonly summary: PolicySummary
}

/** One cell of the comparison: a policy's values of one field over its seeds, summarised, and as text. */
export interface PolicyCell {
  readonly policy: string
  readonly values: readonly number[]
  readonly summary: BoxSummary
  /** formatMeanCi(summary): what the CLI table prints for the same runs. */
  readonly text: string
}

export interface MetricComparison {
  readonly metric: NumericField
  /** The engine's label, unit and better direction of this metric. */
  readonly info: MetricInfo
  /** Every measured run has the same value (a setting such as hosts, or nothing varies): nothing to compare. */
  readonly constant: boolean
  readonly byPolicy: readonly PolicyCell[]
}

/** Runs in their canonical order: policies in first-appearance order of `policyOrder`, then seed. */
export function orderRuns(runs: readonly RunSummary[], policyOrder: readonly string[]): RunSummary[] {
  const rank = (policy: string) => { const i = policyOrder.indexOf(policy); return i < 0 ? policyOrder.length : i }
  return [...runs].sort((a, b) => rank(a.policy) - rank(b.policy) || a.policy.localeCompare(b.policy) || a.seed - b.seed)
}

function policiesIn(runs: readonly RunSummary[]): string[] {
  return [...new Set(runs.map((run) => run.policy))]
}

/** A field's values over a policy's runs; a value the run did not verify (null, e.g. lostWrites under the
 * estimate model) is left out, never counted as 0, so a field no run verified is "not measured". */
function valuesOf(runs: readonly RunSummary[], policy: string, field: NumericField): number[] {
  return runs.filter((run) => run.policy === policy).map((run) => run[field]).filter((value): value is number => value !== null)
}

export function summarize(runs: readonly RunSummary[]): PolicySummary {
  const summary: PolicySummary = {}
  for (const policy of policiesIn(runs)) {
    summary[policy] = {}
    for (const field of NUMERIC_SUMMARY_FIELDS) summary[policy][field] = meanCi95(valuesOf(runs, policy, field))
  }
  return summary
}

/** Per field (rows) and policy (columns, first appearance): the values, their box summary and text. */
export function compareRuns(runs: readonly RunSummary[]): MetricComparison[] {
  const policies = policiesIn(runs)
  return NUMERIC_SUMMARY_FIELDS.map((metric) => {
    const info = metricInfo(metric)
    // A downtime of a run without migrations is not a measured 0 ms: such runs are left out of the comparison.
    const measured = info.perMigration === true ? runs.filter((run) => run.migrations > 0) : runs
    const byPolicy = policies.map((policy) => {
      const values = valuesOf(measured, policy, metric)
      const summary = boxSummary(values)
      return { policy, values, summary, text: formatMeanCi(summary) }
    })
    const all = byPolicy.flatMap((cell) => cell.values)
    return { metric, info, constant: all.every((value) => value === all[0]), byPolicy }
  })
}

function digits(x: number): string {
  return Math.abs(x) >= 1000 || x === 0 ? x.toFixed(0) : x.toPrecision(4)
}

/** "12.34 ± 0.5678"; the mean alone when there is no interval (one run); "not measured" for no runs. */
export function formatMeanCi(value: MeanCi): string {
  if (value.n === 0 || !Number.isFinite(value.mean)) return 'not measured'
  return Number.isFinite(value.ci95) ? `${digits(value.mean)} ± ${digits(value.ci95)}` : digits(value.mean)
}

export function printSummaryTable(summary: PolicySummary, out: (text: string) => void): void {
  const policies = Object.keys(summary)
  const width = Math.max(...NUMERIC_SUMMARY_FIELDS.map((f) => f.length))
  const cells = policies.map((policy) => NUMERIC_SUMMARY_FIELDS.map((field) => formatMeanCi(summary[policy][field])))
  const columnWidths = policies.map((policy, p) => Math.max(policy.length, ...cells[p].map((c) => c.length)))
  const runsRow = policies.map((policy, p) => `n=${summary[policy].energyKWh.n}`.padStart(columnWidths[p])).join('  ')
  out(`${'mean ± 95% CI'.padEnd(width)}  ${policies.map((policy, p) => policy.padStart(columnWidths[p])).join('  ')}\n`)
  out(`${'runs'.padEnd(width)}  ${runsRow}\n`)
  NUMERIC_SUMMARY_FIELDS.forEach((field, f) => {
    out(`${field.padEnd(width)}  ${policies.map((_, p) => cells[p][f].padStart(columnWidths[p])).join('  ')}\n`)
  })
}

export function toCsv(runs: readonly RunSummary[]): string {
  return writeCsv(RUN_SUMMARY_FIELDS, runs.map((run) => RUN_SUMMARY_FIELDS.map((field) => run[field])))
}

export function sweepDocument(runs: readonly RunSummary[]): SweepDocument {
  return { runs, summary: summarize(runs) }
}

/** The JSON text of the sweep document (NaN, "not measured", is written as null). */
export function toJson(runs: readonly RunSummary[]): string {
  return JSON.stringify(sweepDocument(runs), null, 2) + '\n'
}
