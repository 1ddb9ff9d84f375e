// `cutover wws`: measures a workload's writable working set (Clark §4: harvest every 50 ms, distinct pages
// over a sliding 8 s window) in one simulated VM, and prints the series as JSON or a table.
import { readFileSync } from 'node:fs'
import type { Command } from 'commander'
import { MEM_BYTES_MAX, MEM_BYTES_MIN, MIB, geometryProblem, checkWorkloadSpec, resolvedWorkloadSpec, GAME_DEFAULTS,
  HOTSET_DEFAULTS, HOTSET_PATTERNS, MUNCHER_DEFAULTS, OLTP_DEFAULTS, WEB_DEFAULTS, WORKLOAD_KINDS, WORKLOAD_PRESET_NAMES, WORKLOAD_RATE_LIMITS,
  measureWws, isWorkloadPresetName, workloadPreset, type HotsetPattern, type WorkloadSpec, type WwsMeasurement } from '../../engine/index'
import { UsageError } from '../support/errors'
import { parseChoiceFlag, parseNumberFlag, parseSeedFlag, printJson } from '../support/flags'

export interface WorkloadFlags {
  workload: string
  /** Filled in by workloadSpecFromFlags when not given: the preset's set-up, else 512. */
  memMib: number
  hotMib?: number
  dirtyPagesPerS?: number
  pattern?: HotsetPattern
  zipfS?: number
  filledMib?: number
  cpuDemand?: number
  regionMib?: number
  writeMbitPerS?: number
  requestsPerS?: number
  frameHz?: number
}

interface WwsFlags extends WorkloadFlags {
  pageKib: number
  durationS: number
  sampleMs: number
  windowS: number
  seed: number
  json?: boolean
}

/** Which workload kinds each workload flag applies to (the rest reject it). */
const FLAG_KINDS: Record<string, { readonly flag: string; readonly kinds: readonly string[] }> = {
  hotMib: { flag: '--hot-mib', kinds: ['hotset'] },
  dirtyPagesPerS: { flag: '--dirty-pages-per-s', kinds: ['hotset', 'oltp'] },
  pattern: { flag: '--pattern', kinds: ['hotset'] },
  zipfS: { flag: '--zipf-s', kinds: ['hotset', 'oltp'] },
  regionMib: { flag: '--region-mib', kinds: ['muncher', 'idle'] },
  writeMbitPerS: { flag: '--write-mbit-per-s', kinds: ['muncher'] },
  requestsPerS: { flag: '--requests-per-s', kinds: ['web'] },
  frameHz: { flag: '--frame-hz', kinds: ['game'] }
}

/** Spec field → the flag that sets it, so engine validation messages name the flag. */
const FIELD_FLAGS: Record<string, string> = {
  hotMiB: '--hot-mib', dirtyPagesPerS: '--dirty-pages-per-s', pattern: '--pattern', zipfS: '--zipf-s',
  filledMiB: '--filled-mib', cpuDemand: '--cpu-demand', regionMiB: '--region-mib', writeMbitPerS: '--write-mbit-per-s',
  requestsPerS: '--requests-per-s', frameHz: '--frame-hz', csv: '--workload'
}

/** Reads `trace:FILE`'s file; other kinds need nothing. */
function traceText(workload: string): string {
  const path = workload.slice('trace:'.length)
  if (path === '') throw new UsageError('--workload: trace needs a file, as trace:FILE')
  try {
    return readFileSync(path, 'utf8')
  } catch (error) {
    throw new UsageError(`--workload: cannot read trace file "${path}": ${(error as Error).message}`)
  }
}

function workloadKind(workload: string): string {
  const kind = workload.startsWith('trace:') ? 'trace' : workload
  if (!(WORKLOAD_KINDS as readonly string[]).includes(kind) || (kind === 'trace' && !workload.startsWith('trace:'))) {
    throw new UsageError(`--workload: expected one of ${WORKLOAD_KINDS.filter((k) => k !== 'trace').join(', ')}, a preset ` +
      `(${WORKLOAD_PRESET_NAMES.join(', ')}) or trace:FILE, got "${workload}"`)
  }
  return kind
}

/** Builds and validates the workload spec from CLI flags; errors are UsageErrors naming the flag. */
export function workloadSpecFromFlags(flags: WorkloadFlags): WorkloadSpec {
  const preset = isWorkloadPresetName(flags.workload) ? workloadPreset(flags.workload) : undefined
  // The preset's VM size is its set-up's (Clark §6); --mem-mib overrides it.
  ;(flags as { memMib?: number }).memMib ??= preset?.memMiB ?? 512
  const kind = preset?.spec.kind ?? workloadKind(flags.workload)
  const given = flags as unknown as Record<string, unknown>
  for (const [key, { flag, kinds }] of Object.entries(FLAG_KINDS)) {
    if (given[key] === undefined) continue
    if (preset !== undefined) throw new UsageError(`${flag}: does not apply to the preset --workload ${preset.name} (its parameters come from the paper)`)
    if (!kinds.includes(kind)) throw new UsageError(`${flag}: does not apply to --workload ${kind}`)
  }
  const spec = preset === undefined ? specFor(kind, flags) : { ...preset.spec, ...(flags.filledMib === undefined ? {} : { filledMiB: flags.filledMib }), ...(flags.cpuDemand === undefined ? {} : { cpuDemand: flags.cpuDemand }) }
  const problem = checkWorkloadSpec(spec, flags.memMib * MIB)
  if (problem !== undefined) {
    const field = problem.slice(0, problem.indexOf(':'))
    throw new UsageError(`${FIELD_FLAGS[field] ?? '--workload'}: ${problem.slice(field.length + 2)}`)
  }
  return spec
}

/** The spec for `kind`: flags where given, else defaults, region defaults shrunk to fit small VMs. */
function specFor(kind: string, flags: WorkloadFlags): WorkloadSpec {
  const common = { ...(flags.filledMib === undefined ? {} : { filledMiB: flags.filledMib }), ...(flags.cpuDemand === undefined ? {} : { cpuDemand: flags.cpuDemand }) }
  const upTo = (value: number, fraction: number) => Math.min(value, flags.memMib * fraction)
  const given = <K extends string>(key: K, value: number | undefined) => (value === undefined ? {} : { [key]: value } as Record<K, number>)
  switch (kind) {
    case 'hotset': return {
      kind, ...common, hotMiB: flags.hotMib ?? upTo(HOTSET_DEFAULTS.hotMiB, 1),
      dirtyPagesPerS: flags.dirtyPagesPerS ?? HOTSET_DEFAULTS.dirtyPagesPerS, pattern: flags.pattern ?? HOTSET_DEFAULTS.pattern,
      zipfS: flags.zipfS ?? HOTSET_DEFAULTS.zipfS
    }
    case 'muncher': return {
      kind, ...common, regionMiB: flags.regionMib ?? upTo(MUNCHER_DEFAULTS.regionMiB, 1),
      writeMbitPerS: flags.writeMbitPerS ?? MUNCHER_DEFAULTS.writeMbitPerS
    }
    case 'idle': return { kind, ...common, ...given('regionMiB', flags.regionMib) }
    case 'web': return {
      kind, ...common, netBufferMiB: upTo(WEB_DEFAULTS.netBufferMiB, 1 / 4), heapMiB: upTo(WEB_DEFAULTS.heapMiB, 1 / 2),
      ...given('requestsPerS', flags.requestsPerS)
    }
    case 'game': return { kind, ...common, stateMiB: upTo(GAME_DEFAULTS.stateMiB, 1 / 2), ...given('frameHz', flags.frameHz) }
    case 'oltp': return {
      kind, ...common, logMiB: upTo(OLTP_DEFAULTS.logMiB, 1 / 8), bufferPoolMiB: upTo(OLTP_DEFAULTS.bufferPoolMiB, 1 / 2),
      ...given('dirtyPagesPerS', flags.dirtyPagesPerS), ...given('zipfS', flags.zipfS)
    }
    default: return { kind: 'trace', ...common, csv: traceText(flags.workload), loop: true }
  }
}

/** Adds the workload flags shared by commands that run one VM (`wws`, and `migrate` may reuse them). */
export function addWorkloadOptions(command: Command): Command {
  return command
    .option('--workload <kind>', `${WORKLOAD_KINDS.filter((k) => k !== 'trace').join(', ')}, a preset of Clark et al.'s workloads (${WORKLOAD_PRESET_NAMES.join(', ')}) or trace:FILE`, 'idle')
    .option('--mem-mib <n>', 'guest memory (MiB; default 512, or the preset\'s set-up)', parseNumberFlag('--mem-mib', { min: MEM_BYTES_MIN / MIB, max: MEM_BYTES_MAX / MIB, integer: true }))
    .option('--hot-mib <n>', `hotset: region written (default ${HOTSET_DEFAULTS.hotMiB})`, parseNumberFlag('--hot-mib', { min: 0, max: MEM_BYTES_MAX / MIB }))
    .option('--dirty-pages-per-s <n>', `hotset, oltp: page writes per second (hotset default ${HOTSET_DEFAULTS.dirtyPagesPerS})`, parseNumberFlag('--dirty-pages-per-s', { min: 0, max: WORKLOAD_RATE_LIMITS.pagesPerS }))
    .option('--pattern <p>', `hotset: ${HOTSET_PATTERNS.join(', ')} (default ${HOTSET_DEFAULTS.pattern})`, parseChoiceFlag('--pattern', HOTSET_PATTERNS))
    .option('--zipf-s <s>', `Zipf exponent for --pattern zipf and oltp (default ${HOTSET_DEFAULTS.zipfS})`, parseNumberFlag('--zipf-s', { min: 0, max: 100 }))
    .option('--filled-mib <n>', 'pages beyond this start all-zero (default: all hold data)', parseNumberFlag('--filled-mib', { min: 0, max: MEM_BYTES_MAX / MIB }))
    .option('--cpu-demand <f>', 'share of its vCPU the guest\'s work needs, 0…1 (a CPU throttle slows it only below that; default: the workload\'s own)', parseNumberFlag('--cpu-demand', { min: 0, max: 1 }))
    .option('--region-mib <n>', `muncher: region rewritten (default ${MUNCHER_DEFAULTS.regionMiB}); idle: background region`, parseNumberFlag('--region-mib', { min: 0, max: MEM_BYTES_MAX / MIB }))
    .option('--write-mbit-per-s <n>', `muncher: write rate (default ${MUNCHER_DEFAULTS.writeMbitPerS})`, parseNumberFlag('--write-mbit-per-s', { min: 0, max: WORKLOAD_RATE_LIMITS.writeMbitPerS }))
    .option('--requests-per-s <n>', 'web: offered request rate', parseNumberFlag('--requests-per-s', { min: 0, max: WORKLOAD_RATE_LIMITS.requestsPerS }))
    .option('--frame-hz <n>', 'game: frame rate', parseNumberFlag('--frame-hz', { min: 0, max: WORKLOAD_RATE_LIMITS.frameHz }))
}

export function registerWwsCommand(program: Command): void {
  const command = program.command('wws')
    .description('measure a workload\'s writable working set (distinct pages dirtied over a sliding window)')
  addWorkloadOptions(command)
    .option('--page-kib <n>', 'page size (KiB, a power of two)', parseNumberFlag('--page-kib', { min: 0.5, max: 2048 }), 4)
    .option('--duration-s <s>', 'simulated seconds', parseNumberFlag('--duration-s', { min: 0.001, max: 86_400 }), 30)
    .option('--sample-ms <ms>', 'dirty-log harvest period', parseNumberFlag('--sample-ms', { min: 1, max: 3_600_000 }), 50)
    .option('--window-s <s>', 'sliding window (a multiple of --sample-ms)', parseNumberFlag('--window-s', { min: 0.001, max: 3600 }), 8)
    .option('--seed <n>', 'random seed', parseSeedFlag, 1)
    .option('--json', 'print one JSON document')
    .action((flags: WwsFlags) => runWws(flags))
}

/** The series keeps one sample per harvest: at most this many (100 k samples ≈ 10 s of work, 180 MB). */
export const WWS_SAMPLES_MAX = 100_000

/** `--page-kib` as pageBytes, refused (naming pageBytes) unless the engine accepts it with this memory. */
export function pageBytesFromFlag(pageKib: number, memMib: number): number {
  const pageBytes = pageKib * 1024
  const problem = geometryProblem(memMib * MIB, pageBytes)
  if (problem !== undefined) throw new UsageError(`--page-kib: ${problem}`)
  return pageBytes
}

function runWws(flags: WwsFlags): void {
  const sampleUs = Math.round(flags.sampleMs * 1000)
  const windowUs = Math.round(flags.windowS * 1_000_000)
  if (windowUs % sampleUs !== 0) throw new UsageError(`--window-s: ${flags.windowS} s is not a multiple of --sample-ms ${flags.sampleMs}`)
  const samples = Math.ceil((flags.durationS * 1000) / flags.sampleMs)
  if (samples > WWS_SAMPLES_MAX) throw new UsageError(`--sample-ms: --duration-s ${flags.durationS} / --sample-ms ${flags.sampleMs} is ${samples} samples, at most ${WWS_SAMPLES_MAX}`)
  const spec = workloadSpecFromFlags(flags)
  // After the spec: a preset fills in --mem-mib, which the page-size check needs.
  const pageBytes = pageBytesFromFlag(flags.pageKib, flags.memMib)
  const memBytes = flags.memMib * MIB
  const result = measureWws({ spec, memBytes, pageBytes, durationUs: Math.round(flags.durationS * 1_000_000), seed: flags.seed, sampleUs, windowUs })
  const resolved = resolvedWorkloadSpec(spec)
  const preset = isWorkloadPresetName(flags.workload) ? workloadPreset(flags.workload) : undefined
  const traceLabel = preset === undefined ? { file: flags.workload.slice('trace:'.length) } : { preset: preset.name }
  const shownSpec = resolved.kind === 'trace' ? { ...resolved, csv: undefined, ...traceLabel } : resolved
  if (flags.json === true) printJson(jsonDocument(shownSpec, flags, memBytes, result))
  else printTable(flags, memBytes, result)
}

function jsonDocument(spec: unknown, flags: WwsFlags, memBytes: number, result: WwsMeasurement): unknown {
  const s = result.summary
  return {
    workload: spec, seed: flags.seed, memBytes, pageBytes: result.pageBytes, durationMs: flags.durationS * 1000,
    sampleMs: s.sampleUs / 1000, windowMs: s.windowUs / 1000,
    series: result.series.map((sample) => ({ tMs: sample.atUs / 1000, wwsBytes: sample.wwsBytes, dirtyPagesPerS: sample.dirtyPagesPerS })),
    summary: {
      samples: s.samples, wwsBytesMax: s.wwsBytesMax, wwsBytesMean: s.wwsBytesMean, wwsBytesFinal: s.wwsBytesFinal,
      dirtyPagesPerSMean: s.dirtyPagesPerSMean, dirtyPagesPerSMax: s.dirtyPagesPerSMax, pageWritesPerSMean: s.pageWritesPerSMean,
      guestPageWrites: result.guestPageWrites, devicePageWrites: result.devicePageWrites, cpuDemand: result.cpuDemand
    },
    traceHash: result.traceHash
  }
}

const TABLE_ROWS = 20

function printTable(flags: WwsFlags, memBytes: number, result: WwsMeasurement): void {
  const out: string[] = []
  const mib = (bytes: number) => (bytes / MIB).toFixed(2)
  out.push(`wws: ${flags.workload}, ${mib(memBytes)} MiB in ${result.pageBytes}-byte pages, seed ${flags.seed}, ` +
    `sample ${flags.sampleMs} ms, window ${flags.windowS} s`)
  out.push(`${'t (s)'.padStart(10)} ${'WWS (MiB)'.padStart(12)} ${'dirty pages/s'.padStart(14)}`)
  const series = result.series
  const step = Math.max(1, Math.ceil(series.length / TABLE_ROWS))
  for (let i = 0; i < series.length; i++) {
    if (i % step !== step - 1 && i !== series.length - 1) continue
    const sample = series[i]
    out.push(`${(sample.atUs / 1e6).toFixed(2).padStart(10)} ${mib(sample.wwsBytes).padStart(12)} ${sample.dirtyPagesPerS.toFixed(0).padStart(14)}`)
  }
  const s = result.summary
  out.push('')
  out.push(`WWS max ${mib(s.wwsBytesMax)} MiB, mean ${mib(s.wwsBytesMean)} MiB, final ${mib(s.wwsBytesFinal)} MiB`)
  out.push(`dirty pages/s mean ${s.dirtyPagesPerSMean.toFixed(0)}, max ${s.dirtyPagesPerSMax.toFixed(0)}; ` +
    `page writes/s mean ${s.pageWritesPerSMean.toFixed(0)} (guest ${result.guestPageWrites}, device ${result.devicePageWrites} in total)`)
  process.stdout.write(out.join('\n') + '\n')
}
