// The trace pack: many VMs' CPU-utilisation series in one text document (the form the shipped PlanetLab days
// take, gzipped, under data/planetlab/, and the form `cutover import` embeds in a scenario). Pure: the caller
// reads and decompresses files; this module formats, parses and checks, naming the line of any problem.
//
// Format (UTF-8, one record per line, `\n`):
//   cutover-traces v1 interval_s=300 samples=288 vms=1052
//   <name>\t<v0>,<v1>,…,<v287>          one line per VM, names sorted by byte order, names may contain spaces
// Values are CPU utilisation in percent of the VM's own capacity, 0…100, decimals allowed.

export interface TraceSeries {
  readonly name: string
  readonly samplesPct: readonly number[]
}

export interface TracePack {
  readonly sampleIntervalS: number
  readonly sampleCount: number
  readonly names: readonly string[]
  /** VM-major: trace i's sample k is at i × sampleCount + k; percent. */
  readonly samplesPct: Float32Array
}

export class TraceFormatError extends Error {
  override readonly name = 'TraceFormatError'
  constructor(readonly file: string, readonly line: number, reason: string) {
    super(`${file}:${line}: ${reason}`)
  }
}

const HEADER = /^cutover-traces v1 interval_s=(\d+) samples=(\d+) vms=(\d+)$/

/** Byte-order comparison (what `LC_ALL=C sort` does), independent of locale. */
export function compareBytes(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}

/** Formats series (sorted here by name; all of equal length) into pack text. */
export function formatTracePack(series: readonly TraceSeries[], sampleIntervalS: number): string {
  const sorted = [...series].sort((a, b) => compareBytes(a.name, b.name))
  const sampleCount = sorted.length === 0 ? 0 : sorted[0].samplesPct.length
  const lines = [`cutover-traces v1 interval_s=${sampleIntervalS} samples=${sampleCount} vms=${sorted.length}`]
  for (const trace of sorted) {
    if (trace.name.includes('\t') || trace.name.includes('\n')) throw new RangeError(`trace name ${JSON.stringify(trace.name)} contains a tab or newline`)
    if (trace.samplesPct.length !== sampleCount) throw new RangeError(`trace ${trace.name}: ${trace.samplesPct.length} samples, expected ${sampleCount}`)
    lines.push(`${trace.name}\t${trace.samplesPct.join(',')}`)
  }
  return lines.join('\n') + '\n'
}

/** Parses a percentage field; null when it is not a number in 0…100. */
export function parsePct(text: string): number | null {
  if (!/^\s*\d+(\.\d+)?\s*$/.test(text)) return null
  const value = Number(text)
  return value >= 0 && value <= 100 ? value : null
}

/** Parses pack text; `file` names it in errors. */
export function parseTracePack(text: string, file = 'trace pack'): TracePack {
  const lines = text.split('\n')
  if (lines[lines.length - 1] === '') lines.pop()
  const header = HEADER.exec(lines[0] ?? '')
  if (header === null) throw new TraceFormatError(file, 1, 'expected the header "cutover-traces v1 interval_s=N samples=N vms=N"')
  const sampleIntervalS = Number(header[1])
  const sampleCount = Number(header[2])
  const vmCount = Number(header[3])
  if (sampleIntervalS <= 0 || sampleCount <= 0) throw new TraceFormatError(file, 1, 'interval_s and samples must be positive')
  if (lines.length - 1 !== vmCount) throw new TraceFormatError(file, lines.length, `header says ${vmCount} VMs, found ${lines.length - 1} lines`)
  const names: string[] = []
  const samplesPct = new Float32Array(vmCount * sampleCount)
  for (let i = 0; i < vmCount; i++) {
    const lineNumber = i + 2
    const line = lines[i + 1]
    const tab = line.indexOf('\t')
    if (tab <= 0) throw new TraceFormatError(file, lineNumber, 'expected "name<TAB>values"')
    const name = line.slice(0, tab)
    if (i > 0 && compareBytes(names[i - 1], name) >= 0) throw new TraceFormatError(file, lineNumber, `names must be unique and sorted, ${JSON.stringify(name)} follows ${JSON.stringify(names[i - 1])}`)
    const fields = line.slice(tab + 1).split(',')
    if (fields.length !== sampleCount) throw new TraceFormatError(file, lineNumber, `${fields.length} samples, expected ${sampleCount}`)
    for (let k = 0; k < sampleCount; k++) {
      const value = parsePct(fields[k])
      if (value === null) throw new TraceFormatError(file, lineNumber, `sample ${k + 1}: expected a percentage 0…100, got ${JSON.stringify(fields[k])}`)
      samplesPct[i * sampleCount + k] = value
    }
    names.push(name)
  }
  return { sampleIntervalS, sampleCount, names, samplesPct }
}

/** PlanetLab/CoMon file as CloudSim ships it: one integer percentage per line (288 lines). */
export function parsePlanetlabFile(text: string, file: string): number[] {
  const lines = text.split('\n')
  if (lines[lines.length - 1] === '') lines.pop()
  if (lines.length === 0) throw new TraceFormatError(file, 1, 'empty file: expected one utilisation percentage per line')
  return lines.map((line, i) => {
    const value = parsePct(line.replace(/\r$/, ''))
    if (value === null) throw new TraceFormatError(file, i + 1, `expected a CPU utilisation percentage 0…100, got ${JSON.stringify(line)}`)
    return value
  })
}

/** CloudSim's VM type of trace i of n: the first quarter is type 0, the next type 1, … (`i / ceil(n / 4)`). */
export function cloudsimVmType(i: number, n: number): number {
  return Math.floor(i / Math.ceil(n / 4))
}
