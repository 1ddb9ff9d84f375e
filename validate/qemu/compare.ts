// Pure comparison of a real QEMU run with the Cutover run of the same spec: one row of metrics per side, the
// error per metric, and the median and worst error over a matrix. No I/O: unit-tested on recorded runs.
import type { RealRunResult } from './real-run'
import type { RunSpec } from './spec'

export type Verdict = 'completed' | 'not-converged' | 'failed'

export interface SideMetrics {
  readonly verdict: Verdict
  readonly totalTimeMs: number | null
  readonly bytes: number | null
  readonly downtimeMs: number | null
  /** Bitmap syncs (QEMU's dirty-sync-count; for Cutover its rounds + the set-up sync QEMU also counts). */
  readonly syncs: number | null
  readonly maxThrottlePct: number
  readonly xbzrleHits: number | null
}

export interface RunComparison {
  readonly spec: RunSpec
  readonly real: SideMetrics
  readonly model: SideMetrics
  readonly verdictMatches: boolean
  /** (model − real) / real, where both completed; null where not measured. */
  readonly timeError: number | null
  readonly bytesError: number | null
  readonly downtimeErrorMs: number | null
  readonly downtimeError: number | null
  /** (model − real) in auto-converge steps (QEMU's increment is 10 points). */
  readonly throttleStepError: number | null
}

const THROTTLE_STEP_PCT = 10

function record(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {}
}

function numberOr(value: unknown, fallback: number | null): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : fallback
}

export function realMetrics(run: RealRunResult): SideMetrics {
  const final = record(run.final)
  const ram = record(final.ram)
  const xbzrle = record(final['xbzrle-cache'])
  const completed = run.verdict === 'completed'
  const throttleSeen = run.samples.reduce((max, sample) => Math.max(max, sample.throttlePct), 0)
  // A cancelled migration's last answer has no RAM figures: the last poll before the cancel has them.
  const lastSample = run.samples.at(-1)
  return {
    verdict: run.verdict,
    totalTimeMs: completed ? numberOr(final['total-time'], null) : null,
    bytes: numberOr(ram.transferred, lastSample?.transferred ?? null),
    downtimeMs: completed ? numberOr(final.downtime, null) : null,
    syncs: numberOr(ram['dirty-sync-count'], lastSample?.syncCount ?? null),
    maxThrottlePct: Math.max(throttleSeen, numberOr(final['cpu-throttle-percentage'], 0) ?? 0),
    xbzrleHits: run.spec.xbzrle ? numberOr(xbzrle.pages, null) : null
  }
}

/**
 * What the path carried during the run's first pass (set-up sync to the second sync), Mbit/s: under TCG the
 * sender is CPU-bound on a busy machine, so this can be below max-bandwidth. Null when there was no second sync.
 */
export function firstPassMbit(run: RealRunResult): number | null {
  const second = run.syncs.find((sync) => sync.pass === 2)
  const first = run.samples[0]
  if (second === undefined || first === undefined || second.tMs <= first.tMs) return null
  return ((second.transferredBytes - first.transferred) * 8) / ((second.tMs - first.tMs) * 1e3)
}

/**
 * The sender's page rate in the first pass (pages/s): the pass visits every page of guest memory, zero pages
 * included, so where it was CPU-bound this is what the sender manages per second while the guest runs.
 */
export function firstPassPagesPerS(run: RealRunResult): number | null {
  const second = run.syncs.find((sync) => sync.pass === 2)
  const first = run.samples[0]
  if (second === undefined || first === undefined || second.tMs <= first.tMs) return null
  const pageBytes = numberOr(record(run.final.ram)['page-size'], 4096) ?? 4096
  return (run.spec.memMiB * 2 ** 20) / pageBytes / ((second.tMs - first.tMs) / 1000)
}

export function modelVerdict(json: Record<string, unknown>): Verdict {
  if (json.outcome === 'completed') return 'completed'
  const reason = String(json.abortReason ?? '')
  if (json.outcome === 'aborted' && /cancel|time/.test(reason)) return 'not-converged'
  return 'failed'
}

/**
 * Cutover's downtime on the source's clock, the span QEMU's `downtime` covers: QEMU starts it before stopping the
 * vCPUs (migration_stop_vm → migration_downtime_start) and ends it in migration_completion_end, after
 * qemu_savevm_state_complete_precopy has written the last RAM page and the device state into the socket
 * (qemu_fflush; post-copy: when postcopy_start has sent the device-state package). The destination's load and
 * resume are not in it, nor what still sat in the socket buffers. So: the model's `sourceDowntimeMs` (the final
 * copy up to its last byte written, given the buffers' fill at the stop); from results without it,
 * downtimeParts.finalCopyMs + deviceStateMs. Null when neither is there.
 */
export function modelSourceDowntimeMs(json: Record<string, unknown>): number | null {
  const source = numberOr(json.sourceDowntimeMs, null)
  if (source !== null) return source
  const parts = record(json.downtimeParts)
  const finalCopy = numberOr(parts.finalCopyMs, null)
  if (finalCopy === null) return null
  return finalCopy + (numberOr(parts.deviceStateMs, 0) ?? 0)
}

export function modelMetrics(json: Record<string, unknown>, spec: RunSpec): SideMetrics {
  const verdict = modelVerdict(json)
  const completed = verdict === 'completed'
  const rounds = Array.isArray(json.rounds) ? json.rounds.length : null
  const xbzrle = record(json.xbzrle)
  return {
    verdict,
    totalTimeMs: completed ? numberOr(json.totalTimeMs, null) : null,
    bytes: numberOr(json.bytesSent, null),
    downtimeMs: completed ? modelSourceDowntimeMs(json) : null,
    syncs: rounds === null ? null : rounds + 1,
    maxThrottlePct: numberOr(json.throttlePctMax, 0) ?? 0,
    xbzrleHits: spec.xbzrle ? numberOr(xbzrle.cacheHits, null) : null
  }
}

function relative(model: number | null, real: number | null): number | null {
  if (model === null || real === null || real === 0) return null
  return (model - real) / real
}

export function compareRun(spec: RunSpec, real: SideMetrics, model: SideMetrics): RunComparison {
  const both = real.verdict === 'completed' && model.verdict === 'completed'
  return {
    spec, real, model, verdictMatches: real.verdict === model.verdict,
    timeError: both ? relative(model.totalTimeMs, real.totalTimeMs) : null,
    bytesError: both ? relative(model.bytes, real.bytes) : null,
    downtimeErrorMs: both && model.downtimeMs !== null && real.downtimeMs !== null ? model.downtimeMs - real.downtimeMs : null,
    downtimeError: both ? relative(model.downtimeMs, real.downtimeMs) : null,
    throttleStepError: spec.autoConverge ? (model.maxThrottlePct - real.maxThrottlePct) / THROTTLE_STEP_PCT : null
  }
}

export interface ErrorSummary {
  readonly runs: number
  readonly verdictMatches: number
  /** Median and worst |error| per metric, over the runs where it was measured on both sides; null if none. */
  readonly time: { median: number; worst: number; n: number } | null
  readonly bytes: { median: number; worst: number; n: number } | null
  readonly downtimeMs: { median: number; worst: number; n: number } | null
  /** Runs whose downtime is within 20 ms or 30 % of QEMU's. */
  readonly downtimeWithinTarget: number
  readonly downtimeMeasured: number
  readonly throttleSteps: { median: number; worst: number; n: number } | null
}

function medianWorst(values: readonly (number | null)[]): { median: number; worst: number; n: number } | null {
  const abs = values.filter((value): value is number => value !== null).map(Math.abs).sort((a, b) => a - b)
  if (abs.length === 0) return null
  const mid = Math.floor(abs.length / 2)
  const median = abs.length % 2 === 1 ? (abs[mid] as number) : ((abs[mid - 1] as number) + (abs[mid] as number)) / 2
  return { median, worst: abs[abs.length - 1] as number, n: abs.length }
}

export function summarize(rows: readonly RunComparison[]): ErrorSummary {
  const downtimeRows = rows.filter((row) => row.downtimeErrorMs !== null)
  return {
    runs: rows.length,
    verdictMatches: rows.filter((row) => row.verdictMatches).length,
    time: medianWorst(rows.map((row) => row.timeError)),
    bytes: medianWorst(rows.map((row) => row.bytesError)),
    downtimeMs: medianWorst(rows.map((row) => row.downtimeErrorMs)),
    downtimeWithinTarget: downtimeRows.filter((row) => Math.abs(row.downtimeErrorMs as number) <= 20 || Math.abs(row.downtimeError ?? Infinity) <= 0.3).length,
    downtimeMeasured: downtimeRows.length,
    throttleSteps: medianWorst(rows.map((row) => row.throttleStepError))
  }
}

const pct = (value: number | null): string => (value === null ? 'not measured' : `${value >= 0 ? '+' : ''}${(value * 100).toFixed(1)} %`)
const ms = (value: number | null): string => (value === null ? '–' : value.toFixed(0))
const mib = (value: number | null): string => (value === null ? '–' : (value / 2 ** 20).toFixed(1))

function specLabel(spec: RunSpec): string {
  const flags = [spec.autoConverge ? 'AC' : '', spec.xbzrle ? 'XBZRLE' : '', spec.postcopy ? 'post-copy' : ''].filter(Boolean).join('+')
  return `${spec.memMiB} MiB, hot ${spec.hotMiB} MiB ${spec.pattern}, ${spec.ratePagesPerS} p/s, ${spec.maxBandwidthMbit} Mbit/s${flags === '' ? '' : ', ' + flags}`
}

/** The per-run table (QEMU vs Cutover) in Markdown. */
export function comparisonTable(rows: readonly RunComparison[]): string {
  const header = '| run | set-up | verdict QEMU / Cutover | total ms | MiB sent | downtime ms | syncs | max throttle % | XBZRLE hits | time err | bytes err |\n' +
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |\n'
  return header + rows.map((row) => [
    row.spec.id, specLabel(row.spec), `${row.real.verdict} / ${row.model.verdict}${row.verdictMatches ? '' : ' ✗'}`,
    `${ms(row.real.totalTimeMs)} / ${ms(row.model.totalTimeMs)}`, `${mib(row.real.bytes)} / ${mib(row.model.bytes)}`,
    `${ms(row.real.downtimeMs)} / ${ms(row.model.downtimeMs)}`, `${row.real.syncs ?? '–'} / ${row.model.syncs ?? '–'}`,
    `${row.real.maxThrottlePct} / ${row.model.maxThrottlePct}`,
    row.spec.xbzrle ? `${row.real.xbzrleHits ?? '–'} / ${row.model.xbzrleHits ?? '–'}` : '–',
    pct(row.timeError), pct(row.bytesError)
  ].map((cell) => ` ${cell} `).join('|')).map((line) => `|${line}|`).join('\n') + '\n'
}

export function summaryTable(summary: ErrorSummary): string {
  const cell = (value: { median: number; worst: number; n: number } | null, format: (v: number) => string): string =>
    value === null ? 'not measured | not measured | 0' : `${format(value.median)} | ${format(value.worst)} | ${value.n}`
  const asPct = (v: number): string => `${(v * 100).toFixed(1)} %`
  return '| metric | median abs error | worst abs error | runs |\n| --- | --- | --- | --- |\n' +
    `| verdict (same on both sides) | ${summary.verdictMatches}/${summary.runs} | | ${summary.runs} |\n` +
    `| total time | ${cell(summary.time, asPct)} |\n` +
    `| bytes sent | ${cell(summary.bytes, asPct)} |\n` +
    `| downtime (ms) | ${cell(summary.downtimeMs, (v) => v.toFixed(0))} |\n` +
    `| downtime within 20 ms or 30 % | ${summary.downtimeWithinTarget}/${summary.downtimeMeasured} | | ${summary.downtimeMeasured} |\n` +
    `| auto-converge final throttle (steps) | ${cell(summary.throttleSteps, (v) => v.toFixed(1))} |\n`
}
