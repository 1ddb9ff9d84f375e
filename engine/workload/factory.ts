// Builds a workload from its plain spec, and checks a spec against a memory geometry first so that callers
// (CLI, scenario loader, migration engine) can report a bad field by name instead of tripping an assert.
import { InvariantViolation } from '../kernel/assert'
import type { Rng } from '../kernel/rng'
import type { PageRange } from '../memory/dirty-bitmap'
import { MIB, PAGE_BYTES_DEFAULT } from '../memory/geometry'
import { GAME_DEFAULTS, GameWorkload, gameRegions } from './generators/game'
import { HotsetWorkload, hotsetRegions } from './generators/hotset'
import { IDLE_DEFAULTS, IdleWorkload } from './generators/idle'
import { MuncherWorkload, muncherRegions } from './generators/muncher'
import { OLTP_DEFAULTS, OltpWorkload, oltpRegions } from './generators/oltp'
import { parseWriteTrace, TraceWorkload } from './generators/trace'
import { WEB_DEFAULTS, WebWorkload, webRegions } from './generators/web'
import { HOTSET_DEFAULTS, HOTSET_PATTERNS, WORKLOAD_KINDS, type WorkloadSpec } from './spec'
import type { Workload } from './workload'

/** A workload for `spec` drawing from `rng` (give each workload its own stream, e.g. `workload/vm-0001`). */
export function createWorkload(spec: WorkloadSpec, rng: Rng): Workload {
  switch (spec.kind) {
    case 'idle': return new IdleWorkload(spec, rng)
    case 'hotset': return new HotsetWorkload(spec, rng)
    case 'muncher': return new MuncherWorkload(spec, rng)
    case 'web': return new WebWorkload(spec, rng)
    case 'game': return new GameWorkload(spec, rng)
    case 'oltp': return new OltpWorkload(spec, rng)
    case 'trace': return new TraceWorkload(spec, rng)
  }
}

/** `spec` with every optional generator parameter filled in with its default (for reports); kind first. */
export function resolvedWorkloadSpec(spec: WorkloadSpec): WorkloadSpec {
  const defaults = defaultsFor(spec)
  const { kind, ...given } = spec
  return { kind, ...defaults, ...given } as WorkloadSpec
}

function defaultsFor(spec: WorkloadSpec): object {
  switch (spec.kind) {
    case 'idle': return IDLE_DEFAULTS
    case 'hotset': return { zipfS: HOTSET_DEFAULTS.zipfS, offsetMiB: 0 }
    case 'muncher': return {}
    case 'web': return WEB_DEFAULTS
    case 'game': return GAME_DEFAULTS
    case 'oltp': return OLTP_DEFAULTS
    case 'trace': return { loop: false }
  }
}

/** A numeric field: inclusive minimum (or strictly positive), optional maximum, required or optional. */
interface NumberRule { readonly field: string; readonly min: number; readonly max?: number; readonly positive?: boolean; readonly required?: boolean }

/**
 * Upper bounds on rates: the cost of simulating a workload grows with its write rate, so an absurd rate
 * (1e9 pages/s) would run for hours. 1e7 page writes/s is 40 GB/s of 4 KiB pages, above one VM's memory bandwidth.
 */
export const WORKLOAD_RATE_LIMITS = {
  pagesPerS: 10_000_000, writeMbitPerS: 400_000, requestsPerS: 1_000_000, frameHz: 10_000, perEvent: 100_000
} as const

const size = (field: string, required = false): NumberRule => ({ field, min: 0, positive: true, required })
const rate = (field: string, required = false, max: number = WORKLOAD_RATE_LIMITS.pagesPerS): NumberRule => ({ field, min: 0, max, required })
const perEvent = (field: string): NumberRule => rate(field, false, WORKLOAD_RATE_LIMITS.perEvent)

const NUMBER_RULES: Record<WorkloadSpec['kind'], readonly NumberRule[]> = {
  idle: [rate('writesPerS'), size('regionMiB')],
  hotset: [size('hotMiB', true), rate('dirtyPagesPerS', true), size('zipfS'), rate('offsetMiB')],
  muncher: [size('regionMiB', true), rate('writeMbitPerS', true, WORKLOAD_RATE_LIMITS.writeMbitPerS)],
  web: [rate('requestsPerS', false, WORKLOAD_RATE_LIMITS.requestsPerS), size('netBufferMiB'), size('heapMiB'), perEvent('pagesPerRequest'),
    perEvent('dmaPagesPerRequest'), size('requestsPerSAtFullCpu')],
  game: [rate('frameHz', false, WORKLOAD_RATE_LIMITS.frameHz), size('stateMiB'), perEvent('pagesPerFrame'), perEvent('dmaPagesPerFrame')],
  oltp: [size('bufferPoolMiB'), rate('dirtyPagesPerS'), size('zipfS'), size('logMiB'), rate('logMbitPerS', false, WORKLOAD_RATE_LIMITS.writeMbitPerS),
    rate('readPagesPerS')],
  trace: [{ field: 'periodUs', min: 1 }]
}
const COMMON_RULES: readonly NumberRule[] = [rate('filledMiB', false, Number.MAX_VALUE), { field: 'cpuDemand', min: 0, max: 1 }]

/** Why `spec` cannot run in memBytes of memory, naming the field (e.g. `hotMiB: …`); undefined when fine. */
export function checkWorkloadSpec(spec: WorkloadSpec, memBytes: number, pageBytes = PAGE_BYTES_DEFAULT): string | undefined {
  if (!(WORKLOAD_KINDS as readonly string[]).includes(spec.kind)) return `kind: expected one of ${WORKLOAD_KINDS.join(', ')}, got "${String(spec.kind)}"`
  const fields = spec as unknown as Record<string, unknown>
  for (const rule of [...COMMON_RULES, ...NUMBER_RULES[spec.kind]]) {
    const problem = numberProblem(rule, fields[rule.field])
    if (problem !== undefined) return problem
  }
  if (spec.kind === 'hotset' && !(HOTSET_PATTERNS as readonly string[]).includes(spec.pattern)) {
    return `pattern: expected one of ${HOTSET_PATTERNS.join(', ')}, got "${String(spec.pattern)}"`
  }
  if (spec.kind === 'trace' && typeof spec.csv !== 'string') return 'csv: required'
  if (spec.filledMiB !== undefined && spec.filledMiB * MIB > memBytes) return `filledMiB: more than the memory (${memBytes / MIB} MiB), got ${spec.filledMiB}`
  return layoutProblem(spec, memBytes / pageBytes, pageBytes)
}

function numberProblem(rule: NumberRule, value: unknown): string | undefined {
  const { field } = rule
  if (value === undefined) return rule.required === true ? `${field}: required` : undefined
  if (typeof value !== 'number' || !Number.isFinite(value)) return `${field}: expected a number, got ${JSON.stringify(value)}`
  if (rule.positive === true && !(value > 0)) return `${field}: must be positive, got ${value}`
  if (value < rule.min) return `${field}: must be at least ${rule.min}, got ${value}`
  if (rule.max !== undefined && value > rule.max) return `${field}: must be at most ${rule.max}, got ${value}`
  return undefined
}

function layoutProblem(spec: WorkloadSpec, pageCount: number, pageBytes: number): string | undefined {
  if (spec.kind === 'trace') {
    const parsed = parseWriteTrace(spec.csv)
    if (!parsed.ok) return `csv: ${parsed.error}`
    if (parsed.trace.pagesNeeded > pageCount) return `csv: trace writes page ${parsed.trace.pagesNeeded - 1}, memory has ${pageCount} pages`
    if (spec.periodUs !== undefined && spec.periodUs <= parsed.trace.lastUs) return `periodUs: must exceed the last row's timeUs ${parsed.trace.lastUs}`
    return undefined
  }
  try {
    regionsOf(spec, pageCount, pageBytes)
    return undefined
  } catch (error) {
    if (error instanceof InvariantViolation) return `${regionField(spec)}: ${error.message}`
    throw error
  }
}

function regionsOf(spec: WorkloadSpec, pageCount: number, pageBytes: number): PageRange[] {
  switch (spec.kind) {
    case 'hotset': return hotsetRegions(spec, pageCount, pageBytes)
    case 'muncher': return muncherRegions(spec, pageCount, pageBytes)
    case 'web': return webRegions(spec, pageCount, pageBytes)
    case 'game': return gameRegions(spec, pageCount, pageBytes)
    case 'oltp': return oltpRegions(spec, pageCount, pageBytes)
    default: return []
  }
}

function regionField(spec: WorkloadSpec): string {
  switch (spec.kind) {
    case 'hotset': return 'hotMiB'
    case 'muncher': return 'regionMiB'
    case 'web': return 'heapMiB'
    case 'game': return 'stateMiB'
    case 'oltp': return 'bufferPoolMiB'
    default: return 'kind'
  }
}
