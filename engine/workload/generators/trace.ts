// Trace replay. Format (text, one write per row; also documented in docs/workloads.md):
//
//   # comment lines start with '#'; blank lines are ignored
//   timeUs,firstPage,pageCount,source      <- optional header (first field literally "timeUs")
//   0,100,4                                 <- pages 100…103 written at 0 µs by the guest
//   2500,0,1,device                         <- page 0 written at 2.5 ms by a device (DMA)
//
// timeUs: integer ≥ 0, non-decreasing; firstPage: integer ≥ 0; pageCount: integer ≥ 1; source: `guest`
// (default) or `device`. Times are relative to the workload's start and run on a trace clock that advances
// with the CPU share, so a throttled guest replays proportionally slower; a paused one stops.
// The browser ESM build: pure JavaScript (its own Buffer shim), so the engine stays free of node:* modules.
import { parse as parseCsv } from 'csv-parse/browser/esm/sync'
import { InvariantViolation } from '../../kernel/assert'
import type { Rng } from '../../kernel/rng'
import type { GuestMemory } from '../../memory/guest-memory'
import type { TraceSpec } from '../spec'
import { PagedWorkload, type TickInput } from '../workload'

export interface WriteTrace {
  readonly rowCount: number
  readonly timesUs: Float64Array
  readonly firstPages: Uint32Array
  readonly pageCounts: Uint32Array
  /** 1 where the row's source is a device. */
  readonly deviceRows: Uint8Array
  /** Time of the last row (0 when empty). */
  readonly lastUs: number
  /** One past the highest page any row writes: memory must have at least this many pages. */
  readonly pagesNeeded: number
}

export type TraceParseResult = { readonly ok: true; readonly trace: WriteTrace } | { readonly ok: false; readonly error: string }

interface Row { timeUs: number; firstPage: number; pageCount: number; device: boolean }

/** A parsed CSV record with the 1-based line it ends on. */
interface CsvRecord { readonly record: string[]; readonly info: { readonly lines: number } }

/** Parses the trace text (csv-parse: RFC 4180 fields, `#` comment lines); errors name the 1-based line and the field. */
export function parseWriteTrace(text: string): TraceParseResult {
  let records: CsvRecord[]
  try {
    records = parseCsv(text, {
      comment: '#', comment_no_infix: true, skip_empty_lines: true, trim: true, relax_column_count: true, info: true
    }) as unknown as CsvRecord[]
  } catch (error) {
    const line = (error as { lines?: number }).lines
    return { ok: false, error: `${line === undefined ? '' : `line ${line}: `}${(error as Error).message}` }
  }
  const rows: Row[] = []
  for (const { record: fields, info } of records) {
    if (rows.length === 0 && fields[0] === 'timeUs') continue
    const parsed = parseRow(fields, rows.length === 0 ? 0 : rows[rows.length - 1].timeUs)
    if (typeof parsed === 'string') return { ok: false, error: `line ${info.lines}: ${parsed}` }
    rows.push(parsed)
  }
  return { ok: true, trace: packRows(rows) }
}

function parseRow(fields: string[], previousUs: number): Row | string {
  if (fields.length < 3 || fields.length > 4) return `expected timeUs,firstPage,pageCount[,source], got ${fields.length} fields`
  const timeUs = wholeNumber(fields[0])
  if (timeUs === undefined) return `timeUs: expected an integer ≥ 0, got "${fields[0]}"`
  if (timeUs < previousUs) return `timeUs: ${timeUs} is before the previous row's ${previousUs}`
  const firstPage = wholeNumber(fields[1])
  if (firstPage === undefined) return `firstPage: expected an integer ≥ 0, got "${fields[1]}"`
  const pageCount = wholeNumber(fields[2])
  if (pageCount === undefined || pageCount < 1) return `pageCount: expected an integer ≥ 1, got "${fields[2]}"`
  const source = fields[3] ?? 'guest'
  if (source !== 'guest' && source !== 'device') return `source: expected guest or device, got "${source}"`
  return { timeUs, firstPage, pageCount, device: source === 'device' }
}

function wholeNumber(field: string): number | undefined {
  if (!/^\d+$/.test(field)) return undefined
  const value = Number(field)
  return Number.isSafeInteger(value) ? value : undefined
}

function packRows(rows: readonly Row[]): WriteTrace {
  const n = rows.length
  const trace = {
    rowCount: n, timesUs: new Float64Array(n), firstPages: new Uint32Array(n), pageCounts: new Uint32Array(n),
    deviceRows: new Uint8Array(n), lastUs: n === 0 ? 0 : rows[n - 1].timeUs, pagesNeeded: 0
  }
  for (let i = 0; i < n; i++) {
    const row = rows[i]
    trace.timesUs[i] = row.timeUs
    trace.firstPages[i] = row.firstPage
    trace.pageCounts[i] = row.pageCount
    trace.deviceRows[i] = row.device ? 1 : 0
    trace.pagesNeeded = Math.max(trace.pagesNeeded, row.firstPage + row.pageCount)
  }
  return trace
}

const TRACE_CPU_DEMAND = 0.5

export class TraceWorkload extends PagedWorkload<TraceSpec> {
  readonly trace: WriteTrace
  private readonly periodUs: number
  private traceClockUs = 0
  private passStartUs = 0
  private nextRow = 0

  constructor(spec: TraceSpec, rng: Rng) {
    super(spec, rng)
    const parsed = parseWriteTrace(spec.csv)
    if (!parsed.ok) throw new InvariantViolation(`trace: ${parsed.error}`)
    this.trace = parsed.trace
    this.periodUs = spec.periodUs ?? this.trace.lastUs + 1
    if (!(this.periodUs > this.trace.lastUs)) throw new InvariantViolation(`trace periodUs ${this.periodUs} must exceed the last row's timeUs ${this.trace.lastUs}`)
  }

  protected bind(memory: GuestMemory): void {
    if (this.trace.pagesNeeded > memory.pageCount) {
      throw new InvariantViolation(`trace writes page ${this.trace.pagesNeeded - 1}, memory has ${memory.pageCount} pages`)
    }
  }

  protected advance(memory: GuestMemory, input: TickInput): void {
    const trace = this.trace
    if (trace.rowCount === 0) return
    this.traceClockUs += input.durationUs * input.cpuShare
    for (;;) {
      if (this.nextRow === trace.rowCount) {
        if (this.spec.loop !== true) return
        this.passStartUs += this.periodUs
        this.nextRow = 0
      }
      const i = this.nextRow
      if (this.passStartUs + trace.timesUs[i] >= this.traceClockUs) return
      this.writeRange(memory, trace.firstPages[i], trace.pageCounts[i], trace.deviceRows[i] === 1 ? 'device' : 'guest')
      this.nextRow++
    }
  }

  protected demand(): number {
    return TRACE_CPU_DEMAND
  }
}
