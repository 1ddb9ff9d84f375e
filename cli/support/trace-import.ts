// Reading a user's traces for `cutover import`: a PlanetLab-format folder (one file per VM, one integer
// percentage per line) or a generic CSV (`vm,time_s,cpu_pct[,mem_pct]`, header required). Every problem is a
// UsageError naming the file and line. Names may contain spaces (and, in CSV, quoted commas).
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { parse } from 'csv-parse/sync'
import { compareBytes, parsePct, parsePlanetlabFile, TraceFormatError, type TraceSeries } from '../../engine/index'
import { UsageError } from './errors'

export interface ImportedTraces {
  readonly series: TraceSeries[]
  readonly sampleIntervalS: number
  /** Notes for stderr (e.g. mem_pct present but not replayed). */
  readonly notes: string[]
}

function readText(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8')
  } catch (error) {
    throw new UsageError(`${what}: cannot read ${path} (${(error as Error).message})`)
  }
}

/** Every regular file of `dir` is one VM; all must have the same number of samples. */
export function readPlanetlabFolder(dir: string, sampleIntervalS: number): ImportedTraces {
  let entries: string[]
  try {
    entries = readdirSync(dir).filter((name) => statSync(join(dir, name)).isFile()).sort(compareBytes)
  } catch (error) {
    throw new UsageError(`DIR: cannot read folder ${dir} (${(error as Error).message})`)
  }
  if (entries.length === 0) throw new UsageError(`DIR: ${dir} holds no trace files`)
  const series: TraceSeries[] = []
  for (const name of entries) {
    const path = join(dir, name)
    if (name.includes('\t') || name.includes('\n')) throw new UsageError(`${path}:1: file names may not contain a tab or newline`)
    try {
      series.push({ name, samplesPct: parsePlanetlabFile(readText(path, 'DIR'), path) })
    } catch (error) {
      if (error instanceof TraceFormatError) throw new UsageError(error.message)
      throw error
    }
    const expected = series[0].samplesPct.length
    const got = series[series.length - 1].samplesPct.length
    if (got !== expected) throw new UsageError(`${path}:${Math.min(got, expected) + 1}: ${got} samples, but ${series[0].name} has ${expected} (every file needs the same count)`)
  }
  return { series, sampleIntervalS, notes: [] }
}

interface CsvRow { readonly vm: string; readonly timeS: number; readonly pct: number; readonly line: number }

function csvRows(text: string, file: string): { rows: CsvRow[]; hasMem: boolean } {
  let records: { record: string[]; info: { lines: number } }[]
  try {
    records = parse(text, { info: true, skip_empty_lines: true, trim: true, relax_column_count: true }) as unknown as typeof records
  } catch (error) {
    const lines = (error as { lines?: number }).lines
    throw new UsageError(`${file}:${lines ?? 1}: not valid CSV (${(error as Error).message})`)
  }
  if (records.length === 0) throw new UsageError(`${file}:1: empty file: expected the header vm,time_s,cpu_pct[,mem_pct]`)
  const header = records[0].record.map((cell) => cell.toLowerCase())
  const hasMem = header.length === 4 && header[3] === 'mem_pct'
  if (header[0] !== 'vm' || header[1] !== 'time_s' || header[2] !== 'cpu_pct' || !(header.length === 3 || hasMem)) {
    throw new UsageError(`${file}:${records[0].info.lines}: expected the header vm,time_s,cpu_pct[,mem_pct], got ${records[0].record.join(',')}`)
  }
  const rows: CsvRow[] = []
  for (const { record, info } of records.slice(1)) {
    const line = info.lines
    if (record.length !== header.length) throw new UsageError(`${file}:${line}: expected ${header.length} fields, got ${record.length}`)
    const [vm, time, cpu] = record
    if (vm === '' || vm.includes('\t') || vm.includes('\n')) throw new UsageError(`${file}:${line}: vm: expected a name without tabs or newlines, got ${JSON.stringify(vm)}`)
    const timeS = Number(time)
    if (time === '' || !Number.isFinite(timeS) || timeS < 0) throw new UsageError(`${file}:${line}: time_s: expected a non-negative number of seconds, got ${JSON.stringify(time)}`)
    const pct = parsePct(cpu)
    if (pct === null) throw new UsageError(`${file}:${line}: cpu_pct: expected a percentage 0…100, got ${JSON.stringify(cpu)}`)
    if (hasMem && parsePct(record[3]) === null) throw new UsageError(`${file}:${line}: mem_pct: expected a percentage 0…100, got ${JSON.stringify(record[3])}`)
    rows.push({ vm, timeS, pct, line })
  }
  if (rows.length === 0) throw new UsageError(`${file}:2: no data rows after the header`)
  return { rows, hasMem }
}

/** The sample interval: the flag, or the smallest positive gap between two samples of one VM. */
function intervalOf(byVm: Map<string, CsvRow[]>, given: number | undefined, file: string): number {
  if (given !== undefined) return given
  let smallest = Number.POSITIVE_INFINITY
  for (const rows of byVm.values()) {
    for (let i = 1; i < rows.length; i++) {
      const gap = rows[i].timeS - rows[i - 1].timeS
      if (gap > 0) smallest = Math.min(smallest, gap)
    }
  }
  if (!Number.isFinite(smallest) || smallest <= 0) throw new UsageError(`${file}: cannot infer the sample interval (every VM has one sample); pass --interval-s`)
  if (!Number.isInteger(smallest)) throw new UsageError(`${file}: inferred sample interval ${smallest} s is not a whole number of seconds; pass --interval-s`)
  return smallest
}

/**
 * Generic CSV: rows in any order; each VM's samples land on the grid k × interval (a time off the grid is an
 * error); gaps hold the previous sample (before the first one, its first value).
 */
export function readTraceCsv(file: string, sampleIntervalS: number | undefined): ImportedTraces {
  const { rows, hasMem } = csvRows(readText(file, 'FILE'), file)
  const byVm = new Map<string, CsvRow[]>()
  for (const row of rows) {
    const list = byVm.get(row.vm) ?? []
    list.push(row)
    byVm.set(row.vm, list)
  }
  for (const list of byVm.values()) list.sort((a, b) => a.timeS - b.timeS || a.line - b.line)
  const interval = intervalOf(byVm, sampleIntervalS, file)
  let sampleCount = 0
  for (const row of rows) {
    const k = row.timeS / interval
    if (!Number.isInteger(k)) throw new UsageError(`${file}:${row.line}: time_s: ${row.timeS} is not a multiple of the ${interval} s sample interval`)
    sampleCount = Math.max(sampleCount, k + 1)
  }
  const series: TraceSeries[] = []
  for (const name of [...byVm.keys()].sort(compareBytes)) {
    const list = byVm.get(name) as CsvRow[]
    const samples = new Array<number>(sampleCount).fill(Number.NaN)
    for (const row of list) {
      const k = row.timeS / interval
      if (!Number.isNaN(samples[k])) throw new UsageError(`${file}:${row.line}: vm ${JSON.stringify(name)} has a second sample at time_s ${row.timeS}`)
      samples[k] = row.pct
    }
    let held = list[0].pct
    for (let k = 0; k < sampleCount; k++) {
      if (Number.isNaN(samples[k])) samples[k] = held
      else held = samples[k]
    }
    series.push({ name, samplesPct: samples })
  }
  const notes = hasMem ? ['mem_pct is validated but not replayed: the engine replays CPU traces; memory stays at each VM type\'s RAM'] : []
  return { series, sampleIntervalS: interval, notes }
}
